"""Geodesic primitives on WGS84 (GeographicLib through ``pyproj.Geod``), vectorised.

* ``aeqd_forward`` / ``aeqd_inverse``: the ellipsoidal azimuthal equidistant projection centred
  on a point per row, built from the geodesic itself (x = s sin az, y = s cos az), so distances
  from the centre are exact.
* ``point_segment_distance``: the exact distance from a point to a geodesic segment.
* ``densify``: insert points along geodesic edges so that no edge is longer than a limit.
* ``short_distance`` / ``short_point_segment``: the same distances for short lines (up to
  ``SHORT_LIMIT_M``) from Earth-centred coordinates, about ten times faster: the chord, turned
  into the arc with the ellipsoid's normal curvature in its direction (Euler), and for a segment
  the foot on its chord lifted along the normal onto the ellipsoid. They agree with GeographicLib
  to a few 1e-7 m (``tests/test_conflicts_geodesic.py``); callers that decide on a threshold
  recompute the pairs near it with the exact functions.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyproj

Array = npt.NDArray[np.float64]

GEOD = pyproj.Geod(ellps="WGS84")
"""The WGS84 ellipsoid; its ``inv``/``fwd`` are GeographicLib's."""

EARTH_RADIUS_M = 6_371_008.8
"""Mean radius, used only to take Newton-like steps (the result is checked exactly)."""

MIN_RADIUS_M = 6_335_439.0
"""The smallest radius of curvature of WGS84 (meridional, at the equator)."""


def _f64(values: npt.ArrayLike) -> Array:
    return np.asarray(values, dtype=np.float64, order="C")


def inverse(
    lon1: npt.ArrayLike, lat1: npt.ArrayLike, lon2: npt.ArrayLike, lat2: npt.ArrayLike
) -> tuple[Array, Array, Array]:
    """Return forward azimuth at 1, back azimuth at 2 and distance (m), broadcast, exact."""
    a, b, c, d = np.broadcast_arrays(_f64(lon1), _f64(lat1), _f64(lon2), _f64(lat2))
    az12, az21, dist = GEOD.inv(_f64(a), _f64(b), _f64(c), _f64(d))
    return tuple(_f64(v).reshape(a.shape) for v in (az12, az21, dist))  # type: ignore[return-value]


def forward(
    lon: npt.ArrayLike, lat: npt.ArrayLike, azimuth: npt.ArrayLike, dist: npt.ArrayLike
) -> tuple[Array, Array, Array]:
    """Return lon, lat and back azimuth after moving ``dist`` m along ``azimuth``."""
    a, b, c, d = np.broadcast_arrays(_f64(lon), _f64(lat), _f64(azimuth), _f64(dist))
    lon2, lat2, az21 = GEOD.fwd(_f64(a), _f64(b), _f64(c), _f64(d))
    return tuple(_f64(v).reshape(a.shape) for v in (lon2, lat2, az21))  # type: ignore[return-value]


def aeqd_forward(
    lon0: npt.ArrayLike, lat0: npt.ArrayLike, lon: npt.ArrayLike, lat: npt.ArrayLike
) -> tuple[Array, Array]:
    """Project (lon, lat) into the azimuthal equidistant plane centred on (lon0, lat0), in m.

    >>> x, y = aeqd_forward(30.0, 50.0, 30.0, 51.0)
    >>> round(float(x), 6), round(float(y), 2)  # the meridian arc, as Geod.inv gives it
    (0.0, 111238.68)
    """
    az, _, dist = inverse(lon0, lat0, lon, lat)
    rad = np.radians(az)
    return dist * np.sin(rad), dist * np.cos(rad)


def aeqd_inverse(
    lon0: npt.ArrayLike, lat0: npt.ArrayLike, x: npt.ArrayLike, y: npt.ArrayLike
) -> tuple[Array, Array]:
    """Return (lon, lat) of plane points (x, y) of the AEQD centred on (lon0, lat0).

    Longitudes are unwrapped to lie within 180 degrees of ``lon0`` (they may leave -180..180
    near the antimeridian, which keeps polygons drawn around the centre whole).
    """
    xa, ya = _f64(x), _f64(y)
    az = np.degrees(np.arctan2(xa, ya))
    lon, lat, _ = forward(lon0, lat0, az, np.hypot(xa, ya))
    lon0a = np.broadcast_to(_f64(lon0), lon.shape)
    return lon0a + (lon - lon0a + 180.0) % 360.0 - 180.0, lat


LonLat = tuple[npt.ArrayLike, npt.ArrayLike]


def point_segment_distance(
    point: LonLat,
    start: LonLat,
    end: LonLat,
    *,
    tol_m: float = 1e-4,
    max_iter: int = 30,
    edge: tuple[npt.ArrayLike, npt.ArrayLike] | None = None,
) -> Array:
    """Exact distance (m) from points P to the geodesic segments A-B, element-wise.

    ``point``, ``start`` and ``end`` are (lon, lat) pairs of arrays (or scalars), broadcast.

    The foot of the perpendicular is found by iterating along the geodesic from A: at the current
    point X the along-track offset of P is estimated with the spherical formula
    ``R atan(tan(d/R) cos(alpha))`` (alpha: angle between the segment and the direction to P),
    clamped to the segment. Each step's error is of the order of the flattening, so it converges
    in a few steps; the distance returned is ``Geod.inv(X, P)``, at most the distances to A and B.
    A segment with A == B gives the point-to-point distance.

    ``edge``: the azimuth at A and length of each segment (``inverse(A, B)``), when the caller
    has them already (many points measured against the same segments); broadcast likewise.
    """
    extra = () if edge is None else tuple(_f64(v) for v in edge)
    arrays = np.broadcast_arrays(*(_f64(v) for v in (*point, *start, *end)), *extra)
    shape = arrays[0].shape
    pl, pa, al, aa, bl, ba = (_f64(v).ravel() for v in arrays[:6])
    if edge is None:
        az_ab, _, s12 = inverse(al, aa, bl, ba)
    else:
        az_ab, s12 = (_f64(v).ravel().copy() for v in arrays[6:])
    az_ap, _, d_ap = inverse(al, aa, pl, pa)
    _, _, d_bp = inverse(bl, ba, pl, pa)
    best = np.minimum(d_ap, d_bp)
    s = np.clip(_along_track(d_ap, az_ap - az_ab), 0.0, s12)
    active = (s > 0.0) & (s < s12)
    for _ in range(max_iter):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        xl, xa, back = forward(al[idx], aa[idx], az_ab[idx], s[idx])
        az_xp, _, d_xp = inverse(xl, xa, pl[idx], pa[idx])
        best[idx] = np.minimum(best[idx], d_xp)
        step = _along_track(d_xp, az_xp - (back + 180.0))
        new = np.clip(s[idx] + step, 0.0, s12[idx])
        moved = np.abs(new - s[idx])
        s[idx] = new
        active[idx] = moved > tol_m
    return best.reshape(shape)


def _along_track(dist: Array, angle_deg: Array) -> Array:
    """Spherical along-track distance of a point ``dist`` away at ``angle_deg`` off track."""
    sigma = np.minimum(dist / EARTH_RADIUS_M, np.pi / 2 - 1e-9)
    return _f64(EARTH_RADIUS_M * np.arctan(np.tan(sigma) * np.cos(np.radians(angle_deg))))


def densify_coords(
    lon: Array, lat: Array, part: npt.NDArray[np.intp], max_edge_m: float
) -> tuple[Array, Array, npt.NDArray[np.intp]]:
    """Insert points along geodesic edges so that no edge is longer than ``max_edge_m``.

    ``part`` labels consecutive coordinates that belong to the same line or ring (edges join
    coordinates k and k+1 with the same label). Returns the new lon, lat and labels.
    """
    n = lon.size
    if n < 2:
        return lon, lat, part
    same = np.flatnonzero(part[:-1] == part[1:])  # edges (not steps between parts)
    # edges surely shorter than max_edge_m need no measuring: a geodesic is no longer than the
    # path along the parallel of its start, then the meridian of its end, and both radii of
    # curvature are at most MAX_RADIUS_M
    dlon = np.abs((lon[same + 1] - lon[same] + 180.0) % 360.0 - 180.0)
    path = np.radians(dlon * np.cos(np.radians(lat[same])) + np.abs(lat[same + 1] - lat[same]))
    same = same[MAX_RADIUS_M * path * (1.0 + 1e-9) + 1e-6 > max_edge_m]
    az, s12 = np.zeros(n - 1), np.zeros(n - 1)
    az[same], _, s12[same] = inverse(lon[same], lat[same], lon[same + 1], lat[same + 1])
    extra = (np.ceil(s12 / max_edge_m) - 1.0).clip(min=0).astype(np.intp)
    extra = np.append(extra, 0)
    if not extra.any():
        return lon, lat, part
    counts = 1 + extra
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    total = int(counts.sum())
    out_lon = np.empty(total)
    out_lat = np.empty(total)
    out_part = np.repeat(part, counts)
    out_lon[starts] = lon
    out_lat[starts] = lat
    src = np.repeat(np.arange(n), extra)
    k = np.arange(src.size) - np.repeat(np.cumsum(extra) - extra, extra) + 1
    frac = k / (extra[src] + 1.0)
    new_lon, new_lat, _ = forward(lon[src], lat[src], az[src], s12[src] * frac)
    pos = starts[src] + k
    out_lon[pos] = new_lon
    out_lat[pos] = new_lat
    return out_lon, out_lat, out_part


MAX_RADIUS_M = 6_399_593.626
"""The largest radius of curvature of WGS84 (a^2/b, at the poles)."""

SPHERE_SLACK_M = 1.0
"""Allowance for a geodesic edge of at most 5 km leaving the great circle through its ends when
latitude and longitude are read on a sphere (millimetres in fact)."""


def unit_vectors(lon: Array, lat: Array) -> tuple[Array, Array, Array]:
    """Geodetic (lon, lat) read as points of the unit sphere, as x, y, z arrays."""
    lo, la = np.radians(lon), np.radians(lat)
    c = np.cos(la)
    return c * np.cos(lo), c * np.sin(lo), np.sin(la)


Vec = tuple[Array, Array, Array]


def _cross(u: Vec, v: Vec) -> Vec:
    return (u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0])


def _dot(u: Vec, v: Vec) -> Array:
    return u[0] * v[0] + u[1] * v[1] + u[2] * v[2]


def _angle(u: Vec, v: Vec) -> Array:
    c = _cross(u, v)
    return np.arctan2(np.sqrt(_dot(c, c)), _dot(u, v))


def edge_frames(a: Vec, b: Vec) -> npt.NDArray[np.float64]:
    """Per great-circle arc a-b (unit vectors): what ``sphere_point_edge`` needs, as rows.

    a, b, the unit normal n of the arc's plane, n x a and b x n (a point p lies beside the arc,
    between its ends, when p.(n x a) >= 0 and p.(b x n) >= 0), and whether the arc has a plane.
    """
    n = _cross(a, b)
    norm = np.sqrt(_dot(n, n))
    with np.errstate(invalid="ignore", divide="ignore"):
        n = (n[0] / norm, n[1] / norm, n[2] / norm)
    na, bn = _cross(n, a), _cross(b, n)
    return np.vstack([*a, *b, *n, *na, *bn, (norm > 1e-15).astype(np.float64)])


def sphere_point_edge(p: Vec, frames: npt.NDArray[np.float64], edge: npt.NDArray[np.intp]) -> Array:
    """``sphere_point_segment`` from points p to the arcs ``frames[:, edge]``, element-wise.

    ``frames`` from ``edge_frames``; columns are gathered one at a time to keep memory low.
    """

    def dot(first: int) -> Array:
        return _f64(
            p[0] * frames[first, edge]
            + p[1] * frames[first + 1, edge]
            + p[2] * frames[first + 2, edge]
        )

    def chord2(first: int) -> Array:
        d = [p[k] - frames[first + k, edge] for k in range(3)]
        return _f64(d[0] * d[0] + d[1] * d[1] + d[2] * d[2])

    chord = np.sqrt(np.minimum(chord2(0), chord2(3)))
    ends = 2.0 * np.arcsin(np.minimum(chord / 2.0, 1.0))
    with np.errstate(invalid="ignore"):
        inside = (dot(9) >= 0.0) & (dot(12) >= 0.0) & (frames[15, edge] > 0.0)
        across = np.arcsin(np.minimum(np.abs(dot(6)), 1.0))
    return np.asarray(np.where(inside, np.minimum(across, ends), ends), dtype=np.float64)


def sphere_point_segment(p: Vec, a: Vec, b: Vec) -> Array:
    """Angle (radians) from unit vectors p to the shorter great-circle arcs a-b, element-wise.

    With latitude and longitude read on the unit sphere, the WGS84 metric lies between
    ``MIN_RADIUS_M`` and ``MAX_RADIUS_M`` times the sphere's, so for an edge of at most 5 km the
    geodesic distance from P to the geodesic A-B lies within
    ``[MIN_RADIUS_M * angle - SPHERE_SLACK_M, MAX_RADIUS_M * angle + SPHERE_SLACK_M]``.
    """
    n = _cross(a, b)
    norm = np.sqrt(_dot(n, n))
    ends = np.minimum(_angle(p, a), _angle(p, b))
    with np.errstate(invalid="ignore", divide="ignore"):
        n = (n[0] / norm, n[1] / norm, n[2] / norm)
        off = _dot(p, n)
        q = (p[0] - off * n[0], p[1] - off * n[1], p[2] - off * n[2])
        inside = (_dot(_cross(a, q), n) >= 0.0) & (_dot(_cross(q, b), n) >= 0.0) & (norm > 1e-15)
        across = np.arcsin(np.minimum(np.abs(off), 1.0))
    return np.where(inside, np.minimum(across, ends), ends)


# --------------------------------------------------------------------------- short lines, fast

_A = 6_378_137.0
_F = 1 / 298.257223563
_E2 = _F * (2 - _F)
_B = _A * (1 - _F)
SHORT_LIMIT_M = 30_000.0
"""``short_distance`` and ``short_point_segment`` hand longer lines to the exact functions."""


def _surface(lon: Array, lat: Array) -> tuple[Vec, Vec, Array, Array]:
    """Earth-centred x, y, z (m), the local frame (sin/cos of lon and lat), radii N and M."""
    lo, la = np.radians(lon), np.radians(lat)
    sl, cl, sp, cp = np.sin(lo), np.cos(lo), np.sin(la), np.cos(la)
    w = 1.0 - _E2 * sp * sp
    n = _A / np.sqrt(w)
    return (n * cp * cl, n * cp * sl, n * (1.0 - _E2) * sp), (sl, cl, sp), n, n * (1.0 - _E2) / w


def _curvature(v: Vec, frame: Vec, n: Array, m: Array) -> Array:
    """Normal curvature (1/m) of the ellipsoid in the horizontal direction of ``v`` (Euler)."""
    sl, cl, sp = frame
    cp = np.sqrt(1.0 - sp * sp)
    north = -sp * cl * v[0] - sp * sl * v[1] + cp * v[2]
    east = -sl * v[0] + cl * v[1]
    h = north * north + east * east
    with np.errstate(invalid="ignore", divide="ignore"):
        cos2 = np.where(h > 0.0, north * north / np.where(h > 0.0, h, 1.0), 1.0)
    return _f64(cos2 / m + (1.0 - cos2) / n)


def _arc(chord: Array, curvature: Array) -> Array:
    """Length of an arc of the given curvature over ``chord`` (series of 2 asin(c k/2)/k)."""
    ck2 = (chord * curvature) ** 2
    return _f64(chord * (1.0 + ck2 / 24.0 + 3.0 * ck2 * ck2 / 640.0))


def _norm(v: Vec) -> Array:
    return _f64(np.sqrt(_dot(v, v)))


def short_distance(
    lon1: npt.ArrayLike, lat1: npt.ArrayLike, lon2: npt.ArrayLike, lat2: npt.ArrayLike
) -> Array:
    """Geodesic distance (m) like ``inverse``, fast for lines up to ``SHORT_LIMIT_M``.

    The chord between the two points, lengthened into the arc of the mean of the normal
    curvatures at both ends in its direction. Longer lines go to ``inverse``.
    """
    arrays = np.broadcast_arrays(*(_f64(v) for v in (lon1, lat1, lon2, lat2)))
    shape = arrays[0].shape
    a, b, c, d = (np.ravel(v) for v in arrays)
    p1, f1, n1, m1 = _surface(a, b)
    p2, f2, n2, m2 = _surface(c, d)
    v = (p2[0] - p1[0], p2[1] - p1[1], p2[2] - p1[2])
    chord = _norm(v)
    dist = _arc(chord, 0.5 * (_curvature(v, f1, n1, m1) + _curvature(v, f2, n2, m2)))
    far = np.flatnonzero(~(chord <= SHORT_LIMIT_M))
    if far.size:
        dist[far] = inverse(a[far], b[far], c[far], d[far])[2]
    return dist.reshape(shape)


def earth_centred(lon: npt.ArrayLike, lat: npt.ArrayLike) -> Vec:
    """Earth-centred x, y, z (m) of points on the ellipsoid (for ``short_point_segment``)."""
    return _surface(_f64(lon), _f64(lat))[0]


def short_point_segment(
    point: LonLat, start: LonLat, end: LonLat, *, ends: tuple[Vec, Vec] | None = None
) -> Array:
    """``point_segment_distance`` for short segments and near points, fast.

    The foot of the point on the chord of the segment is lifted along the ellipsoid's normal
    onto the surface (which puts it on the normal section through the segment, within
    micrometres of the geodesic for segments of a few km), and measured like
    ``short_distance``. Segments or distances beyond ``SHORT_LIMIT_M`` go to
    ``point_segment_distance``. ``ends``: ``earth_centred`` of ``start`` and ``end`` when
    already known (the same numbers, computed once for edges measured many times).
    """
    arrays = np.broadcast_arrays(*(_f64(v) for v in (*point, *start, *end)))
    shape = arrays[0].shape
    pl, pa, al, aa, bl, ba = (np.ravel(v) for v in arrays)
    p, frame, n, m = _surface(pl, pa)
    if ends is None:
        a, b = _surface(al, aa)[0], _surface(bl, ba)[0]
    else:
        a, b = (tuple(np.ravel(c) for c in v) for v in ends)  # type: ignore[assignment]
    u = (b[0] - a[0], b[1] - a[1], b[2] - a[2])
    w = (p[0] - a[0], p[1] - a[1], p[2] - a[2])
    uu = _dot(u, u)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.clip(np.where(uu > 0.0, _dot(w, u) / np.where(uu > 0.0, uu, 1.0), 0.0), 0.0, 1.0)
    q = (a[0] + t * u[0], a[1] + t * u[1], a[2] + t * u[2])
    # lift q along the normal (gradient of the ellipsoid's equation) onto the surface
    g = (q[0] / _A**2, q[1] / _A**2, q[2] / _B**2)
    gn = _norm(g)
    g = (g[0] / gn, g[1] / gn, g[2] / gn)
    quad = (g[0] ** 2 + g[1] ** 2) / _A**2 + g[2] ** 2 / _B**2
    lin = 2.0 * ((q[0] * g[0] + q[1] * g[1]) / _A**2 + q[2] * g[2] / _B**2)
    const = (q[0] ** 2 + q[1] ** 2) / _A**2 + q[2] ** 2 / _B**2 - 1.0
    h = -2.0 * const / (lin + np.sqrt(lin * lin - 4.0 * quad * const))
    v = (q[0] + h * g[0] - p[0], q[1] + h * g[1] - p[1], q[2] + h * g[2] - p[2])
    chord = _norm(v)
    dist = _arc(chord, _curvature(v, frame, n, m))
    far = np.flatnonzero(~((chord <= SHORT_LIMIT_M) & (uu <= SHORT_LIMIT_M**2)))
    if far.size:
        dist[far] = point_segment_distance(
            (pl[far], pa[far]), (al[far], aa[far]), (bl[far], ba[far])
        )
    return dist.reshape(shape)
