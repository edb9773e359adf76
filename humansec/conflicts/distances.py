"""Exact geodesic distances of candidate pairs (see the method in ``engine``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely

from humansec.conflicts.geodesic import (
    MIN_RADIUS_M,
    SPHERE_SLACK_M,
    Array,
    LonLat,
    aeqd_forward,
    earth_centred,
    inverse,
    point_segment_distance,
    short_distance,
    short_point_segment,
    sphere_point_edge,
    unit_vectors,
)
from humansec.conflicts.geometry import IntArray, Linework, _starts, feature_caps
from humansec.conflicts.pairs import (
    _COMBO_CHUNK,
    _FAST_CHUNK,
    EXACT_BAND_M,
    MAX_EDGE_M,
    TOLERANCE_M,
    _Near,
    _Pairs,
)


@dataclass(frozen=True)
class _Context:
    """Activities and features broken into linework, with each activity's plane."""

    a: Linework
    f: Linework
    lon0: Array  # per activity: centre of its AEQD plane
    lat0: Array
    rho: Array  # per activity: largest distance of its vertices from the centre
    a_plane: npt.NDArray[np.object_]  # activities drawn in their planes
    ax: Array  # activity vertices in their planes
    ay: Array
    a_areal: npt.NDArray[np.bool_]  # per activity: two-dimensional
    frames: npt.NDArray[np.float64]  # activity edges on the sphere (``edge_frames``)


def _centres(lines: Linework) -> tuple[Array, Array, Array]:
    """A centre per geometry (the point itself, else its middle on the sphere) and radius."""
    lon0, lat0, rho, _, _ = _planes(lines)
    return lon0, lat0, rho


def _planes(lines: Linework) -> tuple[Array, Array, Array, Array, Array]:
    """Centre, radius and vertices in the centre's AEQD plane, per geometry of ``lines``.

    The centre is the point itself for a single vertex, else the normalised mean of the
    vertices read as unit vectors (any centre is right: the planar bounds use ``rho``, the
    largest distance of a vertex from it, measured exactly). The vertices are projected once
    (``Geod.inv`` per vertex); returns ``lon0, lat0, rho, x, y``.
    """
    first = lines.vertex_start
    owner = np.repeat(np.arange(len(first)), lines.vertex_count)
    ux, uy, uz = unit_vectors(lines.lon, lines.lat)
    sx, sy, sz = (np.add.reduceat(u, first) for u in (ux, uy, uz))
    norm = np.sqrt(sx * sx + sy * sy + sz * sz)
    lon0 = np.degrees(np.arctan2(sy, sx))
    lat0 = np.degrees(np.arcsin(np.clip(sz / np.where(norm > 0.0, norm, 1.0), -1.0, 1.0)))
    # single vertices (and a degenerate mean) keep their first vertex exactly
    own = (lines.vertex_count == 1) | ~(norm > 1e-9 * lines.vertex_count)
    lon0[own], lat0[own] = lines.lon[first[own]], lines.lat[first[own]]
    x, y = aeqd_forward(lon0[owner], lat0[owner], lines.lon, lines.lat)
    rho = np.maximum.reduceat(np.hypot(x, y), first)
    return lon0, lat0, rho, x, y


def project_lines(lines: Linework, x: Array, y: Array) -> npt.NDArray[np.object_]:
    """The dense geometries of ``lines`` drawn with their vertices at ``x, y`` (same order)."""
    geoms = np.array(lines.dense, dtype=object, copy=True)
    return np.asarray(shapely.set_coordinates(geoms, np.column_stack([x, y])), dtype=object)


def _near_distances(ctx: _Context, near: _Near, threshold: Array) -> Array:
    """Distance per ``near`` pair: 0 inside an area, else the minimum over its edges.

    Measured with ``short_point_segment``; pairs within ``EXACT_BAND_M`` of their
    ``threshold`` are measured again exactly (``point_segment_distance``).
    """
    a, f = ctx.a, ctx.f
    act, feat = near.pairs.act, near.pairs.feat
    p_lon, p_lat = f.lon[f.vertex_start[feat]], f.lat[f.vertex_start[feat]]
    dist = np.full(act.size, np.inf)
    areal = ctx.a_areal[act]
    # the inside test in the plane: first for the points inside the area drawn in degrees
    # (and for areas where that drawing may be far off), then for those near an edge
    first = areal & (near.inner | ~_drawn_alike(a)[act])
    _inside_plane(ctx, near, (p_lon, p_lat), np.flatnonzero(first), dist)
    m = dist[near.combo_pair] > 0.0
    cp, ce = near.combo_pair[m], near.combo_edge[m]
    xyz = earth_centred(a.lon, a.lat)  # activity vertices, once
    for lo in range(0, cp.size, _FAST_CHUNK):
        p, e = cp[lo : lo + _FAST_CHUNK], ce[lo : lo + _FAST_CHUNK]
        ea, eb = a.edge_a[e], a.edge_b[e]
        got = short_point_segment(
            (p_lon[p], p_lat[p]),
            (a.lon[ea], a.lat[ea]),
            (a.lon[eb], a.lat[eb]),
            ends=(tuple(c[ea] for c in xyz), tuple(c[eb] for c in xyz)),  # type: ignore[arg-type]
        )
        np.minimum.at(dist, p, got)
    _inside_plane(
        ctx, near, (p_lon, p_lat), np.flatnonzero(areal & ~first & (dist <= _LENS_M)), dist
    )
    m = dist[cp] > 0.0
    cp, ce = cp[m], ce[m]
    again = (dist > 0.0) & (np.abs(dist - threshold) <= EXACT_BAND_M)  # not inside
    m = again[cp]
    if not m.any():
        return dist
    cp, ce = cp[m], ce[m]
    dist[again] = np.inf
    # azimuth and length of each edge measured, once
    used, ce = np.unique(ce, return_inverse=True)
    az_ab, _, s12 = inverse(
        a.lon[a.edge_a[used]], a.lat[a.edge_a[used]], a.lon[a.edge_b[used]], a.lat[a.edge_b[used]]
    )
    for lo in range(0, cp.size, _COMBO_CHUNK):
        p, u = cp[lo : lo + _COMBO_CHUNK], ce[lo : lo + _COMBO_CHUNK]
        ea, eb = a.edge_a[used[u]], a.edge_b[used[u]]
        got = point_segment_distance(
            (p_lon[p], p_lat[p]),
            (a.lon[ea], a.lat[ea]),
            (a.lon[eb], a.lat[eb]),
            edge=(az_ab[u], s12[u]),
        )
        np.minimum.at(dist, p, got)
    return dist


_LENS_M = 20.0
"""A point outside an area drawn in degrees, farther than this from its edges, is outside it
in the plane too (``_drawn_alike``)."""
_ALIKE_MAX_LAT = 80.0


def _drawn_alike(lines: Linework) -> npt.NDArray[np.bool_]:
    """Per geometry: drawn in degrees and in its AEQD plane, its (densified, at most
    ``MAX_EDGE_M``) edges stay within a few metres of the geodesic ones, so the two drawings
    differ only within ``_LENS_M`` of its edges: below ``_ALIKE_MAX_LAT`` degrees of latitude
    (a straight line in degrees leaves the geodesic by about ``L^2 tan(lat) / 8R``: under 3 m
    there) and not across the antimeridian (less than 180 degrees of longitude wide).
    """
    first = lines.vertex_start
    lat_abs = np.maximum.reduceat(np.abs(lines.lat), first)
    span = np.maximum.reduceat(lines.lon, first) - np.minimum.reduceat(lines.lon, first)
    return np.asarray((lat_abs <= _ALIKE_MAX_LAT) & (span < 180.0), dtype=bool)


def _inside_plane(
    ctx: _Context, near: _Near, p_lonlat: tuple[Array, Array], rows: IntArray, dist: Array
) -> None:
    """Set ``dist`` to 0 for the ``rows`` pairs whose point lies inside the area activity,
    tested in the activity's AEQD plane."""
    if rows.size == 0:
        return
    act = near.pairs.act[rows]
    p_lon, p_lat = p_lonlat
    x, y = aeqd_forward(ctx.lon0[act], ctx.lat0[act], p_lon[rows], p_lat[rows])
    dist[rows[shapely.intersects_xy(ctx.a_plane[act], x, y)]] = 0.0


def _distances(ctx: _Context, pairs: _Pairs, threshold: Array) -> Array:
    """Exact geodesic distance per pair where it can be within ``threshold``, else > threshold."""
    a, f = ctx.a, ctx.f
    dist = np.full(pairs.act.size, np.inf)
    simple = a.single_point[pairs.act] & f.single_point[pairs.feat]
    i, j = pairs.act[simple], pairs.feat[simple]
    ends = (
        a.lon[a.vertex_start[i]],
        a.lat[a.vertex_start[i]],
        f.lon[f.vertex_start[j]],
        f.lat[f.vertex_start[j]],
    )
    fast = np.concatenate(
        [np.empty(0)]
        + [
            short_distance(*(e[lo : lo + _FAST_CHUNK] for e in ends))
            for lo in range(0, i.size, _FAST_CHUNK)
        ]
    )
    near = np.flatnonzero(np.abs(fast - threshold[simple]) <= EXACT_BAND_M)
    if near.size:
        fast[near] = inverse(*(e[near] for e in ends))[2]
    dist[simple] = fast
    del ends, fast
    general = np.flatnonzero(~simple)
    general = general[
        ~_beyond_on_sphere(ctx, pairs.act[general], pairs.feat[general], threshold[general])
    ]
    if general.size == 0:
        return dist
    # chunks bounded by the number of vertex-edge combinations they may need
    i, j = pairs.act[general], pairs.feat[general]
    work = f.vertex_count[j] * a.edge_count[i] + a.vertex_count[i] * f.edge_count[j] + 1
    bounds = np.searchsorted(
        np.cumsum(work), np.arange(_COMBO_CHUNK, work.sum() + _COMBO_CHUNK, _COMBO_CHUNK)
    )
    start = 0
    for stop in np.unique(np.append(bounds + 1, general.size)):
        sel = general[start : int(min(stop, general.size))]
        start = int(stop)
        if sel.size:
            dist[sel] = _general(ctx, pairs, sel, threshold)
    return dist


_SPHERE_CHUNK = 2_000_000
"""Rows (pair, activity edge) per step of ``_beyond_on_sphere``."""


def _beyond_on_sphere(
    ctx: _Context, i: IntArray, j: IntArray, threshold: Array
) -> npt.NDArray[np.bool_]:
    """Whether each pair (activity ``i``, feature ``j``) surely lies beyond its ``threshold``.

    Read on the sphere, before anything is projected: c, the feature's first vertex, and r_f,
    the angle from c of its farthest vertex (the whole feature, interior included, lies in
    that cap, its geodesic edges within ``SPHERE_SLACK_M`` of the cap's great circles). Every
    point of the feature is then within ``MAX_RADIUS_M * r_f + 2 SPHERE_SLACK_M`` of c, and
    the pair's distance is at least c's distance to the activity's edges less that. Area
    activities are never ruled out here (c may lie inside them: distance 0).
    """
    a, f = ctx.a, ctx.f
    out = np.zeros(i.size, dtype=bool)
    rows = np.flatnonzero(~ctx.a_areal[i])
    if rows.size == 0:
        return out
    # feature radius r_f (m) around its first vertex c, for the features involved
    feats, f_of = np.unique(j[rows], return_inverse=True)
    r_f = feature_caps(f, feats)
    c = unit_vectors(f.lon[f.vertex_start[feats]], f.lat[f.vertex_start[feats]])
    # c against every edge of the activity, in chunks of bounded size
    n_e = a.edge_count[i[rows]]
    bounds = np.searchsorted(
        np.cumsum(n_e), np.arange(_SPHERE_CHUNK, n_e.sum() + _SPHERE_CHUNK, _SPHERE_CHUNK)
    )
    start = 0
    for stop in np.unique(np.append(bounds + 1, rows.size)):
        sel = np.arange(start, int(min(stop, rows.size)))
        start = int(stop)
        if sel.size == 0:
            continue
        p, e = _expand(sel, n_e)
        edge = a.edge_start[i[rows[p]]] + e
        k = f_of[p]
        sigma = sphere_point_edge((c[0][k], c[1][k], c[2][k]), ctx.frames, edge)
        low = MIN_RADIUS_M * np.minimum.reduceat(sigma, _starts(n_e[sel])) - SPHERE_SLACK_M
        r = rows[sel]
        out[r] = low - r_f[f_of[sel]] > threshold[r] + TOLERANCE_M + 1.0
    return out


def _general(ctx: _Context, pairs: _Pairs, sel: IntArray, threshold: Array) -> Array:
    """Exact distances for pairs that are not point-point (see ``engine``'s docstring).

    Only the vertex-edge combinations ``_pruned_combos`` keeps are measured in the plane.
    """
    f = ctx.f
    i, j = pairs.act[sel], pairs.feat[sel]
    thr = threshold[sel]
    out = np.full(sel.size, np.inf)
    # every feature vertex in the plane of its activity
    counts = f.vertex_count[j]
    f_off = _starts(counts)
    owner = np.repeat(np.arange(sel.size), counts)
    fv = f.vertex_start[j][owner] + np.arange(owner.size) - f_off[owner]
    fx, fy = aeqd_forward(ctx.lon0[i][owner], ctx.lat0[i][owner], f.lon[fv], f.lat[fv])
    # bound on planar vs geodesic: scale factor and sagitta of densified edges
    reach = ctx.rho[i] + thr + 1_000.0
    eps = 0.5 * (reach / MIN_RADIUS_M) ** 2 + 1e-9
    sag = reach * MAX_EDGE_M**2 / MIN_RADIUS_M**2 + 1e-3
    touching = _touching(ctx, i, j, (fx, fy), f_off)
    out[touching] = 0.0
    rows = np.flatnonzero(~touching)
    cand = _pruned_combos(ctx, (i, j), rows, (fx, fy, fv, f_off), (eps, sag))
    best = np.full(sel.size, np.inf)
    for cp, d, *_ in cand:
        np.minimum.at(best, cp, d)
    # pairs the planar bound cannot rule out get the exact minimum over plausible combinations
    lower = (best - sag) / (1.0 + eps) - 0.01
    possible = lower <= thr
    limit = (1.0 + eps) * (best + sag) + sag + 0.5
    # measured fast (``short_point_segment``), and again exactly within ``EXACT_BAND_M`` of
    # the threshold (``point_segment_distance``), as the pairs with point features
    exact = np.full(sel.size, np.inf)
    plausible = [possible[cp] & (d <= limit[cp]) for cp, d, _, _ in cand]
    _measure(cand, plausible, exact, short_point_segment)
    again = np.isfinite(exact) & (np.abs(exact - thr) <= EXACT_BAND_M)
    if again.any():
        exact[again] = np.inf
        near = [m & again[c[0]] for m, c in zip(plausible, cand, strict=True)]
        _measure(cand, near, exact, point_segment_distance)
    out[rows] = exact[rows]
    return out


def _measure(
    cand: list[_Combos],
    keep: list[npt.NDArray[np.bool_]],
    out: Array,
    measure: Callable[[LonLat, LonLat, LonLat], Array],
) -> None:
    """Lower ``out`` (per pair) to the distance of each kept point-edge combination."""
    for (cp, _, (pl, pv), (el, e_a, e_b)), m in zip(cand, keep, strict=True):
        if m.any():
            v, ea, eb = pv[m], e_a[m], e_b[m]
            ends = ((pl.lon[v], pl.lat[v]), (el.lon[ea], el.lat[ea]), (el.lon[eb], el.lat[eb]))
            np.minimum.at(out, cp[m], measure(*ends))


_Combos = tuple[IntArray, Array, tuple[Linework, IntArray], tuple[Linework, IntArray, IntArray]]
"""Point-edge combinations: pair row, planar distance, (linework, point vertex),
(linework, edge vertex a, edge vertex b)."""


def _pruned_combos(
    ctx: _Context,
    ij: tuple[IntArray, IntArray],
    rows: IntArray,
    f_plane: tuple[Array, Array, IntArray, IntArray],
    slack: tuple[Array, Array],
) -> list[_Combos]:
    """The vertex-edge combinations of the ``rows`` pairs that may give their distance.

    ``f_plane``: the pairs' feature vertices in the activity planes (x, y, vertex index, first
    row of each pair); ``slack``: the planar-vs-geodesic scale (eps) and sagitta per pair.
    """
    a, f, ax, ay = ctx.a, ctx.f, ctx.ax, ctx.ay
    i, j = ij
    fx, fy, fv, f_off = f_plane
    eps, sag = slack
    counts = f.vertex_count[j]
    owner = np.repeat(np.arange(i.size), counts)
    # Pruning: c, the feature's first vertex, and r_f, the radius around c holding all of the
    # feature. A combination (point, edge) is at least as far as its activity edge or vertex
    # is from c, less r_f; c's own nearest activity edge bounds the pair's planar minimum
    # from above. Combinations that cannot be within ``limit`` of that bound are never made
    # (they could neither be the minimum nor pass ``d <= limit`` below).
    cx, cy = fx[f_off], fy[f_off]
    r_f = np.maximum.reduceat(np.hypot(fx - cx[owner], fy - cy[owner]), f_off)
    p, e = _expand(rows, a.edge_count[i])
    ea = a.edge_a[a.edge_start[i[p]] + e]
    eb = a.edge_b[a.edge_start[i[p]] + e]
    d_c = _planar_point_segment((cx[p], cy[p]), (ax[ea], ay[ea]), (ax[eb], ay[eb]))
    upper = np.full(i.size, np.inf)
    np.minimum.at(upper, p, d_c)
    window = (1.0 + eps) * (upper + sag) + sag + 0.5 + r_f + 1e-6
    keep = d_c <= window[p]
    p, ea, eb = p[keep], ea[keep], eb[keep]
    del d_c, keep
    # (feature vertex, activity edge) for the kept edges
    n_v = counts[p]
    cp = np.repeat(p, n_v)
    k = f_off[cp] + np.arange(cp.size) - np.repeat(np.cumsum(n_v) - n_v, n_v)
    ea, eb = np.repeat(ea, n_v), np.repeat(eb, n_v)
    d = _planar_point_segment((fx[k], fy[k]), (ax[ea], ay[ea]), (ax[eb], ay[eb]))
    cand = [(cp, d, (f, fv[k]), (a, ea, eb))]
    # (activity vertex, feature edge) for the activity vertices near enough to c
    with_edges = rows[f.has_extent[j[rows]]]
    p, v = _expand(with_edges, a.vertex_count[i])
    va = a.vertex_start[i[p]] + v
    near = np.hypot(ax[va] - cx[p], ay[va] - cy[p]) <= window[p]
    p, va = p[near], va[near]
    n_e = f.edge_count[j[p]]
    cp = np.repeat(p, n_e)
    va = np.repeat(va, n_e)
    fe = f.edge_start[j[cp]] + np.arange(cp.size) - np.repeat(np.cumsum(n_e) - n_e, n_e)
    ea, eb = f.edge_a[fe], f.edge_b[fe]
    la = f_off[cp] + ea - f.vertex_start[j[cp]]
    lb = f_off[cp] + eb - f.vertex_start[j[cp]]
    d = _planar_point_segment((ax[va], ay[va]), (fx[la], fy[la]), (fx[lb], fy[lb]))
    cand.append((cp, d, (a, va), (f, ea, eb)))
    return cand


def _touching(
    ctx: _Context, i: IntArray, j: IntArray, fxy: tuple[Array, Array], f_off: IntArray
) -> npt.NDArray[np.bool_]:
    """Whether the pair touches or one contains the other, tested in the activity's plane."""
    f, a_plane = ctx.f, ctx.a_plane
    fx, fy = fxy
    touching = np.zeros(i.size, dtype=bool)
    points = f.single_point[j]
    areal = shapely.get_dimensions(a_plane[i]) == 2
    m = np.flatnonzero(points & areal)
    if m.size:
        touching[m] = shapely.intersects_xy(a_plane[i[m]], fx[f_off[m]], fy[f_off[m]])
    m = np.flatnonzero(~points)
    if m.size:
        geoms = np.array(f.dense[j[m]], dtype=object, copy=True)
        counts = f.vertex_count[j[m]]
        idx = (
            np.repeat(f_off[m], counts)
            + np.arange(counts.sum())
            - np.repeat(_starts(counts), counts)
        )
        planes = shapely.set_coordinates(geoms, np.column_stack([fx[idx], fy[idx]]))
        touching[m] = shapely.intersects(a_plane[i[m]], planes)
    return touching


def _expand(rows: IntArray, n: IntArray) -> tuple[IntArray, IntArray]:
    """All (row, k) with ``k < n[row]`` for the given rows."""
    per = n[rows]
    p = np.repeat(rows, per)
    return p, np.arange(p.size) - np.repeat(np.cumsum(per) - per, per)


def _planar_point_segment(
    p: tuple[Array, Array], a: tuple[Array, Array], b: tuple[Array, Array]
) -> Array:
    """Planar distance from points p to segments a-b."""
    (px, py), (x1, y1), (x2, y2) = p, a, b
    dx, dy = x2 - x1, y2 - y1
    len2 = dx * dx + dy * dy
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.where(len2 > 0, ((px - x1) * dx + (py - y1) * dy) / len2, 0.0)
    t = np.clip(t, 0.0, 1.0)
    return np.hypot(px - (x1 + t * dx), py - (y1 + t * dy))
