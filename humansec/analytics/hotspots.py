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

import geopandas as gpd
import h3
import h3.api.numpy_int as h3i
import numpy as np
import pandas as pd

from humansec.analytics._common import bh_fdr, cell_frame, cells_of, check_resolution, to_wgs84
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


def _disks(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(focal position, neighbour cell) of every cell's disk of radius 1 (itself included)."""
    disks = [h3i.grid_disk(cell, 1) for cell in cells.tolist()]
    sizes = np.fromiter((len(d) for d in disks), dtype=np.int64, count=len(disks))
    focal = np.repeat(np.arange(len(cells)), sizes)
    return focal, np.concatenate(disks).astype(np.uint64) if disks else np.empty(0, np.uint64)


def study_cells(occupied: pd.Series) -> tuple[list[str], np.ndarray]:
    """The cells with incidents (and their counts) plus the ring of empty cells around them."""
    counts = occupied.value_counts()
    cells = np.array([h3.str_to_int(str(cell)) for cell in counts.index], dtype=np.uint64)
    _, neighbours = _disks(cells)
    ring = np.setdiff1d(np.unique(neighbours), cells)
    y = np.concatenate([counts.to_numpy(dtype=float), np.zeros(len(ring))])
    ids = [str(cell) for cell in counts.index] + [h3.int_to_str(int(c)) for c in ring]
    return ids, y


def neighbour_graph(cells: list[str]) -> object:
    """Binary contiguity of ``cells`` (cell and its six H3 neighbours, self included)."""
    import scipy.sparse as sp  # noqa: PLC0415 -- heavy, only needed here
    from libpysal.graph import Graph  # noqa: PLC0415

    ints = np.array([h3.str_to_int(cell) for cell in cells], dtype=np.uint64)
    focal, neighbours = _disks(ints)
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
) -> gpd.GeoDataFrame:
    """Gi* hot and cold spots of the incident counts per H3 cell at ``resolution``.

    Returns one row per cell of the study area (strongest first: by ``p_fdr``, then |z|) with
    ``h3``, ``count``, ``gi_z``, ``p_value``, ``p_fdr``, ``class``, the cell centre ``lat``
    and ``lon`` and the hexagon as geometry (EPSG:4326). ``cells``: the incidents' H3 cells
    at this resolution when the caller has them already (see ``cells_of``).
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
    study, y = study_cells(occupied)
    graph = neighbour_graph(study)
    from esda.getisord import G_Local  # noqa: PLC0415 -- heavy import, only needed here

    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        # A cell whose neighbourhood is the whole area has no variance: z is NaN (below).
        warnings.simplefilter("ignore", RuntimeWarning)
        # esda 2.9 announces that its permutation p-value will become two-sided; this module
        # doubles the folded one already (see the module docstring).
        warnings.simplefilter("ignore", DeprecationWarning)
        gi = G_Local(
            y,
            graph,
            transform="B",
            permutations=int(permutations),
            star=True,
            keep_simulations=False,
            n_jobs=1,
            seed=seed,
        )
    z = np.nan_to_num(np.asarray(gi.Zs, dtype=float), nan=0.0)
    if permutations:
        p_value = np.minimum(1.0, 2.0 * np.asarray(gi.p_sim, dtype=float))
    else:
        p_value = np.minimum(1.0, 2.0 * np.asarray(gi.p_norm, dtype=float))
    p_value = np.nan_to_num(p_value, nan=1.0)
    p_fdr = bh_fdr(p_value)
    table = pd.DataFrame(
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
    return cell_frame(table.iloc[order].reset_index(drop=True))
