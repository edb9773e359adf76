"""Process-wide resources and caches (the app layer owns caching; humansec stays pure)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import folium
import geopandas as gpd
import pandas as pd
import streamlit as st

from humansec.access import User, visible_records
from humansec.access.needtoknow import for_user
from humansec.bootstrap import ensure_demo
from humansec.conflicts import RuleSet, load_rules
from humansec.conflicts.check import CheckResult, run_check
from humansec.conflicts.describe import describe_conflicts
from humansec.conflicts.inputs import activities_from_geojson_bytes, protected_features
from humansec.conflicts.rule_versions import active_rules_path
from humansec.export import Renderer, browser_available
from humansec.filters import apply_filters, time_extent
from humansec.mapview import MapView, build_data_layers, build_label_group, data_bounds
from humansec.model import LayerKind, empty_frame
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


def session_user() -> User:
    """The user of this session (set by the router, ``ui.access.sign_in``)."""
    from ui import access  # noqa: PLC0415 (ui.access uses this module's settings)

    return access.user()


# The store's catalogue as the router read it for the run in progress (None outside one).
_RUN_CATALOGUE: ContextVar[list[LayerRecord] | None] = ContextVar(
    "humansec_run_catalogue", default=None
)


def read_catalogue() -> list[LayerRecord]:
    """Every layer of the store, retired ones too, read now (the router's first step)."""
    return store().catalogue(include_retired=True)


@contextmanager
def catalogue_of_run(records: list[LayerRecord]) -> Iterator[None]:
    """Inside, every reader of the catalogue takes ``records``, the router's reading.

    The banner, the data versions and the conflict check's versions and markings of one run
    then agree, and the store is read once instead of four or five times (15-20 ms each on
    the GeoPackage; benchmarks/README.md, issue 10). Each run of the router reads afresh
    (another analyst may have added a layer); a page that writes to the store reruns
    (``st.rerun``) before it shows the catalogue again; a run without the router (a fragment,
    AppTest's rerun of one page) reads the store itself.
    """
    token = _RUN_CATALOGUE.set(records)
    try:
        yield
    finally:
        _RUN_CATALOGUE.reset(token)


def _store_catalogue(*, include_retired: bool) -> list[LayerRecord]:
    """Every layer of the store (retired ones too with ``include_retired``): the router's
    reading during its run, else read now."""
    read = _RUN_CATALOGUE.get()
    if read is None:
        read = store().catalogue(include_retired=True)
    return [record for record in read if include_retired or not record.retired]


def catalogue(*, include_retired: bool = False) -> list[LayerRecord]:
    """The layers this session's user is cleared for (as this run read them: see
    ``read_catalogue``). A layer above the clearance never reaches the session."""
    return visible_records(
        session_user(),
        _store_catalogue(include_retired=include_retired),
        settings().classification_order,
    )


def versions(records: list[LayerRecord] | None = None) -> Versions:
    """The cache key of the data shown (of ``records`` when the page read them already)."""
    read = catalogue() if records is None else records
    return tuple((record.layer_id, record.version) for record in read if not record.retired)


def frames_by_kind(data_versions: Versions) -> dict[LayerKind, gpd.GeoDataFrame]:
    """The features of exactly the layer versions in ``data_versions``, per kind.

    Only the layers named are read, so a session's frames hold only what it is cleared for.
    Each caller gets its own frames: copies of the ones read once per data version, which
    pandas's copy-on-write makes cheap (a few milliseconds for 150k features, where
    ``st.cache_data`` unpickled every layer on every call: 0.23 s for 150k, 1.9 s for 1M).
    """
    return {kind: frame.copy() for kind, frame in shared_frames(data_versions).items()}


@st.cache_resource(max_entries=4, show_spinner="Reading layers…")
def shared_frames(data_versions: Versions) -> dict[LayerKind, gpd.GeoDataFrame]:
    """The frames read once per data version, shared by every session and page: read only.
    Code that may change its frames takes ``frames_by_kind``'s copies instead."""
    layer_store = store()
    kinds = {record.layer_id: record.kind for record in layer_store.catalogue()}
    parts: dict[LayerKind, list[gpd.GeoDataFrame]] = {kind: [] for kind in LayerKind}
    for layer_id, version in data_versions:
        if layer_id not in kinds:  # retired since the key was made: the next run drops it
            continue
        frame = layer_store.read_layer(layer_id, version=version)
        frame.insert(0, "layer_id", layer_id)
        parts[kinds[layer_id]].append(frame)
    frames = {}
    for kind, read in parts.items():
        if read:
            frames[kind] = gpd.GeoDataFrame(pd.concat(read, ignore_index=True), crs="EPSG:4326")
        else:
            empty = empty_frame(kind)
            empty.insert(0, "layer_id", pd.Series([], dtype="string"))
            frames[kind] = empty
    return frames


def _all_versions() -> Versions:
    """Every active layer whatever the clearance: only the conflict check reads these."""
    return tuple(
        (record.layer_id, record.version) for record in _store_catalogue(include_retired=False)
    )


def _layer_markings() -> tuple[tuple[str, str], ...]:
    return tuple((r.layer_id, r.classification) for r in _store_catalogue(include_retired=True))


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


IncidentFilter = tuple[tuple[pd.Timestamp | None, pd.Timestamp | None], tuple[str, ...] | None]
"""The map's date range (start, end) and chosen focus areas (None: all)."""


def area_layers(
    data_versions: Versions,
    measure: str,
    times: tuple[pd.Timestamp | None, pd.Timestamp | None] = (None, None),
    focus_areas: Sequence[str] | None = None,
) -> tuple[list[folium.FeatureGroup], folium.MacroElement | None]:
    """The reference areas as a choropleth of ``measure`` and its legend (areas have no time:
    every stored area is drawn). The incident rate counts the incidents that pass ``times``
    and ``focus_areas`` (the map's filters, as the map draws them); the other measures ignore
    the filters, so changing them does not rebuild those."""
    from humansec.mapview.choropleth import INCIDENT_RATE  # noqa: PLC0415

    if measure != INCIDENT_RATE:
        return _area_layers(data_versions, measure, None)
    focus = None if focus_areas is None else tuple(focus_areas)
    return _area_layers(data_versions, measure, (times, focus))


@st.cache_data(max_entries=16, show_spinner=False)
def _area_layers(
    data_versions: Versions, measure: str, incident_filter: IncidentFilter | None
) -> tuple[list[folium.FeatureGroup], folium.MacroElement | None]:
    """Built once per data version, measure and (incident rate) filter state: a pan or a click
    reuses them (the geodesic areas and the classes take about a second for 27 oblasts)."""
    from humansec.mapview.choropleth import choropleth_groups, filter_words  # noqa: PLC0415

    frames = frames_by_kind(data_versions)
    incidents, words = None, ""
    if incident_filter is not None:
        times, focus = incident_filter
        incidents = apply_filters(
            frames, kinds=[LayerKind.INCIDENT], time_range=TimeRange(*times), focus_areas=focus
        )[LayerKind.INCIDENT]
        words = filter_words(*times, focus)
    groups, legend = choropleth_groups(
        frames[LayerKind.AREA], measure=measure, incidents=incidents, filters=words
    )
    return list(groups), legend


@st.cache_data(max_entries=64, show_spinner=False)
def map_layers(
    data_versions: Versions,
    kinds: Sequence[LayerKind],
    times: tuple[pd.Timestamp | None, pd.Timestamp | None],
    focus_areas: Sequence[str],
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


PLACE_NAMES_AHEAD = 2
"""Place names of a map not redrawn per view are placed this many zooms in (more names, which
the browser thins at every zoom as drawn)."""


@st.cache_data(max_entries=16, show_spinner=False)
def place_names(data_versions: Versions, bounds: BBox, zoom: int) -> folium.FeatureGroup:
    """The place names of a map the server does not redraw for each view (Planned
    activities): the store's population places and the gazetteer's around ``bounds``, placed
    for ``PLACE_NAMES_AHEAD`` zooms closer than ``zoom`` and fitted by the browser, as drawn,
    at whatever zoom and pan the map shows (never overlapping)."""
    return build_label_group(
        frames_by_kind(data_versions)[LayerKind.POPULATION],
        view=MapView(bounds, zoom + PLACE_NAMES_AHEAD),
        fit=True,
        max_labels=400,
    )


RulesKey = tuple[str, int]
"""(path, modification time) of the active rules file: changes with every saved version."""


def rules_key() -> RulesKey:
    """The cache key of the rules the check uses now (a new version is used at once)."""
    path = active_rules_path(settings())
    return (str(path), path.stat().st_mtime_ns if path.exists() else 0)


@st.cache_resource(max_entries=4)
def _rules(key: RulesKey) -> RuleSet:
    return load_rules(key[0])


def rules() -> RuleSet:
    """The stand-off rules in force: the last version saved in the app, else the settings'."""
    return _rules(rules_key())


def store_check(data_versions: Versions) -> CheckResult:
    """The check of the shown activity layers against every protected layer, as this
    session's user may see it (pairs above the clearance withheld: need-to-know)."""
    return _withheld(_store_check(data_versions, _all_versions(), rules_key()), data_versions)


def plan_check(data_versions: Versions, plan_geojson: str) -> CheckResult:
    """The check of a plan (GeoJSON of activities, "" for none) against every protected
    layer, as this session's user may see it."""
    return _withheld(_plan_check(_all_versions(), plan_geojson, rules_key()), data_versions)


def _withheld(result: CheckResult, data_versions: Versions) -> CheckResult:
    user = session_user()
    return for_user(
        result,
        dict(_layer_markings()),
        user,
        settings().classification_order,
        contact=settings().need_to_know_contact,
        rules=rules(),
        visible_population=frames_by_kind(data_versions)[LayerKind.POPULATION],
    )


@st.cache_data(max_entries=4, show_spinner="Checking the planned activities…")
def _store_check(
    data_versions: Versions, all_versions: Versions, rules_in: RulesKey
) -> CheckResult:
    activities = frames_by_kind(data_versions)[LayerKind.ACTIVITY]
    return run_check(activities, frames_by_kind(all_versions), _rules(rules_in))


@st.cache_data(max_entries=16, show_spinner="Checking the plan…")
def _plan_check(all_versions: Versions, plan_geojson: str, rules_in: RulesKey) -> CheckResult:
    plan = (
        activities_from_geojson_bytes(plan_geojson.encode(), default_type="exercise")
        if plan_geojson
        else empty_frame(LayerKind.ACTIVITY)
    )
    return run_check(plan, frames_by_kind(all_versions), _rules(rules_in))


def plan_conflicts(data_versions: Versions, plan_geojson: str, *, planning: bool) -> pd.DataFrame:
    """The conflicts the page shows (the plan's when ``planning``, else the store's) with each
    feature's name and location and each activity's name, as this session's user may see
    them: a withheld pair names nothing (need-to-know)."""
    return _described(data_versions, plan_geojson, planning, session_user().clearance)


@st.cache_data(max_entries=16, show_spinner=False)
def _described(
    data_versions: Versions, plan_geojson: str, planning: bool, clearance: str
) -> pd.DataFrame:
    # Keyed by the clearance: what is withheld depends on it alone. MGRS for every row is
    # the slow part on large checks.
    del clearance
    result = plan_check(data_versions, plan_geojson) if planning else store_check(data_versions)
    features = protected_features(result.conflicting)
    return describe_conflicts(result.conflicts, features, result.activities)


@st.cache_resource
def renderer() -> Renderer | None:
    """One headless Chromium shared by every session, started by the first export and kept
    warm after it (None where this server has no browser)."""
    return Renderer() if browser_available() else None
