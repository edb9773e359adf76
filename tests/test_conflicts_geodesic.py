"""Geodesic primitives against GeographicLib (pyproj.Geod) and brute-force dense references."""

from __future__ import annotations

import numpy as np
import pyproj
import pytest

from humansec.conflicts.geodesic import (
    aeqd_forward,
    aeqd_inverse,
    densify_coords,
    point_segment_distance,
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
