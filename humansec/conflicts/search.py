"""Candidate search: pairs (activity, feature) that may lie within their threshold."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from humansec.conflicts.geodesic import (
    MAX_RADIUS_M,
    MIN_RADIUS_M,
    SPHERE_SLACK_M,
    Array,
    sphere_point_edge,
    unit_vectors,
)
from humansec.conflicts.geometry import IntArray, Linework, _starts, feature_caps
from humansec.conflicts.grid import _PointGrid
from humansec.conflicts.pairs import TOLERANCE_M, _Near, _Pairs

_EQUATORIAL_RADIUS_M = 6_378_137.0
_WIDE_PRECISION_M = 100.0
"""Features less precise than this are searched in groups of their own (``_search``)."""
_FAST_MIN_POINTS_PER_EDGE = 0.1
"""Line and area activities go through ``_near_points`` when a group has this many point
features per activity edge to search (fewer: ``_candidates``)."""


def _search(
    a_lines: Linework,
    f_lines: Linework,
    *,
    a_type: IntArray,
    groups: tuple[IntArray, IntArray],
    precisions: tuple[Array, Array],
    distances: tuple[Array, Array],
    frames: npt.NDArray[np.float64],
    cache: SearchCache | None = None,
) -> tuple[list[_Pairs], _Near]:
    """Candidate pairs, one search per group of features that need the same distances.

    ``groups``: the rule index per (activity type, class) and the class of each feature, a
    class being a (kind, category, protection). Classes whose rules give the same distance to
    every activity type (or none) are searched together, with the distance they need; the edge
    boxes of line and area activities are made once per distinct reach of each activity
    (``_EdgeBoxes``); ``frames``: the activity edges on the sphere (``edge_frames``).
    Returns the pairs found by ``_candidates`` and by ``_near_points``. ``cache``: what the
    search of these features keeps for the next chunk of activities (None: nothing kept).
    """
    a_prec, f_prec = precisions
    hazard, rule_dist = distances
    if cache is not None and cache.groups is not None:
        table, members_of = cache.groups
    else:
        table, members_of = _feature_groups(groups, rule_dist, f_prec)
        if cache is not None:
            cache.groups = (table, members_of)
    found: list[_Pairs] = []
    near: list[_Near] = []
    lat_abs = np.maximum.reduceat(np.abs(a_lines.lat), a_lines.vertex_start)
    plans = []
    for group in range(table.shape[1]):
        members = members_of[group]
        rule_idx = table[a_type, group]
        dist_g = np.where(np.isnan(hazard), rule_dist[rule_idx], hazard)
        active = rule_idx >= 0
        base = dist_g + a_prec
        reach = base + float(f_prec[members].max(initial=0.0))
        fast = _fast_mask(
            a_lines, f_lines, members=members, active=active, reach=reach, lat_abs=lat_abs
        )
        plans.append((members, active, base, reach, fast))
    boxes = _EdgeBoxes.build(a_lines, lat_abs, [np.where(p[4], p[3], -1.0) for p in plans])
    for group, (members, active, base, reach, fast) in enumerate(plans):
        got, got_near = _group_search(
            a_lines,
            f_lines,
            frames,
            members,
            active=active,
            fast=fast,
            reach=reach,
            base=base,
            f_prec=f_prec,
            boxes=boxes.of_group(group, np.flatnonzero(fast)),
            grids=None if cache is None else cache.grids,
            group=group,
        )
        found += got
        near += got_near
    del boxes, plans
    return found, _Near.concat(near)


@dataclass
class SearchCache:
    """What the search of one set of features keeps between chunks of activities: the
    groups of features and the point grids (by group and cell size), built once."""

    groups: tuple[IntArray, list[IntArray]] | None = None
    grids: dict[tuple[int, float], _PointGrid] = field(default_factory=dict)


def _feature_groups(
    groups: tuple[IntArray, IntArray], rule_dist: Array, f_prec: Array
) -> tuple[IntArray, list[IntArray]]:
    """The rule index per (activity type, group) and the features of each group.

    Classes whose rules give the same distance to every activity type (or none) make one
    group; features whose precision widens the search much go apart (the others' boxes stay
    tight).
    """
    table, codes = groups
    same = np.where(table >= 0, rule_dist[np.maximum(table, 0)], -1.0)
    _, first, merged = np.unique(same.T, axis=0, return_index=True, return_inverse=True)
    table, codes = table[:, first], np.asarray(merged, dtype=np.intp).ravel()[codes]
    wide = f_prec > _WIDE_PRECISION_M
    if wide.any() and not wide.all():
        codes = codes * 2 + wide
        table = np.repeat(table, 2, axis=1)
    members_of = np.split(
        np.argsort(codes, kind="stable"),
        np.cumsum(np.bincount(codes, minlength=table.shape[1]))[:-1],
    )
    return table, members_of


def _candidates(
    lines: Linework,
    tree_geoms: npt.NDArray[np.object_] | Callable[[], npt.NDArray[np.object_]],
    reach: Array,
    active: npt.NDArray[np.bool_],
    *,
    grid: _PointGrid | None = None,
) -> _Pairs:
    """Pairs (activity, feature) where the feature may lie within ``reach`` m of the activity.

    Each activity's (densified) geometry is searched with ``dwithin`` in degrees, using the
    larger of the latitude and longitude extents of ``reach`` (longitude widened for the
    highest latitude the activity can reach), plus copies shifted by 360 degrees where the
    search crosses the antimeridian. Near the poles the whole band of latitudes is searched.
    ``tree_geoms``: the feature geometries, or a function giving them (called only when the
    tree is needed).
    """
    first = lines.vertex_start
    lon_min = np.minimum.reduceat(lines.lon, first)
    lon_max = np.maximum.reduceat(lines.lon, first)
    dlat, dlon, whole = _search_extent(lines, reach)
    deg = np.maximum(dlat, dlon)
    trees: list[tuple[shapely.STRtree, IntArray | None]] = []

    def tree_of() -> shapely.STRtree:
        # built when first needed (the grid answers point activities without it), with
        # copies of the features across the antimeridian (``_unwrapped``)
        if not trees:
            geoms, index = _unwrapped(tree_geoms() if callable(tree_geoms) else tree_geoms)
            trees.append((shapely.STRtree(geoms), index))
        return trees[0][0]

    found_a: list[IntArray] = []
    found_f: list[IntArray] = []
    # points: a box per activity, envelope test only (the exact distance follows anyway)
    pts = np.flatnonzero(active & ~whole & lines.single_point)
    lon_c, lat_c = lines.lon[first[pts]], lines.lat[first[pts]]
    # a point's box needs no room for edges: reach itself, plus rounding
    p_dlat, p_dlon, _ = _extent_at(np.abs(lat_c), reach[pts], _POINT_SLACK_M)
    for west_e, east_e, sel in _lon_ranges(lon_c - p_dlon, lon_c + p_dlon):
        south_e, north_e = lat_c[sel] - p_dlat[sel], lat_c[sel] + p_dlat[sel]
        if grid is not None:
            q, f = grid.query(west_e, south_e, east_e, north_e)
        else:
            q, f = tree_of().query(shapely.box(west_e, south_e, east_e, north_e))
        found_a.append(pts[sel][q])
        found_f.append(f)
    near = np.flatnonzero(active & ~whole & ~lines.single_point)
    queries = [(near, lines.dense[near], 0.0)]
    west = near[lon_min[near] - deg[near] < -180.0]
    east = near[lon_max[near] + deg[near] > 180.0]
    queries += [(west, lines.dense[west], 360.0), (east, lines.dense[east], -360.0)]
    for owner, geoms, shift in queries:
        if owner.size == 0:
            continue
        moved = shapely.transform(geoms, lambda c, dx=shift: c + np.array([dx, 0.0]))
        q, f = tree_of().query(moved, predicate="dwithin", distance=deg[owner])
        found_a.append(owner[q])
        found_f.append(f)
    polar = np.flatnonzero(active & whole)
    if polar.size:
        south = np.minimum.reduceat(lines.lat, first)[polar] - dlat[polar]
        north = np.maximum.reduceat(lines.lat, first)[polar] + dlat[polar]
        # edges near a pole may pass over it, beyond the latitudes of their vertices
        north[north >= 89.9] = 90.0
        south[south <= -89.9] = -90.0
        boxes = shapely.box(-180.0, np.maximum(south, -90.0), 180.0, np.minimum(north, 90.0))
        q, f = tree_of().query(boxes, predicate="intersects")
        found_a.append(polar[q])
        found_f.append(f)
    # the grid's indices are the features' own (copies come after them in the tree)
    return _found_pairs(found_a, found_f, trees[0][1] if trees else None)


def _found_pairs(
    found_a: list[IntArray], found_f: list[IntArray], tree_index: IntArray | None
) -> _Pairs:
    """The distinct (activity, feature) pairs of ``_candidates``' searches."""
    if not found_a:
        return _Pairs(np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp))
    act = np.concatenate(found_a).astype(np.int64)
    feat = np.concatenate(found_f).astype(np.int64)
    if tree_index is not None:  # copies of features across the antimeridian
        feat = tree_index[feat]
    if len(found_a) > 1 or tree_index is not None:  # several searches may find the same pair
        n = int(feat.max(initial=0)) + 1
        key = np.unique(act * n + feat)
        act, feat = key // n, key % n
    return _Pairs(act.astype(np.intp), feat.astype(np.intp))


def _unwrapped(
    geoms: npt.NDArray[np.object_],
) -> tuple[npt.NDArray[np.object_], IntArray | None]:
    """``geoms`` plus, for each one spanning more than 180 degrees of longitude (it crosses
    the antimeridian: its edges are short geodesics), two copies drawn across it: negative
    longitudes moved by +360, and that shifted by -360. Returns the geometries and, when
    copies were added, the index of the original of each (else None)."""
    if len(geoms) == 0:
        return geoms, None
    west, _, east, _ = shapely.bounds(geoms).T
    wide = np.flatnonzero(east - west > 180.0)
    if wide.size == 0:
        return geoms, None

    def across(c: Array) -> Array:
        return np.asarray(
            c + np.column_stack([np.where(c[:, 0] < 0.0, 360.0, 0.0), np.zeros(len(c))]),
            dtype=np.float64,
        )

    east_side = shapely.transform(geoms[wide], across)
    west_side = shapely.transform(east_side, lambda c: c - np.array([360.0, 0.0]))
    index = np.concatenate([np.arange(len(geoms)), wide, wide]).astype(np.intp)
    return np.concatenate([geoms, east_side, west_side]), index


def _search_extent(lines: Linework, reach: Array) -> tuple[Array, Array, npt.NDArray[np.bool_]]:
    """Degrees of latitude and longitude that surely hold ``reach`` m around each geometry.

    Also whether the search must cover the whole band of latitudes (near the poles).
    """
    return _extent_at(np.maximum.reduceat(np.abs(lines.lat), lines.vertex_start), reach)


def _extent_at(
    lat_abs: Array, reach: Array, slack: Array | float | None = None
) -> tuple[Array, Array, npt.NDArray[np.bool_]]:
    """``_search_extent`` for geometries whose largest absolute latitude is ``lat_abs``.

    ``slack``: metres added to ``reach`` (default ``1%`` plus 500 m, room for geodesic edges
    leaving the longitude/latitude lines between their ends); see ``_POINT_SLACK_M`` and
    ``_edge_slack`` for the tighter ones of single points and single densified edges.
    """
    r = reach * 1.01 + 500.0 if slack is None else reach + slack
    dlat = np.degrees(r / MIN_RADIUS_M)
    far = lat_abs + dlat
    with np.errstate(divide="ignore", invalid="ignore"):
        dlon = np.degrees(r / (_EQUATORIAL_RADIUS_M * np.cos(np.radians(np.minimum(far, 90.0)))))
    whole = (far >= 89.9) | ~np.isfinite(dlon) | (dlon >= 90.0)
    return dlat, dlon, whole


_POINT_SLACK_M = 1.0
"""Slack of a single point's search box: a point within ``reach`` lies within ``reach`` m of
latitude and ``reach / (a cos(far latitude))`` of longitude, so this only covers rounding."""
_EDGE_SLACK_M = 50.0
_EDGE_SLACK_MAX_LAT = 80.0


def _edge_slack(lat_abs: Array, reach: Array) -> Array:
    """Slack of the search box around one densified edge (at most ``MAX_EDGE_M``).

    The box spans the edge's ends widened by ``reach``; the geodesic between them keeps its
    longitude between theirs and leaves their latitudes poleward by about
    ``L^2 tan(lat) / (8 R)``: under 3 m for 5 km edges up to 80 degrees, where
    ``_EDGE_SLACK_M`` is used. Nearer the poles: the general slack (1% plus 500 m).
    """
    return np.where(lat_abs <= _EDGE_SLACK_MAX_LAT, _EDGE_SLACK_M, reach * 0.01 + 500.0)


def _fast_mask(
    a_lines: Linework,
    f_lines: Linework,
    *,
    members: IntArray,
    active: npt.NDArray[np.bool_],
    reach: Array,
    lat_abs: Array,
) -> npt.NDArray[np.bool_]:
    """The activities of a group that go through ``_near_points`` (see ``_group_search``)."""
    _, _, whole = _extent_at(lat_abs, reach)
    fast = active & ~a_lines.single_point & ~whole
    n_points = np.count_nonzero(f_lines.single_point[members])
    if n_points == 0 or n_points < _FAST_MIN_POINTS_PER_EDGE * a_lines.edge_count[fast].sum():
        # few points: one box per edge costs more than it saves (both ways are exact)
        fast[:] = False
    return fast


@dataclass(frozen=True)
class _EdgeBoxes:
    """Search boxes around each activity edge, made once per distinct reach of an activity.

    ``box_edge``: the edge (index into the linework's edges) of each box; the boxes of one
    (activity, reach) entry are contiguous, from ``start`` to ``stop``; ``entry`` maps (group,
    activity) to its entry (-1: none). A box crossing the antimeridian is split in two.
    """

    boxes: Array  # west, south, east, north (4 x n)
    box_edge: IntArray
    start: IntArray
    stop: IntArray
    entry: IntArray

    @staticmethod
    def build(lines: Linework, lat_abs: Array, reaches: list[Array]) -> _EdgeBoxes:
        """Boxes for every (group, activity) with ``reaches[group][activity] >= 0``."""
        n_acts = len(lines.vertex_start)
        grid = np.vstack(reaches) if reaches else np.empty((0, n_acts))
        g_idx, a_idx = np.nonzero(grid >= 0.0)
        r = grid[g_idx, a_idx]
        order = np.lexsort((r, a_idx))
        a_s, r_s = a_idx[order], r[order]
        new = np.ones(a_s.size, dtype=bool)
        new[1:] = (a_s[1:] != a_s[:-1]) | (r_s[1:] != r_s[:-1])
        entry_of = np.cumsum(new) - 1
        entry = np.full(grid.shape, -1, dtype=np.intp)
        entry[g_idx[order], a_s] = entry_of
        act, reach = a_s[new], r_s[new]
        if act.size == 0:
            none = np.empty(0, dtype=np.intp)
            return _EdgeBoxes(np.empty((4, 0)), none, none, none, entry)
        counts = lines.edge_count[act]
        row_entry = np.repeat(np.arange(act.size), counts)
        edges = (
            lines.edge_start[act][row_entry]
            + np.arange(row_entry.size)
            - np.repeat(_starts(counts), counts)
        )
        dlat, dlon, _ = _extent_at(lat_abs[act], reach, _edge_slack(lat_abs[act], reach))
        lon_a, lat_a = lines.lon[lines.edge_a[edges]], lines.lat[lines.edge_a[edges]]
        lat_b = lines.lat[lines.edge_b[edges]]
        lon_b = lon_a + (lines.lon[lines.edge_b[edges]] - lon_a + 180.0) % 360.0 - 180.0
        dlat, dlon = dlat[row_entry], dlon[row_entry]
        west = np.minimum(lon_a, lon_b) - dlon
        east = np.maximum(lon_a, lon_b) + dlon
        south = np.minimum(lat_a, lat_b) - dlat
        north = np.maximum(lat_a, lat_b) + dlat
        pieces = _lon_ranges(west, east)
        rows = np.concatenate([np.empty(0, dtype=np.intp)] + [p[2] for p in pieces])
        boxes = np.hstack(
            [np.empty((4, 0))] + [np.vstack([w, south[k], e, north[k]]) for w, e, k in pieces]
        )
        if len(pieces) > 1:  # pieces across the antimeridian go with their entry's boxes
            by_entry = np.argsort(row_entry[rows], kind="stable")
            rows, boxes = rows[by_entry], boxes[:, by_entry]
        sorted_entry = row_entry[rows]
        ids = np.arange(act.size)
        return _EdgeBoxes(
            boxes,
            edges[rows].astype(np.intp),
            np.searchsorted(sorted_entry, ids, side="left").astype(np.intp),
            np.searchsorted(sorted_entry, ids, side="right").astype(np.intp),
            entry,
        )

    def of_group(self, group: int, acts: IntArray) -> tuple[Array, IntArray]:
        """The boxes (west, south, east, north) of ``acts`` in ``group`` and the edge of each."""
        if acts.size == 0:
            return self.boxes[:, :0], self.box_edge[:0]
        e = self.entry[group, acts]
        counts = self.stop[e] - self.start[e]
        rows = (
            np.repeat(self.start[e], counts)
            + np.arange(counts.sum())
            - np.repeat(_starts(counts), counts)
        )
        return self.boxes[:, rows], self.box_edge[rows]


def _group_search(
    a_lines: Linework,
    f_lines: Linework,
    frames: npt.NDArray[np.float64],
    members: IntArray,
    *,
    active: npt.NDArray[np.bool_],
    fast: npt.NDArray[np.bool_],
    reach: Array,
    base: Array,
    f_prec: Array,
    boxes: tuple[Array, IntArray],
    grids: dict[tuple[int, float], _PointGrid] | None = None,
    group: int = 0,
) -> tuple[list[_Pairs], list[_Near]]:
    """Candidates of the ``active`` activities among the features ``members`` of one group.

    ``base``: per activity, the rule distance plus its precision; ``reach``: plus the largest
    feature precision of the group. The ``fast`` (line and area) activities against point
    features go through ``_near_points`` with ``boxes`` (``_EdgeBoxes.of_group``); everything
    else through ``_candidates``. ``grids``: the point grids kept by (``group``, cell size)
    from one chunk of activities to the next (``SearchCache``), or None.
    """
    points = f_lines.single_point[members]
    found: list[_Pairs] = []
    sub = members[~points]
    if sub.size and active.any():
        rest = active
        if fast.any():
            # line and area activities: the edge boxes, widened by the features' size
            got = _near_shapes(
                a_lines,
                f_lines,
                frames,
                sub,
                boxes=boxes,
                areas=np.flatnonzero(fast),
                threshold=(base, f_prec[sub]),
            )
            if got is not None:
                found.append(got)
                rest = active & ~fast
        if rest.any():
            got = _candidates(a_lines, f_lines.dense[sub], reach, rest)
            found.append(_Pairs(got.act, sub[got.feat]))
    sub = members[points]
    searched = active & ~fast
    if sub.size == 0 or not (searched.any() or fast.any()):
        return found, []

    def tree_geoms() -> npt.NDArray[np.object_]:
        return f_lines.dense[sub]

    # cells about as tall as the typical reach: a box covers a few rows of a few cells
    cell = np.degrees(float(np.median(reach[active | fast])) / MIN_RADIUS_M)
    # a point feature's one vertex (vertex rows differ from feature rows when lines are mixed in)
    p_lon, p_lat = f_lines.lon[f_lines.vertex_start[sub]], f_lines.lat[f_lines.vertex_start[sub]]
    grid = None if grids is None else grids.get((group, cell))
    if grid is None:
        grid = _PointGrid(p_lon, p_lat, cell)
        if grids is not None:  # kept for the next chunk of activities (``SearchCache``)
            grids[(group, cell)] = grid
    if searched.any():
        got = _candidates(a_lines, tree_geoms, reach, searched, grid=grid)
        found.append(_Pairs(got.act, sub[got.feat]))
    if not fast.any():
        return found, []
    near = _near_points(
        a_lines,
        frames,
        (p_lon, p_lat),
        boxes=boxes,
        areas=np.flatnonzero(fast),
        threshold=(base, f_prec[sub]),
        feature_index=sub,
        grid=grid,
    )
    return found, [near]


def _near_points(
    lines: Linework,
    frames: npt.NDArray[np.float64],
    f_lonlat: tuple[Array, Array],
    *,
    boxes: tuple[Array, IntArray],
    areas: IntArray,
    threshold: tuple[Array, Array],
    feature_index: IntArray,
    grid: _PointGrid,
) -> _Near:
    """Candidate pairs of line/area activities and point features (the points of ``grid``).

    ``boxes``: a longitude/latitude box per densified activity edge (at most ``MAX_EDGE_M``)
    widened by the search reach, and its edge. Each (edge, point) found is measured on the
    sphere, which bounds the geodesic distance from below and above (``sphere_point_edge`` with
    the ``edge_frames`` of the linework's edges).
    An edge is kept when its lower bound is within the pair's threshold (``threshold``: per
    activity and per feature parts) and within the smallest upper bound of the pair. The
    ``areas`` (activities searched; only polygons count) also get the points inside them (tested
    in degrees, a superset near the edges, which the edge search covers anyway).
    """
    n_geoms = len(lines.vertex_start)
    owner = np.repeat(np.arange(n_geoms), lines.vertex_count)
    box_bounds, box_edge = boxes
    # the points as the grid holds them, sorted by cell: a box's points are neighbours there
    q, at = grid.query_sorted(*box_bounds)
    edge = box_edge[q]
    del q
    units = unit_vectors(grid.lon, grid.lat)
    sigma = sphere_point_edge((units[0][at], units[1][at], units[2][at]), frames, edge)
    del units
    act = owner[lines.edge_a[edge]]
    lower = MIN_RADIUS_M * sigma - SPHERE_SLACK_M
    base, f_extra = threshold
    ok = lower <= base[act] + f_extra[grid.order][at] + TOLERANCE_M
    edge, feat, act, lower = edge[ok], grid.order[at[ok]], act[ok], lower[ok]
    upper = MAX_RADIUS_M * sigma[ok] + SPHERE_SLACK_M
    del sigma, ok, at
    n_feat = len(f_lonlat[0])
    key = act.astype(np.int64) * n_feat + feat
    # the points inside the areas (``_inside_degrees``) hashed with the edge pairs, after
    # them: codes in order of first appearance, so the edge pairs come first, in their order
    inner = _inside_degrees(lines, grid, areas, f_lonlat)
    inner_keys = inner[0].astype(np.int64) * n_feat + inner[1]
    codes, keys = pd.factorize(np.concatenate([key, inner_keys]))  # hashing, no sort
    keys = np.asarray(keys, dtype=np.int64)
    pair_of = codes[: key.size]
    n_pairs = int(pair_of.max()) + 1 if pair_of.size else 0
    best = np.full(n_pairs, np.inf)
    np.minimum.at(best, pair_of, upper)
    ok = lower <= best[pair_of]  # every pair keeps at least its best edge: all pairs stay
    combo_pair = np.asarray(pair_of[ok], dtype=np.intp)
    edge = edge[ok]
    # pairs with a point inside the area drawn in degrees: found by the edges or added
    is_inner = np.zeros(keys.size, dtype=bool)
    is_inner[codes[key.size :]] = True
    del pair_of, best, ok, key, codes
    return _Near(
        _Pairs((keys // n_feat).astype(np.intp), feature_index[keys % n_feat]),
        combo_pair,
        edge.astype(np.intp),
        is_inner,
    )


_SHAPE_SLACK_M = 10.0
"""Metres added to a line or polygon feature's radius when the edge boxes are widened."""


def _near_shapes(
    lines: Linework,
    f_lines: Linework,
    frames: npt.NDArray[np.float64],
    sub: IntArray,
    *,
    boxes: tuple[Array, IntArray],
    areas: IntArray,
    threshold: tuple[Array, Array],
) -> _Pairs | None:
    """Candidate pairs of line/area activities and the line or polygon features ``sub``.

    Each feature is taken as c, its first vertex, and r_f, the radius (m) of a cap around c
    holding all of it (``feature_caps``); the edge boxes (``_EdgeBoxes.of_group``, which hold
    every point within the search reach of their edge) are widened by the largest r_f, and
    every (edge, c) found is kept when c's distance to the edge on the sphere, less r_f, may
    be within the pair's threshold. The ``areas`` also get the features whose c lies inside
    them (drawn in degrees, see ``_inside_degrees``): a feature inside an area may be far
    from its edges. None when the widened boxes come near a pole (the caller falls back).
    """
    box_bounds, box_edge = boxes
    c_lon, c_lat = f_lines.lon[f_lines.vertex_start[sub]], f_lines.lat[f_lines.vertex_start[sub]]
    r_f = feature_caps(f_lines, sub)
    extra = float(r_f.max()) * 1.01 + _SHAPE_SLACK_M
    west, south, east, north = box_bounds
    dlat = np.degrees(extra / MIN_RADIUS_M)
    far = np.maximum(np.abs(south), np.abs(north)) + dlat
    if far.size and float(far.max()) >= 89.0:
        return None
    dlon = np.degrees(extra / (_EQUATORIAL_RADIUS_M * np.cos(np.radians(far))))
    if dlon.size and float(dlon.max()) >= 90.0:  # pragma: no cover - needs r_f of ~5,000 km
        return None
    cell = max(float(np.median(north - south)) if north.size else 1.0, 2.0 * dlat)
    grid = _PointGrid(c_lon, c_lat, cell)
    q_all: list[IntArray] = [np.empty(0, dtype=np.intp)]
    f_all: list[IntArray] = [np.empty(0, dtype=np.intp)]
    for w, e, k in _lon_ranges(west - dlon, east + dlon):
        q, f = grid.query(w, south[k] - dlat, e, north[k] + dlat)
        q_all.append(k[q])
        f_all.append(f)
    q, feat = np.concatenate(q_all), np.concatenate(f_all)
    edge = box_edge[q]
    del q, q_all, f_all
    owner = np.repeat(np.arange(len(lines.vertex_start)), lines.vertex_count)
    units = unit_vectors(c_lon, c_lat)
    sigma = sphere_point_edge((units[0][feat], units[1][feat], units[2][feat]), frames, edge)
    act = owner[lines.edge_a[edge]]
    base, f_extra = threshold
    ok = MIN_RADIUS_M * sigma - SPHERE_SLACK_M - r_f[feat] <= base[act] + f_extra[feat] + 1.0
    act, feat = act[ok], feat[ok]
    inner = _inside_degrees(lines, grid, areas, (c_lon, c_lat))
    n_feat = sub.size
    keys = np.unique(
        np.concatenate(
            [act.astype(np.int64) * n_feat + feat, inner[0].astype(np.int64) * n_feat + inner[1]]
        )
    )
    return _Pairs((keys // n_feat).astype(np.intp), sub[keys % n_feat])


def _inside_degrees(
    lines: Linework, grid: _PointGrid, active: IntArray, f_lonlat: tuple[Array, Array]
) -> IntArray:
    """(activity, point) pairs where an area activity holds the point, drawn in degrees.

    The points of ``grid`` (at ``f_lonlat``) within each polygon's bounds, then the polygon.
    """
    f_lon, f_lat = f_lonlat
    areal = active[shapely.get_dimensions(lines.dense[active]) == 2]
    if areal.size == 0:
        return np.empty((2, 0), dtype=np.intp)
    first = lines.vertex_start
    lon_min = np.minimum.reduceat(lines.lon, first)[areal]
    lon_max = np.maximum.reduceat(lines.lon, first)[areal]
    found: list[IntArray] = []
    for owner, shift in (
        (areal, 0.0),
        (areal[lon_min < -179.0], 360.0),
        (areal[lon_max > 179.0], -360.0),
    ):
        if owner.size == 0:
            continue
        if shift:
            moved = shapely.transform(
                lines.dense[owner], lambda c, dx=shift: c + np.array([dx, 0.0])
            )
        else:
            moved = lines.dense[owner]
        # prepared (an index of the edges; kept with the geometry for the next group): many
        # points are tested against each area
        shapely.prepare(moved)
        west, south, east, north = shapely.bounds(moved).T
        q, f = grid.query(np.maximum(west, -180.0), south, np.minimum(east, 180.0), north)
        inside = shapely.intersects_xy(moved[q], f_lon[f], f_lat[f])
        q, f = q[inside], f[inside]
        found.append(np.vstack([owner[q], f]))
    return np.asarray(np.hstack(found), dtype=np.intp)


def _lon_ranges(west: Array, east: Array) -> list[tuple[Array, Array, IntArray]]:
    """Split longitude ranges at the antimeridian: (west, east, rows) triples within -180..180."""
    rows = np.arange(west.size)
    out = [(np.maximum(west, -180.0), np.minimum(east, 180.0), rows)]
    w = rows[west < -180.0]
    out.append((west[w] + 360.0, np.full(w.size, 180.0), w))
    e = rows[east > 180.0]
    out.append((np.full(e.size, -180.0), east[e] - 360.0, e))
    return [(a, b, r) for a, b, r in out if r.size]
