"""Geodesic primitives on WGS84 (GeographicLib through ``pyproj.Geod``), vectorised.

* ``aeqd_forward`` / ``aeqd_inverse``: the ellipsoidal azimuthal equidistant projection centred
  on a point per row, built from the geodesic itself (x = s sin az, y = s cos az), so distances
  from the centre are exact.
* ``point_segment_distance``: the exact distance from a point to a geodesic segment.
* ``densify``: insert points along geodesic edges so that no edge is longer than a limit.
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
    same = part[:-1] == part[1:]
    az, _, s12 = inverse(lon[:-1], lat[:-1], lon[1:], lat[1:])
    extra = np.where(same, np.ceil(s12 / max_edge_m) - 1.0, 0.0).clip(min=0).astype(np.intp)
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
