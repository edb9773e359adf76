"""The line/area-against-points search (``_near_points``) agrees with the general one."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from humansec.conflicts import geodesic, load_rules, search
from humansec.conflicts.engine import find_conflicts


def _frames() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    rng = np.random.default_rng(7)
    lon0 = np.array([30.0, 179.99, -60.0])
    lat0 = np.array([50.0, 10.0, -45.0])
    geoms: list[shapely.Geometry] = []
    for lon, lat in zip(lon0, lat0, strict=True):
        pts = [(float(lon), float(lat))]
        for azimuth, leg in ((70.0, 12_000.0), (95.0, 6_000.0)):
            nxt = geodesic.forward(pts[-1][0], pts[-1][1], azimuth, leg)
            pts.append((float(nxt[0]), float(nxt[1])))
        geoms.append(shapely.LineString(pts))
        ring_lon, ring_lat, _az = geodesic.forward(
            lon, lat, np.linspace(-180.0, 140.0, 9), np.full(9, 3_000.0)
        )
        geoms.append(shapely.Polygon(np.column_stack([ring_lon, ring_lat])))
        geoms.append(shapely.Point(lon, lat))
    n_act = len(geoms)
    acts = gpd.GeoDataFrame(
        {
            "id": [f"a{i}" for i in range(n_act)],
            "type": ["air_strike", "convoy", "indirect_fire"] * (n_act // 3),
            "precision_m": [np.nan, 25.0, np.nan] * (n_act // 3),
        },
        geometry=geoms,
        crs="EPSG:4326",
    )
    n = 3000
    town = rng.integers(0, 3, n)
    lon, lat, _ = geodesic.forward(
        lon0[town], lat0[town], rng.uniform(-180, 180, n), rng.uniform(0, 20_000, n)
    )
    feats = gpd.GeoDataFrame(
        {
            "id": [f"f{i}" for i in range(n)],
            "kind": rng.choice(["population", "cultural", "humanitarian_site"], n),
            "precision_m": np.where(rng.random(n) < 0.3, 100.0, np.nan),
        },
        geometry=shapely.points(lon, lat),
        crs="EPSG:4326",
    )
    return acts, feats


def test_fast_path_gives_the_same_table(monkeypatch: pytest.MonkeyPatch) -> None:
    acts, feats = _frames()
    rules = load_rules()
    general = find_conflicts(acts, feats, rules)
    monkeypatch.setattr(search, "_FAST_MIN_POINTS_PER_EDGE", 0)
    fast = find_conflicts(acts, feats, rules)
    assert len(general) > 100
    assert set(general["activity_id"]) >= {"a0", "a1", "a3", "a4"}
    pd.testing.assert_frame_equal(
        general.drop(columns="distance_m"), fast.drop(columns="distance_m")
    )
    assert np.abs(general["distance_m"] - fast["distance_m"]).max() < 1e-3


def test_sphere_bounds_hold_for_short_edges() -> None:
    rng = np.random.default_rng(3)
    n = 20_000
    lon, lat = rng.uniform(-180, 180, n), rng.uniform(-85, 85, n)
    b_lon, b_lat, _ = geodesic.forward(lon, lat, rng.uniform(-180, 180, n), rng.uniform(0, 5e3, n))
    p_lon, p_lat, _ = geodesic.forward(lon, lat, rng.uniform(-180, 180, n), rng.uniform(0, 2e4, n))
    exact = geodesic.point_segment_distance((p_lon, p_lat), (lon, lat), (b_lon, b_lat))
    angle = geodesic.sphere_point_segment(
        geodesic.unit_vectors(p_lon, p_lat),
        geodesic.unit_vectors(lon, lat),
        geodesic.unit_vectors(b_lon, b_lat),
    )
    assert (geodesic.MIN_RADIUS_M * angle - geodesic.SPHERE_SLACK_M < exact).all()
    assert (exact < geodesic.MAX_RADIUS_M * angle + geodesic.SPHERE_SLACK_M).all()


def test_sphere_point_edge_equals_sphere_point_segment() -> None:
    rng = np.random.default_rng(4)
    n = 20_000
    lon, lat = rng.uniform(-180, 180, n), rng.uniform(-89, 89, n)
    b_lon, b_lat, _ = geodesic.forward(lon, lat, rng.uniform(-180, 180, n), rng.uniform(0, 5e3, n))
    b_lon[:50], b_lat[:50] = lon[:50], lat[:50]  # zero-length edges
    p_lon, p_lat, _ = geodesic.forward(lon, lat, rng.uniform(-180, 180, n), rng.uniform(0, 2e4, n))
    a, b = geodesic.unit_vectors(lon, lat), geodesic.unit_vectors(b_lon, b_lat)
    p = geodesic.unit_vectors(p_lon, p_lat)
    frames = geodesic.edge_frames(a, b)
    shuffled = rng.permutation(n)
    got = geodesic.sphere_point_edge(tuple(c[shuffled] for c in p), frames, shuffled)  # type: ignore[arg-type]
    want = geodesic.sphere_point_segment(p, a, b)[shuffled]
    assert np.abs(got - want).max() * geodesic.MAX_RADIUS_M < 1e-3
