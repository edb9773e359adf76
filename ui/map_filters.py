"""The situation map's sidebar filters, drawn after the map on a session's first view.

On a fresh browser the sidebar's widgets (date picker, multiselects, select box, toggles) are
about 40 chunks of Streamlit's code, fetched from the same server process that is building
the map and run on the main thread that the map's frame shares (same origin); measured, they
put the first drawn map 0.3-0.4 s later (benchmarks/README.md, issue 10). So when this session
has never shown the filters and holds none of their values, the first run takes the values the
filters start with without drawing them, the map is drawn, and the map's first report (sent
once the basemap is painted: ``ReportAfterBasemap``) reruns the app, which draws the filters
with the same values: the same layers, nothing drawn twice. Every later run draws them first.
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
from ui import basemaps, filters, incidents_map, map_tools, state

WIDGET_KEYS = (
    state.FILTER_KINDS,
    state.FILTER_DATES,
    state.TIME_STEP,
    state.FILTER_FOCUS,
    state.HEATMAP,
    state.MAP_HOTSPOTS,
    state.AREA_MEASURE,
    state.BASEMAP,
    state.MGRS_GRID,
)
"""The sidebar's widgets; a value of any of them in the session means it was drawn before."""
WAITING_NOTE = "The filters follow as soon as the map is drawn."


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


def wait_for_map() -> bool:
    """Whether this run draws the map before the filters: the session has never shown them,
    holds no value of theirs (e.g. from the Incidents page) and the map has not reported."""
    return not (
        st.session_state.get(state.MAP_FILTERS_SHOWN)
        or st.session_state.get(state.MAP_COMPONENT)
        or any(key in st.session_state for key in WIDGET_KEYS)
    )


def sidebar(
    frames: Mapping[LayerKind, gpd.GeoDataFrame],
    times: TimeRange,
    settings: Settings,
) -> MapFilters:
    """The filters in the sidebar (or, while waiting for the map, the values they start with)."""
    draw = not wait_for_map()
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
    if draw:
        st.session_state[state.MAP_FILTERS_SHOWN] = True
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
    """In the map's run: rerun the app to draw the filters once the map has reported."""
    if not chosen.drawn and st.session_state.get(state.MAP_COMPONENT):
        st.rerun(scope="app")
