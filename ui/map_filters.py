"""The situation map's sidebar filters, drawn after the map on a session's first view.

In a fresh browser the sidebar's widgets (date picker, multiselects, select box, toggles) are
about 40 chunks of Streamlit's code; loaded beside the map, they put the first drawn map
0.3-0.4 s later (``ui/after_map.py``). So a session's first view takes the values the filters
start with without drawing them, and the map's first report draws them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import streamlit as st

from humansec.mapview.basemap_layer import PackageBasemap
from humansec.mapview.choropleth import MEASURES
from humansec.model import KIND_SPECS, LayerKind
from humansec.settings import Settings
from humansec.timerange import TimeRange
from ui import basemaps, filters, incidents_map, map_tools, navigation, state
from ui.after_map import AfterMap, waiting_note

AFTER_MAP = AfterMap(
    map_key=state.MAP_COMPONENT,
    opened_key=state.MAP_OPENED,
    widget_keys=(
        state.FILTER_KINDS,
        state.FILTER_DATES,  # also drawn by the Incidents page (the same keys)
        state.TIME_STEP,
        state.FILTER_FOCUS,
        state.HEATMAP,
        state.MAP_HOTSPOTS,
        state.AREA_MEASURE,
        state.BASEMAP,
        state.MGRS_GRID,
    ),
)
PAGE_PATH = navigation.page_at("situation_map").path
"""The page these filters belong to: the only one their rerun may run."""
WAITING_NOTE = waiting_note("The filters")


@dataclass(frozen=True)
class MapFilters:
    """What the sidebar asks, as the map uses it."""

    kinds: list[LayerKind]
    time_range: TimeRange | None
    focus_areas: list[str]
    heatmap: bool
    hotspot_resolution: int | None
    area_measure: str
    basemap: PackageBasemap | None
    mgrs_grid: bool
    drawn: bool
    """False on the run that draws the map before the filters."""


def sidebar(
    frames: Mapping[LayerKind, gpd.GeoDataFrame],
    times: TimeRange,
    settings: Settings,
) -> MapFilters:
    """The filters in the sidebar (or, while waiting for the map, the values they start with)."""
    draw = not AFTER_MAP.waits()
    with st.sidebar:
        st.subheader("Filters")
        if not draw:
            st.caption(WAITING_NOTE)
        all_kinds = list(LayerKind)
        kinds = (
            st.multiselect(
                "Layers",
                options=all_kinds,
                default=all_kinds,
                format_func=lambda kind: KIND_SPECS[kind].title,
                key=state.FILTER_KINDS,
            )
            if draw
            else all_kinds
        )
        time_range = map_tools.date_filter(frames, times, settings, draw=draw)
        focus_areas = filters.focus_areas(draw=draw)
        heatmap = draw and st.toggle("Incidents as heat map", key=state.HEATMAP)
        hotspot_resolution = incidents_map.overlay_resolution(draw=draw)
        measures = list(MEASURES)
        area_measure = (
            st.selectbox(
                "Reference areas coloured by",
                measures,
                format_func=MEASURES.__getitem__,
                key=state.AREA_MEASURE,
            )
            # only asked when there are areas to colour
            if draw and not frames[LayerKind.AREA].empty
            else measures[0]
        )
        basemap = basemaps.choose(draw=draw)
        mgrs_grid = not draw or st.toggle("MGRS grid", value=True, key=state.MGRS_GRID)
    return MapFilters(
        kinds=list(kinds),
        time_range=time_range,
        focus_areas=focus_areas,
        heatmap=heatmap,
        hotspot_resolution=hotspot_resolution,
        area_measure=str(area_measure),
        basemap=basemap,
        mgrs_grid=mgrs_grid,
        drawn=draw,
    )


def draw_once_the_map_reported(chosen: MapFilters) -> None:
    """In the map's fragment, first: rerun the app to draw the filters once the map has
    reported (the app's run builds the map too: building it here first would be lost time)."""
    AFTER_MAP.rerun_once_reported(waited=not chosen.drawn, page_path=PAGE_PATH)
