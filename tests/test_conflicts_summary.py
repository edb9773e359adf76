"""summarise and hazard_area: status, counts, nearest, population in the hazard area."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely

from humansec.conflicts import find_conflicts, hazard_area, parse_rules, summarise
from humansec.conflicts.geodesic import aeqd_forward
from humansec.errors import ConfigurationError

GEOD = pyproj.Geod(ellps="WGS84")

RULES = parse_rules(
    """
[[rule]]
activity = "air_strike"
feature = "cultural"
distance_m = 1000.0
severity = "critical"
rationale = "Hague 1954 art. 4 (placeholder)"

[[rule]]
activity = "patrol"
feature = "cultural"
distance_m = 300.0
severity = "low"
rationale = "Hague 1954 art. 4(1) (placeholder)"

[[rule]]
activity = "patrol"
feature = "population"
distance_m = 200.0
severity = "medium"
rationale = "AP I art. 58 (placeholder)"
"""
)


def near(lon: float, lat: float, az: float, dist: float) -> tuple[float, float]:
    x, y, _ = GEOD.fwd(lon, lat, az, dist)
    return float(x), float(y)


@pytest.fixture
def scenario() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    acts = gpd.GeoDataFrame(
        {"id": ["strike", "patrol", "quiet"], "type": ["air_strike", "patrol", "patrol"]},
        geometry=[shapely.Point(30, 50), shapely.Point(31, 50), shapely.Point(33, 50)],
        crs="EPSG:4326",
    )
    feats = gpd.GeoDataFrame(
        {
            "id": ["c1", "c2", "c3", "p1"],
            "kind": ["cultural", "cultural", "cultural", "population"],
        },
        geometry=[
            shapely.Point(near(30, 50, 0, 500)),
            shapely.Point(near(30, 50, 90, 800)),
            shapely.Point(near(31, 50, 0, 250)),
            shapely.Point(near(31, 50, 180, 100)),
        ],
        crs="EPSG:4326",
    )
    return acts, feats


def test_status_counts_and_nearest(scenario: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]) -> None:
    acts, feats = scenario
    conflicts = find_conflicts(acts, feats, RULES)
    got = summarise(acts, conflicts).set_index("activity_id")
    assert got.loc["strike", "status"] == "red"
    assert got.loc["patrol", "status"] == "amber"
    assert got.loc["quiet", "status"] == "green"
    assert got.loc["patrol", "worst_severity"] == "medium"
    assert got.loc["quiet", "worst_severity"] is None
    assert got.loc["strike", "n_cultural"] == 2
    assert got.loc["strike", "nearest_cultural_m"] == pytest.approx(500.0, abs=1e-3)
    assert got.loc["patrol", "n_population"] == 1
    assert got.loc["patrol", "conflicts"] == 2
    assert np.isnan(got.loc["quiet", "nearest_cultural_m"])
    assert got["population_in_hazard"].isna().all()


def test_hazard_area_is_a_geodesic_circle() -> None:
    row = {"type": "air_strike", "geometry": shapely.Point(30, 60), "precision_m": 20.0}
    area = hazard_area(row, RULES)
    ring = np.asarray(area.exterior.coords)
    d = GEOD.inv(np.full(len(ring), 30.0), np.full(len(ring), 60.0), ring[:, 0], ring[:, 1])[2]
    np.testing.assert_allclose(d, 1020.0, atol=1e-6)
    override = hazard_area({**row, "hazard_radius_m": 50.0}, RULES)
    assert override.area < area.area


def test_hazard_area_across_the_antimeridian_stays_whole() -> None:
    area = hazard_area({"type": "air_strike", "geometry": shapely.Point(179.999, 0)}, RULES)
    xs = np.asarray(area.exterior.coords)[:, 0]
    assert xs.max() > 180.0
    assert xs.max() - xs.min() < 0.02


def test_population_points_count_and_polygons_are_apportioned_by_area() -> None:
    acts = gpd.GeoDataFrame(
        {"id": ["p"], "type": ["patrol"]}, geometry=[shapely.Point(30, 50)], crs="EPSG:4326"
    )
    # hazard radius for patrol: the largest patrol rule, 300 m
    half = shapely.box(30.0, 49.99, 30.02, 50.01)  # the circle's east half lies in this box
    pop = gpd.GeoDataFrame(
        {"population": [1000, 50, 70]},
        geometry=[half, shapely.Point(near(30, 50, 45, 299)), shapely.Point(near(30, 50, 45, 301))],
        crs="EPSG:4326",
    )
    got = summarise(
        acts, find_conflicts(acts, pop.assign(id="x", kind="population"), RULES), pop, rules=RULES
    )
    # the share of the box inside the circle, measured in the activity's plane
    x, y = aeqd_forward(
        30.0, 50.0, np.asarray(half.exterior.coords)[:, 0], np.asarray(half.exterior.coords)[:, 1]
    )
    box_plane = shapely.Polygon(np.column_stack([x, y]))
    share = (
        box_plane.intersection(shapely.Point(0, 0).buffer(300.0, quad_segs=32)).area
        / box_plane.area
    )
    assert got.loc[0, "population_in_hazard"] == pytest.approx(1000 * share + 50, rel=1e-6)
    assert 0 < share < 0.5
    with pytest.raises(ConfigurationError, match="rules="):
        summarise(acts, find_conflicts(acts, pop.assign(id="x", kind="population"), RULES), pop)
