"""The first date window and the time slider's steps."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
import shapely

from humansec.model import WGS84, LayerKind
from humansec.timeline import (
    days_to_range,
    default_window,
    newest_incident,
    next_cursor,
    play_window,
)
from humansec.timerange import TimeRange

UTC = "UTC"


def stamp(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz=UTC)


def test_default_window_is_recent_not_the_span_of_all_data() -> None:
    # Data from 2022 (an old uploaded layer) to planned activities in December 2026.
    times = TimeRange(stamp("2022-01-01"), stamp("2026-12-10 23:59"))
    first, last = default_window(
        times, stamp("2026-11-19 08:00"), days=90, today=dt.date(2026, 12, 3)
    ) or (None, None)
    assert first == dt.date(2026, 8, 22)  # 90 days, the newest incident's day included
    assert (dt.date(2026, 11, 19) - first).days == 89
    assert last == dt.date(2026, 12, 10)  # what is still planned stays in view


def test_default_window_without_incidents_ends_today_and_without_dates_is_none() -> None:
    times = TimeRange(stamp("2026-01-01"), stamp("2026-02-01"))
    assert default_window(times, None, days=30, today=dt.date(2026, 12, 3)) == (
        dt.date(2026, 11, 4),
        dt.date(2026, 12, 3),
    )
    assert default_window(TimeRange(), None, days=30, today=dt.date(2026, 12, 3)) is None


def test_newest_incident() -> None:
    frame = gpd.GeoDataFrame(
        {"date": [stamp("2026-01-02"), stamp("2026-03-04"), pd.NaT]},
        geometry=[shapely.Point(22, 54)] * 3,
        crs=WGS84,
    )
    assert newest_incident({LayerKind.INCIDENT: frame}) == stamp("2026-03-04")
    assert newest_incident({LayerKind.INCIDENT: frame.iloc[:0]}) is None
    assert newest_incident({}) is None


def test_play_window_covers_whole_days() -> None:
    window = play_window(dt.date(2026, 3, 7), span_days=7)
    assert window == TimeRange(stamp("2026-03-01"), stamp("2026-03-07 23:59:59.999999"))
    assert play_window(dt.date(2026, 3, 7), span_days=1) == days_to_range(
        dt.date(2026, 3, 7), dt.date(2026, 3, 7)
    )


def test_next_cursor_steps_to_the_end_then_stops() -> None:
    first, last = dt.date(2026, 1, 1), dt.date(2026, 1, 20)
    seen = [dt.date(2026, 1, 7)]
    while (step := next_cursor(seen[-1], first=first, last=last, step_days=7)) is not None:
        seen.append(step)
    assert seen == [dt.date(2026, 1, 7), dt.date(2026, 1, 14), dt.date(2026, 1, 20)]
    # A cursor left outside a changed date range starts again at its beginning.
    assert next_cursor(dt.date(2025, 6, 1), first=first, last=last, step_days=7) == first
