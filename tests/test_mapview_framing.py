"""Where the live map opens: operation area, else the activities, else the demo area."""

from __future__ import annotations

import geopandas as gpd
import shapely

from humansec.demo import DEMO_AREA
from humansec.mapview.framing import FillFrame, fill_viewport_css, home_view
from humansec.model import WGS84


def activities(*points: tuple[float, float]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": [f"a{i}" for i in range(len(points))]},
        geometry=[shapely.Point(*p) for p in points],
        crs=WGS84,
    )


def test_operation_area_wins() -> None:
    home = home_view(operation_area=(20.0, 50.0, 21.0, 51.0), activities=activities((23, 54)))
    assert home.bounds == (20.0, 50.0, 21.0, 51.0)
    assert home.source == "operation area"
    assert home.center == (50.5, 20.5)


def test_activities_extent_with_a_margin_else_the_demo_area() -> None:
    home = home_view(operation_area=None, activities=activities((22.0, 54.0), (23.0, 54.5)))
    west, south, east, north = home.bounds
    assert home.source == "planned activities"
    assert west < 22.0 and east > 23.0 and south < 54.0 and north > 54.5
    assert east - west < 1.5  # a margin, not the world
    empty = home_view(operation_area=None, activities=activities())
    assert (empty.bounds, empty.source) == (DEMO_AREA, "demo area")
    assert home_view(operation_area=None, activities=None).bounds == DEMO_AREA


def test_home_view_depends_on_the_activities_alone() -> None:
    # Only the activities count: whatever else the store holds is not an argument at all,
    # and the zoom fits the activities, not the world.
    home = home_view(operation_area=None, activities=activities((22.9, 54.1), (23.1, 54.2)))
    assert home.zoom() >= 9


def test_fill_viewport_css_and_frame() -> None:
    css = fill_viewport_css(header_px=120, min_px=300)
    assert 'iframe[title="streamlit_folium.st_folium"]' in css
    assert "calc(100vh - 120px)" in css and "min-height:300px" in css
    assert "#map_div{height:100vh !important}" in FillFrame()._template.module.header(  # type: ignore[attr-defined]
        FillFrame(), {}
    )
