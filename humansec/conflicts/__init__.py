"""The conflict check: planned activities too close to protected features (DESIGN.md s. 4).

``load_rules`` reads the stand-off rules, ``find_conflicts`` lists every conflicting pair with
exact geodesic distances, ``summarise`` gives each activity a red/amber/green status, and
``hazard_area`` draws an activity's hazard area for the map.
"""

from __future__ import annotations

from humansec.conflicts.engine import CONFLICT_COLUMNS, find_conflicts
from humansec.conflicts.rules import (
    SEVERITIES,
    Rule,
    RuleSet,
    load_rules,
    parse_rules,
)
from humansec.conflicts.summary import STATUS_RULE, hazard_area, hazard_radius, summarise
from humansec.settings import DEFAULT_RULES_PATH

__all__ = [
    "CONFLICT_COLUMNS",
    "DEFAULT_RULES_PATH",
    "SEVERITIES",
    "STATUS_RULE",
    "Rule",
    "RuleSet",
    "find_conflicts",
    "hazard_area",
    "hazard_radius",
    "load_rules",
    "parse_rules",
    "summarise",
]
