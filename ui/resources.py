"""Process-wide resources and caches (the app layer owns caching; humansec stays pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import folium
import geopandas as gpd
import pandas as pd
import streamlit as st

from humansec.bootstrap import ensure_demo
from humansec.conflicts import RuleSet, load_rules
from humansec.conflicts.check import CheckResult, run_check
from humansec.conflicts.describe import describe_conflicts
from humansec.conflicts.inputs import activities_from_geojson_bytes, protected_features
from humansec.export import Renderer, browser_available
from humansec.filters import apply_filters, time_extent
from humansec.mapview import MapView, build_data_layers, build_label_group, data_bounds
from humansec.model import FocusArea, LayerKind, empty_frame
from humansec.settings import Settings, load_settings
from humansec.store import BBox, LayerRecord, LayerStore, TimeRange, open_store

Versions = tuple[tuple[str, int], ...]
"""(layer id, version) of every active layer: changes whenever the data does."""


@st.cache_resource
def settings() -> Settings:
    """The settings of this server process, read once from the environment."""
    return load_settings()


@st.cache_resource
def store() -> LayerStore:
    """The layer store; an empty store gets the embedded demo on first start."""
    layer_store = open_store(settings())
    ensure_demo(layer_store)
    return layer_store


def catalogue() -> list[LayerRecord]:
    """The active layers (read each run: another analyst may have added one)."""
    return store().catalogue()


def versions(records: list[LayerRecord] | None = None) -> Versions:
    """The cache key of the current data (of ``records`` when the page read them already)."""
    read = catalogue() if records is None else records
    return tuple((record.layer_id, record.version) for record in read)


@st.cache_data(max_entries=4, show_spinner="Reading layers…")
def frames_by_kind(data_versions: Versions) -> dict[LayerKind, gpd.GeoDataFrame]:
    """All features of the active layers, per kind; cached on the (layer, version) list."""
    del data_versions  # the cache key: a new version or a retirement changes it
    layer_store = store()
    return {kind: layer_store.read_kind(kind) for kind in LayerKind}


@dataclass(frozen=True)
class Extent:
    """Where and when the data is."""

    bounds: BBox | None
    times: TimeRange


@st.cache_data(max_entries=4, show_spinner=False)
def extent(data_versions: Versions) -> Extent:
    """The spatial and time extent of the current data."""
    frames = frames_by_kind(data_versions)
    return Extent(data_bounds(frames), time_extent(frames))


@st.cache_data(max_entries=64, show_spinner=False)
def map_layers(
    data_versions: Versions,
    kinds: Sequence[LayerKind],
    times: tuple[pd.Timestamp | None, pd.Timestamp | None],
    focus_areas: Sequence[FocusArea],
    view: tuple[BBox | None, int | None],
    *,
    heatmap: bool,
) -> list[folium.FeatureGroup]:
    """The map's data layers for these filters and this (tile-snapped) view, and the place
    names of the view (the store's population places, whatever the filters, and the
    gazetteer's).

    A click on the map reruns the page with the same arguments: the layers come from here
    instead of being built again (150k features take about a second to build).
    """
    frames = frames_by_kind(data_versions)
    shown = apply_filters(
        frames,
        kinds=kinds,
        time_range=TimeRange(*times),
        focus_areas=focus_areas,
    )
    groups: list[folium.FeatureGroup] = list(
        build_data_layers(shown, view=MapView(*view), heatmap=heatmap)
    )
    fallback = extent(data_versions).bounds
    groups.append(
        build_label_group(
            frames.get(LayerKind.POPULATION), view=MapView(*view), fallback_bounds=fallback
        )
    )
    return groups


@st.cache_resource
def rules() -> RuleSet:
    """The stand-off rules named in the settings (read once per process)."""
    return load_rules(settings().rules_path)


@st.cache_data(max_entries=4, show_spinner="Checking the planned activities…")
def store_check(data_versions: Versions) -> CheckResult:
    """The conflict check of the store's activity layers against its protected layers."""
    frames = frames_by_kind(data_versions)
    return run_check(frames[LayerKind.ACTIVITY], frames, rules())


@st.cache_data(max_entries=16, show_spinner="Checking the plan…")
def plan_check(data_versions: Versions, plan_geojson: str) -> CheckResult:
    """The conflict check of a plan (GeoJSON of activities, "" for none) against the layers."""
    plan = (
        activities_from_geojson_bytes(plan_geojson.encode(), default_type="exercise")
        if plan_geojson
        else empty_frame(LayerKind.ACTIVITY)
    )
    return run_check(plan, frames_by_kind(data_versions), rules())


@st.cache_data(max_entries=16, show_spinner=False)
def plan_conflicts(data_versions: Versions, plan_geojson: str) -> pd.DataFrame:
    """The plan's conflicts with each feature's name and location and each activity's name
    (``describe_conflicts``; cached: MGRS for every row is the slow part on large checks).
    """
    result = plan_check(data_versions, plan_geojson)
    features = protected_features(result.conflicting)
    return describe_conflicts(result.conflicts, features, result.activities)


@st.cache_resource
def renderer() -> Renderer | None:
    """One headless Chromium shared by every session, started by the first export and kept
    warm after it (None where this server has no browser)."""
    return Renderer() if browser_available() else None
