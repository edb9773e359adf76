"""Choosing what to send to the browser: valid geometries, the current view, hexagon bins.

All coordinates are longitude/latitude degrees on WGS84 (EPSG:4326). Bounds are
``(west, south, east, north)``; a view that crosses the antimeridian has ``west > east``.
"""

from __future__ import annotations

import math

import h3
import numpy as np
import numpy.typing as npt
import shapely

Bounds = tuple[float, float, float, float]
BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]

WORLD: Bounds = (-180.0, -90.0, 180.0, 90.0)
_METRES_PER_PIXEL_AT_ZOOM_0 = 156_543.033_928  # Web Mercator, at the equator
HEX_TARGET_PIXELS = 14.0
"""Wanted hexagon edge on screen, in pixels (about 25 px across)."""


def valid_mask(geoms: npt.ArrayLike) -> BoolArray:
    """True where a geometry can be drawn: present, not empty, finite and in range.

    >>> valid_mask([shapely.Point(30, 50), shapely.Point(float("nan"), 1), None]).tolist()
    [True, False, False]
    """
    array = np.asarray(geoms, dtype=object)
    ok = ~(shapely.is_missing(array) | shapely.is_empty(array))
    if not ok.any():
        return np.asarray(ok, dtype=bool)
    coords, index = shapely.get_coordinates(array[ok], return_index=True)
    bad_coord = ~(
        np.isfinite(coords).all(axis=1)
        & (np.abs(coords[:, 0]) <= 180)
        & (np.abs(coords[:, 1]) <= 90)
    )
    bad = np.zeros(int(ok.sum()), dtype=bool)
    bad[np.unique(index[bad_coord])] = True
    result = np.array(ok, dtype=bool)
    result[np.flatnonzero(ok)[bad]] = False
    return result


def widen(bounds: Bounds, margin: float) -> Bounds:
    """Return ``bounds`` grown by ``margin`` (a fraction of its size) on every side."""
    west, south, east, north = bounds
    width = (east - west) % 360 if west > east else east - west
    dx, dy = width * margin, (north - south) * margin
    if width + 2 * dx >= 360:
        return (-180.0, max(south - dy, -90.0), 180.0, min(north + dy, 90.0))
    return (
        (west - dx + 180) % 360 - 180,
        max(south - dy, -90.0),
        (east + dx + 180) % 360 - 180,
        min(north + dy, 90.0),
    )


def normalise_bounds(bounds: Bounds) -> Bounds:
    """Clamp latitudes, wrap longitudes into -180..180 (a view wider than the world is all)."""
    west, south, east, north = (float(v) for v in bounds)
    south, north = max(min(south, north), -90.0), min(max(south, north), 90.0)
    if east - west >= 360:
        return (-180.0, south, 180.0, north)
    return ((west + 180) % 360 - 180, south, (east + 180) % 360 - 180, north)


def in_bounds_mask(geoms: npt.ArrayLike, bounds: Bounds) -> BoolArray:
    """True where a geometry's envelope touches ``bounds`` (antimeridian-aware)."""
    west, south, east, north = bounds
    env = shapely.bounds(np.asarray(geoms, dtype=object))
    lat_ok = (env[:, 3] >= south) & (env[:, 1] <= north)
    if west <= east:
        lon_ok = (env[:, 2] >= west) & (env[:, 0] <= east)
    else:
        lon_ok = (env[:, 2] >= west) | (env[:, 0] <= east)
    return np.asarray(lat_ok & lon_ok, dtype=bool)


def zoom_for_bounds(bounds: Bounds, *, width_px: int = 1000, height_px: int = 650) -> int:
    """Return the Web Mercator zoom level at which ``bounds`` fills a map of that size.

    >>> zoom_for_bounds((22.0, 44.0, 40.0, 52.5))
    6
    """
    west, south, east, north = bounds
    width = (east - west) % 360 if west > east else east - west

    def merc(lat: float) -> float:
        lat = max(min(lat, 85.0), -85.0)
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    height = abs(merc(north) - merc(south)) / math.pi * 180
    zooms = [
        math.log2(pixels * 360 / (256 * extent))
        for pixels, extent in ((width_px, width), (height_px, height))
        if extent > 1e-9
    ]
    return int(max(1, min(18, math.floor(min(zooms))))) if zooms else 15


def h3_resolution(zoom: int, latitude: float = 0.0) -> int:
    """Return the H3 resolution whose hexagons look about the same size at every zoom."""
    scale = max(math.cos(math.radians(latitude)), 0.05)
    target = HEX_TARGET_PIXELS * _METRES_PER_PIXEL_AT_ZOOM_0 * scale / 2**zoom
    return min(
        range(11),
        key=lambda res: abs(math.log(h3.average_hexagon_edge_length(res, unit="m") / target)),
    )


def representative_points(geoms: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Return (longitudes, latitudes) of a point on or inside each geometry."""
    points = shapely.point_on_surface(np.asarray(geoms, dtype=object))
    coords = shapely.get_coordinates(points)
    return coords[:, 0], coords[:, 1]


def hexbin(
    lons: FloatArray, lats: FloatArray, resolution: int, *, max_cells: int = 5000
) -> tuple[list[str], npt.NDArray[np.int64], int]:
    """Count points per H3 cell; coarsen until at most ``max_cells`` cells remain.

    Returns the cells, their counts and the resolution used.
    """
    res = resolution
    while True:
        cells = [h3.latlng_to_cell(lat, lon, res) for lon, lat in zip(lons, lats, strict=True)]
        unique, counts = np.unique(np.asarray(cells, dtype=object), return_counts=True)
        if len(unique) <= max_cells or res == 0:
            return [str(c) for c in unique], counts.astype(np.int64), res
        res -= 1


def hex_ring(cell: str) -> list[list[float]]:
    """Return the closed boundary of an H3 cell as GeoJSON ``[lon, lat]`` pairs."""
    ring = [[round(lng, 5), round(lat, 5)] for lat, lng in h3.cell_to_boundary(cell)]
    lons = [p[0] for p in ring]
    if max(lons) - min(lons) > 180:  # crosses the antimeridian: keep it in one piece
        ring = [[lon + 360 if lon < 0 else lon, lat] for lon, lat in ring]
    return [*ring, ring[0]]
