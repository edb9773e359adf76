"""Stand-off rules: which activity must keep how far from which protected feature, and why.

A rules file is TOML with one ``[[rule]]`` table per rule (see ``geodata/rules.toml`` for the
documented defaults)::

    [[rule]]
    activity = "air_strike"        # one of humansec.model.ACTIVITY_TYPES
    feature = "humanitarian_site"  # a protected kind (humansec.model.PROTECTED_KINDS)
    category = "hospital"          # optional: a category of that kind
    distance_m = 2000.0            # >= 0
    severity = "critical"          # critical | high | medium | low
    rationale = "GC IV art. 18 ... (placeholder distance: set per mission)"

Cultural property may also be qualified by ``protection`` (general, special, enhanced,
world_heritage, national_list). The most specific matching rule wins: a rule naming a category
and a protection beats one naming either, which beats a rule for the whole kind. Between equally
specific rules that both match (a category rule and a protection rule), the larger distance wins,
then the higher severity. An (activity, kind) pair with no matching rule is not checked.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from humansec.errors import ConfigurationError, choices
from humansec.model import (
    ACTIVITY_TYPES,
    CULTURAL_CATEGORIES,
    CULTURAL_PROTECTION,
    HUMANITARIAN_SITE_CATEGORIES,
    INFRASTRUCTURE_CATEGORIES,
    OTHER_CATEGORY,
    PROTECTED_KINDS,
    LayerKind,
)
from humansec.settings import DEFAULT_RULES_PATH

SEVERITIES: tuple[str, ...] = ("critical", "high", "medium", "low")
"""Severities, worst first."""

SEVERITY_RANK: Mapping[str, int] = {name: rank for rank, name in enumerate(SEVERITIES)}

CATEGORIES: Mapping[LayerKind, tuple[str, ...]] = {
    LayerKind.CULTURAL: (*CULTURAL_CATEGORIES, OTHER_CATEGORY),
    LayerKind.HUMANITARIAN_SITE: (*HUMANITARIAN_SITE_CATEGORIES, OTHER_CATEGORY),
    LayerKind.INFRASTRUCTURE: (*INFRASTRUCTURE_CATEGORIES, OTHER_CATEGORY),
}
"""The categories a rule may name, per protected kind (kinds absent here have none)."""

PROTECTIONS: Mapping[LayerKind, tuple[str, ...]] = {LayerKind.CULTURAL: CULTURAL_PROTECTION}
"""The protection levels a rule may name, per protected kind."""


_REQUIRED = ("activity", "feature", "distance_m", "severity", "rationale")
_OPTIONAL = ("category", "protection")


@dataclass(frozen=True)
class Rule:
    """One stand-off rule (``index`` is its 1-based position in the file)."""

    index: int
    activity: str
    feature: LayerKind
    distance_m: float
    severity: str
    rationale: str
    category: str | None = None
    protection: str | None = None

    @property
    def specificity(self) -> int:
        """Number of qualifiers (category, protection) the rule names."""
        return (self.category is not None) + (self.protection is not None)

    @property
    def label(self) -> str:
        """A short readable name, e.g. ``air_strike -> cultural [protection=enhanced]``."""
        quals = [
            f"{name}={value}"
            for name, value in (("category", self.category), ("protection", self.protection))
            if value is not None
        ]
        suffix = f" [{', '.join(quals)}]" if quals else ""
        return f"{self.activity} -> {self.feature}{suffix}"

    def matches(self, category: str | None, protection: str | None) -> bool:
        """Whether the rule applies to a feature of its kind with these attributes."""
        return (self.category is None or self.category == category) and (
            self.protection is None or self.protection == protection
        )


@dataclass(frozen=True)
class RuleSet:
    """An immutable set of rules with lookup by (activity, kind, category, protection)."""

    rules: tuple[Rule, ...]
    source: str = "<memory>"
    _by_pair: Mapping[tuple[str, LayerKind], tuple[Rule, ...]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        """Index the rules by (activity, kind), most specific first."""
        by_pair: dict[tuple[str, LayerKind], list[Rule]] = {}
        for rule in self.rules:
            by_pair.setdefault((rule.activity, rule.feature), []).append(rule)
        ordered = {
            key: tuple(
                sorted(
                    group,
                    key=lambda r: (-r.specificity, -r.distance_m, SEVERITY_RANK[r.severity]),
                )
            )
            for key, group in by_pair.items()
        }
        object.__setattr__(self, "_by_pair", ordered)

    def lookup(
        self,
        activity: str,
        kind: LayerKind | str,
        category: str | None = None,
        protection: str | None = None,
    ) -> Rule | None:
        """Return the rule that applies, or None when no rule covers the pair.

        >>> rs = RuleSet((Rule(1, "patrol", LayerKind.CULTURAL, 100.0, "low", "r"),))
        >>> rs.lookup("patrol", "cultural", "museum").distance_m
        100.0
        """
        for rule in self._by_pair.get((activity, LayerKind(kind)), ()):
            if rule.matches(category, protection):
                return rule
        return None

    def max_distance(self, activity: str) -> float:
        """The largest distance of any rule for ``activity`` (0 when it has none)."""
        return max((r.distance_m for r in self.rules if r.activity == activity), default=0.0)

    def covers(self, activity: str) -> bool:
        """Whether any rule names ``activity``."""
        return any(r.activity == activity for r in self.rules)


def load_rules(path: str | Path = DEFAULT_RULES_PATH) -> RuleSet:
    """Read and check a rules file; raise ConfigurationError naming the faulty rule.

    Parameters
    ----------
    path
        A TOML file with ``[[rule]]`` tables (default: ``geodata/rules.toml``).

    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        msg = f"Cannot read the rules file {path}: {exc.strerror or exc}. Check the path."
        raise ConfigurationError(msg) from None
    return parse_rules(text, source=str(path))


def parse_rules(text: str, *, source: str = "<text>") -> RuleSet:
    """Parse rules from TOML ``text`` (what ``load_rules`` does after reading the file)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = f"The rules file {source} is not valid TOML: {exc}. Fix the syntax and reload."
        raise ConfigurationError(msg) from None
    extra = set(data) - {"rule"}
    if extra:
        msg = (
            f"The rules file {source} has unknown top-level keys {choices(extra)}; "
            "write each rule as a [[rule]] table."
        )
        raise ConfigurationError(msg)
    tables = data.get("rule", [])
    if not isinstance(tables, list) or not tables:
        msg = f"The rules file {source} has no [[rule]] tables; add at least one rule."
        raise ConfigurationError(msg)
    rules: list[Rule] = []
    seen: dict[tuple[str, str, str | None, str | None], int] = {}
    for index, table in enumerate(tables, start=1):
        rule = _parse_rule(index, table, source)
        key = (rule.activity, str(rule.feature), rule.category, rule.protection)
        if key in seen:
            msg = (
                f"{_where(index, table, source)} duplicates rule {seen[key]} "
                f"({rule.label}); keep one of them."
            )
            raise ConfigurationError(msg)
        seen[key] = index
        rules.append(rule)
    return RuleSet(tuple(rules), source=source)


def _where(index: int, table: object, source: str) -> str:
    if isinstance(table, Mapping):
        name = f" ({table.get('activity', '?')} -> {table.get('feature', '?')})"
    else:
        name = ""
    return f"Rule {index}{name} in {source}"


def _parse_rule(index: int, table: object, source: str) -> Rule:
    where = _where(index, table, source)
    if not isinstance(table, Mapping):
        msg = f"{where} is not a table; write it as [[rule]] with key = value lines."
        raise ConfigurationError(msg)
    missing = [k for k in _REQUIRED if k not in table]
    if missing:
        msg = f"{where} lacks {choices(missing)}; every rule needs {', '.join(_REQUIRED)}."
        raise ConfigurationError(msg)
    unknown = set(table) - set(_REQUIRED) - set(_OPTIONAL)
    if unknown:
        msg = (
            f"{where} has unknown keys {choices(unknown)}; "
            f"valid keys are {choices((*_REQUIRED, *_OPTIONAL))}."
        )
        raise ConfigurationError(msg)
    activity = _text(table, "activity", where)
    if activity not in ACTIVITY_TYPES:
        msg = (
            f"{where}: unknown activity {activity!r}; valid activities: {choices(ACTIVITY_TYPES)}."
        )
        raise ConfigurationError(msg)
    feature_name = _text(table, "feature", where)
    if feature_name not in {str(k) for k in PROTECTED_KINDS}:
        msg = (
            f"{where}: unknown or unprotected feature kind {feature_name!r}; "
            f"valid kinds: {choices(PROTECTED_KINDS)}."
        )
        raise ConfigurationError(msg)
    feature = LayerKind(feature_name)
    category = _qualifier(table, "category", CATEGORIES.get(feature, ()), feature, where)
    protection = _qualifier(table, "protection", PROTECTIONS.get(feature, ()), feature, where)
    distance = table["distance_m"]
    if isinstance(distance, bool) or not isinstance(distance, int | float):
        msg = f"{where}: distance_m must be a number of metres, got {distance!r}."
        raise ConfigurationError(msg)
    if not math.isfinite(distance) or distance < 0:
        msg = f"{where}: distance_m must be a finite number >= 0, got {distance!r}."
        raise ConfigurationError(msg)
    severity = _text(table, "severity", where)
    if severity not in SEVERITIES:
        msg = f"{where}: unknown severity {severity!r}; valid severities: {choices(SEVERITIES)}."
        raise ConfigurationError(msg)
    rationale = _text(table, "rationale", where).strip()
    if not rationale:
        msg = f"{where}: rationale is empty; name the legal basis the rule approximates."
        raise ConfigurationError(msg)
    return Rule(
        index=index,
        activity=activity,
        feature=feature,
        distance_m=float(distance),
        severity=severity,
        rationale=rationale,
        category=category,
        protection=protection,
    )


def _text(table: Mapping[str, object], key: str, where: str) -> str:
    value = table[key]
    if not isinstance(value, str):
        msg = f"{where}: {key} must be a text in quotes, got {value!r}."
        raise ConfigurationError(msg)
    return value


def _qualifier(
    table: Mapping[str, object],
    key: str,
    valid: tuple[str, ...],
    feature: LayerKind,
    where: str,
) -> str | None:
    if key not in table:
        return None
    value = _text(table, key, where)
    if not valid:
        msg = f"{where}: a {feature} rule cannot name a {key}; remove {key} = {value!r}."
        raise ConfigurationError(msg)
    if value not in valid:
        msg = f"{where}: unknown {feature} {key} {value!r}; valid values: {choices(valid)}."
        raise ConfigurationError(msg)
    return value
