"""Time on the map: the date window shown at first, and stepping through time (the slider).

Dates are calendar days in UTC; a day range ``(first, last)`` covers ``first`` 00:00 to the last
microsecond of ``last``. Nothing here knows about Streamlit: the page keeps the slider's state.

>>> import datetime as dt
>>> window = play_window(dt.date(2026, 11, 10), span_days=7)
>>> str(window.start), str(window.end)
('2026-11-04 00:00:00+00:00', '2026-11-10 23:59:59.999999+00:00')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import geopandas as gpd
import pandas as pd

from humansec.model import KIND_SPECS, LayerKind
from humansec.timerange import TimeRange

PLAY_SPANS: tuple[int, ...] = (1, 7, 30)
"""Window lengths (days) the time slider offers."""


def days_to_range(first: dt.date, last: dt.date) -> TimeRange:
    """The UTC times from the start of ``first`` to the end of ``last``."""
    start = pd.Timestamp(first, tz="UTC")
    end = pd.Timestamp(last, tz="UTC") + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)
    return TimeRange(start, end)


def newest_incident(frames: Mapping[LayerKind, gpd.GeoDataFrame]) -> pd.Timestamp | None:
    """The date of the latest incident in ``frames``, or None when there is none."""
    frame = frames.get(LayerKind.INCIDENT)
    fields = KIND_SPECS[LayerKind.INCIDENT].time_fields
    if frame is None or fields is None or fields[0] not in frame.columns:
        return None
    dates = frame[fields[0]].dropna()
    return None if dates.empty else pd.Timestamp(dates.max())


def default_window(
    times: TimeRange, newest: pd.Timestamp | None, *, days: int, today: dt.date
) -> tuple[dt.date, dt.date] | None:
    """The day range the date filter starts with: recent incidents and what is still planned.

    It starts ``days`` days before the newest incident (``newest``; today when there are no
    incidents) and ends at the newest incident or today, or later where the data (``times``,
    e.g. planned activities' windows) goes on. None when the data has no dates at all.

    >>> t = TimeRange(pd.Timestamp("2022-01-01", tz="UTC"), pd.Timestamp("2026-12-10", tz="UTC"))
    >>> default_window(t, pd.Timestamp("2026-11-19 08:00", tz="UTC"), days=90,
    ...                today=dt.date(2026, 12, 3))
    (datetime.date(2026, 8, 22), datetime.date(2026, 12, 10))
    """
    if times.start is None or times.end is None:
        return None
    anchor = newest.date() if newest is not None else today
    first = anchor - dt.timedelta(days=days - 1)
    last = max(anchor, times.end.date())
    return first, last


def play_window(cursor: dt.date, *, span_days: int) -> TimeRange:
    """The ``span_days`` days that end with ``cursor`` (the time slider's position)."""
    return days_to_range(cursor - dt.timedelta(days=span_days - 1), cursor)


def next_cursor(
    cursor: dt.date, *, first: dt.date, last: dt.date, step_days: int
) -> dt.date | None:
    """The slider's next position when playing, or None once ``last`` has been shown.

    A cursor outside ``first..last`` (the date range changed) starts again at ``first``.

    >>> next_cursor(dt.date(2026, 1, 5), first=dt.date(2026, 1, 1), last=dt.date(2026, 1, 9),
    ...             step_days=7)
    datetime.date(2026, 1, 9)
    >>> next_cursor(dt.date(2026, 1, 9), first=dt.date(2026, 1, 1), last=dt.date(2026, 1, 9),
    ...             step_days=7) is None
    True
    """
    if cursor < first or cursor > last:
        return first
    if cursor >= last:
        return None
    return min(cursor + dt.timedelta(days=step_days), last)
