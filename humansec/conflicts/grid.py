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

    def __init__(self, lon: Array, lat: Array, cell_deg: float) -> None:
        self.cell = float(np.clip(cell_deg, 1e-3, 1.0))
        self.ncol = int(np.ceil(360.0 / self.cell)) + 1
        self.nrow = int(np.ceil(180.0 / self.cell)) + 1
        key = self._row(lat) * self.ncol + self._col(lon)
        self.order = np.argsort(key, kind="stable").astype(np.intp)
        self.key = key[self.order]
        self.lon, self.lat = lon[self.order], lat[self.order]

    def _col(self, lon: Array) -> npt.NDArray[np.int64]:
        return np.clip(np.floor((lon + 180.0) / self.cell), 0, self.ncol - 1).astype(np.int64)

    def _row(self, lat: Array) -> npt.NDArray[np.int64]:
        return np.clip(np.floor((lat + 90.0) / self.cell), 0, self.nrow - 1).astype(np.int64)

    def query(
        self, west: Array, south: Array, east: Array, north: Array
    ) -> tuple[IntArray, IntArray]:
        """(box, point) index pairs of every point inside each box (lon within -180..180)."""
        r0, r1 = self._row(south), self._row(north)
        c0, c1 = self._col(west), self._col(east)
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
            first = np.searchsorted(self.key, row * self.ncol + c0[box], side="left")
            stop = np.searchsorted(self.key, row * self.ncol + c1[box], side="right")
            count = stop - first
            box = np.repeat(box, count)
            idx = np.arange(box.size) + np.repeat(first - (np.cumsum(count) - count), count)
            lon, lat = self.lon[idx], self.lat[idx]
            inside = (lon >= west[box]) & (lon <= east[box])
            inside &= (lat >= south[box]) & (lat <= north[box])
            found_q.append(box[inside])
            found_f.append(self.order[idx[inside]])
        return np.concatenate(found_q), np.concatenate(found_f)
