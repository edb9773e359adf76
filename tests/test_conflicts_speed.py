"""Shortcuts of the conflict engine give the same answers as the plain computations."""

from __future__ import annotations

import numpy as np
import shapely

from humansec.conflicts import engine, geodesic
from humansec.conflicts.geometry import prepare


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
    boxes = engine._EdgeBoxes.build(lines, lat_abs, reaches)
    # activity 0 (one edge, two box halves) and 1 (two edges) at 100 m, 1 at 250 m
    assert boxes.entry[0, 0] == boxes.entry[1, 0]
    assert boxes.entry[0, 1] != boxes.entry[1, 1]
    assert (boxes.entry[:, 2] == -1).all()
    geoms0, edges0 = boxes.of_group(0, np.array([0, 1]))
    assert sorted(edges0.tolist()) == [0, 0, 1, 2]
    west, _, east, _ = shapely.bounds(geoms0[edges0 == 0]).T
    assert sorted(west.tolist())[0] == -180.0
    assert sorted(east.tolist())[-1] == 180.0
    wide, edges1 = boxes.of_group(1, np.array([1]))
    assert sorted(edges1.tolist()) == [1, 2]
    narrow = geoms0[edges0 > 0]
    assert (shapely.area(wide) > shapely.area(narrow)).all()
