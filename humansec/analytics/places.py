"""The nearest populated place of each cell or point (geodesic, WGS84)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Geod

_GEOD = Geod(ellps="WGS84")


def nearest_place(lat: np.ndarray, lon: np.ndarray, places: gpd.GeoDataFrame) -> pd.DataFrame:
    """For each (lat, lon): the ``name`` of the nearest populated place and the geodesic
    distance to its point (a polygon's representative point) in km. Empty names where there
    are no places."""
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    if places.empty or len(lat) == 0:
        return pd.DataFrame({"nearest_place": [""] * len(lat), "distance_km": [np.nan] * len(lat)})
    frame = places.to_crs("EPSG:4326") if places.crs is not None else places
    points = shapely.get_coordinates(shapely.point_on_surface(frame.geometry.to_numpy()))
    names = frame["name"].astype("string").fillna("").to_numpy() if "name" in frame else None
    best_name: list[str] = []
    best_km: list[float] = []
    for y, x in zip(lat.tolist(), lon.tolist(), strict=True):
        _, _, dist = _GEOD.inv(
            np.full(len(points), x), np.full(len(points), y), points[:, 0], points[:, 1]
        )
        i = int(np.argmin(dist))
        best_name.append(str(names[i]) if names is not None else "")
        best_km.append(float(dist[i]) / 1000.0)
    return pd.DataFrame({"nearest_place": best_name, "distance_km": best_km})
