"""The MGRS grid of a map product: UTM zone and band boundaries, 100 km squares and labels,
and, when the view is small enough to read them, 10 km or 1 km grid lines (``grid_spacing``).

The lines are computed here in WGS84 (EPSG:4326) with pyproj, the square labels (``34U FE``)
with the ``mgrs`` package; the page only draws them. A 10 km line is labelled with its digit
(``4`` for easting 40 km in the square), a 1 km line with two (``43``): eastings along the top
of the map, northings along its left side, as on a military map sheet. The zone exceptions of
southern Norway (32V) and Svalbard (31X-37X) are not drawn: the lines there follow the regular
6° zones.

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
from pyproj import Geod, Transformer

from humansec.errors import ConfigurationError, choices

GRIDS: tuple[str, ...] = ("latlon", "mgrs")
"""The coordinate grids a product can carry (lat/lon is the default)."""
SQUARE_M = 100_000
MAX_SQUARES = 600
"""Above this many 100 km squares in view only the zone and band boundaries are drawn."""
UTM_SOUTH, UTM_NORTH = -80.0, 84.0
SPACINGS_M: tuple[int, ...] = (1_000, 10_000, 100_000)
MAX_LINES_ACROSS = 24
"""The finest spacing drawn gives at most this many lines across the longer side of the view."""
_GEOD = Geod(ellps="WGS84")
_LABEL = re.compile(r"^(\d{1,2}[C-X])([A-Z]{2})")

Bounds = tuple[float, float, float, float]
LatLon = tuple[float, float]
FineLine = tuple[str, str, tuple[LatLon, ...]]
"""A 10 km or 1 km line: its label, its axis (``e`` easting, ``n`` northing), its vertices."""


@dataclass(frozen=True)
class MgrsGrid:
    """Lines as ``(lat, lon)`` vertices and labels as ``(text, lat, lon)``, all in WGS84."""

    zone_lines: tuple[tuple[LatLon, ...], ...]
    square_lines: tuple[tuple[LatLon, ...], ...]
    labels: tuple[tuple[str, float, float], ...]
    fine_lines: tuple[FineLine, ...] = ()
    """The 10 km or 1 km lines with their labels (empty when only 100 km squares are drawn)."""

    def to_json(self) -> dict[str, object]:
        """Plain lists for the page's script (``HumansecPrint.mgrs``)."""
        return {
            "zones": [[list(v) for v in line] for line in self.zone_lines],
            "squares": [[list(v) for v in line] for line in self.square_lines],
            "fine": [[text, axis, [list(v) for v in line]] for text, axis, line in self.fine_lines],
            "labels": [list(label) for label in self.labels],
        }


def check_grid(grid: str) -> str:
    """Return ``grid`` if it is a known grid; refuse it listing the choices otherwise."""
    if grid not in GRIDS:
        msg = f"Unknown grid {grid!r}; choose one of {choices(GRIDS)}."
        raise ConfigurationError(msg)
    return grid


def grid_spacing(bounds: Bounds | None) -> int:
    """The finest MGRS line spacing (1 km, 10 km, else 100 km) that fits the view on a sheet.

    >>> grid_spacing((22.0, 54.0, 22.2, 54.1)), grid_spacing((22.0, 54.0, 24.0, 55.0))
    (1000, 10000)
    """
    if bounds is None:
        return SQUARE_M
    west, south, east, north = bounds
    if west >= east:
        return SQUARE_M
    middle = (south + north) / 2
    width = _GEOD.inv(west, middle, east, middle)[2]
    height = _GEOD.inv(west, south, west, north)[2]
    span = max(width, height)
    for spacing in SPACINGS_M:
        if span / spacing <= MAX_LINES_ACROSS:
            return spacing
    return SQUARE_M


def grid_note(grid: str, bounds: Bounds | None) -> str:
    """What the grid drawn on a product is, in words (the side panel's "Grid" entry)."""
    if check_grid(grid) == "latlon":
        return "Latitude/longitude, WGS84 (EPSG:4326)"
    spacing = grid_spacing(bounds)
    if spacing == SQUARE_M:
        return "MGRS, WGS84: UTM zones and 100 km squares (e.g. 34U FE)"
    digits = "one digit" if spacing == 10_000 else "two digits"
    return (
        f"MGRS, WGS84: 100 km squares (e.g. 34U FE) and {spacing // 1000} km lines, labelled "
        f"with {digits} of the easting (top) and northing (left)"
    )


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


def mgrs_grid(
    bounds: Bounds, *, samples: int = 16, spacing: int | None = None, margin: float = 0.0
) -> MgrsGrid:
    """The MGRS grid of ``bounds`` (west, south, east, north in degrees, WGS84).

    ``spacing`` (metres: 1000, 10000 or 100000) defaults to ``grid_spacing(bounds)``; lines
    finer than 100 km are added to the 100 km squares, each with its label text (the page
    places it where the line leaves the map's top or left edge). The lines reach ``margin``
    (a fraction of the box's size) beyond each side (a printed map shows more than the box
    it was asked for); the square labels stay inside ``bounds``. Boxes across the
    antimeridian (west > east) and the polar caps (UPS) get no lines.
    """
    spacing = grid_spacing(bounds) if spacing is None else spacing
    if spacing not in SPACINGS_M:
        msg = f"MGRS line spacing {spacing} m is not one of {choices(SPACINGS_M)}."
        raise ConfigurationError(msg)
    label_box = shapely.box(*bounds)
    west, south, east, north = _widen(bounds, margin)
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
            point = _label_point(shown.intersection(label_box), fine=spacing < SQUARE_M)
            if point is not None:
                text = square_label(point.y, point.x)
                labels.append((text, round(point.y, 6), round(point.x, 6)))
    fine_lines: list[FineLine] = []
    for zone, hemi, part in parts if spacing < SQUARE_M else []:
        fine_lines.extend(_fine_lines(zone, part, spacing, north=hemi))
    return MgrsGrid(tuple(zone_lines), tuple(square_lines), tuple(labels), tuple(fine_lines))


def _widen(bounds: Bounds, margin: float) -> Bounds:
    west, south, east, north = bounds
    if margin <= 0 or west >= east:
        return bounds
    dx, dy = (east - west) * margin, (north - south) * margin
    return (max(west - dx, -180.0), max(south - dy, -90.0), min(east + dx, 180.0),
            min(north + dy, 90.0))  # fmt: skip


def _label_point(area: shapely.Geometry, *, fine: bool) -> shapely.Point | None:
    """Where a 100 km square's label goes: inside ``area`` (the square in view); with finer
    lines near its top-left corner, clear of the line labels along the edges.
    """
    if area.is_empty or area.area == 0:
        return None
    if fine:
        west, south, east, north = area.bounds
        corner = shapely.Point(west + 0.1 * (east - west), north - 0.1 * (north - south))
        if area.contains(corner):
            return corner
    point = area.representative_point()
    return point if isinstance(point, shapely.Point) else None


def _fine_lines(zone: int, part: shapely.Polygon, spacing: int, *, north: bool) -> list[FineLine]:
    """The ``spacing`` grid lines of one zone part (not those on 100 km boundaries), each
    with its label (``4`` or ``43``) and axis (``e``: a line of equal easting, ``n``: northing).
    """
    ring = np.asarray(shapely.segmentize(part, 0.01).exterior.coords)
    to_utm = _to_utm(zone, north=north)
    x, y = to_utm.transform(ring[:, 0], ring[:, 1])
    digits = 1 if spacing == 10_000 else 2
    along = np.linspace(0.0, 1.0, 65)
    out: list[FineLine] = []
    for axis, low, high, other_low, other_high in (
        ("e", np.min(x), np.max(x), np.min(y), np.max(y)),
        ("n", np.min(y), np.max(y), np.min(x), np.max(x)),
    ):
        for value in range(math.ceil(low / spacing) * spacing, int(high) + 1, spacing):
            if value % SQUARE_M == 0:
                continue  # drawn with the 100 km squares
            sweep = other_low + along * (other_high - other_low)
            fixed = np.full(along.size, float(value))
            ux, uy = (fixed, sweep) if axis == "e" else (sweep, fixed)
            lon, lat = to_utm.transform(ux, uy, direction="INVERSE")
            shown = shapely.LineString(np.column_stack([lon, lat])).intersection(part)
            text = f"{(value % SQUARE_M) // spacing:0{digits}d}"
            out.extend((text, axis, line) for line in _lines(shown))
    return out


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
