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
    cell_frame,
    cells_of,
    check_resolution,
    disks_of,
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
    """The cells with incidents (and their counts) plus the ring of empty cells around them."""
    counts = occupied.value_counts()
    cells = np.array([h3.str_to_int(str(cell)) for cell in counts.index], dtype=np.uint64)
    _, neighbours = _disks(cells, table)
    ring = np.setdiff1d(np.unique(neighbours), cells)
    y = np.concatenate([counts.to_numpy(dtype=float), np.zeros(len(ring))])
    ids = [str(cell) for cell in counts.index] + [h3.int_to_str(int(c)) for c in ring]
    return ids, y


def neighbour_graph(cells: list[str], table: CellTable | None = None) -> object:
    """Binary contiguity of ``cells`` (cell and its six H3 neighbours, self included)."""
    import scipy.sparse as sp  # noqa: PLC0415 -- heavy, only needed here
    from libpysal.graph import Graph  # noqa: PLC0415

    ints = np.array([h3.str_to_int(cell) for cell in cells], dtype=np.uint64)
    focal, neighbours = _disks(ints, table)
    order = np.argsort(ints)
    found = np.searchsorted(ints[order], neighbours)
    found = np.minimum(found, len(ints) - 1)
    inside = ints[order][found] == neighbours
    rows, cols = focal[inside], order[found[inside]]
    data = np.ones(len(rows))
    matrix = sp.csr_array((data, (rows, cols)), shape=(len(cells),) * 2)
    return Graph.from_sparse(matrix)


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
    study, y = study_cells(occupied, table)
    graph = neighbour_graph(study, table)
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
    frame = pd.DataFrame(
        {
            "h3": study,
            "count": y.astype("int64"),
            "gi_z": z,
            "p_value": p_value,
            "p_fdr": p_fdr,
            "class": classify(z, p_fdr),
        }
    )
    order = np.lexsort((-np.abs(z), p_fdr))
    return cell_frame(frame.iloc[order].reset_index(drop=True), table)


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
