"""Geodesic primitives against GeographicLib (pyproj.Geod) and brute-force dense references."""

from __future__ import annotations

import numpy as np
import pyproj
import pytest

from humansec.conflicts.geodesic import (
    SHORT_LIMIT_M,
    aeqd_forward,
    aeqd_inverse,
    densify_coords,
    point_segment_distance,
    short_distance,
    short_point_segment,
)

GEOD = pyproj.Geod(ellps="WGS84")


def brute_point_segment(
    p: tuple[float, float], a: tuple[float, float], b: tuple[float, float]
) -> float:
    """Dense sampling along the geodesic, refined once around the best sample."""
    lo, la = np.array(a), np.array(b)
    start, end = (float(lo[0]), float(lo[1])), (float(la[0]), float(la[1]))
    for _ in range(3):
        pts = np.array(GEOD.npts(*start, *end, 400, initial_idx=0, terminus_idx=0))
        d = GEOD.inv(np.full(len(pts), p[0]), np.full(len(pts), p[1]), pts[:, 0], pts[:, 1])[2]
        k = int(np.argmin(d))
        best = float(d[k])
        start = tuple(pts[max(k - 1, 0)])
        end = tuple(pts[min(k + 1, len(pts) - 1)])
        if start == end:
            break
    return best


def test_aeqd_preserves_distance_from_the_centre_and_round_trips() -> None:
    rng = np.random.default_rng(3)
    lon = rng.uniform(-180, 180, 500)
    lat = rng.uniform(-80, 80, 500)
    az = rng.uniform(0, 360, 500)
    dist = rng.uniform(0, 300_000, 500)
    lon2, lat2, _ = GEOD.fwd(lon, lat, az, dist)
    x, y = aeqd_forward(lon, lat, lon2, lat2)
    np.testing.assert_allclose(np.hypot(x, y), dist, atol=1e-6)
    back_lon, back_lat = aeqd_inverse(lon, lat, x, y)
    np.testing.assert_allclose(GEOD.inv(back_lon, back_lat, lon2, lat2)[2], 0.0, atol=1e-6)


def test_point_segment_matches_dense_reference_on_random_pairs() -> None:
    rng = np.random.default_rng(11)
    n = 60
    alon, alat = rng.uniform(-180, 180, n), rng.uniform(-75, 75, n)
    blon, blat, _ = GEOD.fwd(alon, alat, rng.uniform(0, 360, n), rng.uniform(10, 200_000, n))
    plon, plat, _ = GEOD.fwd(alon, alat, rng.uniform(0, 360, n), rng.uniform(0, 150_000, n))
    got = point_segment_distance((plon, plat), (alon, alat), (blon, blat))
    for k in range(n):
        ref = brute_point_segment((plon[k], plat[k]), (alon[k], alat[k]), (blon[k], blat[k]))
        assert got[k] <= ref + 1e-6
        assert ref - got[k] < 0.01


def test_point_segment_perpendicular_offset_is_exact() -> None:
    # a point 1000 m off the middle of a 600 km geodesic, perpendicular to it
    lon1, lat1, lon2, lat2 = 22.0, 48.0, 30.0, 50.5
    mid = GEOD.npts(lon1, lat1, lon2, lat2, 1)[0]
    az_mid = GEOD.inv(mid[0], mid[1], lon2, lat2)[0]
    plon, plat, _ = GEOD.fwd(mid[0], mid[1], az_mid + 90.0, 1000.0)
    got = point_segment_distance((plon, plat), (lon1, lat1), (lon2, lat2))
    assert float(got) == pytest.approx(1000.0, abs=1e-4)


def test_point_segment_clamps_to_the_ends_and_handles_zero_length() -> None:
    got = point_segment_distance(([10.0, 30.0], [0.0, 50.0]), (0.0, 0.0), ([1.0, 0.0], [0.0, 0.0]))
    assert got[0] == pytest.approx(GEOD.inv(10.0, 0.0, 1.0, 0.0)[2], abs=1e-6)
    assert got[1] == pytest.approx(GEOD.inv(30.0, 50.0, 0.0, 0.0)[2], abs=1e-6)


def test_densify_puts_new_points_on_the_geodesic_and_bounds_edges() -> None:
    lon = np.array([179.5, -179.5, 10.0, 10.0])
    lat = np.array([10.0, 11.0, 50.0, 50.001])
    part = np.array([0, 0, 1, 1])
    dl, da, dp = densify_coords(lon, lat, part, 5_000.0)
    assert dl[0] == lon[0] and dl[-1] == lon[-1]
    first = dp == 0
    seg = GEOD.inv(dl[first][:-1], da[first][:-1], dl[first][1:], da[first][1:])[2]
    assert seg.max() <= 5_000.0 + 1e-6
    total = GEOD.inv(lon[0], lat[0], lon[1], lat[1])[2]
    assert seg.sum() == pytest.approx(total, abs=1e-6)  # the points lie on the geodesic
    assert (dp == 1).sum() == 2  # a short edge is left alone


def test_short_distance_matches_geographiclib_everywhere() -> None:
    rng = np.random.default_rng(21)
    n = 20_000
    lon = rng.uniform(-180, 180, n)
    lat = np.concatenate([rng.uniform(-90, 90, n - 2000), rng.uniform(89.5, 90, 2000)])
    lon2, lat2, _ = GEOD.fwd(lon, lat, rng.uniform(-180, 180, n), rng.uniform(0, 25_000, n))
    got = short_distance(lon, lat, lon2, lat2)
    assert np.abs(got - GEOD.inv(lon, lat, lon2, lat2)[2]).max() < 1e-6
    # across the antimeridian, identical points, and a long line (handed to GeographicLib)
    assert short_distance(179.9999, 0.0, -179.9999, 0.0) == pytest.approx(
        GEOD.inv(179.9999, 0.0, -179.9999, 0.0)[2], abs=1e-6
    )
    assert short_distance(30.0, 50.0, 30.0, 50.0) == pytest.approx(0.0, abs=1e-6)
    far = GEOD.inv(0.0, 0.0, 100.0, 10.0)[2]
    assert far > SHORT_LIMIT_M
    assert short_distance(0.0, 0.0, 100.0, 10.0) == far


def test_short_point_segment_matches_the_exact_one() -> None:
    rng = np.random.default_rng(22)
    n = 20_000
    alon, alat = rng.uniform(-180, 180, n), rng.uniform(-89.9, 89.9, n)
    blon, blat, _ = GEOD.fwd(alon, alat, rng.uniform(-180, 180, n), rng.uniform(0, 5_000, n))
    plon, plat, _ = GEOD.fwd(alon, alat, rng.uniform(-180, 180, n), rng.uniform(0, 15_000, n))
    got = short_point_segment((plon, plat), (alon, alat), (blon, blat))
    exact = point_segment_distance((plon, plat), (alon, alat), (blon, blat))
    assert np.abs(got - exact).max() < 1e-5
    # a point on the segment is at 0; a zero-length segment is a point
    az, _, s12 = GEOD.inv(alon[:100], alat[:100], blon[:100], blat[:100])
    on_lon, on_lat, _ = GEOD.fwd(alon[:100], alat[:100], az, s12 * rng.uniform(0, 1, 100))
    on = short_point_segment((on_lon, on_lat), (alon[:100], alat[:100]), (blon[:100], blat[:100]))
    assert np.abs(on).max() < 1e-3
    same = short_point_segment((plon[:5], plat[:5]), (alon[:5], alat[:5]), (alon[:5], alat[:5]))
    np.testing.assert_allclose(same, GEOD.inv(plon[:5], plat[:5], alon[:5], alat[:5])[2], atol=1e-6)
