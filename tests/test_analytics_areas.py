"""Change per reference area (``humansec.analytics.areas``)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from scipy.stats import binomtest

from humansec.analytics.areas import AREA_CHANGE_COLUMNS, area_change, area_of
from humansec.model import WGS84
from tests.incident_frames import point_incidents

END = pd.Timestamp("2026-10-31T12:00", tz="UTC")


def _areas() -> gpd.GeoDataFrame:
    """Two unit squares side by side (sharing the edge x = 1), then one far away."""
    return gpd.GeoDataFrame(
        {"id": ["UA01", "UA02", "UA03"], "name": ["West", "East", "Far"]},
        geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1), shapely.box(10, 10, 11, 11)],
        crs=WGS84,
    )


def test_area_change_counts_points_in_polygons_and_tests_like_the_cells() -> None:
    recent, old = END - pd.Timedelta(days=3), END - pd.Timedelta(days=40)
    west, east = (0.5, 0.5), (1.5, 0.5)
    edge, outside = (1.0, 0.25), (5.0, 5.0)
    points = [west] * 6 + [west] * 2 + [east] * 2 + [east] * 20 + [edge, outside, outside]
    dates = [recent] * 6 + [old] * 2 + [recent] * 2 + [old] * 20 + [recent, recent, old]
    frame = point_incidents(points, dates)
    assigned = area_of(_areas(), frame.geometry)
    assert assigned.tolist() == [0] * 8 + [1] * 22 + [0, -1, -1]  # the edge: the first area

    got = area_change(frame, _areas(), recent_days=10, baseline_days=50)
    assert list(got.columns[: len(AREA_CHANGE_COLUMNS)]) == list(AREA_CHANGE_COLUMNS)
    assert got["area_id"].tolist() == ["UA01", "UA02"]  # most significant first; Far: no events
    first, second = got.iloc[0], got.iloc[1]
    assert (first["area"], first["recent"], first["baseline"]) == ("West", 7, 2)
    assert first["expected"] == pytest.approx(2 * 10 / 50)
    share = 10 / 60
    assert first["p_value"] == pytest.approx(binomtest(7, 9, share, "greater").pvalue)
    assert second["p_value"] == pytest.approx(binomtest(2, 22, share, "greater").pvalue)
    assert (got["p_fdr"] >= got["p_value"] - 1e-12).all()
    assert got.geometry.iloc[0].equals(shapely.box(0, 0, 1, 1))
    assert got.crs == WGS84


def test_area_change_of_nothing_and_a_given_end() -> None:
    frame = point_incidents([(0.5, 0.5)], [END])
    assert area_change(frame.iloc[:0], _areas(), 10, 50).empty
    later = area_change(frame, _areas(), 10, 50, end=END + pd.Timedelta(days=30))
    assert (later["recent"].tolist(), later["baseline"].tolist()) == ([0], [1])
    assert later["p_value"].tolist() == [1.0]
