"""Geodesic measurement of shapes drawn on the map: lengths of routes, areas of polygons.

Shapes come as GeoJSON geometries in WGS84 (EPSG:4326), as Leaflet.draw returns them through
streamlit-folium; lengths and areas are computed on the WGS84 ellipsoid with ``pyproj.Geod``
(GeographicLib), edges taken as geodesics.

>>> m = measure({"type": "LineString", "coordinates": [[22.0, 54.0], [23.0, 54.0]]})
>>> round(m.length_m)
65575
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import shapely
import shapely.geometry
from pyproj import Geod

from humansec.errors import SchemaError

GEOD = Geod(ellps="WGS84")
KM = 1000.0
HECTARE = 10_000.0


@dataclass(frozen=True)
class Measurement:
    """A drawn shape's geodesic length (a route) or area and perimeter (a polygon)."""

    kind: str  # "route" or "area"
    length_m: float
    area_m2: float | None = None

    def describe(self) -> str:
        """One line for people, e.g. ``Route: 65.59 km`` or ``Area: 12.3 km² (perimeter ...)``."""
        if self.area_m2 is None:
            return f"Route: {format_distance(self.length_m)}"
        return f"Area: {format_area(self.area_m2)} (perimeter {format_distance(self.length_m)})"


def measure(geometry: Mapping[str, Any]) -> Measurement:
    """Measure one GeoJSON LineString or Polygon (WGS84) on the ellipsoid.

    Other geometry types (a point has nothing to measure) are refused with a ``SchemaError``.
    """
    try:
        shape = shapely.geometry.shape(geometry)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        msg = f"The drawn shape is not a GeoJSON geometry ({error}); draw it again."
        raise SchemaError(msg) from None
    if isinstance(shape, shapely.LineString | shapely.MultiLineString):
        return Measurement("route", float(GEOD.geometry_length(shape)))
    if isinstance(shape, shapely.Polygon | shapely.MultiPolygon):
        area, perimeter = GEOD.geometry_area_perimeter(shape)
        return Measurement("area", float(perimeter), abs(float(area)))
    msg = f"Only routes and areas can be measured, not a {shape.geom_type}; draw a line or polygon."
    raise SchemaError(msg)


def measure_drawings(drawings: Sequence[Mapping[str, Any]] | None) -> list[Measurement]:
    """Measure every line and polygon among streamlit-folium's ``all_drawings`` (others skipped)."""
    found = []
    for feature in drawings or []:
        geometry = feature.get("geometry") if isinstance(feature, Mapping) else None
        if isinstance(geometry, Mapping) and geometry.get("type") in {
            "LineString",
            "MultiLineString",
            "Polygon",
            "MultiPolygon",
        }:
            found.append(measure(geometry))
    return found


def format_distance(metres: float) -> str:
    """``850 m`` below 1 km, else kilometres with two decimals.

    >>> format_distance(850.4), format_distance(65587.2)
    ('850 m', '65.59 km')
    """
    return f"{metres:,.0f} m" if metres < KM else f"{metres / KM:,.2f} km"


def format_area(square_metres: float) -> str:
    """Hectares below 1 km², else square kilometres.

    >>> format_area(52_000), format_area(12_345_678)
    ('5.20 ha', '12.35 km²')
    """
    if square_metres < KM * KM:
        return f"{square_metres / HECTARE:,.2f} ha"
    return f"{square_metres / (KM * KM):,.2f} km²"
