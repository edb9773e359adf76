"""Population grids on the situation map: images for the view, cached per data and view."""

from __future__ import annotations

import folium
import streamlit as st

from humansec.mapview import raster_overlay
from humansec.mapview.elements import Legend
from humansec.mapview.raster_overlay import DrawnGrid, draw_grids
from humansec.model import LayerKind
from humansec.store import BBox
from ui import resources


@st.cache_data(max_entries=32, show_spinner="Drawing population grids…")
def drawn_grids(data_versions: resources.Versions, bounds: BBox) -> list[DrawnGrid]:
    """Every grid layer of the session's data drawn for ``bounds`` (tile-snapped by the page)."""
    frame = resources.frames_by_kind(data_versions).get(LayerKind.POPULATION_RASTER)
    if frame is None or frame.empty:
        return []
    return draw_grids(frame, resources.settings().data_dir, bounds)


def grid_layers(
    data_versions: resources.Versions, bounds: BBox
) -> tuple[list[folium.FeatureGroup], list[Legend]]:
    """One layer-control entry and one legend per grid layer in view."""
    layers = raster_overlay.grid_layers(drawn_grids(data_versions, bounds))
    return [group for group, _ in layers], [key for _, key in layers]
