"""The conflict check: every planned activity too close to a protected feature (DESIGN.md s. 4).

Method (exact against GeographicLib, see ``find_conflicts``):

1. Candidates: an STRtree on the (geodesically densified) feature geometries, or for point
   features a sorted longitude/latitude grid (``_PointGrid``), is queried with a
   longitude/latitude box per activity (per edge of line and area activities) that surely
   holds every point within the activity's largest threshold (longitude widened for the
   latitude; boxes split at the antimeridian).
2. Point activity against point feature: ``geodesic.short_distance`` (within a few 1e-9 m of
   ``Geod.inv``); pairs within ``EXACT_BAND_M`` of their threshold get ``Geod.inv`` itself.
   Line and area activities against point features: candidate edges bounded on the sphere
   (``_near_points``), then ``geodesic.short_point_segment``, likewise re-measured exactly near
   the threshold.
3. Anything else: both geometries are projected into an azimuthal equidistant plane centred on
   the activity. Distances there differ from geodesic ones by a factor of at most ``1 + eps``
   (eps ~ (rho/R)^2 for points within rho of the centre) plus the sagitta of densified edges;
   pairs whose planar distance rules them out by more than this bound are dropped, pairs that
   intersect in the plane are at distance 0.
4. The remaining pairs get the exact distance: the minimum, over vertex-to-edge combinations of
   both geometries that the planar bound cannot exclude, of the exact distance from a point to a
   geodesic edge (``geodesic.point_segment_distance``).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from humansec.conflicts.geodesic import (
    MAX_RADIUS_M,
    MIN_RADIUS_M,
    SPHERE_SLACK_M,
    Array,
    aeqd_forward,
    aeqd_inverse,
    earth_centred,
    edge_frames,
    inverse,
    point_segment_distance,
    short_distance,
    short_point_segment,
    sphere_point_edge,
    unit_vectors,
)
from humansec.conflicts.geometry import IntArray, Linework, _starts, prepare, project_geometries
from humansec.conflicts.rules import SEVERITY_RANK, Rule, RuleSet
from humansec.errors import SchemaError, choices
from humansec.model import (
    ACTIVITY_TYPES,
    GEOMETRY_TYPE_NAMES,
    PROTECTED_KINDS,
    LayerKind,
    conform,
    geometry_family,
)

MAX_EDGE_M = 5_000.0
"""Geodesic edges are densified to at most this length before any planar step."""

TOLERANCE_M = 1e-6
"""Rounding allowance: a feature placed exactly on the threshold (Geod.fwd) counts as inside."""

EXACT_BAND_M = 0.01
"""Pairs measured with the fast short-line formulas (``geodesic.short_distance``, within a few
1e-7 m of GeographicLib) are measured again exactly when they lie this near their threshold."""

_EQUATORIAL_RADIUS_M = 6_378_137.0
_GEOM_TYPE_NAMES = GEOMETRY_TYPE_NAMES
_COMBO_CHUNK = 2_000_000
_FAST_CHUNK = 200_000
"""Rows per call of the short-line formulas (their temporaries stay within a few tens of MB)."""
_FAST_MIN_POINTS_PER_EDGE = 0.1
"""Line and area activities go through ``_near_points`` when a group has this many point
features per activity edge to search (fewer: ``_candidates``)."""

CONFLICT_COLUMNS: tuple[str, ...] = (
    "activity_id",
    "activity_type",
    "feature_id",
    "feature_layer",
    "feature_kind",
    "feature_category",
    "distance_m",
    "threshold_m",
    "severity",
    "rule",
    "rationale",
    "time_overlap",
)


@dataclass(frozen=True)
class _Pairs:
    act: IntArray
    feat: IntArray


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


def find_conflicts(
    activities: gpd.GeoDataFrame, features: gpd.GeoDataFrame, rules: RuleSet
) -> pd.DataFrame:
    """Return one row per (activity, feature) pair that conflicts under ``rules``.

    Parameters
    ----------
    activities
        EPSG:4326; ``id``, ``type`` (humansec.model.ACTIVITY_TYPES), optional ``start``,
        ``end``, ``precision_m``, ``hazard_radius_m`` (replaces the rule's distance).
    features
        EPSG:4326; ``id``, ``kind`` (a protected kind), optional ``category``, ``protection``,
        ``precision_m``, ``valid_from``, ``valid_to``, ``layer_id``.
    rules
        From ``load_rules``.

    Returns
    -------
    pandas.DataFrame
        Columns ``CONFLICT_COLUMNS``, sorted by severity (critical first) then distance.
        A pair conflicts when the geodesic distance on WGS84 (edges are geodesics, 0 when the
        geometries touch or one contains the other) is at most the rule's distance (or the
        activity's hazard radius) plus both precisions, and, where both sides carry times, the
        closed intervals overlap (a missing bound is open). ``time_overlap`` is None when one
        side has no time at all. ``distance_m`` is exact to GeographicLib within 0.1 m (in
        fact within 1e-6 m; within 1 cm of the threshold it is GeographicLib's own number).
        ``activity_type``, ``feature_kind``, ``feature_category``, ``rule`` and ``rationale``
        are categorical (each text stored once); the ids are strings.

    """
    acts = _check_activities(activities)
    feats = _check_features(features)
    if acts.empty or feats.empty:
        return _empty()
    a_lines = prepare(np.asarray(acts.geometry.array, dtype=object), MAX_EDGE_M)
    f_lines = prepare(np.asarray(feats.geometry.array, dtype=object), MAX_EDGE_M)
    a_type = pd.Categorical(acts["type"], categories=ACTIVITY_TYPES).codes.astype(np.intp)
    a_prec = _metres(acts, "precision_m")
    f_prec = _metres(feats, "precision_m")
    hazard = acts["hazard_radius_m"].to_numpy(dtype=float, na_value=np.nan)
    rule_list, table, codes, classes = _rule_matrix(feats, rules)
    if not rule_list:
        return _empty()
    rule_dist = np.array([r.distance_m for r in rule_list])
    found, near_all = _search(
        a_lines,
        f_lines,
        a_type=a_type,
        groups=(table, codes),
        precisions=(a_prec, f_prec),
        distances=(hazard, rule_dist),
    )
    found.append(near_all.pairs)
    pairs = _Pairs(np.concatenate([p.act for p in found]), np.concatenate([p.feat for p in found]))
    del found
    rule_idx = table[a_type[pairs.act], codes[pairs.feat]]
    lon0, lat0, rho = _centres(a_lines)
    overlap, timed = _time_overlap(acts, feats, pairs)
    keep = overlap | ~timed
    is_near = np.zeros(pairs.act.size, dtype=bool)
    is_near[pairs.act.size - near_all.pairs.act.size :] = True
    near_all = near_all.subset(keep[is_near])
    is_near = is_near[keep]
    pairs, rule_idx, timed = _Pairs(pairs.act[keep], pairs.feat[keep]), rule_idx[keep], timed[keep]
    h = hazard[pairs.act]
    threshold = np.where(np.isnan(h), rule_dist[rule_idx], h) + a_prec[pairs.act]
    threshold = threshold + f_prec[pairs.feat]

    owner = np.repeat(np.arange(len(acts)), a_lines.vertex_count)
    ax, ay = aeqd_forward(lon0[owner], lat0[owner], a_lines.lon, a_lines.lat)
    a_plane = project_geometries(a_lines.dense, lon0, lat0)
    ctx = _Context(a_lines, f_lines, lon0, lat0, rho, a_plane, ax, ay)
    dist = np.empty(pairs.act.size)
    far = np.flatnonzero(~is_near)
    dist[far] = _distances(ctx, _Pairs(pairs.act[far], pairs.feat[far]), threshold[far])
    dist[is_near] = _near_distances(ctx, near_all, threshold[is_near])
    hit = dist <= threshold + TOLERANCE_M
    del ctx, a_plane, ax, ay, f_lines, near_all, far, is_near  # the table needs the room
    return _table(
        acts,
        feats,
        pairs,
        hit=hit,
        dist=dist,
        threshold=threshold,
        rule_idx=rule_idx,
        rule_list=rule_list,
        timed=timed,
        classes=(codes, classes),
    )


def _search(
    a_lines: Linework,
    f_lines: Linework,
    *,
    a_type: IntArray,
    groups: tuple[IntArray, IntArray],
    precisions: tuple[Array, Array],
    distances: tuple[Array, Array],
) -> tuple[list[_Pairs], _Near]:
    """Candidate pairs, one search per group of features that need the same distances.

    ``groups``: the rule index per (activity type, class) and the class of each feature, a
    class being a (kind, category, protection). Classes whose rules give the same distance to
    every activity type (or none) are searched together, with the distance they need; the edge
    boxes of line and area activities are made once per distinct reach of each activity
    (``_EdgeBoxes``). Returns the pairs found by ``_candidates`` and by ``_near_points``.
    """
    table, codes = groups
    a_prec, f_prec = precisions
    hazard, rule_dist = distances
    same = np.where(table >= 0, rule_dist[np.maximum(table, 0)], -1.0)
    _, first, merged = np.unique(same.T, axis=0, return_index=True, return_inverse=True)
    table, codes = table[:, first], np.asarray(merged, dtype=np.intp).ravel()[codes]
    found: list[_Pairs] = []
    near: list[_Near] = []
    a_unit = unit_vectors(a_lines.lon, a_lines.lat)
    frames = edge_frames(
        tuple(u[a_lines.edge_a] for u in a_unit),  # type: ignore[arg-type]
        tuple(u[a_lines.edge_b] for u in a_unit),  # type: ignore[arg-type]
    )
    lat_abs = np.maximum.reduceat(np.abs(a_lines.lat), a_lines.vertex_start)
    plans = []
    members_of = np.split(
        np.argsort(codes, kind="stable"),
        np.cumsum(np.bincount(codes, minlength=table.shape[1]))[:-1],
    )
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
        )
        found += got
        near += got_near
    del boxes, plans
    return found, _Near.concat(near)


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in CONFLICT_COLUMNS}).astype(
        {"distance_m": float, "threshold_m": float}
    )


def _check_crs(frame: gpd.GeoDataFrame, what: str) -> None:
    if not isinstance(frame, gpd.GeoDataFrame):
        msg = f"The {what} must be a GeoDataFrame in EPSG:4326, got {type(frame).__name__}."
        raise SchemaError(msg)
    if frame.crs is None or frame.crs.to_epsg() != 4326:
        msg = (
            f"The {what} must be in WGS84 (EPSG:4326), got {frame.crs!s}. "
            "Reproject them first (GeoDataFrame.to_crs('EPSG:4326'))."
        )
        raise SchemaError(msg)


def _check_activities(activities: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    _check_crs(activities, "activities")
    acts = conform(activities, LayerKind.ACTIVITY).reset_index(drop=True)
    for col in ("precision_m", "hazard_radius_m"):
        if (acts[col] < 0).any():
            msg = f"activity.{col} must be >= 0 metres; fix the negative values."
            raise SchemaError(msg)
    return acts


def _check_features(features: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    _check_crs(features, "features")
    missing = [c for c in ("id", "kind") if c not in features.columns]
    if missing:
        msg = (
            f"The features need the columns {choices(missing)} (kind: {choices(PROTECTED_KINDS)})."
        )
        raise SchemaError(msg)
    feats = features.reset_index(drop=True).copy()
    kinds = feats["kind"].astype("string")
    bad = kinds.isna() | ~kinds.isin([str(k) for k in PROTECTED_KINDS])
    if bad.any():
        msg = (
            f"Features with kind {choices(set(kinds[bad].fillna('<missing>')))} cannot be "
            f"checked; valid kinds: {choices(PROTECTED_KINDS)}."
        )
        raise SchemaError(msg)
    if feats["id"].isna().any():
        msg = "Some features have no id; every feature needs one."
        raise SchemaError(msg)
    geom_array = np.asarray(feats.geometry.array, dtype=object)
    type_ids = shapely.get_type_id(geom_array)  # -1: missing
    if (type_ids < 0).any() or shapely.is_empty(geom_array).any():
        msg = "Some features have no geometry; drop or fix them."
        raise SchemaError(msg)
    for type_id in np.unique(type_ids):
        geometry_family(_GEOM_TYPE_NAMES[int(type_id)])
    coords = shapely.get_coordinates(geom_array)
    lon_ok = np.abs(coords[:, 0]) <= 180
    if not (np.isfinite(coords).all() and lon_ok.all() and (np.abs(coords[:, 1]) <= 90).all()):
        msg = "Some feature coordinates are not finite or outside lon -180..180 / lat -90..90."
        raise SchemaError(msg)
    for col in ("category", "protection", "layer_id"):
        if col not in feats.columns:
            feats[col] = None
    for col in ("valid_from", "valid_to"):
        feats[col] = _utc(feats[col]) if col in feats.columns else pd.NaT
    if "precision_m" in feats.columns:
        prec = pd.to_numeric(feats["precision_m"], errors="coerce")
        if (prec < 0).any() or (prec.isna() & feats["precision_m"].notna()).any():
            msg = "feature precision_m must be a number of metres >= 0."
            raise SchemaError(msg)
        feats["precision_m"] = prec
    else:
        feats["precision_m"] = np.nan
    return feats


def _utc(values: pd.Series) -> pd.Series:
    try:
        return pd.to_datetime(values, utc=True, format="mixed")
    except (ValueError, TypeError) as exc:
        msg = f"Feature times must be ISO 8601 dates, e.g. 2026-11-26T14:30:00Z ({exc})."
        raise SchemaError(msg) from None


def _metres(frame: pd.DataFrame, col: str) -> Array:
    values = frame[col].to_numpy(dtype=np.float64, na_value=np.nan)
    return np.asarray(np.nan_to_num(values, nan=0.0), dtype=np.float64)


def _rule_matrix(
    feats: pd.DataFrame, rules: RuleSet
) -> tuple[list[Rule], IntArray, IntArray, list[tuple[str, str | None, str | None]]]:
    """Return the rules used, the rule index (or -1) per (activity type, group), group codes,
    and the (kind, category, protection) of each group.

    A group is a distinct (kind, category, protection) among the features.
    """
    columns = [feats["kind"].astype(str), feats["category"], feats["protection"]]
    parts = [pd.factorize(col, use_na_sentinel=True) for col in columns]
    combined = np.zeros(len(feats), dtype=np.int64)
    for part_codes, part_uniques in parts:
        combined = combined * (len(part_uniques) + 1) + (part_codes + 1)
    codes, distinct = pd.factorize(combined)  # hashing: no sort of a million keys
    first = np.full(len(distinct), len(feats), dtype=np.intp)
    np.minimum.at(first, codes, np.arange(len(feats), dtype=np.intp))
    kind_of, category_of, protection_of = (
        [_opt(part_uniques[c]) if c >= 0 else None for c in part_codes[first]]
        for part_codes, part_uniques in parts
    )
    uniques = [
        (str(kind), category, protection)
        for kind, category, protection in zip(kind_of, category_of, protection_of, strict=True)
    ]
    used: list[Rule] = []
    index_of: dict[int, int] = {}
    table = np.full((len(ACTIVITY_TYPES), len(uniques)), -1, dtype=np.intp)
    for t, activity in enumerate(ACTIVITY_TYPES):
        for u, (kind, category, protection) in enumerate(uniques):
            rule = rules.lookup(activity, kind, category, protection)
            if rule is not None:
                if id(rule) not in index_of:
                    index_of[id(rule)] = len(used)
                    used.append(rule)
                table[t, u] = index_of[id(rule)]
    return used, table, np.asarray(codes, dtype=np.intp), uniques


def _opt(value: object) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    return str(value)


def _centres(lines: Linework) -> tuple[Array, Array, Array]:
    """A centre per geometry (the point itself, else its middle in a local plane) and radius."""
    n = len(lines.vertex_start)
    first = lines.vertex_start
    owner = np.repeat(np.arange(n), lines.vertex_count)
    x, y = aeqd_forward(lines.lon[first][owner], lines.lat[first][owner], lines.lon, lines.lat)
    mid_x = (np.minimum.reduceat(x, first) + np.maximum.reduceat(x, first)) / 2
    mid_y = (np.minimum.reduceat(y, first) + np.maximum.reduceat(y, first)) / 2
    lon0, lat0 = aeqd_inverse(lines.lon[first], lines.lat[first], mid_x, mid_y)
    lon0 = (lon0 + 180.0) % 360.0 - 180.0
    _, _, d = inverse(lon0[owner], lat0[owner], lines.lon, lines.lat)
    rho = np.maximum.reduceat(d, first)
    return lon0, lat0, rho


def _candidates(
    lines: Linework,
    tree_geoms: npt.NDArray[np.object_],
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
    """
    first = lines.vertex_start
    lon_min = np.minimum.reduceat(lines.lon, first)
    lon_max = np.maximum.reduceat(lines.lon, first)
    dlat, dlon, whole = _search_extent(lines, reach)
    deg = np.maximum(dlat, dlon)
    tree: shapely.STRtree | None = None
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
            tree = shapely.STRtree(tree_geoms) if tree is None else tree
            q, f = tree.query(shapely.box(west_e, south_e, east_e, north_e))
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
        tree = shapely.STRtree(tree_geoms) if tree is None else tree
        q, f = tree.query(moved, predicate="dwithin", distance=deg[owner])
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
        tree = shapely.STRtree(tree_geoms) if tree is None else tree
        q, f = tree.query(boxes, predicate="intersects")
        found_a.append(polar[q])
        found_f.append(f)
    if not found_a:
        return _Pairs(np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp))
    act = np.concatenate(found_a).astype(np.int64)
    feat = np.concatenate(found_f).astype(np.int64)
    if len(found_a) > 1:  # several searches may find the same pair
        key = np.unique(act * len(tree_geoms) + feat)
        act, feat = key // len(tree_geoms), key % len(tree_geoms)
    return _Pairs(act.astype(np.intp), feat.astype(np.intp))


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


class _PointGrid:
    """Points sorted by the cell of a longitude/latitude grid, searched with boxes.

    Gives what ``STRtree.query`` gives for point geometries and box envelopes (every point
    with ``west <= lon <= east`` and ``south <= lat <= north``, boundaries included) without
    making geometries: per box, one range of the sorted cell keys per row of cells it covers,
    then the exact test on the points in those ranges.
    """

    _ROWS_PER_CHUNK = 1_000_000

    def __init__(self, lon: Array, lat: Array, cell_deg: float) -> None:
        self.cell = float(np.clip(cell_deg, 1e-3, 1.0))
        self.ncol = int(np.ceil(360.0 / self.cell)) + 1
        self.nrow = int(np.ceil(180.0 / self.cell)) + 1
        key = self._row(lat) * self.ncol + self._col(lon)
        self.order = np.argsort(key, kind="stable").astype(np.intp)
        self.key = key[self.order]
        self.lon, self.lat = lon[self.order], lat[self.order]

    def _col(self, lon: Array) -> npt.NDArray[np.int64]:
        return np.clip(np.floor((lon + 180.0) / self.cell), 0, self.ncol - 1).astype(np.int64)

    def _row(self, lat: Array) -> npt.NDArray[np.int64]:
        return np.clip(np.floor((lat + 90.0) / self.cell), 0, self.nrow - 1).astype(np.int64)

    def query(
        self, west: Array, south: Array, east: Array, north: Array
    ) -> tuple[IntArray, IntArray]:
        """(box, point) index pairs of every point inside each box (lon within -180..180)."""
        r0, r1 = self._row(south), self._row(north)
        c0, c1 = self._col(west), self._col(east)
        rows = np.maximum(r1 - r0 + 1, 0)
        bounds = np.searchsorted(
            np.cumsum(rows), np.arange(self._ROWS_PER_CHUNK, rows.sum(), self._ROWS_PER_CHUNK)
        )
        found_q: list[IntArray] = [np.empty(0, dtype=np.intp)]
        found_f: list[IntArray] = [np.empty(0, dtype=np.intp)]
        for lo, hi in zip(np.concatenate(([0], bounds)), np.append(bounds, west.size), strict=True):
            box = np.arange(lo, hi, dtype=np.intp)
            n = rows[box]
            box = np.repeat(box, n)
            row = r0[box] + np.arange(box.size) - np.repeat(np.cumsum(n) - n, n)
            first = np.searchsorted(self.key, row * self.ncol + c0[box], side="left")
            stop = np.searchsorted(self.key, row * self.ncol + c1[box], side="right")
            count = stop - first
            box = np.repeat(box, count)
            idx = np.arange(box.size) + np.repeat(first - (np.cumsum(count) - count), count)
            lon, lat = self.lon[idx], self.lat[idx]
            inside = (lon >= west[box]) & (lon <= east[box])
            inside &= (lat >= south[box]) & (lat <= north[box])
            found_q.append(box[inside])
            found_f.append(self.order[idx[inside]])
        return np.concatenate(found_q), np.concatenate(found_f)


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
) -> tuple[list[_Pairs], list[_Near]]:
    """Candidates of the ``active`` activities among the features ``members`` of one group.

    ``base``: per activity, the rule distance plus its precision; ``reach``: plus the largest
    feature precision of the group. The ``fast`` (line and area) activities against point
    features go through ``_near_points`` with ``boxes`` (``_EdgeBoxes.of_group``); everything
    else through ``_candidates``.
    """
    points = f_lines.single_point[members]
    found: list[_Pairs] = []
    sub = members[~points]
    if sub.size and active.any():
        got = _candidates(a_lines, f_lines.dense[sub], reach, active)
        found.append(_Pairs(got.act, sub[got.feat]))
    sub = members[points]
    searched = active & ~fast
    if sub.size == 0 or not (searched.any() or fast.any()):
        return found, []
    tree_geoms = f_lines.dense[sub]
    # cells about as tall as the typical reach: a box covers a few rows of a few cells
    cell = np.degrees(float(np.median(reach[active | fast])) / MIN_RADIUS_M)
    # a point feature's one vertex (vertex rows differ from feature rows when lines are mixed in)
    p_lon, p_lat = f_lines.lon[f_lines.vertex_start[sub]], f_lines.lat[f_lines.vertex_start[sub]]
    grid = _PointGrid(p_lon, p_lat, cell)
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


@dataclass(frozen=True)
class _Near:
    """Pairs of a line or area activity and a point feature, with the edges worth measuring.

    ``combo_pair`` / ``combo_edge``: for each pair, the activity edges (indices into the
    activity linework's edges) whose distance to the point may be the pair's distance.
    """

    pairs: _Pairs
    combo_pair: IntArray
    combo_edge: IntArray

    @staticmethod
    def concat(parts: list[_Near]) -> _Near:
        empty = np.empty(0, dtype=np.intp)
        offsets = np.cumsum([0] + [p.pairs.act.size for p in parts])
        return _Near(
            _Pairs(
                np.concatenate([empty] + [p.pairs.act for p in parts]),
                np.concatenate([empty] + [p.pairs.feat for p in parts]),
            ),
            np.concatenate(
                [empty] + [p.combo_pair + o for p, o in zip(parts, offsets, strict=False)]
            ),
            np.concatenate([empty] + [p.combo_edge for p in parts]),
        )

    def subset(self, keep: npt.NDArray[np.bool_]) -> _Near:
        new_index = np.cumsum(keep) - 1
        kept = keep[self.combo_pair]
        return _Near(
            _Pairs(self.pairs.act[keep], self.pairs.feat[keep]),
            new_index[self.combo_pair[kept]].astype(np.intp),
            self.combo_edge[kept],
        )


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
    q, feat = grid.query(*box_bounds)
    edge = box_edge[q]
    del q
    f_lon, f_lat = f_lonlat
    units = unit_vectors(f_lon, f_lat)
    sigma = sphere_point_edge((units[0][feat], units[1][feat], units[2][feat]), frames, edge)
    del units
    act = owner[lines.edge_a[edge]]
    lower = MIN_RADIUS_M * sigma - SPHERE_SLACK_M
    base, f_extra = threshold
    ok = lower <= base[act] + f_extra[feat] + TOLERANCE_M
    edge, feat, act, lower = edge[ok], feat[ok], act[ok], lower[ok]
    upper = MAX_RADIUS_M * sigma[ok] + SPHERE_SLACK_M
    del sigma, ok
    n_feat = len(f_lon)
    key = act.astype(np.int64) * n_feat + feat
    pair_of, pair_keys = pd.factorize(key)  # hashing, no sort
    best = np.full(len(pair_keys), np.inf)
    np.minimum.at(best, pair_of, upper)
    ok = lower <= best[pair_of]  # every pair keeps at least its best edge
    del pair_of, pair_keys, best
    edge, key = edge[ok], key[ok]
    inner = _inside_degrees(lines, grid, areas, f_lonlat)
    all_keys = np.concatenate([key, inner[0].astype(np.int64) * n_feat + inner[1]])
    pair_of, keys = pd.factorize(all_keys)
    combo_pair = np.asarray(pair_of[: key.size], dtype=np.intp)
    keys = np.asarray(keys, dtype=np.int64)
    return _Near(
        _Pairs((keys // n_feat).astype(np.intp), feature_index[keys % n_feat]),
        combo_pair,
        edge.astype(np.intp),
    )


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
        moved = shapely.transform(lines.dense[owner], lambda c, dx=shift: c + np.array([dx, 0.0]))
        west, south, east, north = shapely.bounds(moved).T
        q, f = grid.query(np.maximum(west, -180.0), south, np.minimum(east, 180.0), north)
        inside = shapely.intersects_xy(moved[q], f_lon[f], f_lat[f])
        q, f = q[inside], f[inside]
        found.append(np.vstack([owner[q], f]))
    return np.asarray(np.hstack(found), dtype=np.intp)


def _near_distances(ctx: _Context, near: _Near, threshold: Array) -> Array:
    """Distance per ``near`` pair: 0 inside an area, else the minimum over its edges.

    Measured with ``short_point_segment``; pairs within ``EXACT_BAND_M`` of their
    ``threshold`` are measured again exactly (``point_segment_distance``).
    """
    a, f = ctx.a, ctx.f
    act, feat = near.pairs.act, near.pairs.feat
    p_lon, p_lat = f.lon[f.vertex_start[feat]], f.lat[f.vertex_start[feat]]
    dist = np.full(act.size, np.inf)
    areal = np.flatnonzero(shapely.get_dimensions(ctx.a_plane[act]) == 2)
    if areal.size:
        x, y = aeqd_forward(ctx.lon0[act[areal]], ctx.lat0[act[areal]], p_lon[areal], p_lat[areal])
        dist[areal[shapely.intersects_xy(ctx.a_plane[act[areal]], x, y)]] = 0.0
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
    again = np.abs(dist - threshold) <= EXACT_BAND_M
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


def _lon_ranges(west: Array, east: Array) -> list[tuple[Array, Array, IntArray]]:
    """Split longitude ranges at the antimeridian: (west, east, rows) triples within -180..180."""
    rows = np.arange(west.size)
    out = [(np.maximum(west, -180.0), np.minimum(east, 180.0), rows)]
    w = rows[west < -180.0]
    out.append((west[w] + 360.0, np.full(w.size, 180.0), w))
    e = rows[east > 180.0]
    out.append((np.full(e.size, -180.0), east[e] - 360.0, e))
    return [(a, b, r) for a, b, r in out if r.size]


def _time_overlap(
    acts: pd.DataFrame, feats: pd.DataFrame, pairs: _Pairs
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Closed-interval overlap per pair, and whether both sides carry any time."""

    def ns(frame: pd.DataFrame, col: str, missing: int) -> npt.NDArray[np.int64]:
        values = pd.to_datetime(frame[col], utc=True).dt.as_unit("ns")
        arr = values.to_numpy(dtype="datetime64[ns]").view(np.int64).copy()
        arr[values.isna().to_numpy()] = missing
        return arr

    lo, hi = np.iinfo(np.int64).min, np.iinfo(np.int64).max
    a0, a1 = ns(acts, "start", lo)[pairs.act], ns(acts, "end", hi)[pairs.act]
    f0, f1 = ns(feats, "valid_from", lo)[pairs.feat], ns(feats, "valid_to", hi)[pairs.feat]
    a_timed = (acts["start"].notna() | acts["end"].notna()).to_numpy()[pairs.act]
    f_timed = (feats["valid_from"].notna() | feats["valid_to"].notna()).to_numpy()[pairs.feat]
    return (a0 <= f1) & (f0 <= a1), a_timed & f_timed


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


def _general(ctx: _Context, pairs: _Pairs, sel: IntArray, threshold: Array) -> Array:
    """Exact distances for pairs that are not point-point (see the module docstring)."""
    a, f, ax, ay = ctx.a, ctx.f, ctx.ax, ctx.ay
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
    best = np.full(sel.size, np.inf)
    cand = []
    p, v, e = _combos(rows, counts, a.edge_count[i])
    if p.size:
        ea = a.edge_a[a.edge_start[i[p]] + e]
        eb = a.edge_b[a.edge_start[i[p]] + e]
        k = f_off[p] + v
        d = _planar_point_segment((fx[k], fy[k]), (ax[ea], ay[ea]), (ax[eb], ay[eb]))
        cand.append((p, d, f.lon[fv[k]], f.lat[fv[k]], a.lon[ea], a.lat[ea], a.lon[eb], a.lat[eb]))
    with_edges = rows[f.has_extent[j[rows]]]
    p, v, e = _combos(with_edges, a.vertex_count[i], f.edge_count[j])
    if p.size:
        va = a.vertex_start[i[p]] + v
        ea = f.edge_a[f.edge_start[j[p]] + e]
        eb = f.edge_b[f.edge_start[j[p]] + e]
        la = f_off[p] + ea - f.vertex_start[j[p]]
        lb = f_off[p] + eb - f.vertex_start[j[p]]
        d = _planar_point_segment((ax[va], ay[va]), (fx[la], fy[la]), (fx[lb], fy[lb]))
        cand.append((p, d, a.lon[va], a.lat[va], f.lon[ea], f.lat[ea], f.lon[eb], f.lat[eb]))
    for p, d, *_ in cand:
        np.minimum.at(best, p, d)
    # pairs the planar bound cannot rule out get the exact minimum over plausible combinations
    lower = (best - sag) / (1.0 + eps) - 0.01
    possible = lower <= thr
    limit = (1.0 + eps) * (best + sag) + sag + 0.5
    exact = np.full(sel.size, np.inf)
    for p, d, plon, plat, alon, alat, blon, blat in cand:
        m = possible[p] & (d <= limit[p])
        if m.any():
            got = point_segment_distance((plon[m], plat[m]), (alon[m], alat[m]), (blon[m], blat[m]))
            np.minimum.at(exact, p[m], got)
    out[rows] = exact[rows]
    return out


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


def _combos(
    rows: IntArray, n_points: IntArray, n_edges: IntArray
) -> tuple[IntArray, IntArray, IntArray]:
    """All (row, point k, edge e) combinations for the given rows."""
    per = n_points[rows] * n_edges[rows]
    p = np.repeat(rows, per)
    local = np.arange(p.size) - np.repeat(np.cumsum(per) - per, per)
    ne = n_edges[p]
    return p, local // ne, local % ne


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


def _table(
    acts: pd.DataFrame,
    feats: pd.DataFrame,
    pairs: _Pairs,
    *,
    hit: npt.NDArray[np.bool_],
    dist: Array,
    threshold: Array,
    rule_idx: IntArray,
    rule_list: list[Rule],
    timed: npt.NDArray[np.bool_],
    classes: tuple[IntArray, list[tuple[str, str | None, str | None]]],
) -> pd.DataFrame:
    """The output rows, sorted; each text column is built from its distinct values and codes.

    ``classes``: the group of each feature and each group's (kind, category, protection), from
    ``_rule_matrix``; the kind and category columns are made from them.
    """
    i, j, r = pairs.act[hit], pairs.feat[hit], rule_idx[hit]
    if i.size == 0:
        return _empty()
    used_a, code_a = _used(i, len(acts))
    used_f, code_f = _used(j, len(feats))
    # only the columns the table shows (taking whole rows copied every text column)
    a_id = acts["id"].iloc[used_a].to_numpy(dtype=object)
    a_type = acts["type"].iloc[used_a].to_numpy(dtype=object)
    # kept as a pandas text column: no round trip through a million Python strings
    f_id = feats["id"].iloc[used_f].astype("str").reset_index(drop=True)
    severity_rank = np.array([SEVERITY_RANK[x.severity] for x in rule_list])
    dist = dist[hit]
    order = _row_order(severity_rank.astype(np.int8)[r], dist, (a_id, code_a), (f_id, code_f))
    code_a, code_f = code_a[order], code_f[order]
    f_class = classes[0][j[order]]
    class_kind = np.array([c[0] for c in classes[1]], dtype=object)
    class_category = np.array([c[1] for c in classes[1]], dtype=object)
    used_r, code_r = _used(r[order], len(rule_list))
    used_t, code_t = _used(timed[hit][order].astype(np.intp), 2)

    def by_rule(values: list[str]) -> pd.Series:
        return _column(np.array(values, dtype=object)[used_r], code_r)

    def by_rule_categorical(values: list[str]) -> pd.Series:
        return _categorical(np.array(values, dtype=object)[used_r], code_r)

    return pd.DataFrame(
        {
            "activity_id": _column(a_id, code_a),
            "activity_type": _categorical(a_type, code_a),
            "feature_id": f_id.take(code_f).reset_index(drop=True),
            "feature_layer": _column(_nullable(feats["layer_id"].iloc[used_f]), code_f),
            "feature_kind": _categorical(class_kind, f_class),
            "feature_category": _categorical(class_category, f_class),
            "distance_m": dist[order],
            "threshold_m": threshold[hit][order],
            "severity": by_rule([x.severity for x in rule_list]),
            "rule": by_rule_categorical([x.label for x in rule_list]),
            "rationale": by_rule_categorical([x.rationale for x in rule_list]),
            "time_overlap": _column(
                np.array([None, True], dtype=object)[used_t.astype(np.intp)], code_t
            ),
        },
        copy=False,  # the columns are new: copying them would double the table in memory
    )


def _row_order(
    severity: npt.NDArray[np.int8],
    dist: Array,
    a_ids: tuple[npt.NDArray[np.object_], IntArray],
    f_ids: tuple[pd.Series, IntArray],
) -> IntArray:
    """Row order by severity, then distance, then activity id, then feature id.

    A sort on distance, then a stable one on severity (small integers, sorted by radix); the
    ids only matter among rows with the same severity and distance (inside areas, equal
    points), so they are ranked there alone, which also fixes the order the first sort left
    among them. ``a_ids`` / ``f_ids``: the distinct ids and each row's code.
    """
    order = np.argsort(dist)
    order = order[np.argsort(severity[order], kind="stable")]
    s, d = severity[order], dist[order]
    same = (s[1:] == s[:-1]) & (d[1:] == d[:-1])
    if not same.any():
        return order
    tied = np.zeros(order.size, dtype=bool)
    tied[1:] |= same
    tied[:-1] |= same
    pos = np.flatnonzero(tied)
    run = np.cumsum(~np.concatenate(([False], same)))[pos]  # equal keys: one run
    rows = order[pos]
    a_id, code_a = a_ids
    f_id, code_f = f_ids
    a_used, a_code = _used(code_a[rows], a_id.size)
    f_used, f_code = _used(code_f[rows], len(f_id))
    a_rank = _dense_rank(a_id[a_used])[a_code]
    f_rank = f_id.take(f_used).rank(method="dense").to_numpy(dtype=np.float64)[f_code]
    order[pos] = rows[np.lexsort((f_rank, a_rank, run))]
    return order


def _used(index: IntArray, n: int) -> tuple[IntArray, IntArray]:
    """``np.unique(index, return_inverse=True)`` for indices below ``n``, without sorting."""
    present = np.bincount(index, minlength=n) > 0
    used = np.flatnonzero(present)
    rank = np.cumsum(present) - 1
    return used.astype(np.intp), rank[index].astype(np.intp)


def _categorical(values: npt.NDArray[np.object_], codes: IntArray) -> pd.Series:
    """``values[codes]`` as a categorical column (a small code per row, each text stored once).

    For the texts repeated on many rows (types, kinds, categories, rules, rationales): a 1M-row
    table of plain strings spent hundreds of MB on copies of the same few rationales.
    Missing values (None) are missing in the column.
    """
    distinct_codes, distinct = pd.factorize(values, use_na_sentinel=True)
    categories = pd.Index(np.asarray(distinct, dtype=object)).astype(str)
    return pd.Series(pd.Categorical.from_codes(distinct_codes[codes], categories=categories))


def _column(values: npt.NDArray[np.object_], codes: IntArray) -> pd.Series:
    """The column pandas would build from ``values[codes]``, when every value occurs in it.

    pandas infers an object column's dtype from the set of values in it, so inferring it from
    the distinct values and then taking gives the same column at a fraction of the cost.
    """
    return pd.Series(values).take(codes).reset_index(drop=True)


def _dense_rank(values: npt.NDArray[np.object_]) -> Array:
    """Dense rank of each value in the sort order of the column pandas builds from them."""
    ranks = pd.Series(values).rank(method="dense").to_numpy(dtype=np.float64)
    return np.asarray(ranks, dtype=np.float64)


def _nullable(values: pd.Series) -> npt.NDArray[np.object_]:
    """Values as an object array of str, with None for every kind of missing value."""
    arr = values.astype(object).to_numpy(dtype=object)
    out = np.full(arr.size, None, dtype=object)
    present = values.notna().to_numpy()
    out[present] = values[present].astype(str).to_numpy(dtype=object)
    return out
