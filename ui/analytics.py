"""The Incidents page's analyses, cached by data version and filters (humansec stays pure).

Every analysis reads the store's incidents once per data version (``resources``), cuts them
to the filters, and caches its small result per (data version, filters, options): a rerun
with the same filters (a click, a widget of another section) recomputes nothing. The H3
cells of every incident are computed once per data version and resolution and reused by
every filter state.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from humansec import analytics
from humansec.analytics import charts
from humansec.analytics.hotspots import Progress
from humansec.analytics.victims import SEX_AGE_FIELDS, UNKNOWN_FIELD, VictimSummary
from humansec.model import LayerKind
from humansec.store import BBox
from ui import resources
from ui.picks import Picks
from ui.resources import Versions

Times = tuple[pd.Timestamp | None, pd.Timestamp | None]
PermutationKey = tuple[Versions, Times, tuple[str, ...], BBox | None, int, int, Picks | None]
"""A filter state of the hot spots: (versions, times, focus, bbox, resolution, permutations,
picks)."""
Cell = tuple[int, str] | None
"""The H3 cell clicked on the hot-spot map: (resolution, cell id), or None."""


@st.cache_resource(max_entries=2, show_spinner=False)
def _incidents(data_versions: Versions) -> gpd.GeoDataFrame:
    """The store's incidents (shared, never modified: cache_resource hands out no copies)."""
    return resources.frames_by_kind(data_versions)[LayerKind.INCIDENT]


def incidents(data_versions: Versions) -> gpd.GeoDataFrame:
    """The store's incidents, shared by the pages (read once per data version; do not modify)."""
    return _incidents(data_versions)


@st.cache_resource(max_entries=8, show_spinner="Placing incidents on H3 cells…")
def _cells(data_versions: Versions, resolution: int) -> pd.Series:
    """The H3 cell of every stored incident at ``resolution``."""
    return analytics.cells_of(_incidents(data_versions), resolution)


@st.cache_resource(max_entries=8, show_spinner="Asking H3 about the cells…")
def _cell_table(data_versions: Versions, resolution: int) -> analytics.CellTable:
    """Every cell the stored incidents occupy at ``resolution`` and the ring around them:
    their neighbours, centres and hexagons, looked up by every filter state after."""
    return analytics.CellTable.around(_cells(data_versions, resolution).dropna().unique())


SELECT_COLUMNS = ("date", "focus_areas", "focus_area")
"""What ``analytics.select`` reads besides the geometry."""
TREND_COLUMNS = ("date", "focus_areas", "focus_area", "event_type", "type", "killed")
VICTIM_COLUMNS = (*SEX_AGE_FIELDS.values(), UNKNOWN_FIELD)


@st.cache_resource(max_entries=2, show_spinner=False)
def _light(data_versions: Versions) -> gpd.GeoDataFrame:
    """The columns the filters read, and each incident's row position (``_row``)."""
    frame = _incidents(data_versions)
    columns = {name: frame[name] for name in SELECT_COLUMNS if name in frame.columns}
    light = gpd.GeoDataFrame(columns, geometry=frame.geometry, crs=frame.crs)
    return light.assign(_row=np.arange(len(frame)))


def _subset(data_versions: Versions, positions: np.ndarray, names: Sequence[str]) -> pd.DataFrame:
    """Only the ``names`` columns of the incidents at ``positions`` (no copy of the rest)."""
    frame = _incidents(data_versions)
    return pd.DataFrame(
        {name: frame[name].array.take(positions) for name in names if name in frame.columns},
        index=frame.index[positions],  # as ``frame.iloc[positions]``: aligned with the cells
    )


@st.cache_resource(max_entries=16, show_spinner=False)
def _positions(
    data_versions: Versions,
    times: Times,
    focus: tuple[str, ...],
    bbox: BBox | None,
    picks: Picks | None = None,
    *,
    cell: Cell = None,
) -> np.ndarray:
    """Row positions of the incidents that pass the filters (and the bars picked in the
    charts, and the clicked hot-spot cell)."""
    if cell is not None:
        positions = _positions(data_versions, times, focus, bbox, picks)
        resolution, cell_id = cell
        inside = _cells(data_versions, resolution).iloc[positions].to_numpy() == cell_id
        return positions[np.asarray(inside, dtype=bool)]
    if picks is not None:
        positions = _positions(data_versions, times, focus, bbox)
        if picks.trend is not None:
            freq, by, bars = picks.trend
            chosen = _subset(data_versions, positions, TREND_COLUMNS)
            positions = positions[
                analytics.in_trend_selection(
                    chosen, freq, by, [(pd.Timestamp(period), group) for period, group in bars]
                )
            ]
        if picks.victims:
            chosen = _subset(data_versions, positions, VICTIM_COLUMNS)
            positions = positions[analytics.in_victims_selection(chosen, picks.victims)]
        if picks.actors:
            chosen = _subset(data_versions, positions, ("perpetrator",))
            positions = positions[analytics.in_actors_selection(chosen, picks.actors)]
        return positions
    chosen = analytics.select(_light(data_versions), since=times[0], until=times[1],
                              bbox=bbox, focus=focus)  # fmt: skip
    return np.asarray(chosen["_row"].to_numpy(), dtype=np.int64)


def selected(
    data_versions: Versions,
    times: Times,
    focus: Sequence[str],
    bbox: BBox | None,
    picks: Picks | None = None,
    *,
    cell: Cell = None,
) -> gpd.GeoDataFrame:
    """The incidents that pass the filters."""
    positions = _positions(data_versions, times, tuple(focus), bbox, picks, cell=cell)
    return _incidents(data_versions).iloc[positions]


def count(
    data_versions: Versions,
    times: Times,
    focus: Sequence[str],
    bbox: BBox | None,
    picks: Picks | None = None,
    *,
    cell: Cell = None,
) -> int:
    """How many incidents pass the filters."""
    return len(_positions(data_versions, times, tuple(focus), bbox, picks, cell=cell))


@st.cache_data(max_entries=64, show_spinner=False)
def trend(
    data_versions: Versions,
    times: Times,
    focus: tuple[str, ...],
    bbox: BBox | None,
    *,
    freq: str,
    by: str,
    cell: Cell = None,
    picks: Picks | None = None,
) -> pd.DataFrame:
    """``humansec.analytics.trend`` of the filtered incidents (``picks``: the selections of
    the other charts; the trend chart's own do not filter it)."""
    positions = _positions(data_versions, times, focus, bbox, picks, cell=cell)
    return analytics.trend(_subset(data_versions, positions, TREND_COLUMNS), freq=freq, by=by)


@st.cache_data(max_entries=64, show_spinner=False)
def victims(
    data_versions: Versions,
    times: Times,
    focus: tuple[str, ...],
    bbox: BBox | None,
    picks: Picks | None = None,
    *,
    cell: Cell = None,
) -> VictimSummary:
    """``humansec.analytics.victims`` of the filtered incidents."""
    positions = _positions(data_versions, times, focus, bbox, picks, cell=cell)
    return analytics.victims(_subset(data_versions, positions, VICTIM_COLUMNS))


@st.cache_data(max_entries=64, show_spinner=False)
def actors(
    data_versions: Versions,
    times: Times,
    focus: tuple[str, ...],
    bbox: BBox | None,
    picks: Picks | None = None,
    *,
    cell: Cell = None,
) -> pd.DataFrame:
    """``humansec.analytics.actors`` of the filtered incidents."""
    positions = _positions(data_versions, times, focus, bbox, picks, cell=cell)
    return analytics.actors(_subset(data_versions, positions, ("perpetrator", "killed")), top=15)


@st.cache_resource(max_entries=16, show_spinner="Computing hot spots (Gi*)…")
def hotspots(
    data_versions: Versions,
    times: Times,
    focus: tuple[str, ...],
    bbox: BBox | None,
    *,
    resolution: int,
    permutations: int,
    picks: Picks | None = None,
) -> gpd.GeoDataFrame:
    """Gi* cells of the filtered incidents (computed once per filter state, then reused)."""
    return _hotspots((data_versions, times, focus, bbox, resolution, permutations, picks))


def _hotspots(key: PermutationKey, progress: Progress | None = None) -> gpd.GeoDataFrame:
    data_versions, times, focus, bbox, resolution, permutations, picks = key
    positions = _positions(data_versions, times, focus, bbox, picks)
    frame = _subset(data_versions, positions, ("date",))  # the cells say where
    cells = _cells(data_versions, resolution).iloc[positions]
    return analytics.hotspots(
        frame, resolution, permutations, seed=0, cells=cells, progress=progress,
        table=_cell_table(data_versions, resolution),
    )  # fmt: skip


MAX_PERMUTATION_RUNS = 8


@st.cache_resource(max_entries=1, show_spinner=False)
def _permutation_runs() -> dict[PermutationKey, gpd.GeoDataFrame]:
    """The permutation runs asked for, by filter state (shared by the sessions; a few)."""
    return {}


def run_permutations(key: PermutationKey, progress: Progress) -> gpd.GeoDataFrame:
    """Run Gi* with permutations for the filter state ``key`` (telling ``progress``), keep it.

    Not an ``st.cache_*`` function, so that it can update the page's progress bar.
    """
    result = _hotspots(key, progress)
    runs = _permutation_runs()
    runs[key] = result
    while len(runs) > MAX_PERMUTATION_RUNS:
        del runs[next(iter(runs))]
    return result


def permutation_run(key: PermutationKey) -> gpd.GeoDataFrame | None:
    """The permutation run of the filter state ``key``, if one was asked for."""
    return _permutation_runs().get(key)


@st.cache_resource(max_entries=16, show_spinner=False)
def change(
    data_versions: Versions,
    times: Times,
    focus: tuple[str, ...],
    bbox: BBox | None,
    *,
    resolution: int,
    recent_days: int,
    baseline_days: int,
    picks: Picks | None = None,
    cell: Cell = None,
) -> gpd.GeoDataFrame:
    """Recent against baseline per H3 cell of the filtered incidents."""
    positions = _positions(data_versions, times, focus, bbox, picks, cell=cell)
    frame = _subset(data_versions, positions, ("date",))  # the cells say where
    cells = _cells(data_versions, resolution).iloc[positions]
    # The windows end at the last incident shown (the date filter can reach further).
    return analytics.change(
        frame, recent_days, baseline_days, resolution=resolution, cells=cells,
        table=_cell_table(data_versions, resolution),
    )  # fmt: skip


@st.cache_resource(max_entries=2, show_spinner=False)
def _places(data_versions: Versions) -> gpd.GeoDataFrame:
    """The populated places (shared; ``frames_by_kind`` hands out a copy of every layer)."""
    return resources.frames_by_kind(data_versions)[LayerKind.POPULATION]


@st.cache_data(max_entries=64, show_spinner=False)
def _nearest(
    data_versions: Versions, lats: tuple[float, ...], lons: tuple[float, ...]
) -> pd.DataFrame:
    return analytics.nearest_place(np.array(lats), np.array(lons), _places(data_versions))


def with_nearest_place(data_versions: Versions, cells: gpd.GeoDataFrame) -> pd.DataFrame:
    """``cells`` (a few rows) as a table with the nearest populated place of each centre."""
    near = _nearest(data_versions, tuple(cells["lat"].tolist()), tuple(cells["lon"].tolist()))
    table = pd.DataFrame(cells.drop(columns="geometry")).reset_index(drop=True)
    return pd.concat([table, near], axis=1)


@st.cache_resource(max_entries=32, show_spinner=False)
def trend_figure(
    data_versions: Versions,
    times: Times,
    focus: tuple[str, ...],
    bbox: BBox | None,
    *,
    freq: str,
    by: str,
    cell: Cell,
    value: str,
    title: str,
    picks: Picks | None = None,
) -> go.Figure:
    """``charts.trend_figure`` of ``trend`` (made once per filter state; not modified)."""
    table = trend(data_versions, times, focus, bbox, freq=freq, by=by, cell=cell, picks=picks)
    return charts.trend_figure(table, value, title)


@st.cache_resource(max_entries=32, show_spinner=False)
def victims_figure(
    data_versions: Versions,
    times: Times,
    focus: tuple[str, ...],
    bbox: BBox | None,
    picks: Picks | None = None,
    *,
    cell: Cell = None,
) -> go.Figure:
    """``charts.victims_figure`` of ``victims`` (made once per filter state)."""
    return charts.victims_figure(victims(data_versions, times, focus, bbox, picks, cell=cell))


@st.cache_resource(max_entries=32, show_spinner=False)
def actors_figure(
    data_versions: Versions,
    times: Times,
    focus: tuple[str, ...],
    bbox: BBox | None,
    picks: Picks | None = None,
    *,
    cell: Cell = None,
) -> go.Figure:
    """``charts.actors_figure`` of ``actors`` (made once per filter state)."""
    return charts.actors_figure(actors(data_versions, times, focus, bbox, picks, cell=cell))
