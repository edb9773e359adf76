"""Framing the live map: where it opens (the home view) and how much of the window it fills.

The home view is the operation area from the settings, else the extent of the planned
activities, else the demo area; never the extent of the largest layer, so an analyst who
uploads a worldwide layer does not move everyone's map to the whole world. Bounds are
``(west, south, east, north)`` in degrees on WGS84 (EPSG:4326).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
from branca.element import MacroElement
from jinja2 import Template

from humansec.demo.scenario import DEMO_AREA
from humansec.mapview import aggregate
from humansec.mapview.aggregate import Bounds
from humansec.mapview.builder import data_bounds
from humansec.model import LayerKind

ACTIVITY_MARGIN = 0.15
"""The activities' extent is widened by this share of its size on every side."""
MAP_FRAME_SELECTOR = 'iframe[title="streamlit_folium.st_folium"]'
"""streamlit-folium's component iframe in the page."""
HEADER_PX = 150
"""What the page keeps above the map: Streamlit's toolbar, the banner and a one-line title."""
MIN_MAP_PX = 420


@dataclass(frozen=True)
class HomeView:
    """Where the map opens, and why (shown to the user)."""

    bounds: Bounds
    source: str

    @property
    def center(self) -> tuple[float, float]:
        """``(latitude, longitude)`` of the middle, as folium takes it."""
        west, south, east, north = self.bounds
        return ((south + north) / 2, (west + east) / 2)

    def zoom(self, *, height_px: int = 800) -> int:
        """The zoom at which the home view fills a map about this high."""
        return aggregate.zoom_for_bounds(self.bounds, height_px=height_px)


def home_view(
    *,
    operation_area: Bounds | None,
    activities: gpd.GeoDataFrame | None,
    fallback: Bounds = DEMO_AREA,
) -> HomeView:
    """The map's home view: the operation area, else the activities' extent, else ``fallback``.

    ``activities`` is the planned activities frame (WGS84), or None.

    >>> home_view(operation_area=(20.0, 50.0, 21.0, 51.0), activities=None).source
    'operation area'
    >>> home_view(operation_area=None, activities=None).bounds
    (21.8, 53.5, 24.6, 55.1)
    """
    if operation_area is not None:
        return HomeView(operation_area, "operation area")
    if activities is not None and len(activities):
        extent = data_bounds({LayerKind.ACTIVITY: activities})
        if extent is not None:
            return HomeView(aggregate.widen(extent, ACTIVITY_MARGIN), "planned activities")
    return HomeView(fallback, "demo area")


def fill_viewport_css(*, header_px: int = HEADER_PX, min_px: int = MIN_MAP_PX) -> str:
    """CSS for the page: the map's iframe as high as the window below ``header_px``.

    >>> "calc(100vh - 150px)" in fill_viewport_css()
    True
    """
    return (
        f"{MAP_FRAME_SELECTOR}{{height:calc(100vh - {int(header_px)}px) !important;"
        f"min-height:{int(min_px)}px}}"
    )


class FillFrame(MacroElement):
    """Inside the map's iframe: the map as high as the iframe (which the page sizes)."""

    _template = Template(
        "{% macro header(this, kwargs) %}"
        "<style>html,body{height:100%;margin:0}"
        "#map_div{height:100vh !important}</style>"
        "{% endmacro %}"
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "FillFrame"
