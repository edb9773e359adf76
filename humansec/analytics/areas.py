"""Incidents in reference areas (point in polygon), and the change per area.

An area layer (kind ``area``: COD-AB units, districts) is a partition at one admin level, so
each incident belongs to at most one of its areas: one on a boundary shared by two areas, or
inside two overlapping ones, belongs to the first of them in the layer's order (as the
choropleth's incident rate counts it). ``area_change`` is ``change`` with these areas in
place of H3 cells: the same windows and the same one-sided Poisson test.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from humansec.analytics._common import utc_naive
from humansec.analytics.change import _positive_days, change_stats, window_counts
from humansec.errors import SchemaError

AREA_CHANGE_COLUMNS = (
    "area_id",
    "area",
    "recent",
    "baseline",
    "expected",
    "ratio",
    "p_value",
    "p_fdr",
)


def area_of(areas: gpd.GeoDataFrame, points: gpd.GeoSeries) -> np.ndarray:
    """The position in ``areas`` of the area each of ``points`` lies in (-1: in none, or no
    point); a point in several areas (on a shared boundary) gets the first of them."""
    out = np.full(len(points), -1, dtype=np.int64)
    if areas.empty or points.empty:
        return out
    if points.crs is None or areas.crs is None:
        msg = "The incidents or the areas have no CRS; store them with one (EPSG:4326)."
        raise SchemaError(msg)
    if points.crs != areas.crs:
        points = points.to_crs(areas.crs)
    geoms = points.to_numpy()
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    tree = shapely.STRtree(areas.geometry.to_numpy())
    # "intersects", not "within": a point on a boundary is within neither area's interior.
    point_at, area_at = tree.query(geoms[ok], predicate="intersects")
    first = np.full(int(ok.sum()), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, point_at, area_at)
    found = np.where(first == np.iinfo(np.int64).max, -1, first)
    out[np.flatnonzero(ok)] = found
    return out


def area_change(
    incidents: gpd.GeoDataFrame,
    areas: gpd.GeoDataFrame,
    recent_days: int,
    baseline_days: int,
    *,
    end: pd.Timestamp | None = None,
    assigned: np.ndarray | None = None,
) -> gpd.GeoDataFrame:
    """Recent against baseline counts per area of ``areas`` (one area layer), most
    significant increase first: ``area_id`` (the area's ``id``), ``area`` (its ``name``),
    ``recent``, ``baseline``, ``expected``, ``ratio``, ``p_value``, ``p_fdr`` and the area's
    polygon. Windows and test as ``humansec.analytics.change``; areas with no event in
    either window are not listed. ``assigned``: ``area_of(areas, incidents.geometry)`` when
    the caller has it.
    """
    recent_days = _positive_days("recent_days", recent_days)
    baseline_days = _positive_days("baseline_days", baseline_days)
    if "date" not in incidents.columns:
        msg = "The incidents lack a 'date' column; give incidents in the humansec schema."
        raise SchemaError(msg)
    if assigned is None:
        assigned = area_of(areas, incidents.geometry)
    dates = utc_naive(incidents["date"])
    keep = dates.notna().to_numpy() & (assigned >= 0)
    values = dates.to_numpy()[keep]
    unit = str(np.datetime_data(values.dtype)[0])
    return area_change_of(
        values.astype(np.int64), assigned[keep], areas, recent_days, baseline_days, unit=unit,
        end=end,
    )  # fmt: skip


def area_change_of(
    stamps: np.ndarray,
    assigned: np.ndarray,
    areas: gpd.GeoDataFrame,
    recent_days: int,
    baseline_days: int,
    *,
    unit: str,
    end: pd.Timestamp | None = None,
) -> gpd.GeoDataFrame:
    """``area_change`` given each dated incident's time (int64 in ``unit``) and area (its
    position in ``areas``): what the page does per filter state (areas assigned once)."""
    recent, baseline = window_counts(
        stamps, assigned, len(areas), recent_days, baseline_days, unit=unit, end=end
    )
    stats = change_stats(recent, baseline, recent_days, baseline_days)
    at = stats.pop("unit").to_numpy()
    ids = areas["id"] if "id" in areas.columns else pd.Series(np.arange(len(areas)))
    names = areas["name"] if "name" in areas.columns else ids
    stats.insert(0, "area", pd.Series(names.to_numpy(dtype=object)[at], dtype=object))
    stats.insert(0, "area_id", pd.Series(ids.to_numpy(dtype=object)[at], dtype=object))
    return gpd.GeoDataFrame(stats, geometry=areas.geometry.to_numpy()[at], crs=areas.crs)
