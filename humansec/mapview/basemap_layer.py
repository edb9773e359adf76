"""A catalogued basemap package on the map: raster tiles, or vector tiles drawn in the browser.

Raster packages are a plain Leaflet tile layer over the served ``{z}/{x}/{y}`` files; vector
packages are drawn by protomaps-leaflet (npm, vendored into ``static/vendor/``), loaded by the
element itself the first time a vector basemap is shown, so a map without one does not pay
for it. Both sit in Leaflet's tile pane, above the built-in countries and below the data.
Their URLs are relative (``basemaps.STREAMLIT_BASEMAP_PREFIX``) and keep working under a
server base path. Vector tiles follow no single schema (OpenMapTiles, Protomaps, a mission's
own), so the style is built from the package's layer names: water blue, land cover green,
roads white on grey, boundaries dashed, everything else neutral, and names as labels.
"""

from __future__ import annotations

from typing import Any

from branca.element import MacroElement
from jinja2 import Template

from humansec.basemaps import BasemapRecord, tile_url
from humansec.escaping import escape_text
from humansec.mapview.assets import Asset, asset_url
from humansec.mapview.elements import script_json

PROTOMAPS_JS = Asset("protomaps_leaflet", "protomaps-leaflet/protomaps-leaflet.js")
"""protomaps-leaflet's browser bundle (it includes the pmtiles reader)."""

_STYLES: tuple[tuple[tuple[str, ...], dict[str, Any]], ...] = (
    (("water", "ocean", "lake", "river", "sea"), {"fill": "#a9c9e6", "line": "#6f9fcf"}),
    (("landuse", "landcover", "park", "wood", "forest", "green", "natural", "earth"),
     {"fill": "#dfe8cf", "line": None}),
    (("building",), {"fill": "#d8cfc6", "line": "#b9aea3"}),
    (("road", "transport", "street", "highway", "rail", "path"),
     {"fill": None, "line": "#9a9a9a", "width": 1.6}),
    (("boundar", "admin", "border"), {"fill": None, "line": "#8e6c99", "dash": [4, 3]}),
)  # fmt: skip
_DEFAULT_STYLE: dict[str, Any] = {"fill": "#ece7dd", "line": "#b3aca0"}


def layer_style(name: str) -> dict[str, Any]:
    """The style of vector layer ``name`` (by the words in it).

    >>> layer_style("waterway")["line"], layer_style("transportation")["fill"]
    ('#6f9fcf', None)
    """
    lowered = name.lower()
    for words, style in _STYLES:
        if any(word in lowered for word in words):
            return {"width": 1.0, "dash": None, **style}
    return {"width": 1.0, "dash": None, **_DEFAULT_STYLE}


def vector_style(layers: tuple[str, ...]) -> list[dict[str, Any]]:
    """One style entry per vector layer: ``{"layer", "fill", "line", "width", "dash"}``.

    Areas first, lines above them, as maps draw them. Names stay as they are: they are keys
    matched against the tiles' layer names in the browser, never shown (``script_json``
    keeps them inert inside the script).
    """
    order = {"fill": 0, "line": 1}
    styled = [{"layer": name, **layer_style(name)} for name in layers]
    return sorted(styled, key=lambda s: order["fill" if s["fill"] else "line"])


class PackageBasemap(MacroElement):
    """The tiles of one catalogued basemap package."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "(function (map, spec) {"
        "  var bounds = L.latLngBounds([spec.bounds[1], spec.bounds[0]],"
        "                              [spec.bounds[3], spec.bounds[2]]);"
        "  if (!spec.vector) {"
        "    L.tileLayer(spec.url, {minNativeZoom: spec.minZoom, maxNativeZoom: spec.maxZoom,"
        "      bounds: bounds, attribution: spec.attribution, className: 'hs-package-basemap'"
        "    }).addTo(map);"
        "    return;"
        "  }"
        "  function add() {"
        "    var P = window.protomapsL, paint = [], labels = [];"
        "    spec.style.forEach(function (s) {"
        "      if (s.fill) paint.push({dataLayer: s.layer, filter: function (z, f) {"
        "        return f.geomType === 3; }, symbolizer: new P.PolygonSymbolizer({fill: s.fill,"
        "        stroke: s.line || s.fill, width: s.line ? 0.5 : 0})});"
        "      if (s.line) paint.push({dataLayer: s.layer, filter: function (z, f) {"
        "        return f.geomType === 2; }, symbolizer: new P.LineSymbolizer({color: s.line,"
        "        width: s.width, dash: s.dash || undefined})});"
        "      labels.push({dataLayer: s.layer, filter: function (z, f) {"
        "        return f.geomType === 1; }, symbolizer: new P.CenteredTextSymbolizer({"
        "        labelProps: ['name:en', 'name_en', 'name'], fill: '#222', stroke: '#fff',"
        "        width: 2, font: '12px sans-serif'})});"
        "    });"
        "    P.leafletLayer({url: spec.url, maxDataZoom: spec.maxZoom, bounds: bounds,"
        "      paintRules: paint, labelRules: labels, attribution: spec.attribution"
        "    }).addTo(map);"
        "  }"
        "  if (window.protomapsL) { add(); return; }"
        "  var script = document.createElement('script');"
        "  script.src = spec.script;"
        "  script.onload = add;"
        "  script.onerror = function () {"
        "    console.warn('humansec: protomaps-leaflet could not be loaded from ' + spec.script"
        "      + '; run `make setup` to vendor it.'); };"
        "  document.head.appendChild(script);"
        "})({{ this._parent.get_name() }}, {{ this.spec_json }});"
        "{% endmacro %}"
    )

    def __init__(self, record: BasemapRecord, *, tiles_prefix: str, asset_prefix: str) -> None:
        super().__init__()
        self._name = "PackageBasemap"
        self.record = record
        self.spec: dict[str, Any] = {
            "url": tile_url(record.basemap_id, record.tile_format, tiles_prefix),
            "vector": record.vector,
            "minZoom": record.min_zoom,
            "maxZoom": record.max_zoom,
            "bounds": list(record.bounds),
            "attribution": escape_text(record.attribution or record.title),
            "style": vector_style(record.vector_layers) if record.vector else [],
            "script": asset_url(PROTOMAPS_JS, asset_prefix),
        }
        self.spec_json = script_json(self.spec)
