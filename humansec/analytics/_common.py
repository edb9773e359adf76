"""What every analysis shares: argument checks, the incident columns it reads, H3 cells."""

from __future__ import annotations

from collections.abc import Collection, Sequence

import geopandas as gpd
import h3
import h3.api.numpy_int as h3i
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely

from humansec.errors import SchemaError, choices
from humansec.model import WGS84

NOT_GIVEN = "(not given)"
"""The group of incidents whose source left a field empty: counted, never guessed."""

MIN_RESOLUTION, MAX_RESOLUTION = 0, 15


def check_choice(option: str, value: str, valid: Sequence[str]) -> str:
    """Return ``value`` when it is one of ``valid``; otherwise say which are."""
    if value not in valid:
        msg = f"{option}={value!r} is not valid; choose one of {choices(valid)}."
        raise SchemaError(msg)
    return value


def check_resolution(resolution: int) -> int:
    """An H3 resolution 0..15 (``int``), or a message naming the range."""
    if isinstance(resolution, bool) or not isinstance(resolution, (int, np.integer)):
        msg = f"resolution={resolution!r}: give an integer H3 resolution 0..15 (e.g. 6)."
        raise SchemaError(msg)
    if not MIN_RESOLUTION <= int(resolution) <= MAX_RESOLUTION:
        msg = f"resolution={resolution}: H3 resolutions run from 0 to 15 (e.g. 6, ~36 km² cells)."
        raise SchemaError(msg)
    return int(resolution)


def columns(incidents: pd.DataFrame, names: Collection[str]) -> pd.DataFrame:
    """Only the ``names`` columns of ``incidents`` (a missing one is an error naming it)."""
    missing = [name for name in names if name not in incidents.columns]
    if missing:
        msg = (
            f"The incidents lack the column(s) {choices(missing)}; "
            "give incidents in the humansec incident schema (humansec.model)."
        )
        raise SchemaError(msg)
    return pd.DataFrame({name: incidents[name] for name in names}, index=incidents.index)


def utc_naive(dates: pd.Series) -> pd.Series:
    """Dates as UTC wall time without a time zone (periods are UTC days, weeks, months)."""
    values = pd.to_datetime(dates, utc=True)
    return values.dt.tz_convert("UTC").dt.tz_localize(None)


def to_wgs84(incidents: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``incidents`` in EPSG:4326 (a frame without a CRS is refused: no guessing)."""
    if incidents.crs is None:
        msg = "The incidents have no CRS; give them in EPSG:4326 (set_crs) before analysing."
        raise SchemaError(msg)
    return incidents if incidents.crs == WGS84 else incidents.to_crs(WGS84)


def cells_of(incidents: gpd.GeoDataFrame, resolution: int) -> pd.Series:
    """The H3 cell (string id) of every incident point at ``resolution``; <NA> without one.

    Each distinct cell is named once (incidents often share cells).
    """
    ints = point_cells(incidents, resolution)
    ok = ints != 0
    if not ok.any():
        return pd.Series(None, index=incidents.index, dtype="string", name="h3")
    unique, inverse = np.unique(ints[ok], return_inverse=True)  # few cells: named once each
    names = pa.array([h3.int_to_str(cell) for cell in unique.tolist()], type=pa.string())
    positions = np.zeros(len(ints), dtype=np.int64)
    positions[ok] = inverse.ravel()
    # Arrow's take, not a million Python strings: the same "string" Series, 15 times faster.
    taken = names.take(pa.array(positions, mask=~ok))
    return pd.Series(pd.arrays.ArrowStringArray(taken), index=incidents.index, name="h3")


def point_cells(incidents: gpd.GeoDataFrame, resolution: int) -> np.ndarray:
    """The H3 cell (uint64) of every incident point at ``resolution``; 0 without a point
    (a multi-part or non-point geometry: a representative point of it)."""
    resolution = check_resolution(resolution)
    frame = to_wgs84(incidents)
    geoms = frame.geometry.to_numpy()
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    points = shapely.get_coordinates(geoms[ok]) if ok.any() else np.empty((0, 2))
    if len(points) != int(ok.sum()):
        points = shapely.get_coordinates(shapely.point_on_surface(geoms[ok]))
    out = np.zeros(len(frame), dtype=np.uint64)
    if len(points):
        out[ok] = cell_ints(points[:, 0], points[:, 1], resolution)
    return out


def cell_ints(lons: np.ndarray, lats: np.ndarray, resolution: int) -> np.ndarray:
    """The H3 cell (uint64) of each lon/lat (degrees) at ``resolution``, in one vectorised
    call (``h3ronpy``, the H3 of the ``h3o`` library: the same cells as ``h3``'s
    ``latlng_to_cell``, about five times faster than a Python call per point)."""
    from h3ronpy.vector import coordinates_to_cells  # noqa: PLC0415 -- arrow: load on demand

    lat = np.ascontiguousarray(lats, dtype=np.float64)
    lon = np.ascontiguousarray(lons, dtype=np.float64)
    if not (np.isfinite(lat).all() and np.isfinite(lon).all()) or (np.abs(lat) > 90).any():
        msg = "Some incident coordinates are not longitude/latitude degrees; give EPSG:4326."
        raise SchemaError(msg)
    cells = coordinates_to_cells(lat, lon, resolution)
    return np.asarray(pa.array(cells).to_numpy(zero_copy_only=False), dtype=np.uint64)


def cell_polygons(cells: Sequence[str]) -> np.ndarray:
    """The hexagon (or pentagon) of each H3 cell, lon/lat, EPSG:4326 (shapely array)."""
    if not cells:
        return np.empty(0, dtype=object)
    boundaries = [h3.cell_to_boundary(cell) for cell in cells]  # ((lat, lon), ...)
    sizes = np.fromiter((len(b) + 1 for b in boundaries), dtype=np.int64, count=len(cells))
    latlon = np.array([vertex for b in boundaries for vertex in (*b, b[0])], dtype=float)
    rings = shapely.linearrings(latlon[:, ::-1], indices=np.repeat(np.arange(len(cells)), sizes))
    return np.asarray(shapely.polygons(rings))


class CellTable:
    """What H3 says about a set of cells, asked once and looked up by array afterwards.

    For each cell (sorted, as integers): its disk of radius 1 (itself and its neighbours,
    ``0`` padding for a pentagon's missing sixth), its centre and its hexagon. A caller that
    analyses many subsets of the same incidents (one per filter state) makes one table of all
    their cells and the ring around them, and every analysis then avoids a Python call per
    cell. Cells missing from the table are asked of H3 as they come.
    """

    def __init__(self, cells: Sequence[str] | np.ndarray) -> None:
        ints = np.unique(_as_ints(cells))
        self.ints = ints
        self.disks = _grid_disks(ints)
        centres = [h3.cell_to_latlng(h3.int_to_str(c)) for c in ints.tolist()]
        self.lat = np.array([lat for lat, _ in centres], dtype=float)
        self.lon = np.array([lon for _, lon in centres], dtype=float)
        self.polygons = cell_polygons([h3.int_to_str(c) for c in ints.tolist()])
        self._names: np.ndarray | None = None
        self._rows: np.ndarray | None = None

    @property
    def names(self) -> np.ndarray:
        """The string id of every cell (object array), made on first use."""
        if self._names is None:
            self._names = np.array([h3.int_to_str(c) for c in self.ints.tolist()], dtype=object)
        return self._names

    @property
    def disk_rows(self) -> np.ndarray:
        """``disks`` as rows of the table (-1: padding, or a cell not in the table)."""
        if self._rows is None:
            rows = self.find(self.disks.ravel()).reshape(self.disks.shape)
            rows[self.disks == 0] = -1
            self._rows = rows
        return self._rows

    @classmethod
    def around(cls, cells: Sequence[str] | np.ndarray) -> CellTable:
        """A table of ``cells`` and of the ring of cells around them."""
        inner = cls(cells)
        ring = np.setdiff1d(np.unique(inner.disks[inner.disks != 0]), inner.ints)
        return cls(np.concatenate([inner.ints, ring])) if len(ring) else inner

    def find(self, cells: np.ndarray) -> np.ndarray:
        """Row of each cell (integers) in the table, -1 where it is not in it."""
        if len(self.ints) == 0:
            return np.full(len(cells), -1, dtype=np.int64)
        pos = np.minimum(np.searchsorted(self.ints, cells), len(self.ints) - 1)
        return np.where(self.ints[pos] == cells, pos, -1).astype(np.int64)


def _grid_disks(ints: np.ndarray) -> np.ndarray:
    """The (n, 7) disks of radius 1 of ``ints`` (sorted H3 cells), 0 padding for a
    pentagon's missing sixth neighbour, in one vectorised ``h3ronpy`` call."""
    disks = np.zeros((len(ints), 7), dtype=np.uint64)
    if not len(ints):
        return disks
    from h3ronpy import grid_disk  # noqa: PLC0415 -- arrow: load on demand

    lists = grid_disk(pa.array(ints, type=pa.uint64()), 1, flatten=False)
    lists = pa.array(lists) if not isinstance(lists, pa.Array) else lists
    flat = np.asarray(lists.flatten().to_numpy(zero_copy_only=False), dtype=np.uint64)
    offsets = np.asarray(lists.offsets.to_numpy(zero_copy_only=False), dtype=np.int64)
    lengths = np.diff(offsets)
    rows = np.repeat(np.arange(len(ints)), lengths)
    columns = np.arange(len(flat)) - np.repeat(offsets[:-1], lengths)
    disks[rows, columns] = flat
    return disks


def _as_ints(cells: Sequence[str] | np.ndarray) -> np.ndarray:
    values = np.asarray(cells)
    if values.dtype == np.uint64:
        return values
    return np.array([h3.str_to_int(str(cell)) for cell in values.tolist()], dtype=np.uint64)


def disks_of(cells: np.ndarray, table: CellTable | None = None) -> np.ndarray:
    """The (n, 7) disks of radius 1 of ``cells`` (integers), 0 padding (see ``CellTable``)."""
    out = np.zeros((len(cells), 7), dtype=np.uint64)
    rows = table.find(cells) if table is not None else np.full(len(cells), -1)
    known = rows >= 0
    if table is not None:
        out[known] = table.disks[rows[known]]
    for i in np.flatnonzero(~known).tolist():
        disk = h3i.grid_disk(int(cells[i]), 1)
        out[i, : len(disk)] = disk
    return out


def cell_frame(table: pd.DataFrame, cells_table: CellTable | None = None) -> gpd.GeoDataFrame:
    """``table`` (with an ``h3`` column) as hexagons in EPSG:4326, with the cell centres."""
    cells = table["h3"].astype(str).tolist()
    out = table.copy()
    rows = (
        cells_table.find(_as_ints(cells))
        if cells_table is not None and cells
        else np.full(len(cells), -1, dtype=np.int64)
    )
    if len(cells) and (rows >= 0).all() and cells_table is not None:
        out["lat"] = cells_table.lat[rows]
        out["lon"] = cells_table.lon[rows]
        return gpd.GeoDataFrame(out, geometry=cells_table.polygons[rows], crs=WGS84)
    centres = [h3.cell_to_latlng(cell) for cell in cells]
    out["lat"] = [lat for lat, _ in centres]
    out["lon"] = [lon for _, lon in centres]
    return gpd.GeoDataFrame(out, geometry=cell_polygons(cells), crs=WGS84)


def rows_frame(table: pd.DataFrame, cells: CellTable, rows: np.ndarray) -> gpd.GeoDataFrame:
    """``table`` (one row per cell, the cells at ``rows`` of ``cells``) as hexagons in
    EPSG:4326 with the cell centres ``lat`` and ``lon`` (``cell_frame`` without a lookup)."""
    out = table.reset_index(drop=True)
    out["lat"] = cells.lat[rows]
    out["lon"] = cells.lon[rows]
    return gpd.GeoDataFrame(out, geometry=cells.polygons[rows], crs=WGS84)


def bh_fdr(p_values: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (false discovery rate), same order as given."""
    p = np.asarray(p_values, dtype=float)
    if p.size == 0:
        return p.copy()
    from scipy.stats import false_discovery_control  # noqa: PLC0415 -- scipy is heavy

    return np.asarray(false_discovery_control(p, method="bh"), dtype=float)
