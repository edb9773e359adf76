"""Situation map: the human environment of the area of operations, filtered by time and focus."""

from __future__ import annotations

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
)
from humansec.mapview.first_view import ReportAfterBasemap, first_view, settled_view
from humansec.mapview.framing import FillFrame, home_view
from humansec.mapview.tools import fresh_group_list, measure_control
from humansec.model import KIND_SPECS, RASTER_KINDS, LayerKind
from ui import (
    frame,
    grids,
    incidents_map,
    map_filters,
    map_tools,
    resources,
    state,
    text,
    widgets,
)

frame.require_router()

map_tools.fill_viewport()
st.title("Situation map")
data_versions = resources.versions()
frames = resources.frames_by_kind(data_versions)
extent = resources.extent(data_versions)
settings = resources.settings()
chosen = map_filters.sidebar(frames, extent.times, settings)
kinds, time_range, focus_areas = chosen.kinds, chosen.time_range, chosen.focus_areas

# Planned activities are drawn coloured by their conflict-check status, not as a plain layer.
# Reference areas are drawn as a choropleth with its own legend of classes, population grids
# as images (ui/grids.py): neither as plain features.
plain_kinds = [
    kind
    for kind in kinds
    if kind not in {LayerKind.ACTIVITY, LayerKind.AREA} and kind not in RASTER_KINDS
]
checked_activities = None
if LayerKind.ACTIVITY in kinds:
    checked = {LayerKind.ACTIVITY: resources.store_check(data_versions).activities}
    checked_activities = apply_filters(checked, kinds=[LayerKind.ACTIVITY], time_range=time_range)[
        LayerKind.ACTIVITY
    ]
# The operation area, else the activities' extent: never the extent of the largest layer.
home = home_view(operation_area=settings.operation_area, activities=frames[LayerKind.ACTIVITY])
# The layers are built for this view until the map leaves it: the map's first report of its
# view then brings the same layers, not a second copy to draw (humansec/mapview/first_view.py).
opening = first_view(home.center, home.zoom())
times = (time_range.start, time_range.end) if time_range else (None, None)


@st.fragment
def map_section() -> None:
    """The map and what the last click hit; reruns alone when the map is panned or clicked."""
    map_filters.draw_once_the_map_reported(chosen)  # before building again what is drawn
    last = st.session_state.get(state.MAP_COMPONENT) or {}
    view = settled_view(MapView.from_component(last), opening)
    try:
        base = build_base_map(
            center=home.center,
            zoom=home.zoom(),
            asset_prefix=STREAMLIT_ASSET_PREFIX,
            tile_url=settings.tile_url,
            tile_attribution=settings.tile_attribution,
            kinds_shown=plain_kinds,
            heatmap=chosen.heatmap,
            basemap=chosen.basemap,
            live=True,
        )
        base.add_child(FillFrame())
        base.add_child(ReportAfterBasemap())
        base.add_child(measure_control(STREAMLIT_ASSET_PREFIX))
        groups = resources.map_layers(
            data_versions,
            plain_kinds,
            times,
            focus_areas,
            (view.bounds, view.zoom),
            heatmap=chosen.heatmap,
        )
        if LayerKind.AREA in kinds:
            # the incident rate counts the incidents of these filters (as the map draws them)
            area_groups, area_legend = resources.area_layers(
                data_versions, chosen.area_measure, times, focus_areas
            )
            if area_legend is not None:
                base.add_child(area_legend)
            groups = [*area_groups, *groups]
        if checked_activities is not None:
            if not checked_activities.empty:  # no legend of what is not on the map
                base.add_child(status_legend())
            groups = [*groups, *activity_status_groups(checked_activities)]
        if chosen.hotspot_resolution is not None:
            hot = incidents_map.overlay(
                data_versions, times, focus_areas, chosen.hotspot_resolution
            )
            if hot is not None:
                base.add_child(hot[1])
                groups = [*groups, hot[0]]
        if LayerKind.POPULATION_RASTER in kinds:
            images, keys = grids.grid_layers(data_versions, view.bounds or home.bounds)
            groups = [*images, *groups]
            for key in keys:
                base.add_child(key)
        if chosen.mgrs_grid:
            grid_view = (view.bounds, view.zoom) if view.bounds and view.zoom else None
            groups = [map_tools.grid_layer(*(grid_view or (opening.bounds, opening.zoom))), *groups]
    except HumansecError as error:
        text.show(error)
        return
    result = st_folium(
        base,
        key=state.MAP_COMPONENT,
        feature_group_to_add=fresh_group_list(groups),
        layer_control=build_layer_control(),
        returned_objects=["last_clicked", "bounds", "zoom", "all_drawings"],
        height=640,
        use_container_width=True,
    )
    view_now = MapView.from_component(result)
    if view_now.bounds is not None:  # the Briefing page exports "the current view"
        st.session_state[state.LAST_VIEW] = view_now.bounds
    st.session_state[state.LAST_KINDS] = list(kinds)
    st.session_state[state.LAST_FILTERS] = (time_range, list(focus_areas))
    st.session_state[state.LAST_AREA_MEASURE] = chosen.area_measure
    widgets.clicked_point(result)
    map_tools.show_measurements(result)


map_section()

# Below the map, so computed after it: the map's element goes to the browser first.
shown = apply_filters(frames, kinds=kinds, time_range=time_range, focus_areas=focus_areas)
counts = pd.DataFrame(
    {
        "layer": [KIND_SPECS[kind].title for kind in shown],
        "features shown": [len(frame) for frame in shown.values()],
        "features stored": [len(frames[kind]) for kind in shown],
    }
)
# A plain HTML table, not st.dataframe or st.table: their code (the data grid, Arrow) is
# loaded and run on the first view just when the map is drawn (benchmarks/README.md, issue 10).
text.table(counts.set_index("layer"), css_class="humansec-counts")
