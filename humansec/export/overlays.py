"""What a product draws under the kinds' own layers, as the live map does: the reference
areas shaded by a measure (population, density or incidents per 100,000 people) and the
population grids as images, each with its legend beside the map."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import folium
import geopandas as gpd

from humansec.errors import SchemaError
from humansec.export.furniture import Bounds
from humansec.mapview.choropleth import INCIDENT_RATE, MEASURES, choropleth_groups, filter_words
from humansec.mapview.raster_overlay import draw_grids, grid_layers
from humansec.model import KIND_SPECS, LayerKind


@dataclass(frozen=True)
class Overlay:
    """Groups drawn under the kinds' layers and their legend (escaped HTML), which takes
    the place of ``kind``'s symbol row in the legend beside the map."""

    kind: LayerKind
    groups: list[folium.FeatureGroup]
    legend_html: str


def area_shading(
    shown: Mapping[LayerKind, gpd.GeoDataFrame],
    measure: str | None,
    *,
    filters: str | None = None,
) -> Overlay | None:
    """The reference areas of ``shown`` shaded by ``measure``; None for outlines only (no
    measure, or no areas shown).

    The incident rate counts the incidents of ``shown`` (so they are in the product, with
    their marking and sources); ``filters`` says in words which incidents those are
    (``choropleth.filter_words``; default: all of them, the frames being unfiltered).
    """
    areas = shown.get(LayerKind.AREA)
    if measure is None or areas is None or areas.empty:
        return None
    if measure not in MEASURES:
        msg = f"Reference areas are shaded by {', '.join(MEASURES)}, not {measure!r}."
        raise SchemaError(msg)
    incidents = shown.get(LayerKind.INCIDENT)
    if measure == INCIDENT_RATE and incidents is None:
        msg = (
            f"{MEASURES[measure]} counts the incidents, which this product does not show: add "
            f"the {KIND_SPECS[LayerKind.INCIDENT].title} layer, or shade the areas by people."
        )
        raise SchemaError(msg)
    if measure != INCIDENT_RATE:
        incidents, filters = None, ""  # as on the live map: only the rate names its incidents
    elif filters is None:
        filters = filter_words(None, None, None)
    groups, key = choropleth_groups(areas, measure=measure, incidents=incidents, filters=filters)
    return Overlay(LayerKind.AREA, groups, key.html) if key is not None else None


def grid_images(grids: gpd.GeoDataFrame | None, data_dir: Path, bounds: Bounds) -> list[Overlay]:
    """Each population grid layer of ``grids`` with cells in ``bounds``, as an image (its
    ``total`` band, else its first, in the live map's classes) and its legend."""
    if grids is None or grids.empty:
        return []
    layers = grid_layers(draw_grids(grids, data_dir, bounds))
    return [Overlay(LayerKind.POPULATION_RASTER, [group], key.html) for group, key in layers]
