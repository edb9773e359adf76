"""The view the live map's layers are built for before the map has reported its own.

The map opens at a centre and zoom fixed on the server, but only the browser knows the frame's
size in pixels, so the first run cannot know the exact bounds. The map reports them right
after it is drawn (a fragment rerun). If the layers were built for the reported bounds, that
second run would send a second, slightly different copy of every layer, which the browser
parses and draws again (DESIGN.md section 8, benchmarks/README.md "Issue 10").

So the first run builds the layers for ``first_view``: the opening centre and zoom over a
window larger than any screen (``COVER_PX``). ``settled_view`` keeps that view as long as the
map stays at the opening zoom and inside it; the rerun then builds (or takes from the cache)
the very same layers, and streamlit-folium, which compares the layers' JavaScript, draws
nothing again. Bounds are ``(west, south, east, north)`` in degrees (EPSG:4326); the pixel
geometry is Leaflet's Web Mercator (256 px tiles).
"""

from __future__ import annotations

import math

from branca.element import MacroElement
from jinja2 import Template

from humansec.mapview.builder import MapView

COVER_PX = (2560, 1600)
"""Width and height in pixels of the window the first layers cover (larger than most
screens; a larger frame simply gets its layers once more, for its reported view)."""
MAX_LATITUDE = 85.0511287798
"""Web Mercator's limit."""
DECIMALS = 6


def _pixel(lat: float, lon: float, zoom: int) -> tuple[float, float]:
    scale = 256 * 2**zoom
    lat = max(min(lat, MAX_LATITUDE), -MAX_LATITUDE)
    y = math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))
    return (lon + 180) / 360 * scale, (1 - y / math.pi) / 2 * scale


def _latlon(x: float, y: float, zoom: int) -> tuple[float, float]:
    scale = 256 * 2**zoom
    lon = x / scale * 360 - 180
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / scale))))
    return lat, lon


def first_view(
    center: tuple[float, float], zoom: int, *, cover_px: tuple[int, int] = COVER_PX
) -> MapView:
    """The view of a ``cover_px`` window around ``center`` (``(lat, lon)``) at ``zoom``.

    Longitudes are cut at +-180 and latitudes at Web Mercator's limit.

    >>> first_view((0.0, 0.0), 1, cover_px=(256, 256))
    MapView(bounds=(-90.0, -66.51326, 90.0, 66.51326), zoom=1)
    """
    x, y = _pixel(*center, zoom)
    half_w, half_h = cover_px[0] / 2, cover_px[1] / 2
    north, west = _latlon(x - half_w, y - half_h, zoom)
    south, east = _latlon(x + half_w, y + half_h, zoom)
    bounds = (
        round(max(west, -180.0), DECIMALS),
        round(max(south, -MAX_LATITUDE), DECIMALS),
        round(min(east, 180.0), DECIMALS),
        round(min(north, MAX_LATITUDE), DECIMALS),
    )
    return MapView(bounds=bounds, zoom=zoom)


def settled_view(reported: MapView, first: MapView) -> MapView:
    """The view to build layers for: ``first`` until the map leaves it, else the reported one.

    ``reported`` is what the map last sent (``MapView.from_component``): nothing yet, or the
    opening zoom with bounds inside ``first``, gives ``first``; any other view its
    tile-snapped self (``MapView.snapped``).

    >>> first = MapView((20.0, 50.0, 30.0, 56.0), 7)
    >>> settled_view(MapView(None, None), first) == first
    True
    >>> settled_view(MapView((22.0, 52.0, 28.0, 55.0), 7), first) == first
    True
    >>> settled_view(MapView((22.0, 52.0, 28.0, 55.0), 8), first).zoom
    8
    >>> settled_view(MapView((29.0, 52.0, 31.0, 55.0), 7), first).bounds
    (28.125, 50.625, 33.75, 56.25)
    """
    if reported.bounds is None:
        return first if reported.zoom in (None, first.zoom) else reported
    if reported.zoom == first.zoom and first.bounds is not None:
        west, south, east, north = reported.bounds
        f_west, f_south, f_east, f_north = first.bounds
        inside = f_west <= west <= east <= f_east and f_south <= south <= north <= f_north
        if inside:
            return first
    return reported.snapped()


class ReportAfterBasemap(MacroElement):
    """Holds the live map's reports to Streamlit until the countries basemap is drawn (the
    light one where the live map draws it first: ``runtime.py``).

    streamlit-folium reports the map's view as soon as the map exists, before the basemap has
    even been fetched; the page's rerun that follows then competes with the basemap's parsing
    and drawing for the browser's one main thread. This element (in the map's script, which
    runs before streamlit-folium's ``initComponent``) wraps ``Streamlit.setComponentValue``:
    until the basemap is on the map and painted (or for at most ``HOLD_MS``), the latest value
    is held, then sent. Nothing is lost: each value is the map's whole state (view, last
    click, drawings), so a click in that time arrives with the held report.

    It sends through ``page_change.StopReportsOnPageChange`` (``build_base_map(live=True)``
    adds that first), so a held report is dropped once the user has clicked another page.

    A map that returns neither its view nor anything else before the user acts sends no
    report of its own; with ``report_drawn`` (a name) it then sends its unchanged state with
    ``hs_drawn: true`` once it is drawn, the first time a map of that name is drawn in the
    browser's page, so that the page can draw what waited for the map (``ui/after_map.py``).
    """

    HOLD_MS = 4000
    _template = Template(
        "{% macro script(this, kwargs) %}"
        "(function (map) {"
        "  var S = window.Streamlit;"
        "  if (!S || typeof S.setComponentValue !== 'function' || S.hsHeld) { return; }"
        "  var send = S.setComponentValue, held = null, open = false;"
        "  S.hsHeld = true;"
        "  function release() {"
        "    if (open) { return; }"
        "    open = true;"
        "    if (held) { var value = held[0]; held = null; send.call(S, value); return; }"
        "    var name = {{ this.report_drawn|tojson }}, top = window.parent || window;"
        "    var reported = (top.hsDrawnReported = top.hsDrawnReported || {});"
        "    if (name === null || reported[name]) { return; }"
        "    reported[name] = true;"
        "    var data = window.__GLOBAL_DATA__ || {};"
        "    send.call(S, Object.assign({}, data.previous_data || {}, {hs_drawn: true}));"
        "  }"
        "  S.setComponentValue = function (value) {"
        "    if (open) { return send.call(S, value); }"
        "    held = [value];"
        "  };"
        "  function painted() {"
        "    requestAnimationFrame(function () { setTimeout(release, 0); });"
        "  }"
        "  Promise.resolve(map._hsBasemapLoaded).then(painted, painted);"
        "  setTimeout(release, {{ this.hold_ms }});"
        "})({{ this._parent.get_name() }});"
        "{% endmacro %}"
    )

    def __init__(self, report_drawn: str | None = None) -> None:
        super().__init__()
        self._name = "ReportAfterBasemap"
        self.hold_ms = int(self.HOLD_MS)
        self.report_drawn = report_drawn
