"""The twelve planned activities of the demo exercise.

Seven are placed deliberately close to protected features (so the conflict check has something
to find), and five in forests and marshes well clear of them. Each close one is laid out from
the feature it threatens, so it stays close whatever the other layers draw.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from humansec.demo.scenario import EXERCISE_START, box, iso, offset, place_named, rounded
from humansec.errors import HumansecError
from humansec.model import WGS84


def activities(
    cultural: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    movements: gpd.GeoDataFrame,
    infrastructure: gpd.GeoDataFrame,
) -> gpd.GeoDataFrame:
    """Return the planned activities, laid out against the (already built) protected layers."""
    enhanced = _first(cultural, (cultural["protection"] == "enhanced") & _is_point(cultural))
    hospital = _first(sites, sites["category"] == "hospital")
    camp = _first(sites, (sites["category"] == "idp_site") & ~_is_point(sites))
    convoy = movements.iloc[0]
    dam = _first(infrastructure, infrastructure["category"] == "dam")
    kalvarija, raczki = place_named("Kalvarija"), place_named("Raczki")

    plan: list[tuple[str, str, shapely.Geometry, int, int, int, str, float | None]] = [
        # name, type, geometry, day, hour, hours, unit, hazard radius
        (
            "Fire mission near cultural site",
            "indirect_fire",
            shapely.Point(offset(enhanced.geometry.x, enhanced.geometry.y, 400, 0)),
            2,
            10,
            3,
            "Arty Bty A (EX)",
            1000.0,
        ),
        (
            "Vehicle checkpoint by hospital",
            "checkpoint",
            shapely.Point(offset(hospital.geometry.x, hospital.geometry.y, 0, 150)),
            1,
            6,
            72,
            "MP Pl (EX)",
            None,
        ),
        (
            f"Logistics convoy along {convoy['name'].removeprefix('Convoy ')}",
            "convoy",
            shapely.LineString(
                [offset(x, y, 300, 0) for x, y in convoy.geometry.coords],
            ),
            1,
            9,
            4,
            "1st Log Bn (EX)",
            None,
        ),
        (
            "Demolition of crossing by dam",
            "engineering_demolition",
            shapely.Point(offset(dam.geometry.x, dam.geometry.y, -300, 0)),
            4,
            14,
            2,
            "Engr Coy (EX)",
            500.0,
        ),
        (
            f"Manoeuvre box around {raczki.name}",
            "ground_manoeuvre",
            box(raczki.lon, raczki.lat, 3000, 2000),
            5,
            5,
            48,
            "1st Bn (EX)",
            None,
        ),
        (
            "Air strike near camp",
            "air_strike",
            shapely.Point(offset(camp.geometry.centroid.x, camp.geometry.centroid.y, 600, 0)),
            7,
            3,
            1,
            "Air Component (EX)",
            None,
        ),
        (
            f"Patrol through {kalvarija.name}",
            "patrol",
            shapely.LineString(
                [
                    offset(kalvarija.lon, kalvarija.lat, -3000, -1500),
                    (kalvarija.lon, kalvarija.lat),
                    offset(kalvarija.lon, kalvarija.lat, 2500, 2000),
                ]
            ),
            9,
            20,
            6,
            "Recce Sqn (EX)",
            None,
        ),
        # Clear of protected features: Augustów Forest, Dainava Forest, Biebrza marshes.
        (
            "Live-firing area, Augustów Forest",
            "exercise",
            box(23.25, 53.93, 4000, 3000),
            3,
            6,
            96,
            "2nd Bn (EX)",
            None,
        ),
        (
            "Fire mission, Dainava Forest",
            "indirect_fire",
            shapely.Point(24.28, 54.15),
            6,
            11,
            4,
            "Arty Bty B (EX)",
            1500.0,
        ),
        (
            "Forest patrol, Augustów Forest",
            "patrol",
            shapely.LineString([(23.18, 53.9), (23.22, 53.96), (23.3, 53.98)]),
            8,
            7,
            8,
            "2nd Bn (EX)",
            None,
        ),
        (
            "Manoeuvre area, Dainava Forest",
            "ground_manoeuvre",
            box(24.35, 54.1, 5000, 3000),
            10,
            4,
            72,
            "3rd Bn (EX)",
            None,
        ),
        (
            "Checkpoint, Biebrza marshes",
            "checkpoint",
            shapely.Point(22.85, 53.6),
            12,
            6,
            24,
            "MP Pl (EX)",
            None,
        ),
    ]
    rows: list[dict[str, object]] = []
    for number, (name, kind, _geom, day, hour, hours, unit, radius) in enumerate(plan, start=1):
        start = EXERCISE_START + pd.Timedelta(days=day, hours=hour)
        rows.append(
            {
                "id": f"act-{number:02d}",
                "name": name,
                "precision_m": 10.0,
                "type": kind,
                "start": iso(start),
                "end": iso(start + pd.Timedelta(hours=hours)),
                "unit": unit,
                "hazard_radius_m": radius,
            }
        )
    geoms = [rounded(entry[2]) for entry in plan]
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geoms, crs=WGS84)


def _is_point(frame: gpd.GeoDataFrame) -> pd.Series:
    points: pd.Series = frame.geom_type == "Point"
    return points


def _first(frame: gpd.GeoDataFrame, mask: pd.Series) -> pd.Series:
    """The first row where ``mask`` holds; the scenario is built so that one always does."""
    matches = frame[mask]
    if matches.empty:
        msg = "The demo scenario lacks a feature an activity is laid out from; rebuild it."
        raise HumansecError(msg)
    row: pd.Series = matches.iloc[0]
    return row
