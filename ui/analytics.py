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
import h3
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from humansec import analytics
from humansec.analytics import charts
from humansec.analytics._common import check_choice, point_cells
from humansec.analytics.actors import actors_at
from humansec.analytics.areas import area_change_of, area_of
from humansec.analytics.change import change_of_rows
from humansec.analytics.hotspots import Progress, hotspots_of_counts
from humansec.analytics.prepared import (
    Prepared,
    in_actors_at,
    in_trend_at,
    in_victims_at,
    trend_at,
)
from humansec.analytics.victims import SEX_AGE_FIELDS, VictimSummary, victims_at
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
    return resources.shared_frames(data_versions)[LayerKind.INCIDENT]


def incidents(data_versions: Versions) -> gpd.GeoDataFrame:
    """The store's incidents, shared by the pages (read once per data version; do not modify)."""
    return _incidents(data_versions)


@st.cache_resource(max_entries=2, show_spinner=False)
def _prepared(data_versions: Versions) -> Prepared:
    """The incidents' columns as arrays (dates, codes, figures), made once per data version
    and shared by every filter state (each column on first use)."""
    return Prepared(_incidents(data_versions))


@st.cache_resource(max_entries=8, show_spinner="Placing incidents on H3 cells…")
def _placed(data_versions: Versions, resolution: int) -> tuple[np.ndarray, analytics.CellTable]:
    """The H3 cell of every stored incident at ``resolution`` as a row of a table of every
    cell they occupy and the ring around them (neighbours, centres, hexagons; -1: no
    point), made once per data version and resolution and looked up by every filter state."""
    ints = point_cells(_incidents(data_versions), resolution)
    table = analytics.CellTable.around(np.unique(ints[ints != 0]))
    rows = np.where(ints != 0, table.find(ints), -1)
    return rows, table


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
        rows, table = _placed(data_versions, resolution)
        target = table.find(np.array([h3.str_to_int(cell_id)], dtype=np.uint64))[0]
        return positions[(rows[positions] == target) & (target >= 0)]
    if picks is not None:
        positions = _positions(data_versions, times, focus, bbox)
        prepared = _prepared(data_versions)
        if picks.trend is not None:
            freq, by, bars = picks.trend
            check_choice("freq", freq, analytics.FREQS)
            check_choice("by", by, analytics.BYS)
            chosen = [(pd.Timestamp(period), group) for period, group in bars]
            positions = positions[in_trend_at(prepared, positions, freq, by, chosen)]
        if picks.victims:
            fields = [SEX_AGE_FIELDS[(str(sex), str(age))] for sex, age in picks.victims
                      if (str(sex), str(age)) in SEX_AGE_FIELDS]  # fmt: skip
            positions = positions[in_victims_at(prepared, positions, fields)]
        if picks.actors:
            positions = positions[in_actors_at(prepared, positions, picks.actors)]
        return positions
    return _prepared(data_versions).positions(
        since=times[0], until=times[1], bbox=bbox, focus=focus
    )


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
    check_choice("freq", freq, analytics.FREQS)
    check_choice("by", by, analytics.BYS)
    positions = _positions(data_versions, times, focus, bbox, picks, cell=cell)
    return trend_at(_prepared(data_versions), positions, freq, by)


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
    return victims_at(_prepared(data_versions), positions)


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
    return actors_at(_prepared(data_versions), positions, top=15)


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
    rows, table = _placed(data_versions, resolution)
    placed = rows[positions]
    counts = np.bincount(placed[placed >= 0], minlength=len(table.ints))
    return hotspots_of_counts(counts, table, permutations, seed=0, progress=progress)


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
    prepared = _prepared(data_versions)
    rows, table = _placed(data_versions, resolution)
    keep = positions[prepared.dated[positions] & (rows[positions] >= 0)]
    # The windows end at the last incident shown (the date filter can reach further).
    return change_of_rows(
        prepared.stamps[keep], rows[keep], table, recent_days, baseline_days,
        unit=prepared.unit,
    )  # fmt: skip


@st.cache_resource(max_entries=2, show_spinner=False)
def _places(data_versions: Versions) -> gpd.GeoDataFrame:
    """The populated places (shared, never modified)."""
    return resources.shared_frames(data_versions)[LayerKind.POPULATION]


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


def area_layers() -> list[tuple[str, str]]:
    """(layer id, title) of the reference-area layers this session sees (none: no choice)."""
    return [
        (record.layer_id, record.title)
        for record in resources.catalogue()
        if record.kind is LayerKind.AREA and not record.retired
    ]


@st.cache_resource(max_entries=4, show_spinner="Placing incidents in the areas…")
def _area_assignment(data_versions: Versions, layer_id: str) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """The areas of the layer ``layer_id`` and the area (position) of every stored incident,
    -1 in none: point in polygon once per data version and layer, reused by every filter."""
    areas = resources.shared_frames(data_versions)[LayerKind.AREA]
    areas = areas[areas["layer_id"] == layer_id].reset_index(drop=True)
    return areas, area_of(areas, _incidents(data_versions).geometry)


@st.cache_resource(max_entries=16, show_spinner=False)
def area_change(
    data_versions: Versions,
    times: Times,
    focus: tuple[str, ...],
    bbox: BBox | None,
    *,
    layer_id: str,
    recent_days: int,
    baseline_days: int,
    picks: Picks | None = None,
    cell: Cell = None,
) -> gpd.GeoDataFrame:
    """Recent against baseline per area of the layer ``layer_id``, of the filtered incidents."""
    positions = _positions(data_versions, times, focus, bbox, picks, cell=cell)
    prepared = _prepared(data_versions)
    areas, assigned = _area_assignment(data_versions, layer_id)
    keep = positions[prepared.dated[positions] & (assigned[positions] >= 0)]
    return area_change_of(
        prepared.stamps[keep], assigned[keep], areas, recent_days, baseline_days,
        unit=prepared.unit,
    )  # fmt: skip
