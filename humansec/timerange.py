"""Time ranges and which features of a kind fall in one (the store and the filters share it)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from humansec.model import KIND_SPECS, LayerKind


@dataclass(frozen=True)
class TimeRange:
    """A closed interval of UTC times; a missing bound is open."""

    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None


def time_mask(frame: pd.DataFrame, kind: LayerKind, time_range: TimeRange | None) -> pd.Series:
    """Rows of ``frame`` whose time interval overlaps ``time_range`` (closed; open where missing).

    A feature's interval is given by its kind's ``time_fields``; a missing start or end is
    open. Kinds without time fields are always kept.
    """
    keep = pd.Series(True, index=frame.index)
    fields = KIND_SPECS[kind].time_fields
    if time_range is None or fields is None or frame.empty:
        return keep
    start_field, end_field = fields
    if time_range.end is not None and start_field in frame.columns:
        starts = frame[start_field]
        keep &= starts.isna() | (starts <= time_range.end)
    if time_range.start is not None and end_field in frame.columns:
        ends = frame[end_field]
        keep &= ends.isna() | (ends >= time_range.start)
    return keep.astype(bool)
