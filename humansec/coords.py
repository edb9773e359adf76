"""Coordinates as people read them: latitude/longitude and MGRS (via the ``mgrs`` library)."""

from __future__ import annotations

import math
import re

import mgrs

from humansec.errors import CoordinateError

_MGRS = mgrs.MGRS()
_MGRS_SPACES = re.compile(r"\s+")


def _check_latlon(lat: float, lon: float) -> None:
    if not (math.isfinite(lat) and math.isfinite(lon)):
        msg = f"Coordinate ({lat}, {lon}) is not a number; give latitude and longitude in degrees."
        raise CoordinateError(msg)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        msg = (
            f"Coordinate ({lat}, {lon}) is out of range: latitude must be within -90..90 and "
            "longitude within -180..180 (are they swapped?)."
        )
        raise CoordinateError(msg)


def to_mgrs(lat: float, lon: float, *, precision: int = 5) -> str:
    """Return the MGRS reference of a WGS84 point, grouped for reading.

    ``precision`` is the number of digits per easting/northing (5 = 1 m).

    >>> to_mgrs(54.1, 22.93)
    '34U FE 26199 96369'
    """
    _check_latlon(lat, lon)
    if not 0 <= precision <= 5:
        msg = f"MGRS precision must be 0..5 digits, got {precision}."
        raise CoordinateError(msg)
    for nudge in _BAND_EDGE_NUDGES:
        raw = _MGRS.toMGRS(lat + nudge, lon, MGRSPrecision=precision)
        reference = raw if isinstance(raw, str) else raw.decode()
        try:
            _MGRS.toLatLon(reference)
        except Exception:  # noqa: BLE001, S112 - the mgrs library's untyped errors; try the next
            continue
        return _group_mgrs(reference)
    msg = f"({lat}, {lon}) has no MGRS reference that reads back; give latitude and longitude."
    raise CoordinateError(msg)


# A point a hair from a latitude band's edge (e.g. 5e-10° south of the equator) can get a
# reference that names one band and a northing in the next, which no reader (the mgrs library
# included) accepts; 1e-7° (1 cm) towards the other band gives one that reads back.
_BAND_EDGE_NUDGES = (0.0, 1e-7, -1e-7)


def from_mgrs(reference: str) -> tuple[float, float]:
    """Return (latitude, longitude) of an MGRS reference; spaces are allowed.

    >>> [round(v, 4) for v in from_mgrs("34U FE 26199 96369")]
    [54.1, 22.93]
    >>> from_mgrs("34U FE 2619 96369")
    Traceback (most recent call last):
    ...
    humansec.errors.CoordinateError: '34U FE 2619 96369' is not a valid MGRS reference: ...
    """
    compact = _MGRS_SPACES.sub("", reference).upper()
    problem = mgrs_problem(compact)
    if problem is None:
        try:
            lat, lon = _MGRS.toLatLon(compact)
        except Exception:  # noqa: BLE001 - the mgrs library raises its own untyped errors
            problem = "this grid zone and 100 km square do not make a place on the grid"
        else:
            return float(lat), float(lon)
    msg = (
        f"{reference!r} is not a valid MGRS reference: {problem}. A valid one is a grid zone, "
        f"a 100 km square and an easting and northing of equal length, e.g. {MGRS_EXAMPLE!r}."
    )
    raise CoordinateError(msg)


MGRS_EXAMPLE = "34U FE 26199 96369"
_MGRS_PARTS = re.compile(r"(\d{1,2})([A-Z])([A-Z]{2})(\d*)")
_BAND_LETTERS = "CDEFGHJKLMNPQRSTUVWX"  # 8° latitude bands; I and O are never used
_SQUARE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


def mgrs_problem(compact: str) -> str | None:
    """What is wrong with an MGRS reference (upper case, no spaces), in words; None if nothing.

    >>> mgrs_problem("34UFE2619996369") is None
    True
    >>> mgrs_problem("34UFE261996369")
    'the easting and northing have 9 digits in all; they need the same number each (2, 4, 6, 8 or 10 in all)'
    """  # noqa: E501 - a doctest's output is one line
    if not compact:
        return "it is empty"
    match = _MGRS_PARTS.fullmatch(compact)
    if match is None:
        if not compact[:1].isdigit():
            return "it must start with the grid zone number, 1 to 60 (e.g. 34U)"
        return (
            "it must be a grid zone (a number and a letter, e.g. 34U), two letters for the "
            "100 km square (e.g. FE) and then only digits"
        )
    zone, band, square, digits = match.groups()
    checks = (
        (not 1 <= int(zone) <= 60, f"the grid zone number {zone} is not between 1 and 60"),
        (
            band not in _BAND_LETTERS,
            f"the latitude band letter {band} does not exist (C to X, without I and O)",
        ),
        (
            any(letter not in _SQUARE_LETTERS for letter in square),
            f"the 100 km square {square} cannot hold the letters I or O",
        ),
        (
            len(digits) % 2 == 1 or len(digits) > 10,
            f"the easting and northing have {len(digits)} digits in all; they need the same "
            "number each (2, 4, 6, 8 or 10 in all)",
        ),
    )
    return next((problem for failed, problem in checks if failed), None)


def format_latlon(lat: float, lon: float, *, decimals: int = 5) -> str:
    """Return ``54.10000° N, 22.93000° E`` style text for a point."""
    _check_latlon(lat, lon)
    ns = "N" if lat >= 0 else "S"
    ew = "E" if lon >= 0 else "W"
    return f"{abs(lat):.{decimals}f}° {ns}, {abs(lon):.{decimals}f}° {ew}"


def _group_mgrs(raw: str) -> str:
    """Split ``34UFE2619996369`` into ``34U FE 26199 96369`` (UPS references have no zone)."""
    match = re.fullmatch(r"(\d{0,2}[A-Z])([A-Z]{2})(\d*)", raw)
    if match is None:
        return raw
    gzd, square, digits = match.groups()
    half = len(digits) // 2
    parts = [gzd, square] + ([digits[:half], digits[half:]] if digits else [])
    return " ".join(parts)
