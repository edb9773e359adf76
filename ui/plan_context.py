"""The Planned activities page's context: the incidents near each activity, by focus area.

Context, not a conflict: nothing here changes an activity's status. The core is
``humansec.analytics.context`` (geodesic distances); this module holds the widgets and caches.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import streamlit as st

from humansec.analytics.context import context_table, incidents_near
from humansec.model import FOCUS_AREA_TITLES, FocusArea
from ui import analytics as analytics_ui
from ui import state
from ui.resources import Versions

_TITLES = {
    "activity": "Activity",
    "name": "Name",
    "incidents": "Incidents near",
    "fatalities": "Fatalities",
    "nearest_km": "Nearest (km)",
    **{str(area): title for area, title in FOCUS_AREA_TITLES.items()},
}


@st.cache_data(max_entries=16, show_spinner="Finding the incidents near each activity…")
def _context(
    data_versions: Versions,
    plan_key: str,
    distance_m: float,
    days: int,
    _activities: gpd.GeoDataFrame,
) -> pd.DataFrame:
    """``context_table`` of the plan ``plan_key`` (its GeoJSON; ``_activities`` is its frame)."""
    incidents = analytics_ui.incidents(data_versions)
    near = incidents_near(_activities, incidents, distance_m=distance_m, days=days)
    return context_table(_activities, incidents, near)


def readable(table: pd.DataFrame) -> pd.DataFrame:
    """``context_table``'s columns in words, the focus areas in the model's order."""
    focus = [str(area) for area in FocusArea if str(area) in table.columns]
    others = [c for c in table.columns if c not in _TITLES]
    ordered = [*("activity", "name", "incidents", "fatalities", "nearest_km"), *focus, *others]
    return table[ordered].rename(columns=_TITLES)


def show(data_versions: Versions, activities: gpd.GeoDataFrame, plan_key: str) -> None:
    """The widgets (distance, period) and the table of incidents near each activity."""
    st.subheader("Incidents near each activity (context)")
    st.caption(
        "Context, not a conflict: the incidents of the store within the distance of each "
        "activity (geodesic, WGS84) dated from the days before its start to its end (without "
        "a time window: the days up to the latest incident), by focus area."
    )
    left, right = st.columns(2)
    km = left.number_input(
        "Within (km)", min_value=0.1, max_value=500.0, value=10.0, step=1.0,
        key=state.PLAN_CONTEXT_KM,
    )  # fmt: skip
    days = right.number_input(
        "Period: days before the start", min_value=0, max_value=3650, value=30, step=1,
        key=state.PLAN_CONTEXT_DAYS,
    )  # fmt: skip
    if activities.empty:
        st.caption("No activities in the plan.")
        return
    table = _context(data_versions, plan_key, float(km) * 1000.0, int(days), activities)
    st.dataframe(
        readable(table),
        hide_index=True,
        key=state.PLAN_CONTEXT,
        column_config={"Nearest (km)": st.column_config.NumberColumn(format="%.2f")},
    )
