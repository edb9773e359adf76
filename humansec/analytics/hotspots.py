"""Hot and cold spots of incidents: Getis-Ord Gi* (PySAL esda) on H3 cells.

The study area is every H3 cell holding an incident plus the ring of cells around them
(holding 0): Gi* compares each cell's neighbourhood (the cell and its six neighbours, binary
weights) with the whole area, so the empty cells around the incidents must be in it.
``p_value`` is two-sided: from the normal approximation when ``permutations=0`` (the
interactive layer), from conditional permutations otherwise (esda's folded pseudo p-value,
doubled). ``p_fdr`` is the Benjamini-Hochberg false-discovery-rate adjustment over all cells
of the area, and ``class`` reads it: hot or cold (sign of ``gi_z``) at 99, 95 or 90 %.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import geopandas as gpd
import h3
import numpy as np
import pandas as pd

from humansec.analytics._common import (
    CellTable,
    bh_fdr,
    cells_of,
    check_resolution,
    disks_of,
    rows_frame,
    to_wgs84,
)
from humansec.errors import SchemaError

HOTSPOT_COLUMNS = ("h3", "count", "gi_z", "p_value", "p_fdr", "class")
CONFIDENCE_LEVELS: tuple[tuple[float, str], ...] = ((0.01, "99"), (0.05, "95"), (0.10, "90"))
CLASSES: tuple[str, ...] = (
    "hot 99%",
    "hot 95%",
    "hot 90%",
    "not significant",
    "cold 90%",
    "cold 95%",
    "cold 99%",
)
MAX_PERMUTATIONS = 99_999
PERMUTATION_CHUNKS = 20
"""A permutation run reports its progress this many times (once per share of the cells)."""

_LOOSEST_ALPHA = 0.10  # the 90 % class


def permutation_limit(permutations: int, cells: int) -> str | None:
    """Why a permutation run may find no significant cell, or None when it can find one.

    With ``permutations`` draws the smallest two-sided pseudo p-value is 2 / (permutations + 1);
    the Benjamini-Hochberg correction over ``cells`` cells keeps a cell at 90 % only if its rank
    k among the p-values satisfies p <= 0.10 * k / cells, so below ``k = p * cells / 0.10``
    cells at that floor, none can be significant, however strong the cluster. The analytic
    inference has no such floor.
    """
    if permutations <= 0 or cells <= 0:
        return None
    floor = 2.0 / (permutations + 1)
    needed = int(np.ceil(floor * cells / _LOOSEST_ALPHA - 1e-9))
    if needed <= 1:
        return None
    enough = int(np.ceil(2.0 * cells / _LOOSEST_ALPHA)) - 1
    more = (
        f"at least {enough:,} permutations"
        if enough <= MAX_PERMUTATIONS
        else f"more permutations than the {MAX_PERMUTATIONS:,} allowed ({enough:,})"
    )
    return (
        f"With {permutations:,} permutations the smallest p-value is {floor:.4f}; after the "
        f"false-discovery-rate correction over {cells:,} cells a cell can be significant only "
        f"if at least {needed:,} cells reach that floor. A lone hot or cold cell needs {more}: "
        "choose a coarser resolution or read the analytic inference."
    )


Progress = Callable[[int, int], None]
"""Called as ``progress(cells_done, cells_total)`` while the permutations run."""


def _disks(cells: np.ndarray, table: CellTable | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(focal position, neighbour cell) of every cell's disk of radius 1 (itself included)."""
    disks = disks_of(cells, table)
    focal = np.repeat(np.arange(len(cells)), 7).reshape(len(cells), 7)
    real = disks != 0
    return focal[real], disks[real]


def study_cells(
    occupied: pd.Series, table: CellTable | None = None
) -> tuple[list[str], np.ndarray]:
    """The cells with incidents (and their counts) plus the ring of empty cells around them,
    in the order of ``hotspots``: the occupied cells by count (most first, then by cell),
    then the ring by cell."""
    counts = occupied.value_counts()
    cells = np.array([h3.str_to_int(str(cell)) for cell in counts.index], dtype=np.uint64)
    order = np.lexsort((cells, -counts.to_numpy()))
    cells = cells[order]
    _, neighbours = _disks(cells, table)
    ring = np.setdiff1d(np.unique(neighbours), cells)
    y = np.concatenate([counts.to_numpy(dtype=float)[order], np.zeros(len(ring))])
    ids = [h3.int_to_str(int(c)) for c in np.concatenate([cells, ring]).tolist()]
    return ids, y


def study_rows(counts: np.ndarray, table: CellTable) -> np.ndarray | None:
    """The study area as rows of ``table`` given the incident count of each of its rows (the
    order of ``study_cells``); None when the table lacks part of the ring around them."""
    occupied = np.flatnonzero(counts)
    occupied = occupied[np.lexsort((table.ints[occupied], -counts[occupied]))]
    disks = table.disk_rows[occupied]
    if ((disks < 0) & (table.disks[occupied] != 0)).any():
        return None
    ring = np.setdiff1d(disks[disks >= 0], occupied)  # table rows are sorted by cell
    return np.concatenate([occupied, ring])


def neighbour_graph(rows: np.ndarray, table: CellTable) -> object:
    """Binary contiguity of the cells at ``rows`` of ``table`` (each cell and its six H3
    neighbours among them, self included), as a ``libpysal`` Graph over positions 0..n-1.

    The neighbours are the table's disks, looked up by array (no Python call per cell), and
    the Graph is made from its sorted adjacency directly (every cell is its own neighbour,
    so there are no islands to resolve).
    """
    from libpysal.graph import Graph  # noqa: PLC0415 -- heavy, only needed here

    position = np.full(len(table.ints) + 1, -1, dtype=np.int64)  # row -1: the last, absent
    position[rows] = np.arange(len(rows))
    neighbours = position[table.disk_rows[rows]]  # (n, 7): positions, -1 outside the area
    focal = np.repeat(np.arange(len(rows)), 7).reshape(neighbours.shape)
    inside = neighbours >= 0
    focal, neighbour = focal[inside], neighbours[inside]
    order = np.lexsort((neighbour, focal))
    index = pd.MultiIndex.from_arrays([focal[order], neighbour[order]], names=["focal", "neighbor"])
    adjacency = pd.Series(np.ones(len(order)), index=index, name="weight")
    return Graph(adjacency, transformation="B", is_sorted=True)


def classify(gi_z: np.ndarray, p_fdr: np.ndarray) -> np.ndarray:
    """``hot 99%`` ... ``cold 99%`` from the sign of z and the FDR-adjusted p-value."""
    out = np.full(len(gi_z), "not significant", dtype=object)
    for alpha, label in reversed(CONFIDENCE_LEVELS):  # 90 first, overwritten by 95 then 99
        significant = p_fdr <= alpha
        out[significant & (gi_z > 0)] = f"hot {label}%"
        out[significant & (gi_z < 0)] = f"cold {label}%"
    return out


def empty_hotspots() -> gpd.GeoDataFrame:
    """The result for no incidents: the columns, no rows."""
    return gpd.GeoDataFrame(
        {
            "h3": pd.Series([], dtype=object),
            "count": pd.Series([], dtype="int64"),
            "gi_z": pd.Series([], dtype=float),
            "p_value": pd.Series([], dtype=float),
            "p_fdr": pd.Series([], dtype=float),
            "class": pd.Series([], dtype=object),
            "lat": pd.Series([], dtype=float),
            "lon": pd.Series([], dtype=float),
        },
        geometry=gpd.GeoSeries([], crs="EPSG:4326"),
        crs="EPSG:4326",
    )


def hotspots(
    incidents: gpd.GeoDataFrame,
    resolution: int,
    permutations: int = 0,
    seed: int = 0,
    *,
    cells: pd.Series | None = None,
    progress: Progress | None = None,
    table: CellTable | None = None,
) -> gpd.GeoDataFrame:
    """Gi* hot and cold spots of the incident counts per H3 cell at ``resolution``.

    Returns one row per cell of the study area (strongest first: by ``p_fdr``, then |z|) with
    ``h3``, ``count``, ``gi_z``, ``p_value``, ``p_fdr``, ``class``, the cell centre ``lat``
    and ``lon`` and the hexagon as geometry (EPSG:4326). ``cells``: the incidents' H3 cells
    at this resolution when the caller has them already (see ``cells_of``). ``progress``
    is told how many cells' permutations are done (see ``permutation_p``). ``table``: what
    H3 says about these cells, when the caller has it (``CellTable.around`` of every cell the
    incidents of a data version occupy; the result is the same without it).
    """
    resolution = check_resolution(resolution)
    if isinstance(permutations, bool) or not 0 <= int(permutations) <= MAX_PERMUTATIONS:
        msg = f"permutations={permutations}: give 0 (analytic) or a count up to 99999, e.g. 999."
        raise SchemaError(msg)
    if cells is None:
        cells = cells_of(to_wgs84(incidents), resolution)
    occupied = cells.dropna()
    if occupied.empty:
        return empty_hotspots()
    ints = np.unique(np.array([h3.str_to_int(str(c)) for c in occupied.unique()], dtype=np.uint64))
    if table is None or (table.find(ints) < 0).any():
        table = CellTable.around(ints)
    codes, distinct = pd.factorize(occupied.astype(str))
    rows = table.find(np.array([h3.str_to_int(c) for c in distinct], dtype=np.uint64))
    counts = np.bincount(rows[codes], minlength=len(table.ints))
    return hotspots_of_counts(counts, table, permutations, seed, progress=progress)


def hotspots_of_counts(
    counts: np.ndarray,
    table: CellTable,
    permutations: int = 0,
    seed: int = 0,
    *,
    progress: Progress | None = None,
) -> gpd.GeoDataFrame:
    """``hotspots`` given the incident count of every cell (row) of ``table``, a table that
    holds the ring around every occupied cell (``CellTable.around``): what the page does per
    filter state, with the counts from ``numpy.bincount`` and the table made once."""
    if isinstance(permutations, bool) or not 0 <= int(permutations) <= MAX_PERMUTATIONS:
        msg = f"permutations={permutations}: give 0 (analytic) or a count up to 99999, e.g. 999."
        raise SchemaError(msg)
    if not np.any(counts):
        return empty_hotspots()
    table, counts, rows = _study(counts, table)
    y = counts[rows].astype(float)
    graph = neighbour_graph(rows, table)
    from esda.getisord import G_Local  # noqa: PLC0415 -- heavy import, only needed here

    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        # A cell whose neighbourhood is the whole area has no variance: z is NaN (below).
        warnings.simplefilter("ignore", RuntimeWarning)
        # esda 2.9 announces that its permutation p-value will become two-sided; this module
        # doubles the folded one already (see the module docstring).
        warnings.simplefilter("ignore", DeprecationWarning)
        gi = G_Local(y, graph, transform="B", permutations=0, star=True, n_jobs=1, seed=seed)
        if permutations:
            p_sim = permutation_p(gi, int(permutations), seed, progress)
    z = np.nan_to_num(np.asarray(gi.Zs, dtype=float), nan=0.0)
    if permutations:
        p_value = np.minimum(1.0, 2.0 * p_sim)
    else:
        p_value = np.minimum(1.0, 2.0 * np.asarray(gi.p_norm, dtype=float))
    p_value = np.nan_to_num(p_value, nan=1.0)
    p_fdr = bh_fdr(p_value)
    order = np.lexsort((-np.abs(z), p_fdr))
    frame = pd.DataFrame(
        {
            "h3": table.names[rows[order]],
            "count": y[order].astype("int64"),
            "gi_z": z[order],
            "p_value": p_value[order],
            "p_fdr": p_fdr[order],
            "class": classify(z[order], p_fdr[order]),
        }
    )
    return rows_frame(frame, table, rows[order])


def _study(counts: np.ndarray, table: CellTable) -> tuple[CellTable, np.ndarray, np.ndarray]:
    """(table, counts per row, study rows): ``table`` itself when it holds the ring around
    the occupied cells, else a table made around them (``CellTable.around`` holds it)."""
    rows = study_rows(counts, table)
    if rows is not None:
        return table, counts, rows
    occupied = np.flatnonzero(counts)
    bigger = CellTable.around(table.ints[occupied])
    moved = np.zeros(len(bigger.ints), dtype=counts.dtype)
    moved[bigger.find(table.ints[occupied])] = counts[occupied]
    return _study(moved, bigger)


def permutation_p(
    gi: Any,  # noqa: ANN401 -- esda ships no type hints
    permutations: int,
    seed: int,
    progress: Progress | None,
) -> np.ndarray:
    """The folded permutation pseudo p-value of every cell of ``gi`` (a ``G_Local`` with
    star and binary weights), as ``G_Local(..., permutations, seed=seed, n_jobs=1).p_sim``.

    esda's own conditional randomisation (``esda.crand``: the same permuted neighbour ids
    from the same seed, the same ``_g_local_star_crand`` statistic and "directed" folding)
    run over the cells in ``PERMUTATION_CHUNKS`` parts, so that ``progress(done, total)`` can
    be called between them; the result equals one ``G_Local`` run (see the tests).
    """
    from esda.crand import compute_chunk, vec_permutations  # noqa: PLC0415 -- heavy
    from esda.getisord import _g_local_star_crand  # noqa: PLC0415

    z = np.asarray(gi.y, dtype=float)
    observed = np.asarray(gi.Gs, dtype=float)
    adjacency = gi.w.sparse.tocsr(copy=True)
    self_weights = adjacency.diagonal()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # changing the sparsity structure of the diagonal
        adjacency.setdiag(0)
        adjacency.eliminate_zeros()
    other_weights = adjacency.data.astype(z.dtype)
    cardinalities = np.asarray((adjacency != 0).sum(1)).ravel()
    permuted_ids = vec_permutations(int(cardinalities.max()), len(z), permutations, seed)
    offsets = np.concatenate([[0], np.cumsum(cardinalities)])
    bounds = np.unique(np.linspace(0, len(z), PERMUTATION_CHUNKS + 1).astype(int))
    parts = []
    for start, stop in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        p_part, _ = compute_chunk(
            start, z[start:stop], z, observed[start:stop], cardinalities[start:stop],
            self_weights[start:stop], other_weights[offsets[start] : offsets[stop]],
            permuted_ids, z.sum(), False, _g_local_star_crand, 0, "directed",
        )  # fmt: skip
        parts.append(np.asarray(p_part, dtype=float))
        if progress is not None:
            progress(stop, len(z))
    return np.concatenate(parts) if parts else np.empty(0)
