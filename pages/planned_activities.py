"""Planned activities: enter, load or draw a plan; every conflict with a protected feature."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from humansec.access import Permission
from humansec.access.actions import record_event
from humansec.access.needtoknow import NEED_TO_KNOW
from humansec.conflicts.describe import (
    describe_activities,
    readable_activities,
    readable_conflicts,
)
from humansec.conflicts.inputs import (
    activities_from_geojson,
    activities_from_geojson_bytes,
    activities_from_table,
    activities_geojson,
    conflicts_geojson,
    protected_features,
)
from humansec.errors import HumansecError
from humansec.mapview import (
    STREAMLIT_ASSET_PREFIX,
    activity_status_groups,
    build_base_map,
    build_layer_control,
    conflicting_feature_groups,
    draw_control,
    status_legend,
)
from humansec.mapview.first_view import ReportAfterBasemap
from humansec.mapview.framing import home_view
from humansec.mapview.tools import fresh_group_list
from humansec.marking import highest_marking
from humansec.model import ACTIVITY_TYPES, WGS84, LayerKind
from humansec.tables import to_csv_bytes
from ui import basemaps, frame, map_tools, plan_context, plan_form, resources, state, text
from ui import exposure as exposure_ui
from ui.after_map import AfterMap, waiting_note

frame.require_router()

AFTER_MAP = AfterMap(
    map_key=state.PLAN_MAP,
    opened_key=state.PLAN_OPENED,
    widget_keys=(
        state.BASEMAP,
        *(key for key, _ in plan_form.FIELDS.values()),
        state.PLAN_TABLE,
        state.PLAN_UPLOAD_TYPE,
        state.PLAN_UPLOAD,
        state.PLAN_DRAW_TYPE,
        state.PLAN_CONFLICTS,
        state.PLAN_ACTIVITIES,
        state.PLAN_EXPOSURE,
        state.PLAN_CONTEXT_KM,
        state.PLAN_CONTEXT_DAYS,
        state.PLAN_CONTEXT,
    ),
)
WAITING_TABLES = waiting_note("The tables of conflicts and activities")

st.title("Planned activities")
st.caption(
    "Every activity is checked against the protected layers with the stand-off rules "
    f"in `{resources.settings().rules_path.name}`; the check reruns on every change."
)
data_versions = resources.versions()
# On a session's first view the map comes first: the inputs in the hidden tabs, the basemap
# choice and the tables below the map follow once it is drawn (ui/after_map.py).
waiting = AFTER_MAP.waits()
with st.sidebar:
    basemap = basemaps.choose(draw=not waiting)
frames = resources.frames_by_kind(data_versions)

EMPTY_TABLE = plan_form.EMPTY_TABLE

user = resources.session_user()
may_export = user.may(Permission.EXPORT)


def downloaded(fmt: str) -> None:
    """Record a download of the conflicts in the audit trail."""
    record_event(
        resources.settings(),
        user,
        action="export",
        what={"format": fmt, "table": "conflicts", "page": "planned activities"},
        marking=highest_marking(
            (r.classification for r in resources.catalogue()),
            resources.settings().classification_order,
        ),
    )


plan_parts: list[gpd.GeoDataFrame] = []
may_plan = resources.session_user().may(Permission.EDIT_PLANS)
store_tab, table_tab, file_tab, draw_tab = (
    st.tabs(["From the store", "Enter by hand", "Load a file", "Draw on the map"])
    if may_plan
    else [st.container(), None, None, None]
)
with store_tab:
    if st.checkbox(
        "Include the activity layers of the store", value=True, key=state.PLAN_USE_STORE
    ):
        stored = frames[LayerKind.ACTIVITY]
        st.caption(f"{len(stored)} activities from the store.")
        plan_parts.append(stored)
draw_type = ACTIVITY_TYPES[0]
if may_plan and waiting:  # nothing entered, loaded or drawn yet: the store's plan alone
    for tab in (table_tab, file_tab, draw_tab):
        if tab is not None:
            tab.caption(waiting_note("Its inputs"))
elif may_plan:  # a viewer sees the store's plan read-only
    with table_tab:
        with st.form(state.PLAN_FORM, border=False):
            st.caption(
                "A point activity by MGRS reference (e.g. `34U FE 26199 96369`) or by latitude "
                "and longitude in degrees (WGS84); times in UTC."
            )
            first, second, third = st.columns(3)
            first.text_input("Id", key=state.PLAN_FORM_ID)
            second.selectbox("Type", ACTIVITY_TYPES, key=state.PLAN_FORM_TYPE)
            third.text_input("MGRS", key=state.PLAN_FORM_MGRS)
            first.number_input("Latitude", value=None, format="%.6f", key=state.PLAN_FORM_LAT)
            second.number_input("Longitude", value=None, format="%.6f", key=state.PLAN_FORM_LON)
            third.number_input(
                "Hazard radius (m, optional)",
                value=None,
                min_value=0.0,
                key=state.PLAN_FORM_RADIUS,
            )
            st.form_submit_button("Add activity", on_click=plan_form.add_entry)
            if (refused := st.session_state.get(state.PLAN_FORM_ERROR)) is not None:
                text.show(refused)
        table = st.data_editor(
            st.session_state.get(state.PLAN_ROWS, EMPTY_TABLE),
            num_rows="dynamic",
            key=state.PLAN_TABLE,
            column_config={
                "type": st.column_config.SelectboxColumn("type", options=ACTIVITY_TYPES),
                "start": st.column_config.DatetimeColumn("start (UTC)"),
                "end": st.column_config.DatetimeColumn("end (UTC)"),
            },
            width="stretch",
        )
        try:
            plan_parts.append(activities_from_table(table))
        except HumansecError as error:
            text.show(error)
    with file_tab:
        upload_type = st.selectbox(
            "Type for features without a `type`", ACTIVITY_TYPES, key=state.PLAN_UPLOAD_TYPE
        )
        upload = st.file_uploader(
            "GeoJSON of activities (WGS84; properties id, type, name, unit, start, end, "
            "precision_m, hazard_radius_m)",
            type=["geojson", "json"],
            key=state.PLAN_UPLOAD,
        )
        if upload is not None:
            try:
                plan_parts.append(
                    activities_from_geojson_bytes(upload.getvalue(), default_type=upload_type)
                )
            except HumansecError as error:
                text.show(f"{upload.name}: {error}")
    with draw_tab:
        draw_type = st.selectbox(
            "Type of the shapes you draw", ACTIVITY_TYPES, key=state.PLAN_DRAW_TYPE
        )
        st.caption(
            "Use the tools at the top left of the map to draw a point, a route or an area, or "
            "click the map and add a point activity there (below the map)."
        )
        drawn = (st.session_state.get(state.PLAN_MAP) or {}).get("all_drawings") or []
        if drawn:
            plan_parts.append(activities_from_geojson(drawn, activity_type=draw_type))

parts = [part for part in plan_parts if not part.empty]
plan = (
    gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=WGS84)
    if parts
    else gpd.GeoDataFrame({"id": [], "type": []}, geometry=[], crs=WGS84)
)
plan_geojson = activities_geojson(plan) if len(plan) else ""
try:
    result = (
        resources.plan_check(data_versions, plan_geojson)
        if may_plan
        else resources.store_check(data_versions)
    )
except HumansecError as error:
    text.show(error)
    st.stop()

counts = result.activities["status"].value_counts() if len(result.activities) else pd.Series()
red, amber, green = st.columns(3)
red.metric("Red (critical or high)", int(counts.get("red", 0)))
amber.metric("Amber (medium or low)", int(counts.get("amber", 0)))
green.metric("Green (no conflict)", int(counts.get("green", 0)))

home = home_view(
    operation_area=resources.settings().operation_area, activities=frames[LayerKind.ACTIVITY]
)
home_zoom = home.zoom(height_px=560)
base = build_base_map(
    center=home.center,
    zoom=home_zoom,
    asset_prefix=STREAMLIT_ASSET_PREFIX,
    tile_url=resources.settings().tile_url,
    tile_attribution=resources.settings().tile_attribution,
    kinds_shown=list(result.conflicting),
    basemap=basemap,
    live=True,
)
base.add_child(status_legend())
base.add_child(ReportAfterBasemap(report_drawn=state.PLAN_MAP))  # draws what waited (AFTER_MAP)
if may_plan:
    base.add_child(draw_control(STREAMLIT_ASSET_PREFIX))
groups = [
    *activity_status_groups(result.activities, result.hazard_areas),
    *conflicting_feature_groups(result.conflicting),
    resources.place_names(data_versions, home.bounds, home_zoom),
]
map_state = st_folium(
    base,
    key=state.PLAN_MAP,
    feature_group_to_add=fresh_group_list(groups),
    layer_control=build_layer_control(),
    returned_objects=["last_clicked", "all_drawings"],
    height=560,
    use_container_width=True,
)
placed = map_tools.click_to_place(map_state, activity_type=draw_type) if may_plan else None
if placed is not None:
    plan_form.add_row(placed)
    st.rerun()


def below_the_map() -> None:
    """The conflicts and activities as tables, the people exposed and the plan's context."""
    st.subheader(f"Conflicts ({len(result.conflicts)})")
    for line in result.conflicts.get(NEED_TO_KNOW, pd.Series(dtype=object)):
        if line:  # a conflict with a feature above the user's clearance: whom to ask
            text.show(line, "warning")
    if result.conflicts.empty:
        st.success(
            "No planned activity comes within the stand-off distance of a protected feature."
        )
    else:
        in_conflict = protected_features(result.conflicting)
        described = resources.plan_conflicts(data_versions, plan_geojson, planning=may_plan)
        readable = readable_conflicts(described)
        st.dataframe(
            readable,
            hide_index=True,
            key=state.PLAN_CONFLICTS,
            column_config={
                "Distance (m)": st.column_config.NumberColumn(format="%.1f"),
                "Stand-off (m)": st.column_config.NumberColumn(format="%.1f"),
                "Latitude": st.column_config.NumberColumn(format="%.5f"),
                "Longitude": st.column_config.NumberColumn(format="%.5f"),
            },
        )
        if may_export:  # a download is an export: briefers and admins
            csv_col, geojson_col = st.columns(2)
            csv_col.download_button(
                "Download conflicts (CSV)",
                to_csv_bytes(readable),
                file_name="humansec-conflicts.csv",
                mime="text/csv",
                key="plan_download_csv",
                on_click=downloaded,
                args=("csv",),
            )
            geojson_col.download_button(
                "Download conflicts (GeoJSON)",
                # Located at the features in conflict (not every protected feature of the store).
                conflicts_geojson(described, in_conflict),
                file_name="humansec-conflicts.geojson",
                mime="application/geo+json",
                key="plan_download_geojson",
                on_click=downloaded,
                args=("geojson",),
            )

    st.subheader("Activities")
    summary_columns = [
        c
        for c in (
            "id",
            "name",
            "type",
            "status",
            "worst_severity",
            "conflicts",
            "population_in_hazard",
        )
        if c in result.activities.columns
    ]
    activity_rows = result.activities[[*summary_columns, result.activities.geometry.name]]
    st.dataframe(
        readable_activities(describe_activities(activity_rows)),
        hide_index=True,
        key=state.PLAN_ACTIVITIES,
    )

    exposure_ui.show(data_versions, result.activities, plan_geojson)  # people, per source
    plan_context.show(data_versions, plan, plan_geojson)  # context, not conflicts


if waiting:
    st.caption(WAITING_TABLES)
else:
    below_the_map()
