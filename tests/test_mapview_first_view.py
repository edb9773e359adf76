"""The first view of the live map: layers built once for the view the map opens at."""

from __future__ import annotations

import math

import pytest

from humansec.mapview import MapView, build_base_map
from humansec.mapview.first_view import ReportAfterBasemap, first_view, settled_view
from humansec.model import LayerKind


def _pixels_across(bounds: tuple[float, float, float, float], zoom: int) -> tuple[float, float]:
    west, south, east, north = bounds

    def y(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    scale = 256 * 2**zoom
    return (east - west) / 360 * scale, (y(north) - y(south)) / (2 * math.pi) * scale


def test_first_view_covers_the_window_around_the_centre() -> None:
    view = first_view((54.3, 23.2), 8, cover_px=(2000, 1200))
    assert view.zoom == 8
    assert view.bounds is not None
    width, height = _pixels_across(view.bounds, 8)
    assert width == pytest.approx(2000, abs=0.5)
    assert height == pytest.approx(1200, abs=0.5)
    west, south, east, north = view.bounds
    assert west < 23.2 < east
    assert south < 54.3 < north
    assert (west + east) / 2 == pytest.approx(23.2, abs=1e-6)


def test_first_view_is_cut_at_the_world_edges() -> None:
    view = first_view((80.0, 179.0), 2)
    assert view.bounds is not None
    west, south, east, north = view.bounds
    assert east == 180.0
    assert north == pytest.approx(85.0511287798, abs=1e-6)
    assert -180.0 <= west < 179.0
    assert south < 80.0


def test_a_report_inside_the_first_view_keeps_it() -> None:
    first = first_view((54.3, 23.2), 8)
    reported = MapView((22.0, 53.8, 24.4, 54.8), 8)  # a 1000 x 700 px frame at zoom 8
    assert settled_view(reported, first) == first
    assert settled_view(MapView(None, None), first) == first


def test_leaving_the_first_view_gives_the_snapped_reported_view() -> None:
    first = first_view((54.3, 23.2), 8)
    zoomed = MapView((22.6, 54.0, 23.8, 54.6), 9)
    assert settled_view(zoomed, first) == zoomed.snapped()
    assert first.bounds is not None
    east = first.bounds[2]
    panned = MapView((east - 1.0, 53.8, east + 1.0, 54.8), 8)
    assert settled_view(panned, first) == panned.snapped()
    assert settled_view(panned, first) != first


def test_reports_wait_for_the_basemap_in_the_map_script() -> None:
    fmap = build_base_map(
        center=(54.3, 23.2), zoom=8, asset_prefix="v/", kinds_shown=[LayerKind.POPULATION]
    )
    fmap.add_child(ReportAfterBasemap())
    html = fmap.get_root().render()
    script = html[html.index("L.Humansec.basemap(") :]
    # The basemap (which sets the promise) comes first; the wrapper waits on it, with a limit.
    assert "S.setComponentValue = function (value)" in script
    assert f"}})({fmap.get_name()});" in script
    assert f"setTimeout(release, {ReportAfterBasemap.HOLD_MS})" in script
    assert "map._hsBasemapLoaded = load(coarseUrl || url)" in html
    assert "Promise.resolve(map._hsBasemapLoaded).then(painted, painted)" in script
