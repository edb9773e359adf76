"""Shortcuts of the conflict engine give the same answers as the plain computations."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from humansec.conflicts import engine, geodesic, grid, search
from humansec.conflicts.geometry import prepare
from humansec.conflicts.rules import load_rules


def test_point_segment_distance_with_known_edges_is_identical() -> None:
    rng = np.random.default_rng(3)
    n = 200
    alon, alat = rng.uniform(20, 40, n), rng.uniform(44, 52, n)
    blon, blat, _ = geodesic.forward(alon, alat, rng.uniform(-180, 180, n), rng.uniform(0, 5e3, n))
    plon, plat, _ = geodesic.forward(alon, alat, rng.uniform(-180, 180, n), rng.uniform(0, 9e3, n))
    az, _, s12 = geodesic.inverse(alon, alat, blon, blat)
    plain = geodesic.point_segment_distance((plon, plat), (alon, alat), (blon, blat))
    given = geodesic.point_segment_distance(
        (plon, plat), (alon, alat), (blon, blat), edge=(az, s12)
    )
    np.testing.assert_array_equal(given, plain)


def test_edge_boxes_are_shared_per_reach_and_split_at_the_antimeridian() -> None:
    geoms = np.array(
        [
            shapely.LineString([(179.99, 10.0), (-179.99, 10.0)]),
            shapely.LineString([(30.0, 50.0), (30.01, 50.0), (30.02, 50.01)]),
            shapely.Point(0.0, 0.0),
        ],
        dtype=object,
    )
    lines = prepare(geoms, engine.MAX_EDGE_M)
    lat_abs = np.maximum.reduceat(np.abs(lines.lat), lines.vertex_start)
    reaches = [np.array([100.0, 100.0, -1.0]), np.array([100.0, 250.0, -1.0])]
    boxes = search._EdgeBoxes.build(lines, lat_abs, reaches)
    # activity 0 (one edge, two box halves) and 1 (two edges) at 100 m, 1 at 250 m
    assert boxes.entry[0, 0] == boxes.entry[1, 0]
    assert boxes.entry[0, 1] != boxes.entry[1, 1]
    assert (boxes.entry[:, 2] == -1).all()
    bounds0, edges0 = boxes.of_group(0, np.array([0, 1]))
    assert sorted(edges0.tolist()) == [0, 0, 1, 2]
    west, _, east, _ = bounds0[:, edges0 == 0]
    assert sorted(west.tolist())[0] == -180.0
    assert sorted(east.tolist())[-1] == 180.0
    wide, edges1 = boxes.of_group(1, np.array([1]))
    assert sorted(edges1.tolist()) == [1, 2]
    narrow = bounds0[:, edges0 > 0]

    def area(b: np.ndarray) -> np.ndarray:
        return (b[2] - b[0]) * (b[3] - b[1])

    assert (area(wide) > area(narrow)).all()


def test_point_grid_finds_what_the_strtree_finds() -> None:
    rng = np.random.default_rng(5)
    lon = np.concatenate([rng.uniform(-180, 180, 3000), [-180.0, 180.0, 10.0, 10.0]])
    lat = np.concatenate([rng.uniform(-90, 90, 3000), [0.0, 0.0, 90.0, -90.0]])
    # boxes of all sizes, some with edges exactly on points, some touching +-180 and the poles
    west = np.concatenate([rng.uniform(-180, 170, 400), [-180.0, 175.0, lon[0], 0.0]])
    south = np.concatenate([rng.uniform(-90, 85, 400), [-1.0, -1.0, lat[0], 89.0]])
    east = np.minimum(west + rng.uniform(0, 30, west.size) ** 2 / 30, 180.0)
    north = np.minimum(south + rng.uniform(0, 5, south.size), 90.0)
    east[-4:] = [-179.0, 180.0, lon[0] + 1.0, 20.0]
    north[-4:] = [1.0, 1.0, lat[0] + 1.0, 90.0]
    tree = shapely.STRtree(shapely.points(lon, lat))
    want = tree.query(shapely.box(west, south, east, north))
    for cell in (0.01, 0.3, 5.0):
        # with the table of cell starts and without it (the look-ups in the sorted keys)
        for table_cells in (None, 0):
            points = grid._PointGrid(lon, lat, cell, table_cells=table_cells)
            assert (points.starts is None) == (table_cells == 0 or cell == 0.01)
            got = points.query(west, south, east, north)
            assert sorted(zip(*got, strict=True)) == sorted(zip(*want, strict=True))
    assert want.shape[1] > 200


def test_point_grid_of_a_region_finds_what_the_strtree_finds_around_it() -> None:
    """Boxes beside, across and beyond the rows and columns that hold points (cell table)."""
    rng = np.random.default_rng(8)
    lon, lat = rng.uniform(22, 40, 5000), rng.uniform(44, 52.5, 5000)
    west, south = rng.uniform(15, 45, 600), rng.uniform(40, 56, 600)
    east, north = west + rng.uniform(0, 3, 600), south + rng.uniform(0, 2, 600)
    want = shapely.STRtree(shapely.points(lon, lat)).query(shapely.box(west, south, east, north))
    for cell in (0.02, 0.5):
        points = grid._PointGrid(lon, lat, cell)
        assert points.starts is not None
        got = points.query(west, south, east, north)
        assert sorted(zip(*got, strict=True)) == sorted(zip(*want, strict=True))
    assert want.shape[1] > 1000


def test_point_features_after_a_line_feature_are_found_by_a_route() -> None:
    """Point features are searched at their own vertex when lines come first in the frame."""
    lons = 30.0 + 0.002 * np.arange(40)
    points = [shapely.Point(x, 50.001) for x in lons]  # ~110 m north of the route
    line = shapely.LineString([(10.0, 10.0), (10.1, 10.0), (10.2, 10.1), (10.3, 10.0)])
    features = gpd.GeoDataFrame(
        {"id": ["far-line"] + [f"p{k}" for k in range(40)], "kind": "population"},
        geometry=[line, *points],
        crs="EPSG:4326",
    )
    route = gpd.GeoDataFrame(
        {"id": ["r"], "type": ["air_strike"]},
        geometry=[shapely.LineString([(30.0, 50.0), (30.08, 50.0)])],
        crs="EPSG:4326",
    )
    rules = load_rules()
    mixed = engine.find_conflicts(route, features, rules)
    alone = engine.find_conflicts(route, features.iloc[1:], rules)
    assert len(alone) == 40
    assert sorted(mixed["feature_id"]) == sorted(alone["feature_id"])
