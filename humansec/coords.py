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
    raw = _MGRS.toMGRS(lat, lon, MGRSPrecision=precision)
    return _group_mgrs(raw if isinstance(raw, str) else raw.decode())


def from_mgrs(reference: str) -> tuple[float, float]:
    """Return (latitude, longitude) of an MGRS reference; spaces are allowed.

    >>> [round(v, 4) for v in from_mgrs("34U FE 26199 96369")]
    [54.1, 22.93]
    """
    compact = _MGRS_SPACES.sub("", reference).upper()
    try:
        lat, lon = _MGRS.toLatLon(compact)
    except Exception as error:  # noqa: BLE001 - the mgrs library raises its own untyped errors
        msg = (
            f"{reference!r} is not a valid MGRS reference ({error}). Write it as zone, band, "
            "100 km square and an even number of digits, e.g. '34U FE 26199 96369'."
        )
        raise CoordinateError(msg) from None
    return float(lat), float(lon)


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
