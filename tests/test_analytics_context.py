"""Incidents near a planned activity (context): geodesic distances and the period."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod

from humansec.analytics.context import context_table, incidents_near
from humansec.errors import SchemaError
from humansec.model import WGS84, LayerKind, conform
from tests.test_analytics import incidents

GEOD = Geod(ellps="WGS84")  # GeographicLib's algorithms (Karney 2013), the reference


def activities(geoms: list[shapely.Geometry], **columns: list[object]) -> gpd.GeoDataFrame:
    data: dict[str, object] = {
        "id": [f"a{i}" for i in range(len(geoms))],
        "name": [f"Activity {i}" for i in range(len(geoms))],
        "type": "patrol",
    }
    data.update(columns)
    frame = gpd.GeoDataFrame(pd.DataFrame(data), geometry=geoms, crs=WGS84)
    return conform(frame, LayerKind.ACTIVITY)


def test_a_point_activity_counts_the_incidents_within_the_geodesic_distance() -> None:
    lon0, lat0 = 23.0, 54.0
    # Incidents at exact geodesic distances (GeographicLib's direct problem), all azimuths.
    azimuths = np.arange(0, 360, 30.0)
    inside_lon, inside_lat, _ = GEOD.fwd([lon0] * 12, [lat0] * 12, azimuths, [9_999.0] * 12)
    outside_lon, outside_lat, _ = GEOD.fwd([lon0] * 12, [lat0] * 12, azimuths, [10_001.0] * 12)
    points = [
        *zip(inside_lon, inside_lat, strict=True),
        *zip(outside_lon, outside_lat, strict=True),
    ]
    near = incidents_near(
        activities([shapely.Point(lon0, lat0)]), incidents(points), distance_m=10_000, days=30
    )
    assert sorted(near["incident"]) == list(range(12))
    np.testing.assert_allclose(near["distance_m"], 9_999.0, atol=1e-6)


def test_a_route_is_measured_to_its_geodesic_edge_and_an_area_holds_its_incidents() -> None:
    # A 200 km route; incidents 4.9 and 5.1 km off its middle, at right angles (the foot of the
    # perpendicular on a geodesic is the nearest point of it).
    a, b = (22.0, 54.5), (24.8, 54.2)
    az, _, length = GEOD.inv(*a, *b)
    mid_lon, mid_lat, back = GEOD.fwd(a[0], a[1], az, length / 2)
    heading = back + 180.0
    points = []
    for offset in (4_900.0, 5_100.0):
        for side in (90.0, -90.0):
            lon, lat, _ = GEOD.fwd(mid_lon, mid_lat, heading + side, offset)
            points.append((lon, lat))
    area = shapely.Polygon([(23.0, 53.0), (23.2, 53.0), (23.2, 53.2), (23.0, 53.2)])
    points.append((23.1, 53.1))  # inside the area
    frame = incidents(points)
    near = incidents_near(
        activities([shapely.LineString([a, b]), area]), frame, distance_m=5_000, days=30
    )
    route = near[near["activity"] == 0]
    assert sorted(route["incident"]) == [0, 1]
    np.testing.assert_allclose(route["distance_m"], 4_900.0, atol=1e-3)
    inside = near[near["activity"] == 1]
    assert inside["incident"].tolist() == [4]
    assert inside["distance_m"].tolist() == [0.0]


def test_the_period_runs_from_days_before_the_start_to_the_end() -> None:
    when = pd.to_datetime(
        ["2026-07-01", "2026-07-20", "2026-08-05", "2026-08-20", "2026-06-01"], utc=True
    )
    frame = incidents([(23.0, 54.0)] * 5, date=list(when), focus_area=["poc", "crsv", "poc",
                      "cpp", "poc"], killed=[1, 2, 3, 4, 5])  # fmt: skip
    plan = activities(
        [shapely.Point(23.0, 54.0), shapely.Point(23.0, 54.0)],
        start=[pd.Timestamp("2026-08-01", tz="UTC"), pd.NaT],
        end=[pd.Timestamp("2026-08-10", tz="UTC"), pd.NaT],
    )
    near = incidents_near(plan, frame, distance_m=100, days=14)
    # Activity 0: 18 July .. 10 August; activity 1 (no window): the 14 days up to the latest.
    assert sorted(near.loc[near["activity"] == 0, "incident"]) == [1, 2]
    assert sorted(near.loc[near["activity"] == 1, "incident"]) == [3]
    table = context_table(plan, frame, near)
    assert table["incidents"].tolist() == [2, 1]
    assert table["fatalities"].tolist() == [5, 4]
    assert table["poc"].tolist() == [1, 0]
    assert table["crsv"].tolist() == [1, 0]
    assert table["cpp"].tolist() == [0, 1]
    assert table["nearest_km"].tolist() == [0.0, 0.0]


def test_no_incidents_and_bad_arguments() -> None:
    plan = activities([shapely.Point(23.0, 54.0)])
    none = incidents_near(plan, incidents([(30.0, 10.0)]), distance_m=1_000, days=30)
    assert none.empty
    table = context_table(plan, incidents([(30.0, 10.0)]), none)
    assert table["incidents"].tolist() == [0]
    assert np.isnan(table["nearest_km"].iloc[0])
    with pytest.raises(SchemaError, match="metres"):
        incidents_near(plan, incidents([(23.0, 54.0)]), distance_m=-1, days=30)
    with pytest.raises(SchemaError, match="days"):
        incidents_near(plan, incidents([(23.0, 54.0)]), distance_m=10, days=-3)
