"""The MGRS grid: zone boundaries, 100 km squares and their labels, computed in WGS84."""

from __future__ import annotations

import pytest
import shapely

from humansec.coords import to_mgrs
from humansec.demo import DEMO_AREA
from humansec.errors import ConfigurationError
from humansec.export.mgrs_grid import (
    check_grid,
    grid_note,
    grid_spacing,
    mgrs_grid,
    square_label,
)


def test_demo_area_has_the_zone_boundary_and_its_squares() -> None:
    grid = mgrs_grid(DEMO_AREA, spacing=100_000)
    # 24°E divides zones 34 and 35; no latitude band edge (48°-56°N is band U).
    assert grid.zone_lines == (((53.5, 24.0), (55.1, 24.0)),)
    texts = {text for text, _lat, _lon in grid.labels}
    assert {"34U FE", "34U EE", "35U LA"} <= texts
    assert len(texts) == len(grid.labels)  # one label per square
    box = shapely.box(*DEMO_AREA)
    for text, lat, lon in grid.labels:  # each label sits in the view, in its own square
        assert box.contains(shapely.Point(lon, lat))
        assert square_label(lat, lon) == text
    assert grid.square_lines


def test_square_lines_stay_in_the_view_and_follow_100_km_eastings() -> None:
    west, south, east, north = 22.0, 54.0, 23.5, 54.6
    grid = mgrs_grid((west, south, east, north), spacing=100_000)
    vertices = [vertex for line in grid.square_lines for vertex in line]
    assert vertices
    for lat, lon in vertices:
        assert south - 1e-6 <= lat <= north + 1e-6 and west - 1e-6 <= lon <= east + 1e-6
    assert {text for text, *_ in grid.labels} == {"34U EE", "34U FE", "34U EF", "34U FF"}


def test_southern_hemisphere_and_band_boundaries() -> None:
    grid = mgrs_grid((18.0, -34.5, 19.0, -33.5))
    assert "34H BH" in {text for text, *_ in grid.labels}
    band_edge = mgrs_grid((10.0, 46.0, 11.0, 50.0)).zone_lines
    assert ((48.0, 10.0), (48.0, 11.0)) in band_edge  # bands T | U meet at 48°N


def test_large_views_draw_only_zone_lines_and_odd_boxes_nothing() -> None:
    world = mgrs_grid((-180.0, -90.0, 180.0, 90.0))
    assert len(world.zone_lines) > 50
    assert world.square_lines == () and world.labels == ()
    assert mgrs_grid((170.0, 0.0, -170.0, 10.0)).zone_lines == ()  # across the antimeridian
    assert mgrs_grid((0.0, 85.0, 10.0, 89.0)).labels == ()  # polar cap (UPS)


def test_unknown_grid_lists_the_choices() -> None:
    assert check_grid("mgrs") == "mgrs"
    with pytest.raises(ConfigurationError, match="'latlon', 'mgrs'"):
        check_grid("utm")


def test_spacing_fits_the_view_on_a_sheet() -> None:
    assert grid_spacing((22.9, 54.05, 23.05, 54.12)) == 1_000  # about 10 km across
    assert grid_spacing(DEMO_AREA) == 10_000  # about 180 km
    assert grid_spacing((10.0, 40.0, 30.0, 60.0)) == 100_000
    assert grid_spacing(None) == 100_000
    assert "1 km lines" in grid_note("mgrs", (22.9, 54.05, 23.05, 54.12))
    assert "100 km squares" in grid_note("mgrs", (10.0, 40.0, 30.0, 60.0))


@pytest.mark.parametrize(
    ("bounds", "spacing"),
    [((22.9, 54.05, 23.05, 54.12), 1_000), ((22.0, 54.0, 23.5, 54.6), 10_000)],
)
def test_fine_lines_carry_the_digits_of_their_easting_or_northing(
    bounds: tuple[float, float, float, float], spacing: int
) -> None:
    grid = mgrs_grid(bounds, margin=0.5)
    west, south, east, north = bounds
    dx, dy = (east - west) / 2, (north - south) / 2
    digits = 2 if spacing == 1_000 else 1
    seen = {"e": set(), "n": set()}
    for text, axis, line in grid.fine_lines:
        assert len(text) == digits
        for lat, lon in line:  # inside the box widened by the margin
            assert south - dy - 1e-6 <= lat <= north + dy + 1e-6
            assert west - dx - 1e-6 <= lon <= east + dx + 1e-6
        for lat, lon in line[:: max(1, len(line) // 4)]:
            # every vertex lies on the line its label names (to a few metres), by the mgrs package
            _zone, _square, easting, northing = to_mgrs(lat, lon).split()
            value = int(easting if axis == "e" else northing)
            offset = (value - int(text) * spacing + 50_000) % 100_000 - 50_000
            assert abs(offset) < 5, (text, axis, lat, lon)
        seen[axis].add(text)
    assert len(seen["e"]) >= 5 and len(seen["n"]) >= 5
    # the 100 km square labels stay inside the box asked for
    box = shapely.box(*bounds)
    assert grid.labels
    for text, lat, lon in grid.labels:
        assert box.contains(shapely.Point(lon, lat)) and square_label(lat, lon) == text
