"""Routes and areas of many short edges against polygon features (issue 15's mixed plans).

The engine measures only the vertex-edge combinations its planar bounds cannot exclude; here
every combination is measured (GeographicLib's point-to-geodesic-edge distance, both ways) and
the engine must give the same pairs and the same distances.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely
import shapely.affinity

from humansec import find_conflicts
from humansec.conflicts.geodesic import point_segment_distance
from humansec.conflicts.rules import parse_rules

GEOD = pyproj.Geod(ellps="WGS84")
THRESHOLD_M = 1500.0


def _route(rng: np.random.Generator, lon: float, lat: float, n: int) -> shapely.LineString:
    az = rng.uniform(0, 360) + np.cumsum(rng.normal(0, 20, n))
    coords = [(lon, lat)]
    for a, leg in zip(az, rng.uniform(300, 2000, n), strict=True):
        lon, lat, _ = GEOD.fwd(lon, lat, a, leg)
        coords.append((lon, lat))
    return shapely.LineString(coords)


def _star(rng: np.random.Generator, lon: float, lat: float, n: int, r: float) -> shapely.Polygon:
    az = np.sort(rng.uniform(0, 360, n))
    x, y, _ = GEOD.fwd(np.full(n, lon), np.full(n, lat), az, r * rng.uniform(0.5, 1.0, n))
    return shapely.Polygon(np.column_stack([x, y]))


def _wrapped(geoms: list[shapely.Geometry]) -> list[shapely.Geometry]:
    """The geometries that do not cross the antimeridian (Geod.fwd gives -180..180)."""
    out = []
    for g in geoms:
        x = shapely.get_coordinates(g)[:, 0]
        if x.max() - x.min() < 180:
            out.append(g)
    return out


def _frames(lon: float, lat: float, n_points: int = 0) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    rng = np.random.default_rng(15)
    acts = [_route(rng, lon, lat, 30), _star(rng, lon + 0.1, lat, 16, 2500.0)]
    acts.append(shapely.Point(lon + 0.05, lat + 0.03))
    # polygon features around the activities, a few across or inside them
    f_lon, f_lat = lon + rng.uniform(-0.1, 0.2, 300), lat + rng.uniform(-0.1, 0.1, 300)
    feats = [
        _star(rng, x, y, int(rng.integers(4, 12)), rng.uniform(50, 900))
        for x, y in zip(f_lon, f_lat, strict=True)
    ]
    # point features too: enough of them send the route and the area through the edge boxes
    p_lon, p_lat = lon + rng.uniform(-0.1, 0.2, n_points), lat + rng.uniform(-0.1, 0.1, n_points)
    feats += list(shapely.points((p_lon + 180.0) % 360.0 - 180.0, p_lat))
    acts, feats = _wrapped(acts), _wrapped(feats)
    a = gpd.GeoDataFrame(
        {"id": [f"a{k}" for k in range(len(acts))], "type": "patrol"}, geometry=acts, crs=4326
    )
    f = gpd.GeoDataFrame(
        {"id": [f"f{k}" for k in range(len(feats))], "kind": "cultural"}, geometry=feats, crs=4326
    )
    return a, f


def _outline(g: shapely.Geometry) -> np.ndarray:
    return shapely.get_coordinates(g.exterior if g.geom_type == "Polygon" else g)


def _reference(a: shapely.Geometry, f: shapely.Geometry) -> float:
    """0 when they meet, else the minimum over every vertex of one and edge of the other."""
    if a.intersects(f):
        return 0.0
    best = np.inf
    for one, other in ((a, f), (f, a)):
        line = _outline(other)
        if len(line) < 2:  # a point: a segment of zero length
            line = np.vstack([line, line])
        pts = _outline(one)
        p = np.repeat(pts, len(line) - 1, axis=0)
        s, e = np.tile(line[:-1], (len(pts), 1)), np.tile(line[1:], (len(pts), 1))
        d = point_segment_distance((p[:, 0], p[:, 1]), (s[:, 0], s[:, 1]), (e[:, 0], e[:, 1]))
        best = min(best, float(d.min()))
    return best


@pytest.mark.parametrize("n_points", [0, 200])
def test_routes_and_areas_against_polygons_match_every_combination(n_points: int) -> None:
    for lon, lat in ((30.5, 50.4), (179.92, -20.0)):  # Kyiv, and across the antimeridian
        acts, feats = _frames(lon, lat, n_points)
        rules = parse_rules(
            f'[[rule]]\nactivity = "patrol"\nfeature = "cultural"\ndistance_m = {THRESHOLD_M}\n'
            'severity = "high"\nrationale = "test"\n'
        )
        got = find_conflicts(acts, feats, rules)
        mine = {(r.activity_id, r.feature_id): r.distance_m for r in got.itertuples()}
        ref = {}
        for i, a in enumerate(acts.geometry):
            for j, f_wrapped in enumerate(feats.geometry):
                # the copy of f on a's side of the antimeridian (Geod.fwd wraps longitudes)
                f = min(
                    (shapely.affinity.translate(f_wrapped, dx) for dx in (-360.0, 0.0, 360.0)),
                    key=a.distance,
                )
                if a.distance(f) > 0.05:  # degrees: far beyond the threshold here
                    continue
                d = _reference(a, f)
                if d <= THRESHOLD_M:
                    ref[(f"a{i}", f"f{j}")] = d
        assert set(mine) == set(ref)
        assert len(ref) > 20
        assert {k[0] for k in ref} == set(acts["id"])
        assert sum(d == 0.0 for d in ref.values()) > 2  # some cross or lie inside
        assert max(abs(mine[k] - ref[k]) for k in ref) < 1e-6


def test_a_polygon_feature_deep_inside_an_area_is_at_distance_zero() -> None:
    """A small polygon 10 km inside a 20 km area, far from its edges, beside many points."""
    rng = np.random.default_rng(3)
    area = _star(rng, 30.0, 50.0, 20, 20_000.0)
    inner = _star(rng, 30.0, 50.0, 6, 200.0)
    p_lon, p_lat = 30.0 + rng.uniform(-0.4, 0.4, 300), 50.0 + rng.uniform(-0.3, 0.3, 300)
    acts = gpd.GeoDataFrame({"id": ["a0"], "type": "patrol"}, geometry=[area], crs=4326)
    geoms = [inner, *shapely.points(p_lon, p_lat)]
    feats = gpd.GeoDataFrame(
        {"id": [f"f{k}" for k in range(len(geoms))], "kind": "cultural"}, geometry=geoms, crs=4326
    )
    rules = parse_rules(
        '[[rule]]\nactivity = "patrol"\nfeature = "cultural"\ndistance_m = 500\n'
        'severity = "high"\nrationale = "test"\n'
    )
    got = find_conflicts(acts, feats, rules).set_index("feature_id")["distance_m"]
    assert got["f0"] == 0.0
    inside = shapely.contains_xy(area, p_lon, p_lat)
    assert inside.sum() > 50
    assert set(got.index) >= {f"f{k + 1}" for k in np.flatnonzero(inside)}


def test_a_point_inside_an_area_only_by_its_geodesic_edge_is_at_distance_zero() -> None:
    """Near 79 degrees north a 4 km east-west geodesic edge bulges ~1.8 m north of the
    parallel its ends share: a point in that bulge lies inside the area (distance 0) though
    it lies outside the area drawn in degrees; a point just beyond the bulge does not."""
    west, east, north, south = 10.0, 10.2, 79.0, 78.98
    area = shapely.Polygon([(west, north), (east, north), (east, south), (west, south)])
    mid_lat = GEOD.npts(west, north, east, north, 1)[0][1]
    assert (mid_lat - north) * 111_000 > 1.0  # the bulge, in metres
    mid = (west + east) / 2
    lats = [north + 0.5 * (mid_lat - north), mid_lat + 5e-6, 78.99, 79.01]
    points = shapely.points(np.full(4, mid), lats)
    acts = gpd.GeoDataFrame({"id": ["a0"], "type": "patrol"}, geometry=[area], crs=4326)
    feats = gpd.GeoDataFrame(
        {"id": ["bulge", "beyond", "deep", "far"], "kind": "cultural"}, geometry=points, crs=4326
    )
    rules = parse_rules(
        '[[rule]]\nactivity = "patrol"\nfeature = "cultural"\ndistance_m = 1500\n'
        'severity = "high"\nrationale = "test"\n'
    )
    got = find_conflicts(acts, feats, rules).set_index("feature_id")["distance_m"]
    assert got["bulge"] == 0.0
    assert got["deep"] == 0.0
    edge = point_segment_distance((mid, lats[1]), (west, north), (east, north))
    assert 0.1 < float(edge) < 2.0
    assert abs(got["beyond"] - float(edge)) < 1e-6
    far = point_segment_distance((mid, lats[3]), (west, north), (east, north))
    assert abs(got["far"] - float(far)) < 1e-6


def test_a_polygon_feature_on_the_threshold_is_measured_by_geographiclib_itself() -> None:
    """Within 1 cm of the threshold the distance to a polygon feature is GeographicLib's own
    number (the fast formula, within 1e-7 m of it, decides only pairs farther from it)."""
    square = shapely.Polygon([(30.0, 50.0), (30.002, 50.0), (30.002, 50.001), (30.0, 50.001)])
    point = (30.001, 49.995)  # ~556 m south of the middle of the square's south edge
    ref = float(point_segment_distance(point, (30.0, 50.0), (30.002, 50.0)))
    acts = gpd.GeoDataFrame(
        {"id": ["a0"], "type": "patrol"}, geometry=[shapely.Point(point)], crs=4326
    )
    feats = gpd.GeoDataFrame({"id": ["f0"], "kind": "cultural"}, geometry=[square], crs=4326)
    for rule_m, flagged in ((ref, True), (ref - 0.005, False)):
        rules = parse_rules(
            f'[[rule]]\nactivity = "patrol"\nfeature = "cultural"\ndistance_m = {rule_m!r}\n'
            'severity = "high"\nrationale = "test"\n'
        )
        got = find_conflicts(acts, feats, rules)
        assert len(got) == int(flagged)
        if flagged:
            assert got["distance_m"].iloc[0] == ref
