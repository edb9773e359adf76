"""Planned activities: enter, load or draw a plan; every conflict with a protected feature."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from humansec.access import Permission
from humansec.access.actions import record_event
from humansec.access.needtoknow import NEED_TO_KNOW
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
    zoom_for_bounds,
)
from humansec.marking import highest_marking
from humansec.model import ACTIVITY_TYPES, WGS84, LayerKind
from humansec.tables import to_csv_bytes
from ui import frame, resources, state, text, widgets

frame.require_router()

st.title("Planned activities")
st.caption(
    "Every activity is checked against the protected layers with the stand-off rules "
    f"in `{resources.settings().rules_path.name}`; the check reruns on every change."
)
data_versions = resources.versions()
frames = resources.frames_by_kind(data_versions)
extent = resources.extent(data_versions)

EMPTY_TABLE = pd.DataFrame(
    {
        "id": pd.Series(dtype="string"),
        "type": pd.Series(dtype="string"),
        "start": pd.Series(dtype="datetime64[ns]"),
        "end": pd.Series(dtype="datetime64[ns]"),
        "mgrs": pd.Series(dtype="string"),
        "lat": pd.Series(dtype="float"),
        "lon": pd.Series(dtype="float"),
        "precision_m": pd.Series(dtype="float"),
        "hazard_radius_m": pd.Series(dtype="float"),
    }
)

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
if may_plan:  # a viewer sees the store's plan read-only
    with table_tab:
        with st.form(state.PLAN_FORM, clear_on_submit=True, border=False):
            st.caption(
                "A point activity by MGRS reference (e.g. `34U FE 26199 96369`) or by latitude and "
                "longitude in degrees (WGS84); times in UTC."
            )
            first, second, third = st.columns(3)
            entry = {
                "id": first.text_input("Id", key=state.PLAN_FORM_ID),
                "type": second.selectbox("Type", ACTIVITY_TYPES, key=state.PLAN_FORM_TYPE),
                "mgrs": third.text_input("MGRS", key=state.PLAN_FORM_MGRS),
                "lat": first.number_input(
                    "Latitude", value=None, format="%.6f", key=state.PLAN_FORM_LAT
                ),
                "lon": second.number_input(
                    "Longitude", value=None, format="%.6f", key=state.PLAN_FORM_LON
                ),
                "hazard_radius_m": third.number_input(
                    "Hazard radius (m, optional)",
                    value=None,
                    min_value=0.0,
                    key=state.PLAN_FORM_RADIUS,
                ),
            }
            if st.form_submit_button("Add activity"):
                try:
                    activities_from_table(pd.DataFrame([entry]))  # refuse it now, with the reason
                except HumansecError as error:
                    text.show(error)
                else:
                    rows = st.session_state.get(state.PLAN_ROWS, EMPTY_TABLE)
                    st.session_state[state.PLAN_ROWS] = pd.concat(
                        [rows, pd.DataFrame([entry])], ignore_index=True
                    )
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
            "GeoJSON of activities (WGS84; properties id, type, start, end, precision_m, "
            "hazard_radius_m)",
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
        st.caption("Use the tools at the top left of the map to draw a point, a route or an area.")
        drawn = (st.session_state.get(state.PLAN_MAP) or {}).get("all_drawings") or []
        if drawn:
            plan_parts.append(activities_from_geojson(drawn, activity_type=draw_type))

parts = [part for part in plan_parts if not part.empty]
plan = (
    gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=WGS84)
    if parts
    else gpd.GeoDataFrame({"id": [], "type": []}, geometry=[], crs=WGS84)
)
try:
    result = (
        resources.plan_check(data_versions, activities_geojson(plan) if len(plan) else "")
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

west, south, east, north = extent.bounds or (-20.0, 30.0, 40.0, 70.0)
base = build_base_map(
    center=((south + north) / 2, (west + east) / 2),
    zoom=zoom_for_bounds((west, south, east, north), height_px=560),
    asset_prefix=STREAMLIT_ASSET_PREFIX,
    tile_url=resources.settings().tile_url,
    tile_attribution=resources.settings().tile_attribution,
    kinds_shown=list(result.conflicting),
)
base.add_child(status_legend())
if may_plan:
    base.add_child(draw_control(STREAMLIT_ASSET_PREFIX))
groups = [
    *activity_status_groups(result.activities, result.hazard_areas),
    *conflicting_feature_groups(result.conflicting),
]
map_state = st_folium(
    base,
    key=state.PLAN_MAP,
    feature_group_to_add=groups,
    layer_control=build_layer_control(),
    returned_objects=["last_clicked", "all_drawings"],
    height=560,
    use_container_width=True,
)
widgets.clicked_point(map_state)

st.subheader(f"Conflicts ({len(result.conflicts)})")
for line in result.conflicts.get(NEED_TO_KNOW, pd.Series(dtype=object)):
    if line:  # a conflict with a feature above the user's clearance: whom to ask
        text.show(line, "warning")
if result.conflicts.empty:
    st.success("No planned activity comes within the stand-off distance of a protected feature.")
else:
    st.dataframe(
        result.conflicts,
        hide_index=True,
        key="plan_conflicts",
        column_config={
            "distance_m": st.column_config.NumberColumn("distance (m)", format="%.1f"),
            "threshold_m": st.column_config.NumberColumn("threshold (m)", format="%.1f"),
        },
    )
    if may_export:  # a download is an export: briefers and admins
        csv_col, geojson_col = st.columns(2)
        csv_col.download_button(
            "Download conflicts (CSV)",
            to_csv_bytes(result.conflicts),
            file_name="humansec-conflicts.csv",
            mime="text/csv",
            key="plan_download_csv",
            on_click=downloaded,
            args=("csv",),
        )
        geojson_col.download_button(
            "Download conflicts (GeoJSON)",
            # Located at the features in conflict (not every protected feature of the store).
            conflicts_geojson(result.conflicts, protected_features(result.conflicting)),
            file_name="humansec-conflicts.geojson",
            mime="application/geo+json",
            key="plan_download_geojson",
            on_click=downloaded,
            args=("geojson",),
        )

st.subheader("Activities")
summary_columns = [
    c
    for c in ("id", "type", "status", "worst_severity", "conflicts", "population_in_hazard")
    if c in result.activities.columns
]
st.dataframe(
    pd.DataFrame(result.activities[summary_columns]), hide_index=True, key="plan_activities"
)
