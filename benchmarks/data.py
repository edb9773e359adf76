"""Synthetic, deterministic data for the conflict-check benchmark (issue 3, DESIGN.md section 8).

A Ukraine-sized area (lon 22..40, lat 44..52.5) with ~2,000 "towns". Protected points cluster
around the towns (population, cultural, humanitarian_site, infrastructure, with categories and
some location uncertainty); planned activities are 60% points, 30% routes of 5-50 km (2-6
vertices, geodesic legs) and 10% areas (polygons a few km across), mostly near towns.

The same ``seed`` and sizes always give the same frames. Both frames are GeoDataFrames in
EPSG:4326 with the columns ``humansec.find_conflicts`` reads.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Geod

from humansec.model import (
    ACTIVITY_TYPES,
    CULTURAL_CATEGORIES,
    CULTURAL_PROTECTION,
    HUMANITARIAN_SITE_CATEGORIES,
    INFRASTRUCTURE_CATEGORIES,
    WGS84,
)

AREA: tuple[float, float, float, float] = (22.0, 44.0, 40.0, 52.5)
"""West, south, east, north of the synthetic area (EPSG:4326)."""

SEED = 20261126
N_TOWNS = 2000
GEOD = Geod(ellps="WGS84")

FEATURE_KINDS: tuple[tuple[str, float, tuple[str, ...] | None], ...] = (
    ("population", 0.40, None),
    ("cultural", 0.20, CULTURAL_CATEGORIES),
    ("humanitarian_site", 0.25, HUMANITARIAN_SITE_CATEGORIES),
    ("infrastructure", 0.15, INFRASTRUCTURE_CATEGORIES),
)
"""Kind, share of the features, categories drawn uniformly (None: no category)."""

PRECISIONS_M: tuple[float, ...] = (5.0, 10.0, 50.0, 100.0, 250.0, 500.0)
FEATURE_PRECISION_SHARE = 0.3
ACTIVITY_PRECISION_SHARE = 0.2


def _towns(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Town centres (lon, lat), weights (bigger towns hold more features) and spreads in metres."""
    west, south, east, north = AREA
    lon = rng.uniform(west, east, N_TOWNS)
    # uniform in area on the sphere: uniform in sin(latitude)
    s = rng.uniform(np.sin(np.radians(south)), np.sin(np.radians(north)), N_TOWNS)
    lat = np.degrees(np.arcsin(s))
    weight = rng.pareto(1.2, N_TOWNS) + 1.0
    weight /= weight.sum()
    spread_m = np.clip(800.0 * np.sqrt(weight / weight.min()), 800.0, 12_000.0)
    return lon, lat, weight, spread_m


def _scatter(
    rng: np.random.Generator, lon: np.ndarray, lat: np.ndarray, sigma_m: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Move each point by a 2-D normal offset of ``sigma_m`` metres, geodesically."""
    n = len(lon)
    az = rng.uniform(-180.0, 180.0, n)
    dist = np.abs(rng.normal(0.0, 1.0, n)) * sigma_m * np.sqrt(2.0)
    out_lon, out_lat, _ = GEOD.fwd(lon, lat, az, dist)
    return np.asarray(out_lon), np.asarray(out_lat)


def _precision(rng: np.random.Generator, n: int, share: float) -> np.ndarray:
    values = rng.choice(np.asarray(PRECISIONS_M), n)
    return np.where(rng.random(n) < share, values, np.nan)


def protected_points(n: int, *, seed: int = SEED) -> gpd.GeoDataFrame:
    """``n`` protected points clustered around the towns.

    Columns: ``id``, ``kind``, ``category``, ``protection`` (cultural only), ``precision_m``,
    ``valid_from``, ``valid_to`` (all missing: no time windows), geometry (EPSG:4326).
    """
    rng = np.random.default_rng([seed, 1])
    t_lon, t_lat, weight, spread = _towns(np.random.default_rng([seed, 0]))
    town = rng.choice(N_TOWNS, n, p=weight)
    lon, lat = _scatter(rng, t_lon[town], t_lat[town], spread[town])
    shares = np.array([share for _, share, _ in FEATURE_KINDS])
    kind_idx = rng.choice(len(FEATURE_KINDS), n, p=shares / shares.sum())
    kind = np.array([k for k, _, _ in FEATURE_KINDS], dtype=object)[kind_idx]
    category = np.full(n, None, dtype=object)
    for i, (_, _, cats) in enumerate(FEATURE_KINDS):
        if cats is None:
            continue
        mask = kind_idx == i
        category[mask] = np.array(cats, dtype=object)[rng.integers(0, len(cats), mask.sum())]
    protection = np.full(n, None, dtype=object)
    cultural = kind == "cultural"
    protection[cultural] = np.array(CULTURAL_PROTECTION, dtype=object)[
        rng.integers(0, len(CULTURAL_PROTECTION), cultural.sum())
    ]
    missing_time = pd.Series(pd.NaT, index=range(n), dtype="datetime64[us, UTC]")
    frame = pd.DataFrame(
        {
            "id": pd.array([f"f{i}" for i in range(n)], dtype="string"),
            "kind": pd.array(kind, dtype="string"),
            "category": pd.array(category, dtype="string"),
            "protection": pd.array(protection, dtype="string"),
            "precision_m": _precision(rng, n, FEATURE_PRECISION_SHARE),
            "valid_from": missing_time,
            "valid_to": missing_time.copy(),
        }
    )
    return gpd.GeoDataFrame(frame, geometry=shapely.points(lon, lat), crs=WGS84)


def _route(rng: np.random.Generator, lon: float, lat: float) -> shapely.LineString:
    """A route of 5-50 km with 2-6 vertices, heading roughly one way."""
    n_vertices = int(rng.integers(2, 7))
    total = rng.uniform(5_000.0, 50_000.0)
    legs = rng.dirichlet(np.ones(n_vertices - 1)) * total
    heading = rng.uniform(-180.0, 180.0)
    coords = [(lon, lat)]
    for leg in legs:
        heading += rng.normal(0.0, 25.0)
        lon, lat, _ = GEOD.fwd(lon, lat, heading, leg)
        coords.append((lon, lat))
    return shapely.LineString(coords)


def _area(rng: np.random.Generator, lon: float, lat: float) -> shapely.Polygon:
    """A star-shaped polygon 1-6 km across with 5-12 vertices."""
    n_vertices = int(rng.integers(5, 13))
    az = np.sort(rng.uniform(-180.0, 180.0, n_vertices))
    radius = rng.uniform(500.0, 3_000.0) * rng.uniform(0.6, 1.0, n_vertices)
    x, y, _ = GEOD.fwd(np.full(n_vertices, lon), np.full(n_vertices, lat), az, radius)
    return shapely.Polygon(np.column_stack([x, y]))


def activities(n: int = 10_000, *, seed: int = SEED) -> gpd.GeoDataFrame:
    """``n`` planned activities: 60% points, 30% routes, 10% areas, 70% of them near towns.

    Columns: ``id``, ``type`` (from ``humansec.model.ACTIVITY_TYPES``), ``start``, ``end`` (all
    missing), ``precision_m``, geometry (EPSG:4326).
    """
    rng = np.random.default_rng([seed, 2])
    t_lon, t_lat, weight, spread = _towns(np.random.default_rng([seed, 0]))
    near = rng.random(n) < 0.7
    town = rng.choice(N_TOWNS, n, p=weight)
    lon, lat = _scatter(rng, t_lon[town], t_lat[town], spread[town] * 2.0)
    west, south, east, north = AREA
    lon = np.where(near, lon, rng.uniform(west + 0.5, east - 0.5, n))
    lat = np.where(near, lat, rng.uniform(south + 0.5, north - 0.5, n))
    shape = rng.choice(3, n, p=[0.6, 0.3, 0.1])
    geoms: list[shapely.Geometry] = []
    for i in range(n):
        if shape[i] == 0:
            geoms.append(shapely.Point(lon[i], lat[i]))
        elif shape[i] == 1:
            geoms.append(_route(rng, float(lon[i]), float(lat[i])))
        else:
            geoms.append(_area(rng, float(lon[i]), float(lat[i])))
    missing_time = pd.Series(pd.NaT, index=range(n), dtype="datetime64[us, UTC]")
    frame = pd.DataFrame(
        {
            "id": pd.array([f"a{i}" for i in range(n)], dtype="string"),
            "type": pd.array(
                np.array(ACTIVITY_TYPES, dtype=object)[rng.integers(0, len(ACTIVITY_TYPES), n)],
                dtype="string",
            ),
            "start": missing_time,
            "end": missing_time.copy(),
            "precision_m": _precision(rng, n, ACTIVITY_PRECISION_SHARE),
        }
    )
    return gpd.GeoDataFrame(frame, geometry=geoms, crs=WGS84)


# --------------------------------------------------------------------------- mixed workload
# Issue 15: real plans are not only points. Routes made of short segments, areas of many
# vertices, and some protected features that are polygons (sites, camps, compounds).

MIXED_DISTANCES_M: tuple[float, ...] = (500.0, 1000.0, 1500.0, 2000.0)
"""The four stand-off distances of ``mixed_rules_toml``."""


def _mixed_route(rng: np.random.Generator, lon: float, lat: float) -> shapely.LineString:
    """A route of 5-50 km made of geodesic segments of 0.5-2 km, heading roughly one way."""
    total = rng.uniform(5_000.0, 50_000.0)
    legs = rng.uniform(500.0, 2_000.0, int(total / 500.0) + 1)
    legs = legs[: int(np.searchsorted(np.cumsum(legs), total)) + 1]
    turns = np.cumsum(rng.normal(0.0, 15.0, legs.size)) + rng.uniform(-180.0, 180.0)
    coords = [(lon, lat)]
    for leg, heading in zip(legs, turns, strict=True):
        lon, lat, _ = GEOD.fwd(lon, lat, heading, leg)
        coords.append((lon, lat))
    return shapely.LineString(coords)


def _star(
    rng: np.random.Generator, lon: float, lat: float, n_vertices: int, area_m2: float
) -> shapely.Polygon:
    """A star-shaped polygon of ``n_vertices`` around (lon, lat) of about ``area_m2``."""
    az = np.sort(rng.uniform(-180.0, 180.0, n_vertices))
    shape = rng.uniform(0.6, 1.0, n_vertices)
    # area of the star ~ pi r^2 mean(shape^2): scale r to the wanted area
    radius = np.sqrt(area_m2 / (np.pi * np.mean(shape**2))) * shape
    x, y, _ = GEOD.fwd(np.full(n_vertices, lon), np.full(n_vertices, lat), az, radius)
    return shapely.Polygon(np.column_stack([x, y]))


def mixed_activities(n: int = 10_000, *, seed: int = SEED) -> gpd.GeoDataFrame:
    """``n`` activities: 60% points, 30% routes of 5-50 km in 0.5-2 km segments, 10% areas of
    1-20 km² with 10-24 vertices; 70% near towns. Columns as ``activities``.
    """
    rng = np.random.default_rng([seed, 3])
    t_lon, t_lat, weight, spread = _towns(np.random.default_rng([seed, 0]))
    near = rng.random(n) < 0.7
    town = rng.choice(N_TOWNS, n, p=weight)
    lon, lat = _scatter(rng, t_lon[town], t_lat[town], spread[town] * 2.0)
    west, south, east, north = AREA
    lon = np.where(near, lon, rng.uniform(west + 0.5, east - 0.5, n))
    lat = np.where(near, lat, rng.uniform(south + 0.5, north - 0.5, n))
    shape = rng.choice(3, n, p=[0.6, 0.3, 0.1])
    geoms: list[shapely.Geometry] = []
    for i in range(n):
        if shape[i] == 0:
            geoms.append(shapely.Point(lon[i], lat[i]))
        elif shape[i] == 1:
            geoms.append(_mixed_route(rng, float(lon[i]), float(lat[i])))
        else:
            area = rng.uniform(1e6, 20e6)
            geoms.append(_star(rng, float(lon[i]), float(lat[i]), int(rng.integers(10, 25)), area))
    missing_time = pd.Series(pd.NaT, index=range(n), dtype="datetime64[us, UTC]")
    frame = pd.DataFrame(
        {
            "id": pd.array([f"a{i}" for i in range(n)], dtype="string"),
            "type": pd.array(
                np.array(ACTIVITY_TYPES, dtype=object)[rng.integers(0, len(ACTIVITY_TYPES), n)],
                dtype="string",
            ),
            "start": missing_time,
            "end": missing_time.copy(),
            "precision_m": _precision(rng, n, ACTIVITY_PRECISION_SHARE),
        }
    )
    return gpd.GeoDataFrame(frame, geometry=geoms, crs=WGS84)


POLYGON_SHARE = 0.02
"""Share of the mixed workload's protected features that are polygons."""


def mixed_features(n: int, *, seed: int = SEED) -> gpd.GeoDataFrame:
    """``protected_points(n)`` with about 2% of them replaced by polygons (sites of 0.01-1 km²,
    5-12 vertices) around the same places; same columns.
    """
    frame = protected_points(n, seed=seed)
    rng = np.random.default_rng([seed, 4])
    poly = np.flatnonzero(rng.random(n) < POLYGON_SHARE)
    geoms = np.asarray(frame.geometry.array, dtype=object).copy()
    x, y = shapely.get_x(geoms[poly]), shapely.get_y(geoms[poly])
    areas = np.exp(rng.uniform(np.log(1e4), np.log(1e6), poly.size))
    sides = rng.integers(5, 13, poly.size)
    geoms[poly] = [
        _star(rng, float(x[k]), float(y[k]), int(sides[k]), float(areas[k]))
        for k in range(poly.size)
    ]
    return gpd.GeoDataFrame(frame.drop(columns="geometry"), geometry=list(geoms), crs=WGS84)


def mixed_rules_toml() -> str:
    """Rules for the mixed workload: every activity type against every kind in the data, with
    the four ``MIXED_DISTANCES_M`` spread over them (placeholders for a benchmark)."""
    kinds = [kind for kind, _, _ in FEATURE_KINDS]
    blocks = []
    for t, activity in enumerate(ACTIVITY_TYPES):
        for k, kind in enumerate(kinds):
            distance = MIXED_DISTANCES_M[(t + k) % len(MIXED_DISTANCES_M)]
            blocks.append(
                f'[[rule]]\nactivity = "{activity}"\nfeature = "{kind}"\n'
                f'distance_m = {distance}\nseverity = "high"\nrationale = "benchmark"\n'
            )
    return "\n".join(blocks)
