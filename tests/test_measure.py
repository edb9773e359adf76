"""Geodesic lengths and areas of drawn shapes, against GeographicLib and known values."""

from __future__ import annotations

import itertools
import math

import pytest
from pyproj import Geod

from humansec.errors import SchemaError
from humansec.measure import format_area, format_distance, measure, measure_drawings

WGS84_A = 6_378_137.0


def test_a_degree_along_the_equator() -> None:
    m = measure({"type": "LineString", "coordinates": [[10.0, 0.0], [11.0, 0.0]]})
    assert m.kind == "route" and m.area_m2 is None
    assert m.length_m == pytest.approx(WGS84_A * math.pi / 180, abs=1e-6)  # 111,319.49 m


def test_route_is_the_sum_of_its_geodesic_legs() -> None:
    coords = [[22.0, 54.0], [22.5, 54.3], [23.4, 54.1]]
    reference = sum(Geod(ellps="WGS84").inv(*a, *b)[2] for a, b in itertools.pairwise(coords))
    assert measure({"type": "LineString", "coordinates": coords}).length_m == pytest.approx(
        reference, abs=1e-6
    )


def test_area_of_a_polygon_either_winding() -> None:
    ring = [[22.0, 54.0], [23.0, 54.0], [23.0, 54.5], [22.0, 54.5], [22.0, 54.0]]
    lons, lats = zip(*ring, strict=True)
    area, perimeter = Geod(ellps="WGS84").polygon_area_perimeter(lons, lats)
    for coords in (ring, ring[::-1]):
        m = measure({"type": "Polygon", "coordinates": [coords]})
        assert m.kind == "area"
        assert m.area_m2 == pytest.approx(abs(area), rel=1e-9)
        assert m.length_m == pytest.approx(perimeter, rel=1e-9)
    assert 3.6e9 < abs(area) < 3.7e9  # about 65 km x 55.6 km
    assert m.describe().startswith("Area: 3,627.60 km²")


def test_drawings_skip_points_and_bad_shapes_are_refused() -> None:
    drawings = [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [22, 54]}},
        {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[0, 0], [0, 1]]}},
    ]
    assert [m.kind for m in measure_drawings(drawings)] == ["route"]
    assert measure_drawings(None) == []
    with pytest.raises(SchemaError, match="draw a line or polygon"):
        measure({"type": "Point", "coordinates": [22, 54]})
    with pytest.raises(SchemaError, match="draw it again"):
        measure({"type": "LineString"})


def test_formats() -> None:
    assert format_distance(999.4) == "999 m"
    assert format_distance(1000) == "1.00 km"
    assert format_area(9_999) == "1.00 ha"
    assert format_area(2_500_000) == "2.50 km²"
