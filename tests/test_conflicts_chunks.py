"""Many activities are checked in chunks against features prepared once: the table must be the
one the whole set gives in one piece, row for row (order, distances, thresholds, times)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from humansec import find_conflicts
from humansec.conflicts import engine
from humansec.conflicts.rules import parse_rules
from tests.test_conflicts_mixed import _frames

RULES = """
[[rule]]
activity = "patrol"
feature = "cultural"
distance_m = 1500
severity = "high"
rationale = "patrols keep clear of cultural property"

[[rule]]
activity = "convoy"
feature = "cultural"
distance_m = 900
severity = "medium"
rationale = "convoys pass at a distance"

[[rule]]
activity = "air_strike"
feature = "cultural"
distance_m = 2500
severity = "critical"
rationale = "no strike near cultural property"
"""


def _many_activities() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Routes, areas and points at Kyiv and across the antimeridian, of three types, some with
    times (a few outside the features' validity), precisions and a hazard radius."""
    parts_a, parts_f = [], []
    for lon, lat in ((30.5, 50.4), (179.92, -20.0), (30.62, 50.38)):
        a, f = _frames(lon, lat, 200)
        parts_a.append(a)
        parts_f.append(f)
    acts = pd.concat(parts_a * 3, ignore_index=True)
    feats = pd.concat(parts_f, ignore_index=True)
    n = len(acts)
    acts["id"] = [f"act-{k:03d}" for k in range(n)]
    acts["type"] = np.array(["patrol", "convoy", "air_strike"])[np.arange(n) % 3]
    acts["start"] = pd.to_datetime(
        ["2026-11-20T08:00:00Z" if k % 4 == 0 else None for k in range(n)], utc=True
    )
    acts["end"] = acts["start"] + pd.Timedelta(hours=6)
    acts["precision_m"] = np.where(np.arange(n) % 5 == 0, 25.0, np.nan)
    acts["hazard_radius_m"] = np.where(np.arange(n) == 7, 3000.0, np.nan)
    feats["id"] = [f"feat-{k:04d}" for k in range(len(feats))]
    # valid until before the activities (those pairs drop out) or from before them (kept)
    ended = ["2026-11-01T00:00:00Z" if k % 7 == 0 else None for k in range(len(feats))]
    began = ["2026-11-01T00:00:00Z" if k % 7 == 1 else None for k in range(len(feats))]
    feats["valid_to"] = pd.to_datetime(ended, utc=True)
    feats["valid_from"] = pd.to_datetime(began, utc=True)
    return (
        gpd.GeoDataFrame(acts, geometry="geometry", crs=4326),
        gpd.GeoDataFrame(feats, geometry="geometry", crs=4326),
    )


@pytest.mark.parametrize("chunk", [1, 4, 7])
def test_activities_checked_in_chunks_give_the_table_of_one_piece(
    monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    acts, feats = _many_activities()
    rules = parse_rules(RULES)
    whole = find_conflicts(acts, feats, rules)
    monkeypatch.setattr(engine, "_CHUNK_ACTIVITIES", chunk)
    chunked = find_conflicts(acts, feats, rules)
    assert len(acts) > 3 * chunk  # several chunks
    assert len(whole) > 500
    assert set(whole["severity"]) == {"critical", "high", "medium"}
    assert whole["time_overlap"].notna().any()  # some pairs carry times
    # pairs from activities far apart in the input: the chunks' pairs are merged, then sorted
    assert whole["activity_id"].nunique() > 2 * chunk
    pd.testing.assert_frame_equal(chunked, whole)
