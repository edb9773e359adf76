"""The protected layers of the demo: population (real places), cultural property, humanitarian
sites and movements, and critical infrastructure (synthetic, laid out around the real places).

Each builder returns a plain GeoDataFrame in EPSG:4326 with rounded coordinates; ``build_demo``
conforms it to its kind.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from humansec.demo.scenario import (
    EXERCISE_START,
    INCIDENT_START,
    Place,
    anchor_places,
    box,
    demo_places,
    iso,
    jitter,
    offset,
    place_named,
    rng_for,
    rounded,
)
from humansec.model import WGS84

ORGANISATIONS: tuple[str, ...] = (
    "Relief Org A",
    "Relief Org B",
    "Medical Aid Org C",
    "Child Aid Org D",
    "Water Org E",
    "Shelter Org F",
)


def _frame(rows: list[dict[str, object]], geoms: list[shapely.Geometry]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        pd.DataFrame(rows), geometry=[rounded(g) for g in geoms], crs=WGS84
    ).reset_index(drop=True)


def _weighted_places(rng: np.random.Generator, places: list[Place], n: int) -> list[Place]:
    """Draw ``n`` places, bigger ones more often (weight: square root of population)."""
    weights = np.sqrt(np.array([p.population for p in places], dtype=float))
    picks = rng.choice(len(places), size=n, p=weights / weights.sum())
    return [places[int(i)] for i in picks]


def population() -> gpd.GeoDataFrame:
    """The real places of the area, with synthetic population shares."""
    rng = rng_for(1)
    places = demo_places()
    rows: list[dict[str, object]] = [
        {
            "id": f"gn{p.geonameid}",
            "name": p.name,
            "population": p.population,
            "share_female": round(float(rng.normal(0.52, 0.01)), 3),
            "share_children": round(float(rng.uniform(0.15, 0.22)), 3),
            "share_elderly": round(float(rng.uniform(0.20, 0.30)), 3),
            "date": None,
            "country": p.country,
        }
        for p in places
    ]
    return _frame(rows, [shapely.Point(p.lon, p.lat) for p in places])


_CULTURAL_LABELS: dict[str, tuple[str, ...]] = {
    "monument": ("memorial", "monument", "manor house"),
    "archaeological_site": ("hillfort", "burial mound site"),
    "museum": ("museum", "regional museum"),
    "library_archive": ("archive", "public library"),
    "place_of_worship": ("church", "synagogue", "Orthodox church", "Old Believers' prayer house"),
    "centre_containing_monuments": ("old town",),
}
_POINT_CATEGORIES = (
    "monument",
    "archaeological_site",
    "museum",
    "library_archive",
    "place_of_worship",
)
_PROTECTION_P = {
    "general": 0.40,
    "national_list": 0.35,
    "special": 0.15,
    "enhanced": 0.10,
}


def cultural() -> gpd.GeoDataFrame:
    """About 40 synthetic cultural sites: points near towns and four polygons."""
    rng = rng_for(2)
    rows: list[dict[str, object]] = []
    geoms: list[shapely.Geometry] = []
    used: dict[str, int] = {}
    # Polygons first: historic centres and one archaeological site, at fixed towns.
    areas = (
        ("Kaunas", "centre_containing_monuments", "world_heritage", 1400, 700, (-1500, -300)),
        ("Suwałki", "centre_containing_monuments", "national_list", 600, 500, (0, 0)),
        ("Sejny", "centre_containing_monuments", "special", 500, 400, (200, 100)),
        ("Alytus", "archaeological_site", "national_list", 350, 300, (1800, 2200)),
    )
    for town, category, protection, width, height, (east, north) in areas:
        place = place_named(town)
        label = _CULTURAL_LABELS[category][0]
        rows.append(_cultural_row(used, place, label, category, protection, in_danger=False))
        geoms.append(box(*offset(place.lon, place.lat, east, north), width, height))
    for place in _weighted_places(rng, anchor_places(2000), 36):
        category = str(rng.choice(_POINT_CATEGORIES))
        label = str(rng.choice(_CULTURAL_LABELS[category]))
        protection = str(rng.choice(list(_PROTECTION_P), p=list(_PROTECTION_P.values())))
        in_danger = bool(rng.random() < 0.12)
        rows.append(_cultural_row(used, place, label, category, protection, in_danger=in_danger))
        geoms.append(shapely.Point(jitter(rng, place, min_m=200, max_m=2500)))
    # One more world heritage site, in danger, so both flags show up on points too.
    rows[-1]["protection"] = "world_heritage"
    rows[-1]["in_danger"] = True
    for number, row in enumerate(rows, start=1):
        row["id"] = f"cp-{number:03d}"
    return _frame(rows, geoms)


def _cultural_row(
    used: dict[str, int],
    place: Place,
    label: str,
    category: str,
    protection: str,
    *,
    in_danger: bool,
) -> dict[str, object]:
    name = f"{place.name} {label}"
    used[name] = used.get(name, 0) + 1
    if used[name] > 1:
        name = f"{name} {used[name]}"
    return {
        "id": "",
        "name": name,
        "precision_m": 50.0,
        "protection": protection,
        "category": category,
        "in_danger": in_danger,
    }


# category, how many, label, organisations it may belong to
_SITE_PLAN: tuple[tuple[str, int, str, tuple[str, ...]], ...] = (
    ("hospital", 7, "hospital", ("Municipal health service", "Medical Aid Org C")),
    ("clinic", 9, "clinic", ("Medical Aid Org C", "Relief Org A", "Municipal health service")),
    ("school", 12, "school", ("Municipal education office", "Child Aid Org D")),
    ("idp_site", 6, "IDP site", ("Shelter Org F", "Relief Org A")),
    ("refugee_site", 2, "refugee reception centre", ("Shelter Org F",)),
    ("warehouse", 6, "aid warehouse", ("Relief Org A", "Relief Org B")),
    ("office", 6, "field office", ORGANISATIONS),
    ("water_point", 6, "water point", ("Water Org E",)),
    ("distribution_point", 6, "distribution point", ("Relief Org A", "Relief Org B")),
)


def humanitarian_sites() -> gpd.GeoDataFrame:
    """About 60 synthetic humanitarian sites; IDP sites and distribution points carry windows."""
    rng = rng_for(3)
    rows: list[dict[str, object]] = []
    geoms: list[shapely.Geometry] = []
    anchors = anchor_places(1500)
    used: dict[str, int] = {}
    for category, count, label, organisations in _SITE_PLAN:
        for index, place in enumerate(_weighted_places(rng, anchors, count)):
            name = f"{place.name} {label}"
            used[name] = used.get(name, 0) + 1
            if used[name] > 1:
                name = f"{name} {used[name]}"
            valid_from, valid_to = _site_window(rng, category)
            rows.append(
                {
                    "name": name,
                    "precision_m": 100.0 if category != "school" else 50.0,
                    "organisation": str(rng.choice(organisations)),
                    "category": category,
                    "notified": bool(rng.random() < 0.8),
                    "valid_from": valid_from,
                    "valid_to": valid_to,
                }
            )
            lon, lat = jitter(rng, place, min_m=150, max_m=3000)
            if category == "idp_site" and index % 2 == 0:  # every other camp as an outline
                geoms.append(box(lon, lat, 300, 200))
            else:
                geoms.append(shapely.Point(lon, lat))
    for number, row in enumerate(rows, start=1):
        row["id"] = f"hs-{number:03d}"
    return _frame(rows, geoms)


def _site_window(rng: np.random.Generator, category: str) -> tuple[str | None, str | None]:
    """IDP and refugee sites opened during the incident period (some with a planned closing);
    distribution points run for a few days around the exercise; other sites have no window."""
    if category in {"idp_site", "refugee_site"}:
        opened = INCIDENT_START + pd.Timedelta(days=int(rng.integers(5, 80)))
        closes = (
            EXERCISE_START + pd.Timedelta(days=int(rng.integers(30, 120)))
            if rng.random() < 0.5
            else None
        )
        return iso(opened), None if closes is None else iso(closes)
    if category == "distribution_point":
        start = EXERCISE_START + pd.Timedelta(days=int(rng.integers(-5, 18)), hours=8)
        return iso(start), iso(start + pd.Timedelta(days=int(rng.integers(2, 8)), hours=10))
    return None, None


# from, to, organisation, day of the exercise, start hour, hours, notified
_MOVEMENTS: tuple[tuple[str, str, str, int, int, int, bool], ...] = (
    ("Suwałki", "Sejny", "Relief Org A", 1, 7, 8, True),
    ("Marijampolė", "Garliava", "Relief Org B", 2, 6, 10, True),
    ("Augustów", "Suwałki", "Medical Aid Org C", 3, 9, 6, True),
    ("Ełk", "Olecko", "Shelter Org F", 5, 8, 9, True),
    ("Alytus", "Druskininkai", "Water Org E", 6, 7, 12, True),
    ("Lazdijai", "Alytus", "Child Aid Org D", 8, 10, 6, False),
    ("Suwałki", "Marijampolė", "Relief Org A", 10, 6, 30, True),
    ("Grajewo", "Ełk", "Relief Org B", 14, 8, 8, True),
)


def humanitarian_movements() -> gpd.GeoDataFrame:
    """Eight synthetic notified convoys between towns, each in a window during the exercise."""
    rng = rng_for(4)
    rows: list[dict[str, object]] = []
    geoms: list[shapely.Geometry] = []
    for number, (a, b, org, day, hour, hours, notified) in enumerate(_MOVEMENTS, start=1):
        start_place, end_place = place_named(a), place_named(b)
        start = EXERCISE_START + pd.Timedelta(days=day, hours=hour)
        rows.append(
            {
                "id": f"hm-{number:02d}",
                "name": f"Convoy {a} – {b}",
                "precision_m": 200.0,
                "organisation": org,
                "route": f"{a} → {b}, main road, {int(rng.integers(2, 5))} checkpoints",
                "notified": notified,
                "valid_from": iso(start),
                "valid_to": iso(start + pd.Timedelta(hours=hours)),
            }
        )
        geoms.append(_road(rng, start_place, end_place))
    return _frame(rows, geoms)


def _road(rng: np.random.Generator, a: Place, b: Place, *, bends: int = 3) -> shapely.LineString:
    """A line from ``a`` to ``b`` with ``bends`` inner vertices pushed sideways up to 1.5 km."""
    points = [(a.lon, a.lat)]
    east = (b.lon - a.lon) * math.cos(math.radians((a.lat + b.lat) / 2))
    north = b.lat - a.lat
    norm = math.hypot(east, north)
    side_east, side_north = -north / norm, east / norm
    for i in range(1, bends + 1):
        t = i / (bends + 1)
        lon, lat = a.lon + t * (b.lon - a.lon), a.lat + t * (b.lat - a.lat)
        push = float(rng.uniform(-1500, 1500))
        points.append(offset(lon, lat, push * side_east, push * side_north))
    points.append((b.lon, b.lat))
    return shapely.LineString(points)


# name, category, town, east m, north m
_INFRASTRUCTURE_POINTS: tuple[tuple[str, str, str, int, int], ...] = (
    ("Kaunas reservoir dam", "dam", "Kaunas", 7000, -3500),
    ("Alytus river dam", "dam", "Alytus", -1500, 2500),
    ("Augustów canal lock and dam", "dam", "Augustów", 2500, 1200),
    ("Nemunas flood dyke", "dyke", "Jurbarkas", 1200, -900),
    ("Ełk lake dyke", "dyke", "Ełk", -900, -600),
    ("Suwałki water treatment plant", "water", "Suwałki", -2200, 1500),
    ("Marijampolė water works", "water", "Marijampolė", 1800, -1200),
    ("Olecko pumping station", "water", "Olecko", 700, 1300),
    ("Alytus substation", "power", "Alytus", 2800, -1700),
    ("Ełk substation", "power", "Ełk", 2300, 1900),
    ("Marijampolė grain silos", "food", "Marijampolė", -2500, 900),
    ("Suwałki food warehouse", "food", "Suwałki", 1900, -2100),
    ("Grajewo grain store", "food", "Grajewo", -1400, 1100),
)


def infrastructure() -> gpd.GeoDataFrame:
    """Fifteen synthetic works and objects indispensable to survival; two power lines."""
    rng = rng_for(5)
    rows: list[dict[str, object]] = []
    geoms: list[shapely.Geometry] = []
    for name, category, town, east, north in _INFRASTRUCTURE_POINTS:
        place = place_named(town)
        rows.append({"name": name, "precision_m": 100.0, "category": category})
        geoms.append(shapely.Point(offset(place.lon, place.lat, east, north)))
    for a, b in (("Alytus", "Ełk"), ("Alytus", "Kaunas")):
        rows.append({"name": f"{a}–{b} power line", "precision_m": 250.0, "category": "power"})
        geoms.append(_road(rng, place_named(a), place_named(b), bends=4))
    for number, row in enumerate(rows, start=1):
        row["id"] = f"inf-{number:02d}"
    return _frame(rows, geoms)
