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

Activities go through steps 1-4 in chunks of ``_CHUNK_ACTIVITIES`` against features prepared
once; the chunks' pairs make one table. The steps live in their own modules: ``validate``
(input checks), ``matrix`` (rule matrix and times), ``search`` and ``grid`` (candidate search),
``distances`` (exact distances), ``table`` (the result table); ``pairs`` holds what they share.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from humansec.conflicts.distances import (
    _centres,
    _Context,
    _distances,
    _near_distances,
    _planes,
    project_lines,
)
from humansec.conflicts.geodesic import Array, edge_frames, unit_vectors
from humansec.conflicts.geometry import IntArray, Linework, prepare
from humansec.conflicts.matrix import _rule_matrix, _time_overlap
from humansec.conflicts.pages import small_pages
from humansec.conflicts.pairs import MAX_EDGE_M, TOLERANCE_M, _Hits, _Pairs
from humansec.conflicts.rules import RuleSet
from humansec.conflicts.search import SearchCache, _candidates, _search
from humansec.conflicts.table import CONFLICT_COLUMNS, _empty, _presorted, _table
from humansec.conflicts.validate import _check_activities, _check_features, _metres
from humansec.model import ACTIVITY_TYPES

__all__ = ["CONFLICT_COLUMNS", "MAX_EDGE_M", "_candidates", "_centres", "find_conflicts"]


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
    with small_pages():  # speed only: see ``pages.small_pages``
        return _find_conflicts(activities, features, rules)


_CHUNK_ACTIVITIES = 10_000
"""Activities checked together: more are checked in chunks of this many against the features
prepared once, so that the temporaries (tens of bytes per candidate pair) stay the size of one
chunk's and the cost grows with the pairs found (100k activities x 1M features peaked at 4 GB
in one piece)."""


@dataclass(frozen=True)
class _FeatureSide:
    """What the check needs of the features, prepared once for every chunk of activities."""

    feats: pd.DataFrame
    lines: Linework
    prec: Array
    rule_dist: Array  # per rule
    table: IntArray  # rule per (activity type, feature class)
    codes: IntArray  # class per feature
    search: SearchCache | None  # kept from chunk to chunk when there are several


def _find_conflicts(
    activities: gpd.GeoDataFrame, features: gpd.GeoDataFrame, rules: RuleSet
) -> pd.DataFrame:
    acts = _check_activities(activities)
    feats, f_types, f_point_xy = _check_features(features)
    if acts.empty or feats.empty:
        return _empty()
    f_geoms = np.asarray(feats.geometry.array, dtype=object)
    f_lines = prepare(f_geoms, MAX_EDGE_M, known=(f_types, f_point_xy))
    del f_geoms, f_types, f_point_xy
    rule_list, table, codes, classes = _rule_matrix(feats, rules)
    if not rule_list:
        return _empty()
    rule_dist = np.array([r.distance_m for r in rule_list])
    starts = list(range(0, len(acts), _CHUNK_ACTIVITIES))
    chunked = len(starts) > 1
    f_prec = _metres(feats, "precision_m")
    cache = SearchCache() if chunked else None  # one chunk: nothing to keep (nor its memory)
    side = _FeatureSide(feats, f_lines, f_prec, rule_dist, table, codes, cache)
    del f_lines, f_prec, cache
    parts: list[_Hits] = []
    for lo in starts:
        hits = _chunk_hits(acts.iloc[lo : lo + _CHUNK_ACTIVITIES], side)
        parts.append(_presorted(hits, rule_list) if chunked else hits)
        del hits
    del side
    # handed over, not kept here: the table frees each array once its columns are made
    return _table(
        acts, feats, _Hits.take_all(parts, starts), rule_list, (codes, classes), presorted=chunked
    )


def _chunk_hits(acts: pd.DataFrame, side: _FeatureSide) -> _Hits:
    """The conflicting pairs of the activities ``acts`` (indices from 0 in ``acts``)."""
    a_lines = prepare(np.asarray(acts.geometry.array, dtype=object), MAX_EDGE_M)
    a_type = pd.Categorical(acts["type"], categories=ACTIVITY_TYPES).codes.astype(np.intp)
    a_prec = _metres(acts, "precision_m")
    f_lines, f_prec, table, codes = side.lines, side.prec, side.table, side.codes
    hazard = acts["hazard_radius_m"].to_numpy(dtype=float, na_value=np.nan)
    a_unit = unit_vectors(a_lines.lon, a_lines.lat)
    frames = edge_frames(
        tuple(u[a_lines.edge_a] for u in a_unit),  # type: ignore[arg-type]
        tuple(u[a_lines.edge_b] for u in a_unit),  # type: ignore[arg-type]
    )
    del a_unit
    found, near_all = _search(
        a_lines,
        f_lines,
        a_type=a_type,
        groups=(table, codes),
        precisions=(a_prec, f_prec),
        distances=(hazard, side.rule_dist),
        frames=frames,
        cache=side.search,
    )
    found.append(near_all.pairs)
    pairs = _Pairs(np.concatenate([p.act for p in found]), np.concatenate([p.feat for p in found]))
    del found
    rule_idx = table[a_type[pairs.act], codes[pairs.feat]]
    lon0, lat0, rho, ax, ay = _planes(a_lines)
    overlap, timed = _time_overlap(acts, side.feats, pairs)
    keep = overlap | ~timed
    is_near = np.zeros(pairs.act.size, dtype=bool)
    is_near[pairs.act.size - near_all.pairs.act.size :] = True
    if not keep.all():  # else nothing to drop (no copies of a million pairs)
        near_all = near_all.subset(keep[is_near])
        is_near = is_near[keep]
        pairs = _Pairs(pairs.act[keep], pairs.feat[keep])
        rule_idx, timed = rule_idx[keep], timed[keep]
    del keep, overlap
    h = hazard[pairs.act]
    threshold = np.where(np.isnan(h), side.rule_dist[rule_idx], h) + a_prec[pairs.act]
    threshold = threshold + f_prec[pairs.feat]

    a_plane = project_lines(a_lines, ax, ay)
    a_areal = shapely.get_dimensions(a_plane) == 2
    ctx = _Context(a_lines, f_lines, lon0, lat0, rho, a_plane, ax, ay, a_areal, frames)
    dist = np.empty(pairs.act.size)
    far = np.flatnonzero(~is_near)
    dist[far] = _distances(ctx, _Pairs(pairs.act[far], pairs.feat[far]), threshold[far])
    dist[is_near] = _near_distances(ctx, near_all, threshold[is_near])
    del ctx, a_plane, ax, ay, near_all, far, is_near  # the table needs the room
    hit = dist <= threshold + TOLERANCE_M
    if hit.all():  # no copies of a million pairs
        return _Hits(pairs, dist, threshold, rule_idx, timed)
    kept = _Pairs(pairs.act[hit], pairs.feat[hit])
    return _Hits(kept, dist[hit], threshold[hit], rule_idx[hit], timed[hit])
