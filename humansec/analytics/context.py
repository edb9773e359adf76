"""The incidents around a planned activity: context for a planner, not a conflict.

For each activity, the incidents within ``distance_m`` (geodesic, WGS84: GeographicLib through
``pyproj.Geod``) of its geometry and dated in the period around it: from ``days`` before the
activity's start up to its end (an activity without a time window: the ``days`` up to
``reference``, by default the latest incident). Distances are to the nearest point of the
activity: a point, the geodesic edges of a route, 0 inside an area (for an area, whether an
incident lies inside is decided on its lon/lat outline; where that differs from the geodesic
edges the point is within metres of the edge and the distance is still measured exactly to
the edges).
"""

from __future__ import annotations

import itertools
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from humansec.analytics._common import NOT_GIVEN, to_wgs84, utc_naive
from humansec.conflicts.geodesic import inverse, point_segment_distance
from humansec.errors import SchemaError

NEAR_COLUMNS = ("activity", "incident", "distance_m")
MAX_DISTANCE_M = 500_000.0
_M_PER_DEG_LAT = 110_574.0  # the shortest degree of latitude (at the equator) on WGS84


def _check(distance_m: float, days: int) -> tuple[float, int]:
    if not isinstance(distance_m, (int, float)) or not 0 <= float(distance_m) <= MAX_DISTANCE_M:
        msg = f"distance_m={distance_m!r}: give a distance in metres from 0 to 500000 (e.g. 10000)."
        raise SchemaError(msg)
    if isinstance(days, bool) or not isinstance(days, (int, np.integer)) or days < 0:
        msg = f"days={days!r}: give a whole number of days, 0 or more (e.g. 30)."
        raise SchemaError(msg)
    return float(distance_m), int(days)


def _window(
    activity: pd.Series, days: int, reference: pd.Timestamp
) -> tuple[pd.Timestamp, pd.Timestamp]:
    start = activity.get("start")
    end = activity.get("end")
    start = utc_naive(pd.Series([start])).iloc[0] if start is not None else pd.NaT
    end = utc_naive(pd.Series([end])).iloc[0] if end is not None else pd.NaT
    if pd.isna(start):
        start = end if not pd.isna(end) else reference
    if pd.isna(end):
        end = start
    return start - pd.Timedelta(days=days), end


def _box_mask(
    geom: shapely.Geometry, distance_m: float, x: np.ndarray, y: np.ndarray
) -> np.ndarray:
    """Incidents surely outside ``distance_m`` of ``geom`` are False (a degree box around it)."""
    west, south, east, north = shapely.bounds(geom)
    dlat = distance_m / _M_PER_DEG_LAT + 1e-6
    south, north = south - dlat, north + dlat
    top = min(90.0, max(abs(south), abs(north)))
    if top >= 89.0 or east - west > 180.0:
        return np.asarray((y >= south) & (y <= north), dtype=bool)
    # A degree of longitude is at least cos(lat) times the equator's (111,320 m) on WGS84.
    dlon = distance_m / (111_320.0 * math.cos(math.radians(top))) + 1e-6
    lon = (x - west + 180.0) % 360.0 - 180.0 + west  # near the box, across the antimeridian
    inside = (lon >= west - dlon) & (lon <= east + dlon) & (y >= south) & (y <= north)
    return np.asarray(inside, dtype=bool)


def _distances(geom: shapely.Geometry, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Geodesic distance (m) from each point (x, y) to ``geom`` (0 inside an area)."""
    best = np.full(len(x), np.inf)
    if len(x) == 0:
        return best
    parts = shapely.get_parts(geom)
    for part in parts:
        kind = shapely.get_type_id(part)
        if kind == 0:  # point
            px, py = shapely.get_coordinates(part)[0]
            _, _, dist = inverse(px, py, x, y)
            best = np.minimum(best, dist)
            continue
        rings = [part] if kind in (1, 2) else []
        if kind == 3:  # polygon: its rings, and 0 inside
            rings = [part.exterior, *part.interiors]
            inside = shapely.contains_xy(part, x, y)
            best[inside] = 0.0
        for ring in rings:
            coords = shapely.get_coordinates(ring)
            if len(coords) == 1:
                _, _, dist = inverse(coords[0, 0], coords[0, 1], x, y)
                best = np.minimum(best, dist)
            for (ax, ay), (bx, by) in itertools.pairwise(coords):
                dist = point_segment_distance((x, y), (ax, ay), (bx, by))
                best = np.minimum(best, dist)
    return best


def incidents_near(
    activities: gpd.GeoDataFrame,
    incidents: gpd.GeoDataFrame,
    *,
    distance_m: float,
    days: int,
    reference: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Pairs (activity position, incident position, geodesic distance in m), nearest first.

    ``activity`` and ``incident`` are row positions in the two frames (``iloc``). An incident
    counts when its distance to the activity is at most ``distance_m`` and its date lies from
    ``days`` before the activity's start to the activity's end (see the module docstring);
    incidents without a date or a location are not counted.
    """
    distance_m, days = _check(distance_m, days)
    acts = to_wgs84(activities)
    events = to_wgs84(incidents)
    empty = pd.DataFrame(
        {
            "activity": pd.Series([], dtype="int64"),
            "incident": pd.Series([], dtype="int64"),
            "distance_m": pd.Series([], dtype=float),
        }
    )
    if acts.empty or events.empty:
        return empty
    geoms = events.geometry.to_numpy()
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    points = np.full((len(events), 2), np.nan)
    if ok.any():
        points[ok] = shapely.get_coordinates(shapely.point_on_surface(geoms[ok]))
    dates = utc_naive(events["date"]).to_numpy()
    valid = ok & ~pd.isna(dates)
    if not valid.any():
        return empty
    reference = (
        utc_naive(pd.Series([reference])).iloc[0]
        if reference is not None
        else pd.Timestamp(dates[valid].max())
    )
    x, y = points[:, 0], points[:, 1]
    found = []
    for row, (_, activity) in enumerate(acts.iterrows()):
        geom = activity.geometry
        if geom is None or geom.is_empty:
            continue
        start, end = _window(activity, days, reference)
        when = valid & (dates >= start.to_datetime64()) & (dates <= end.to_datetime64())
        near = np.flatnonzero(when & _box_mask(geom, distance_m, np.nan_to_num(x), y))
        if near.size == 0:
            continue
        dist = _distances(geom, x[near], y[near])
        keep = dist <= distance_m
        found.append(
            pd.DataFrame({"activity": row, "incident": near[keep], "distance_m": dist[keep]})
        )
    if not found:
        return empty
    out = pd.concat(found, ignore_index=True)
    out = out.sort_values(["activity", "distance_m", "incident"], kind="stable")
    return out.reset_index(drop=True).astype({"activity": "int64", "incident": "int64"})


def context_table(
    activities: gpd.GeoDataFrame, incidents: gpd.GeoDataFrame, near: pd.DataFrame
) -> pd.DataFrame:
    """One row per activity: its id and name, the incidents near it (total and per focus area),
    their fatalities and the nearest one's distance in km (empty where none)."""
    focus = incidents["focus_area"].astype("string").fillna(NOT_GIVEN).to_numpy()
    killed = pd.to_numeric(incidents["killed"], errors="coerce").fillna(0).to_numpy()
    pairs = near.assign(
        focus_area=focus[near["incident"].to_numpy()] if len(near) else [],
        killed=killed[near["incident"].to_numpy()] if len(near) else [],
    )
    by_focus = (
        pairs.pivot_table(
            index="activity", columns="focus_area", values="incident", aggfunc="count"
        )
        if len(pairs)
        else pd.DataFrame()
    )
    ids = (
        activities["id"].astype("string")
        if "id" in activities
        else pd.Series(range(len(activities)))
    )
    names = (
        activities["name"].astype("string").fillna("")
        if "name" in activities
        else pd.Series([""] * len(activities))
    )
    table = pd.DataFrame({"activity": ids.to_numpy(), "name": names.to_numpy()})
    grouped = pairs.groupby("activity")
    table["incidents"] = grouped.size().reindex(range(len(activities)), fill_value=0).to_numpy()
    table["fatalities"] = (
        grouped["killed"].sum().reindex(range(len(activities)), fill_value=0).astype("int64")
    ).to_numpy()
    nearest = grouped["distance_m"].min().reindex(range(len(activities)))
    table["nearest_km"] = (nearest / 1000.0).round(2).to_numpy()
    for column in sorted(by_focus.columns):
        table[str(column)] = (
            by_focus[column].reindex(range(len(activities))).fillna(0).astype("int64").to_numpy()
        )
    return table
