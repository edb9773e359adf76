"""Situation map: the human environment of the area of operations, filtered by time and focus."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from humansec.errors import HumansecError
from humansec.filters import apply_filters
from humansec.mapview import (
    STREAMLIT_ASSET_PREFIX,
    MapView,
    activity_status_groups,
    build_base_map,
    build_layer_control,
    status_legend,
    zoom_for_bounds,
)
from humansec.model import FOCUS_AREA_TITLES, KIND_SPECS, FocusArea, LayerKind
from humansec.store import TimeRange
from ui import basemaps, frame, resources, state, text, widgets

frame.require_router()

st.title("Situation map")
data_versions = resources.versions()
frames = resources.frames_by_kind(data_versions)
extent = resources.extent(data_versions)
settings = resources.settings()


def _date_range_filter(extent: TimeRange) -> TimeRange | None:
    if extent.start is None or extent.end is None:
        return None
    first, last = extent.start.date(), extent.end.date()
    chosen = st.date_input(
        "Date range",
        value=(first, last),
        min_value=first - dt.timedelta(days=365),
        max_value=last + dt.timedelta(days=365),
        key=state.FILTER_DATES,
        help="Incidents by date; sites, movements and activities whose time window overlaps.",
    )
    if not isinstance(chosen, tuple) or len(chosen) != 2:  # the user is still picking the end
        return None
    start = pd.Timestamp(chosen[0], tz="UTC")
    end = pd.Timestamp(chosen[1], tz="UTC") + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)
    return TimeRange(start, end)


with st.sidebar:
    st.subheader("Filters")
    kinds = st.multiselect(
        "Layers",
        options=list(LayerKind),
        default=list(LayerKind),
        format_func=lambda kind: KIND_SPECS[kind].title,
        key=state.FILTER_KINDS,
    )
    time_range = _date_range_filter(extent.times)
    focus_areas = st.multiselect(
        "Incident focus areas",
        options=list(FocusArea),
        default=list(FocusArea),
        format_func=lambda area: FOCUS_AREA_TITLES[area],
        key=state.FILTER_FOCUS,
    )
    heatmap = st.toggle("Incidents as heat map", key=state.HEATMAP)
    basemap = basemaps.choose()

shown = apply_filters(frames, kinds=kinds, time_range=time_range, focus_areas=focus_areas)
# Planned activities are drawn coloured by their conflict-check status, not as a plain layer.
plain_kinds = [kind for kind in kinds if kind is not LayerKind.ACTIVITY]
checked_activities = None
if LayerKind.ACTIVITY in kinds:
    checked = {LayerKind.ACTIVITY: resources.store_check(data_versions).activities}
    checked_activities = apply_filters(checked, kinds=[LayerKind.ACTIVITY], time_range=time_range)[
        LayerKind.ACTIVITY
    ]
west, south, east, north = extent.bounds or (-20.0, 30.0, 40.0, 70.0)


@st.fragment
def map_section() -> None:
    """The map and what the last click hit; reruns alone when the map is panned or clicked."""
    last = st.session_state.get(state.MAP_COMPONENT) or {}
    view = MapView.from_component(last).snapped()
    try:
        base = build_base_map(
            center=((south + north) / 2, (west + east) / 2),
            zoom=zoom_for_bounds((west, south, east, north), height_px=620),
            asset_prefix=STREAMLIT_ASSET_PREFIX,
            tile_url=settings.tile_url,
            tile_attribution=settings.tile_attribution,
            kinds_shown=plain_kinds,
            heatmap=heatmap,
            basemap=basemap,
        )
        groups = resources.map_layers(
            data_versions,
            plain_kinds,
            (time_range.start, time_range.end) if time_range else (None, None),
            focus_areas,
            (view.bounds, view.zoom),
            heatmap=heatmap,
        )
        if checked_activities is not None:
            base.add_child(status_legend())
            groups = [*groups, *activity_status_groups(checked_activities)]
    except HumansecError as error:
        text.show(error)
        return
    result = st_folium(
        base,
        key=state.MAP_COMPONENT,
        feature_group_to_add=groups,
        layer_control=build_layer_control(),
        returned_objects=["last_clicked", "bounds", "zoom"],
        height=620,
        use_container_width=True,
    )
    view_now = MapView.from_component(result)
    if view_now.bounds is not None:  # the Briefing page exports "the current view"
        st.session_state[state.LAST_VIEW] = view_now.bounds
    st.session_state[state.LAST_KINDS] = list(kinds)
    st.session_state[state.LAST_FILTERS] = (time_range, list(focus_areas))
    widgets.clicked_point(result)


map_section()

counts = pd.DataFrame(
    {
        "layer": [KIND_SPECS[kind].title for kind in shown],
        "features shown": [len(frame) for frame in shown.values()],
        "features stored": [len(frames[kind]) for kind in shown],
    }
)
st.dataframe(counts, hide_index=True, key="situation_counts")
