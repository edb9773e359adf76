"""Reference areas in a product as the live map draws them: shaded by a measure (population,
density or incidents per 100,000 people) in classes, with the legend of those classes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import folium
import geopandas as gpd

from humansec.errors import SchemaError
from humansec.mapview.choropleth import INCIDENT_RATE, MEASURES, choropleth_groups, filter_words
from humansec.model import KIND_SPECS, LayerKind


@dataclass(frozen=True)
class AreaShading:
    """The shaded reference areas (one group) and their legend (escaped HTML)."""

    groups: list[folium.FeatureGroup]
    legend_html: str


def area_shading(
    shown: Mapping[LayerKind, gpd.GeoDataFrame],
    measure: str | None,
    *,
    filters: str | None = None,
) -> AreaShading | None:
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
    groups, legend = choropleth_groups(areas, measure=measure, incidents=incidents, filters=filters)
    return AreaShading(groups, legend.html) if legend is not None else None
