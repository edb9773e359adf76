"""Constants and pair containers shared by the steps of the conflict check."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from humansec.conflicts.geodesic import Array
from humansec.conflicts.geometry import IntArray

MAX_EDGE_M = 5_000.0
"""Geodesic edges are densified to at most this length before any planar step."""

TOLERANCE_M = 1e-6
"""Rounding allowance: a feature placed exactly on the threshold (Geod.fwd) counts as inside."""

EXACT_BAND_M = 0.01
"""Pairs measured with the fast short-line formulas (``geodesic.short_distance``, within a few
1e-7 m of GeographicLib) are measured again exactly when they lie this near their threshold."""

_COMBO_CHUNK = 2_000_000
_FAST_CHUNK = 200_000
"""Rows per call of the short-line formulas (their temporaries stay within a few tens of MB)."""


@dataclass(frozen=True)
class _Pairs:
    act: IntArray
    feat: IntArray


@dataclass(frozen=True)
class _Near:
    """Pairs of a line or area activity and a point feature, with the edges worth measuring.

    ``combo_pair`` / ``combo_edge``: for each pair, the activity edges (indices into the
    activity linework's edges) whose distance to the point may be the pair's distance.
    ``inner``: per pair, whether the point lies inside the (area) activity drawn in degrees.
    """

    pairs: _Pairs
    combo_pair: IntArray
    combo_edge: IntArray
    inner: npt.NDArray[np.bool_]

    @staticmethod
    def concat(parts: list[_Near]) -> _Near:
        empty = np.empty(0, dtype=np.intp)
        offsets = np.cumsum([0] + [p.pairs.act.size for p in parts])
        return _Near(
            _Pairs(
                np.concatenate([empty] + [p.pairs.act for p in parts]),
                np.concatenate([empty] + [p.pairs.feat for p in parts]),
            ),
            np.concatenate(
                [empty] + [p.combo_pair + o for p, o in zip(parts, offsets, strict=False)]
            ),
            np.concatenate([empty] + [p.combo_edge for p in parts]),
            np.concatenate([np.empty(0, dtype=bool)] + [p.inner for p in parts]),
        )

    def subset(self, keep: npt.NDArray[np.bool_]) -> _Near:
        new_index = np.cumsum(keep) - 1
        kept = keep[self.combo_pair]
        return _Near(
            _Pairs(self.pairs.act[keep], self.pairs.feat[keep]),
            new_index[self.combo_pair[kept]].astype(np.intp),
            self.combo_edge[kept],
            self.inner[keep],
        )


@dataclass(frozen=True)
class _Hits:
    """The conflicting pairs of one chunk of activities, with what the table shows of them."""

    pairs: _Pairs
    dist: Array
    threshold: Array
    rule_idx: IntArray
    timed: npt.NDArray[np.bool_]

    @staticmethod
    def take_all(parts: list[_Hits], offsets: list[int]) -> _Hits:
        """The hits of consecutive chunks, activity indices shifted by each chunk's offset;
        ``parts`` is emptied (its arrays are not kept twice)."""
        if len(parts) == 1:
            return parts.pop()
        merged = _Hits(
            _Pairs(
                np.concatenate([h.pairs.act + o for h, o in zip(parts, offsets, strict=True)]),
                np.concatenate([h.pairs.feat for h in parts]),
            ),
            np.concatenate([h.dist for h in parts]),
            np.concatenate([h.threshold for h in parts]),
            np.concatenate([h.rule_idx for h in parts]),
            np.concatenate([h.timed for h in parts]),
        )
        parts.clear()
        return merged
