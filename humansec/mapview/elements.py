"""folium elements that emit exactly the JavaScript humansec needs, and no CDN link.

Each element is a small ``MacroElement`` with a Jinja template. Data goes in as compact JSON
made safe for a ``<script>`` block (``<``, ``>``, ``&`` and ``'`` as ``\\uXXXX``, like Jinja's
``tojson``); every string a user can see was escaped in Python before (see
``humansec.escaping``). The elements carry no ``default_js``/``default_css`` of their own: the
map built by ``builder.build_base_map`` lists every local script and stylesheet once, because
streamlit-folium loads scripts only when its iframe first draws the map.
"""

from __future__ import annotations

import json
from typing import Any

from branca.element import MacroElement
from jinja2 import Template

from humansec.mapview.runtime import RUNTIME_CSS, RUNTIME_JS

_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "'": "\\u0027"})


def script_json(value: object) -> str:
    """Return ``value`` as compact JSON that cannot end or confuse a ``<script>`` block.

    >>> script_json({"t": "</script><b>'"})
    '{"t":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0027"}'
    """
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return safe_json_text(text)


def safe_json_text(text: str) -> str:
    """Make already-serialised JSON ``text`` safe inside ``<script>`` (see ``script_json``)."""
    return text.translate(_SCRIPT_SAFE).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


class Runtime(MacroElement):
    """The humansec map runtime (``runtime.py``): CSS in the header, JS in the map script."""

    _template = Template(
        "{% macro header(this, kwargs) %}<style>{{ this.css }}</style>{% endmacro %}"
        "{% macro script(this, kwargs) %}{{ this.js }}{% endmacro %}"
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "HumansecRuntime"
        self.css = RUNTIME_CSS
        self.js = RUNTIME_JS


class CountriesBasemap(MacroElement):
    """Country polygons fetched from a local GeoJSON URL, drawn below any tile layer.

    With ``coarse_url`` (the live map) the countries from there are drawn first, and those of
    ``url`` replace them once the map has painted: the light 1:110m file makes the first view
    sooner than the 1:50m one's 100,000 vertices (benchmarks/README.md, issue 10). With
    ``packed`` (a suffix: the live map) the browser asks for each file's gzipped copy where it
    can unpack it (``runtime.py``).
    """

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "var {{ this.get_name() }} = L.Humansec.basemap({{ this._parent.get_name() }}, "
        "{{ this.url_json }}, {{ this.style_json }}"
        "{% if this.coarse_json %}, {{ this.coarse_json }}, {{ this.packed_json }}{% endif %});"
        "{% endmacro %}"
    )

    def __init__(
        self, url: str, *, coarse_url: str | None = None, packed: str | None = None
    ) -> None:
        super().__init__()
        self._name = "CountriesBasemap"
        self.url = url
        self.url_json = script_json(url)
        self.coarse_json = script_json(coarse_url) if coarse_url else ""
        self.packed_json = script_json(packed)
        self.style_json = script_json(
            {
                "color": "#8c8c8c",
                "weight": 0.8,
                "opacity": 1,
                "fillColor": "#f2f0eb",
                "fillOpacity": 1,
            }
        )


class LazySymbols(MacroElement):
    """milsymbol for the live map, loaded from ``url`` after its first paint (``runtime.py``);
    with ``packed`` (a suffix) from its gzipped copy where the browser can unpack it.

    Added after the ``CountriesBasemap``, whose drawing it waits for.
    """

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "L.Humansec.lazySymbols({{ this._parent.get_name() }}, {{ this.url_json }}, "
        "{{ this.packed_json }});"
        "{% endmacro %}"
    )

    def __init__(self, url: str, *, packed: str | None = None) -> None:
        super().__init__()
        self._name = "LazySymbols"
        self.url_json = script_json(url)
        self.packed_json = script_json(packed)


class Legend(MacroElement):
    """A Leaflet control holding escaped legend HTML.

    With ``overlay`` (the layer-control name of the layer it explains, as given to that
    layer's group) it is hidden while the user has that layer switched off; without, always
    visible.
    """

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "var {{ this.get_name() }} = L.Humansec.legend({{ this.html_json }}, "
        "{{ this.position_json }}, {{ this.overlay_json }}).addTo({{ this._parent.get_name() }});"
        "{% endmacro %}"
    )

    def __init__(
        self, html: str, *, position: str = "bottomright", overlay: str | None = None
    ) -> None:
        super().__init__()
        self._name = "Legend"
        self.html = html
        self.overlay = overlay
        self.html_json = script_json(html)
        self.position_json = script_json(position)
        self.overlay_json = script_json(overlay)


class KindLayer(MacroElement):
    """One kind's features (or hexagon bins) as a canvas layer, one style for the layer.

    ``data_json`` is a GeoJSON FeatureCollection already serialised and made script-safe;
    ``meta`` holds the layer style, escaped title and field names and the cluster flag.
    """

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "var {{ this.get_name() }} = L.Humansec.layer({{ this.data_json }}, "
        "{{ this.meta_json }}).addTo({{ this._parent.get_name() }});"
        "{% endmacro %}"
    )

    def __init__(self, data_json: str, meta: dict[str, Any]) -> None:
        super().__init__()
        self._name = "KindLayer"
        self.data_json = data_json
        self.meta = meta
        self.meta_json = script_json(meta)


class HeatLayer(MacroElement):
    """A leaflet.heat layer of ``[lat, lon, weight]`` points."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "var {{ this.get_name() }} = L.Humansec.heat({{ this.points_json }}, "
        "{{ this.options_json }}).addTo({{ this._parent.get_name() }});"
        "{% endmacro %}"
    )

    def __init__(self, points: list[list[float]], options: dict[str, Any]) -> None:
        super().__init__()
        self._name = "HeatLayer"
        self.points = points
        self.points_json = script_json(points)
        self.options_json = script_json(options)
