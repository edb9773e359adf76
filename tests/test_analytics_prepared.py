"""The column arrays of a data version (``humansec.analytics.prepared``) and the counts the
page takes from them: the same answers as the functions over frames."""

from __future__ import annotations

import numpy as np
import pandas as pd

from humansec import analytics
from humansec.analytics._common import CellTable, cells_of
from humansec.analytics.hotspots import hotspots_of_counts
from humansec.analytics.prepared import Prepared, trend_at
from tests.incident_frames import point_incidents


def test_prepared_positions_and_trend_equal_select_and_trend() -> None:
    rng = np.random.default_rng(5)
    n = 400
    dates = pd.Series(pd.Timestamp("2026-01-01", tz="UTC") + pd.to_timedelta(
        rng.integers(0, 200 * 24, n), unit="h"))  # fmt: skip
    dates[:7] = pd.NaT
    lon = rng.uniform(170, 190, n)
    lon = np.where(lon > 180, lon - 360, lon)
    frame = point_incidents(list(zip(lon, rng.uniform(-5, 5, n), strict=True)), dates.tolist())
    frame["focus_areas"] = rng.choice(["poc", "crsv;caac", None, "thb"], n)
    frame["killed"] = pd.array(rng.integers(0, 4, n), dtype="Int64")
    prepared = Prepared(frame)
    since, until = pd.Timestamp("2026-02-01"), pd.Timestamp("2026-06-01", tz="UTC")
    for bbox in (None, (175.0, -3.0, -175.0, 3.0)):  # across the antimeridian
        for focus in (None, ["caac"], ["conflict_event", "poc"]):
            chosen = analytics.select(frame, since=since, until=until, bbox=bbox, focus=focus)
            positions = prepared.positions(since=since, until=until, bbox=bbox, focus=focus)
            assert frame.index[positions].tolist() == chosen.index.tolist()
            for freq in ("D", "W", "M"):
                pd.testing.assert_frame_equal(
                    trend_at(prepared, positions, freq, "focus_area"),
                    analytics.trend(chosen, freq=freq, by="focus_area"),
                )


def test_hotspot_counts_on_a_table_without_the_ring_equal_hotspots() -> None:
    rng = np.random.default_rng(11)
    points = [(23.0 + rng.normal(0, 0.05), 54.0 + rng.normal(0, 0.05)) for _ in range(60)]
    frame = point_incidents(points, [pd.Timestamp("2026-08-01", tz="UTC")] * 60)
    cells = cells_of(frame, 7)
    expected = analytics.hotspots(frame, 7).sort_values("h3").reset_index(drop=True)
    bare = CellTable(cells.unique())  # the occupied cells only: the ring is asked of H3
    rows = bare.find(np.array([int(c, 16) for c in cells], dtype=np.uint64))
    got = hotspots_of_counts(np.bincount(rows, minlength=len(bare.ints)), bare)
    got = got.sort_values("h3").reset_index(drop=True)
    assert len(got) > len(bare.ints)  # the ring is in the study area
    pd.testing.assert_frame_equal(
        pd.DataFrame(got.drop(columns="geometry")), pd.DataFrame(expected.drop(columns="geometry"))
    )
