"""A sorted longitude/latitude grid of points, searched with boxes."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from humansec.conflicts.geodesic import Array
from humansec.conflicts.geometry import IntArray


class _PointGrid:
    """Points sorted by the cell of a longitude/latitude grid, searched with boxes.

    Gives what ``STRtree.query`` gives for point geometries and box envelopes (every point
    with ``west <= lon <= east`` and ``south <= lat <= north``, boundaries included) without
    making geometries: per box, one range of the sorted cell keys per row of cells it covers,
    then the exact test on the points in those ranges.
    """

    _ROWS_PER_CHUNK = 1_000_000
    _TABLE_CELLS = 4_000_000
    """Largest cell table (``starts``) kept, besides four cells per point."""

    def __init__(
        self, lon: Array, lat: Array, cell_deg: float, *, table_cells: int | None = None
    ) -> None:
        self.cell = float(np.clip(cell_deg, 1e-3, 1.0))
        self.ncol = int(np.ceil(360.0 / self.cell)) + 1
        self.nrow = int(np.ceil(180.0 / self.cell)) + 1
        rows, cols = self._row(lat), self._col(lon)
        key = rows * self.ncol + cols
        self.order = np.argsort(key).astype(np.intp)  # any order within a cell will do
        self.key = key[self.order]
        self.lon, self.lat = lon[self.order], lat[self.order]
        # the rows and columns holding points, and where each of their cells starts in the
        # sorted points (one more column: where the row's last cell ends), when that table is
        # small enough; else every range is looked up in ``key`` (``searchsorted``)
        empty = lon.size == 0
        self.row_lo, self.row_hi = (0, -1) if empty else (int(rows.min()), int(rows.max()))
        self.col_lo = 0 if empty else int(cols.min())
        width = (-1 if empty else int(cols.max())) - self.col_lo + 2
        limit = self._TABLE_CELLS + 4 * lon.size if table_cells is None else table_cells
        self.starts: npt.NDArray[np.int64] | None = None
        height = self.row_hi - self.row_lo + 1
        if 0 < height * width <= limit:
            # points per cell of the table (its last column stays empty), counted up
            local = (rows - self.row_lo) * width + (cols - self.col_lo)
            count = np.bincount(local, minlength=height * width)
            self.starts = np.concatenate(([0], np.cumsum(count)[:-1])).reshape(height, width)

    def _col(self, lon: Array) -> npt.NDArray[np.int64]:
        return np.clip(np.floor((lon + 180.0) / self.cell), 0, self.ncol - 1).astype(np.int64)

    def _row(self, lat: Array) -> npt.NDArray[np.int64]:
        return np.clip(np.floor((lat + 90.0) / self.cell), 0, self.nrow - 1).astype(np.int64)

    def query(
        self, west: Array, south: Array, east: Array, north: Array
    ) -> tuple[IntArray, IntArray]:
        """(box, point) index pairs of every point inside each box (lon within -180..180)."""
        box, at = self.query_sorted(west, south, east, north)
        return box, self.order[at]

    def query_sorted(
        self, west: Array, south: Array, east: Array, north: Array
    ) -> tuple[IntArray, IntArray]:
        """``query`` with each point as its position in the sorted points (``lon``, ``lat``;
        ``order`` maps a position to the point's index): neighbours in a box are near there."""
        r0, r1 = self._row(south), self._row(north)
        c0, c1 = self._col(west), self._col(east)
        if self.starts is not None:  # rows without points need no look-up
            r0, r1 = np.maximum(r0, self.row_lo), np.minimum(r1, self.row_hi)
        rows = np.maximum(r1 - r0 + 1, 0)
        bounds = np.searchsorted(
            np.cumsum(rows), np.arange(self._ROWS_PER_CHUNK, rows.sum(), self._ROWS_PER_CHUNK)
        )
        found_q: list[IntArray] = [np.empty(0, dtype=np.intp)]
        found_f: list[IntArray] = [np.empty(0, dtype=np.intp)]
        for lo, hi in zip(np.concatenate(([0], bounds)), np.append(bounds, west.size), strict=True):
            box = np.arange(lo, hi, dtype=np.intp)
            n = rows[box]
            box = np.repeat(box, n)
            row = r0[box] + np.arange(box.size) - np.repeat(np.cumsum(n) - n, n)
            first, stop = self._ranges(row, c0[box], c1[box])
            count = np.maximum(stop - first, 0)
            box = np.repeat(box, count)
            idx = np.arange(box.size) + np.repeat(first - (np.cumsum(count) - count), count)
            lon, lat = self.lon[idx], self.lat[idx]
            inside = (lon >= west[box]) & (lon <= east[box])
            inside &= (lat >= south[box]) & (lat <= north[box])
            found_q.append(box[inside])
            found_f.append(idx[inside])
        return np.concatenate(found_q), np.concatenate(found_f)

    def _ranges(
        self, row: npt.NDArray[np.int64], c0: npt.NDArray[np.int64], c1: npt.NDArray[np.int64]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """First and stop positions in the sorted points of cells ``c0..c1`` of each ``row``."""
        if self.starts is None:
            first = np.searchsorted(self.key, row * self.ncol + c0, side="left")
            return first, np.searchsorted(self.key, row * self.ncol + c1, side="right")
        last = self.starts.shape[1] - 1
        r = row - self.row_lo
        first = self.starts[r, np.clip(c0 - self.col_lo, 0, last)]
        return first, self.starts[r, np.clip(c1 + 1 - self.col_lo, 0, last)]
