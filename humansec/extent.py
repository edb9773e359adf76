"""Map extents: where the data is, and the zoom that shows it."""

from __future__ import annotations

import math
from collections.abc import Mapping

import geopandas as gpd
import numpy as np

from humansec.model import LayerKind
from humansec.store.base import BBox

_TILE_PX = 256


def data_bounds(frames: Mapping[LayerKind, gpd.GeoDataFrame]) -> BBox | None:
    """West, south, east, north of every finite geometry in ``frames`` (EPSG:4326), or None."""
    boxes = []
    for frame in frames.values():
        if frame.empty:
            continue
        bounds = frame.geometry.bounds.to_numpy()
        finite = bounds[np.isfinite(bounds).all(axis=1)]
        if len(finite):
            boxes.append(
                (finite[:, 0].min(), finite[:, 1].min(), finite[:, 2].max(), finite[:, 3].max())
            )
    if not boxes:
        return None
    west, south, east, north = zip(*boxes, strict=True)
    return (float(min(west)), float(min(south)), float(max(east)), float(max(north)))


def center_of(bbox: BBox) -> tuple[float, float]:
    """(latitude, longitude) of the middle of ``bbox``."""
    west, south, east, north = bbox
    return ((south + north) / 2, (west + east) / 2)


def zoom_for(bbox: BBox, *, width_px: int = 1000, height_px: int = 600) -> int:
    """The largest Web Mercator zoom (0..18) at which ``bbox`` fits a map of that size.

    >>> zoom_for((21.8, 53.5, 24.6, 55.1))
    8
    """
    west, south, east, north = bbox

    def mercator_y(lat: float) -> float:
        lat = max(min(lat, 85.0), -85.0)
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    lon_fraction = max(east - west, 1e-9) / 360.0
    lat_fraction = max(mercator_y(north) - mercator_y(south), 1e-9) / (2 * math.pi)
    zoom_x = math.log2(width_px / _TILE_PX / lon_fraction)
    zoom_y = math.log2(height_px / _TILE_PX / lat_fraction)
    return int(max(0, min(18, math.floor(min(zoom_x, zoom_y)))))
