"""The MGRS grid on the live map: 100 km, 10 km or 1 km lines by zoom, labelled, not clickable.

The lines are computed on the server for the current view (``export.mgrs_grid.mgrs_lines``, the
same code as the products' grid) and drawn as one layer that takes no clicks, so a click on the
map still goes to the features and to the clicked point's MGRS.
"""

from __future__ import annotations

import dataclasses
import math

import folium
from branca.element import MacroElement
from jinja2 import Template

from humansec.escaping import escape_text
from humansec.export.mgrs_grid import SPACINGS, MgrsGrid, mgrs_lines
from humansec.mapview.aggregate import Bounds
from humansec.mapview.elements import script_json

MIN_LINE_PX = 48
"""Grid lines at least this far apart on the screen: the finest spacing that keeps it."""
LABEL_PX = 130
"""Labels at least this far apart (a label such as ``34U FE 26 96`` is about 90 px wide)."""
SNAP_ZOOMS_OUT = 1
"""The grid covers the view's tiles one zoom level out (512 px squares at the view's zoom), so
that small pans and the first guess of the view give the same grid, which is then not sent
again."""
_METRES_PER_PIXEL_AT_ZOOM_0 = 156_543.033_928
GRID_COLOUR = "#1f3a5f"


def metres_per_pixel(zoom: float, latitude: float) -> float:
    """Ground metres per screen pixel of Web Mercator at ``zoom`` and ``latitude``."""
    return _METRES_PER_PIXEL_AT_ZOOM_0 * math.cos(math.radians(latitude)) / 2**zoom


def spacing_for_zoom(zoom: float, latitude: float) -> int | None:
    """The finest grid spacing (m) whose lines are ``MIN_LINE_PX`` apart, or None (zones only).

    >>> [spacing_for_zoom(z, 54.0) for z in (5, 8, 10, 13)]
    [None, 100000, 10000, 1000]
    """
    scale = metres_per_pixel(zoom, latitude)
    fitting = [spacing for spacing in SPACINGS if spacing / scale >= MIN_LINE_PX]
    return min(fitting) if fitting else None


def snap(bounds: Bounds, zoom: float) -> Bounds:
    """``bounds`` widened to the Web Mercator tile grid ``SNAP_ZOOMS_OUT`` levels out.

    Longitudes snap to the tiles' edges, latitudes to the same step in degrees (a little
    more than the tiles at mid latitudes), so every view inside one cell gives one box.

    >>> snap((22.1, 54.05, 22.3, 54.15), 12)
    (21.97265625, 53.96484375, 22.32421875, 54.31640625)
    """
    west, south, east, north = bounds
    step = 360.0 / 2 ** max(int(zoom) - SNAP_ZOOMS_OUT, 0)
    if west > east:  # across the antimeridian: no grid is drawn there anyway
        return bounds
    return (
        max(-180.0, math.floor(west / step) * step),
        max(-90.0, math.floor(south / step) * step),
        min(180.0, math.ceil(east / step) * step),
        min(90.0, math.ceil(north / step) * step),
    )


def live_grid(bounds: Bounds, zoom: float) -> tuple[MgrsGrid, int | None]:
    """The grid for a view: its lines at the spacing that fits ``zoom``, thinned labels.

    ``bounds`` (west, south, east, north, WGS84) is widened to the tiles one zoom level out
    (``snap``); returns the grid and the spacing used (None: zone boundaries only).
    """
    west, south, east, north = snap(bounds, zoom)
    latitude = (south + north) / 2
    spacing = spacing_for_zoom(zoom, latitude)
    if spacing is None:
        coarse = mgrs_lines((west, south, east, north), spacing=SPACINGS[0])
        return dataclasses.replace(coarse, square_lines=(), labels=()), None
    cell_px = spacing / metres_per_pixel(zoom, latitude)
    every = max(1, math.ceil(LABEL_PX / cell_px))
    return mgrs_lines((west, south, east, north), spacing=spacing, label_every=every), spacing


class GridLayer(MacroElement):
    """Zone boundaries, grid lines and labels drawn into the parent group; never clickable.

    Drawn once the live map's first view has painted (``L.Humansec.afterPaint``).
    """

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "(function (group, grid, colour) {"
        "L.Humansec.afterPaint(group, function () {"
        "var line = {color: colour, weight: 1, opacity: 0.55, interactive: false};"
        "var zone = {color: colour, weight: 2.5, opacity: 0.8, interactive: false};"
        "grid.zones.forEach(function (v) { L.polyline(v, zone).addTo(group); });"
        "grid.squares.forEach(function (v) { L.polyline(v, line).addTo(group); });"
        "grid.labels.forEach(function (l) {"
        "var span = document.createElement('span');"
        "span.className = 'hs-mgrs-label'; span.textContent = l[0];"
        "span.setAttribute('style', 'position:relative;left:-50%;white-space:nowrap;"
        "font:600 11px/1.2 sans-serif;color:' + colour + ';background:rgba(255,255,255,.7);"
        "padding:0 2px;border-radius:2px');"
        "L.marker([l[1], l[2]], {interactive: false, keyboard: false, icon: L.divIcon("
        "{className: 'hs-mgrs', html: span, iconSize: null})}).addTo(group);"
        "});"
        "});"
        "})({{ this._parent.get_name() }}, {{ this.grid_json }}, {{ this.colour_json }});"
        "{% endmacro %}"
    )

    def __init__(self, grid: MgrsGrid) -> None:
        super().__init__()
        self._name = "MgrsGridLayer"
        data = grid.to_json()
        data["labels"] = [[escape_text(text), lat, lon] for text, lat, lon in grid.labels]
        self.grid = grid
        self.grid_json = script_json(data)
        self.colour_json = script_json(GRID_COLOUR)


def grid_group(bounds: Bounds, zoom: float) -> folium.FeatureGroup:
    """A feature group holding the MGRS grid of this view (for ``feature_group_to_add``)."""
    grid, spacing = live_grid(bounds, zoom)
    name = f"MGRS grid ({spacing // 1000} km)" if spacing else "MGRS grid (zones)"
    group = folium.FeatureGroup(name=name, overlay=True, control=True, show=True)
    group.add_child(GridLayer(grid))
    return group
