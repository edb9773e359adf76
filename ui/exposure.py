"""The Planned activities page's table "People in the hazard areas" (issue 13).

The core is ``humansec.population.exposure``; this module picks the population sources the
session's user may see, caches the estimate and draws the table.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import pandas as pd
import streamlit as st

from humansec.population.exposure import exposure
from humansec.population.sources import SOURCE_KINDS, sources_from
from ui import resources, state
from ui.resources import Versions

_TITLES = {
    "activity_id": "Activity",
    "source_kind": "Source",
    "source_layer": "Layer",
    "population": "People",
    "female": "Female",
    "male": "Male",
    "children": "Children (under 18)",
    "elderly": "Elderly (60+)",
    "method": "How",
}
_KIND_WORDS = {"raster": "grid", "area": "areas", "point": "points"}


@st.cache_data(max_entries=16, show_spinner="Counting the people in the hazard areas…")
def _exposure(
    data_versions: Versions,
    plan_key: str,
    rules_key: resources.RulesKey,
    _activities: gpd.GeoDataFrame,
) -> pd.DataFrame:
    """``exposure`` of the activities ``plan_key`` names over the layers the user may see."""
    del rules_key  # part of the cache key only
    frames = resources.frames_by_kind(data_versions)
    shown = dict(data_versions)
    records = [r for r in resources.catalogue() if r.layer_id in shown and not r.retired]
    by_layer: dict[str, gpd.GeoDataFrame] = {}
    for kind in SOURCE_KINDS:
        for layer_id, part in frames[kind].groupby("layer_id"):
            by_layer[str(layer_id)] = gpd.GeoDataFrame(
                part.drop(columns="layer_id"), crs=frames[kind].crs
            )
    sources = sources_from(records, by_layer, resources.settings().data_dir)
    return exposure(_activities, resources.rules(), sources)


def readable(table: pd.DataFrame, titles: Mapping[str, str] | None = None) -> pd.DataFrame:
    """``exposure``'s columns in words, layers by their titles, people in whole numbers."""
    out = table.copy()
    if titles:
        out["source_layer"] = out["source_layer"].map(titles).fillna(out["source_layer"])
    out["source_kind"] = out["source_kind"].map(_KIND_WORDS).fillna(out["source_kind"])
    for column in ("population", "female", "male", "children", "elderly"):
        out[column] = out[column].round(0)
    return out.rename(columns=_TITLES)


def show(data_versions: Versions, activities: gpd.GeoDataFrame, plan_key: str) -> None:
    """The table of people inside each activity's hazard area, one row per source."""
    st.subheader("People in the hazard areas")
    st.caption(
        "Estimates, one row per activity and population source; when sources disagree each "
        "is shown. Grids: exact share of each cell inside the hazard area. Areas: the share of "
        "each area inside, assuming people are spread evenly over it. Points: counted in full. "
        "Children are under 18, the elderly 60 and over; empty where a source has no such "
        "figure."
    )
    if activities.empty:
        st.info("No planned activity yet: enter, load or draw one above.")
        return
    table = _exposure(data_versions, plan_key, resources.rules_key(), activities)
    if table.empty:
        st.info("No population layer is loaded: add one on the Data page to count people here.")
        return
    number = st.column_config.NumberColumn(format="%.0f")
    st.dataframe(
        readable(table, {r.layer_id: r.title for r in resources.catalogue()}),
        hide_index=True,
        key=state.PLAN_EXPOSURE,
        column_config={_TITLES[c]: number for c in ("population", "female", "male",
                                                     "children", "elderly")},
    )  # fmt: skip
