"""The MGRS grid of a map product: UTM zone and band boundaries, 100 km squares and labels.

The lines are computed here in WGS84 (EPSG:4326) with pyproj, the square labels (``34U FE``)
with the ``mgrs`` package; the page only draws them. The zone exceptions of southern Norway
(32V) and Svalbard (31X-37X) are not drawn: the lines there follow the regular 6° zones.

>>> grid = mgrs_grid((22.0, 54.0, 23.0, 54.5))
>>> "34U FE" in [text for text, _lat, _lon in grid.labels]
True
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

import mgrs
import numpy as np
import numpy.typing as npt
import shapely
from pyproj import Transformer

from humansec.errors import ConfigurationError, choices

GRIDS: tuple[str, ...] = ("latlon", "mgrs")
"""The coordinate grids a product can carry (lat/lon is the default)."""
SQUARE_M = 100_000
MAX_SQUARES = 600
"""Above this many 100 km squares in view only the zone and band boundaries are drawn."""
UTM_SOUTH, UTM_NORTH = -80.0, 84.0
_LABEL = re.compile(r"^(\d{1,2}[C-X])([A-Z]{2})")

Bounds = tuple[float, float, float, float]
LatLon = tuple[float, float]


@dataclass(frozen=True)
class MgrsGrid:
    """Lines as ``(lat, lon)`` vertices and labels as ``(text, lat, lon)``, all in WGS84."""

    zone_lines: tuple[tuple[LatLon, ...], ...]
    square_lines: tuple[tuple[LatLon, ...], ...]
    labels: tuple[tuple[str, float, float], ...]

    def to_json(self) -> dict[str, object]:
        """Plain lists for the page's script (``HumansecPrint.mgrs``)."""
        return {
            "zones": [[list(v) for v in line] for line in self.zone_lines],
            "squares": [[list(v) for v in line] for line in self.square_lines],
            "labels": [list(label) for label in self.labels],
        }


def check_grid(grid: str) -> str:
    """Return ``grid`` if it is a known grid; refuse it listing the choices otherwise."""
    if grid not in GRIDS:
        msg = f"Unknown grid {grid!r}; choose one of {choices(GRIDS)}."
        raise ConfigurationError(msg)
    return grid


def square_label(lat: float, lon: float) -> str:
    """The MGRS grid zone and 100 km square of a point, e.g. ``34U FE``.

    >>> square_label(54.1, 22.9)
    '34U FE'
    """
    text = str(_converter().toMGRS(lat, lon, MGRSPrecision=0))
    match = _LABEL.match(text)
    if match is None:  # pragma: no cover - mgrs always answers zone, band and square
        msg = f"Unexpected MGRS reference {text!r} at {lat}, {lon}."
        raise ValueError(msg)
    return f"{match.group(1)} {match.group(2)}"


@functools.cache
def _converter() -> mgrs.MGRS:
    return mgrs.MGRS()


@functools.cache
def _to_utm(zone: int, *, north: bool) -> Transformer:
    epsg = (32600 if north else 32700) + zone
    return Transformer.from_crs("EPSG:4326", f"EPSG:{epsg}", always_xy=True)


def mgrs_grid(bounds: Bounds, *, samples: int = 16) -> MgrsGrid:
    """The MGRS grid inside ``bounds`` (west, south, east, north in degrees, WGS84).

    Boxes across the antimeridian (west > east) and the polar caps (UPS) get no lines.
    """
    west, south, east, north = bounds
    south, north = max(south, UTM_SOUTH), min(north, UTM_NORTH)
    if west >= east or south >= north:
        return MgrsGrid((), (), ())
    zone_lines = _zone_lines((west, south, east, north))
    parts = _zone_parts((west, south, east, north))
    squares = [_squares(zone, part, north=hemi) for zone, hemi, part in parts]
    if sum(len(cells) for cells in squares) > MAX_SQUARES:
        return MgrsGrid(tuple(zone_lines), (), ())
    square_lines: list[tuple[LatLon, ...]] = []
    labels: list[tuple[str, float, float]] = []
    for (zone, hemi, part), cells in zip(parts, squares, strict=True):
        for easting, northing in cells:
            cell = _cell_polygon(zone, easting, northing, north=hemi, samples=samples)
            shown = cell.intersection(part)
            if shown.is_empty or shown.area == 0:
                continue
            square_lines.extend(_lines(shown.boundary.difference(part.boundary)))
            point = shown.representative_point()
            labels.append((square_label(point.y, point.x), round(point.y, 6), round(point.x, 6)))
    return MgrsGrid(tuple(zone_lines), tuple(square_lines), tuple(labels))


def _zone_lines(bounds: Bounds) -> list[tuple[LatLon, ...]]:
    """UTM zone (every 6° of longitude) and latitude band (every 8°) boundaries in ``bounds``."""
    west, south, east, north = bounds
    lines: list[tuple[LatLon, ...]] = []
    for k in range(math.floor((west + 180) / 6) + 1, math.ceil((east + 180) / 6)):
        lon = -180.0 + 6 * k
        lines.append(((south, lon), (north, lon)))
    for k in range(math.floor((south + 80) / 8) + 1, math.ceil((north + 80) / 8)):
        lat = -80.0 + 8 * k
        lines.append(((lat, west), (lat, east)))
    return lines


def _zone_parts(bounds: Bounds) -> list[tuple[int, bool, shapely.Polygon]]:
    """``bounds`` cut into one box per UTM zone and hemisphere: (zone, north?, box)."""
    west, south, east, north = bounds
    parts = []
    for zone in range(int((west + 180) // 6) + 1, int((east + 180 - 1e-9) // 6) + 2):
        zone_west = max(west, -180.0 + 6 * (zone - 1))
        zone_east = min(east, -180.0 + 6 * zone)
        if north > 0:
            parts.append((zone, True, shapely.box(zone_west, max(south, 0.0), zone_east, north)))
        if south < 0:
            parts.append((zone, False, shapely.box(zone_west, south, zone_east, min(north, 0.0))))
    return parts


def _squares(zone: int, part: shapely.Polygon, *, north: bool) -> list[tuple[int, int]]:
    """The 100 km squares (south-west corner in metres) that ``part`` overlaps."""
    ring = np.asarray(shapely.segmentize(part, 0.05).exterior.coords)
    x, y = _to_utm(zone, north=north).transform(ring[:, 0], ring[:, 1])
    eastings = range(int(np.floor(np.min(x) / SQUARE_M)), int(np.floor(np.max(x) / SQUARE_M)) + 1)
    northings = range(int(np.floor(np.min(y) / SQUARE_M)), int(np.floor(np.max(y) / SQUARE_M)) + 1)
    if len(eastings) * len(northings) > MAX_SQUARES:
        return [(0, 0)] * (MAX_SQUARES + 1)
    return [(e * SQUARE_M, n * SQUARE_M) for e in eastings for n in northings]


def _cell_polygon(
    zone: int, easting: int, northing: int, *, north: bool, samples: int
) -> shapely.Polygon:
    """One 100 km square as a WGS84 polygon (edges sampled: they curve in lat/lon)."""
    up = np.linspace(0.0, SQUARE_M, samples + 1)[:-1]  # one edge, its end left to the next
    x = easting + np.concatenate([up, np.full(samples, SQUARE_M), SQUARE_M - up, np.zeros(samples)])
    y = northing + np.concatenate(
        [np.zeros(samples), up, np.full(samples, SQUARE_M), SQUARE_M - up]
    )
    lon, lat = _to_utm(zone, north=north).transform(x, y, direction="INVERSE")
    return shapely.Polygon(np.column_stack([lon, lat]))


def _lines(geometry: shapely.Geometry) -> list[tuple[LatLon, ...]]:
    """``(lat, lon)`` vertex lists of the line parts of ``geometry`` (rounded to 1e-6°)."""
    lines = []
    for part in shapely.get_parts(shapely.line_merge(geometry) if not geometry.is_empty else []):
        if isinstance(part, shapely.LineString) and len(part.coords) > 1:
            lines.append(tuple((round(y, 6), round(x, 6)) for x, y, *_ in part.coords))
    return lines


# --- the grid at 100 km, 10 km or 1 km, as lines (the live map) -----------------------------

SPACINGS: tuple[int, ...] = (100_000, 10_000, 1_000)
"""Grid spacings in metres: 100 km squares, then 10 km and 1 km lines."""
MAX_CELLS = 6_000
"""Above this many cells in view at the asked spacing only the zone boundaries are drawn."""
_PRECISION = {100_000: 0, 10_000: 1, 1_000: 2}
_REFERENCE = re.compile(r"^(\d{1,2}[C-X])([A-Z]{2})(\d*)$")


def grid_reference(lat: float, lon: float, *, spacing: int) -> str:
    """The MGRS reference of the ``spacing`` square holding a point, e.g. ``34U FE 2 9``.

    >>> grid_reference(54.1, 22.9, spacing=1_000)
    '34U FE 24 96'
    """
    text = str(_converter().toMGRS(lat, lon, MGRSPrecision=_PRECISION[spacing]))
    match = _REFERENCE.match(text)
    if match is None:  # pragma: no cover - mgrs always answers zone, band and square
        msg = f"Unexpected MGRS reference {text!r} at {lat}, {lon}."
        raise ValueError(msg)
    zone, square, digits = match.groups()
    half = len(digits) // 2
    return " ".join(part for part in (zone, square, digits[:half], digits[half:]) if part)


def mgrs_lines(
    bounds: Bounds, *, spacing: int, label_every: int = 1, samples: int = 16
) -> MgrsGrid:
    """The MGRS grid lines every ``spacing`` metres (100 km, 10 km or 1 km) inside ``bounds``.

    ``bounds`` is west, south, east, north in degrees (WGS84). The lines are UTM eastings and
    northings that are multiples of ``spacing``, drawn in each zone up to its edge; the zone
    and band boundaries come apart (``zone_lines``). A label (``grid_reference``) sits in the
    middle of every ``label_every``-th square in both directions. Boxes across the antimeridian
    or in the polar caps get no lines; a view of more than ``MAX_CELLS`` squares only zone lines.

    >>> grid = mgrs_lines((22.8, 54.0, 23.0, 54.1), spacing=10_000)
    >>> "34U FE 2 9" in [text for text, _lat, _lon in grid.labels]
    True
    """
    if spacing not in _PRECISION:
        msg = f"MGRS grid spacing {spacing!r} m is not one of {choices(SPACINGS)}."
        raise ConfigurationError(msg)
    west, south, east, north = bounds
    south, north = max(south, UTM_SOUTH), min(north, UTM_NORTH)
    if west >= east or south >= north:
        return MgrsGrid((), (), ())
    zone_lines = tuple(_zone_lines((west, south, east, north)))
    parts = _zone_parts((west, south, east, north))
    ranges = [_utm_range(zone, part, north=hemi, spacing=spacing) for zone, hemi, part in parts]
    if sum(len(e) * len(n) for e, n in ranges) > MAX_CELLS:
        return MgrsGrid(zone_lines, (), ())
    lines: list[tuple[LatLon, ...]] = []
    labels: list[tuple[str, float, float]] = []
    for (zone, hemi, box), (eastings, northings) in zip(parts, ranges, strict=True):
        part = _ZonePart(zone, hemi, box, eastings, northings, spacing)
        lines.extend(_grid_part(part, samples=samples))
        labels.extend(_grid_labels(part, every=max(1, label_every)))
    return MgrsGrid(zone_lines, tuple(lines), tuple(labels))


@dataclass(frozen=True)
class _ZonePart:
    """The view inside one zone and hemisphere, with the square corners (UTM metres) it spans."""

    zone: int
    north: bool
    box: shapely.Polygon
    eastings: npt.NDArray[np.float64]
    northings: npt.NDArray[np.float64]
    spacing: int

    def to_lonlat(
        self, x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        lon, lat = _to_utm(self.zone, north=self.north).transform(x, y, direction="INVERSE")
        return np.asarray(lon), np.asarray(lat)


def _utm_range(
    zone: int, part: shapely.Polygon, *, north: bool, spacing: int
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """South-west corners (metres) of the ``spacing`` squares ``part`` overlaps, per axis."""
    ring = np.asarray(shapely.segmentize(part, 0.05).exterior.coords)
    x, y = _to_utm(zone, north=north).transform(ring[:, 0], ring[:, 1])
    low_x, high_x = math.floor(np.min(x) / spacing), math.floor(np.max(x) / spacing)
    low_y, high_y = math.floor(np.min(y) / spacing), math.floor(np.max(y) / spacing)
    if (high_x - low_x + 1) * (high_y - low_y + 1) > MAX_CELLS:
        return np.zeros(MAX_CELLS + 1), np.ones(1)
    eastings = np.arange(low_x, high_x + 1, dtype=float) * spacing
    northings = np.arange(low_y, high_y + 1, dtype=float) * spacing
    return eastings, northings


def _grid_part(part: _ZonePart, *, samples: int) -> list[tuple[LatLon, ...]]:
    """Lines of constant easting and northing inside the part's box."""
    eastings, northings, spacing = part.eastings, part.northings, part.spacing
    if len(eastings) < 2 and len(northings) < 2:
        return []
    along_y = np.linspace(northings[0], northings[-1] + spacing, samples + 1)
    along_x = np.linspace(eastings[0], eastings[-1] + spacing, samples + 1)
    easting_lines = [part.to_lonlat(np.full_like(along_y, e), along_y) for e in eastings[1:]]
    northing_lines = [part.to_lonlat(along_x, np.full_like(along_x, n)) for n in northings[1:]]
    geometries = shapely.linestrings(
        [np.column_stack(line) for line in (*easting_lines, *northing_lines)]
    )
    lines: list[tuple[LatLon, ...]] = []
    for geometry in shapely.intersection(geometries, part.box):
        if not geometry.is_empty:
            lines.extend(_lines(geometry))
    return lines


def _grid_labels(part: _ZonePart, *, every: int) -> list[tuple[str, float, float]]:
    """One label in the middle of every ``every``-th square whose middle lies in the box."""
    spacing = part.spacing
    keep_x = part.eastings[(part.eastings / spacing).astype(np.int64) % every == 0]
    keep_y = part.northings[(part.northings / spacing).astype(np.int64) % every == 0]
    grid_x, grid_y = np.meshgrid(keep_x + spacing / 2, keep_y + spacing / 2)
    lon, lat = part.to_lonlat(grid_x.ravel(), grid_y.ravel())
    inside = shapely.contains_xy(part.box, lon, lat)
    return [
        (
            grid_reference(float(y), float(x), spacing=spacing),
            round(float(y), 6),
            round(float(x), 6),
        )
        for x, y in zip(lon[inside], lat[inside], strict=True)
    ]
