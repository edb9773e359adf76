"""Where the map's JavaScript, CSS and basemap come from: local files only (DESIGN.md 5).

``scripts/build_assets.py`` copies them from ``node_modules`` (npm, with a lockfile) into
``static/vendor/``; Streamlit serves ``static/`` at ``<base>/app/static/``. The map is drawn
inside streamlit-folium's component iframe, whose document is
``<base>/component/streamlit_folium.st_folium/index.html``, so the URLs are relative to that
document (``../../`` climbs back to ``<base>/``) and keep working under a server base path.
An HTML export passes another prefix (or inlines the files).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

STREAMLIT_ASSET_PREFIX = "../../app/static/vendor/"
"""``static/vendor/`` as seen from streamlit-folium's component iframe."""

VENDOR_DIR = "static/vendor"
"""Where ``scripts/build_assets.py`` writes, relative to the repository root."""

BASEMAP_PATH = "basemap/countries.geojson"
COARSE_BASEMAP_PATH = "basemap/countries-110m.geojson"
"""Natural Earth 1:110m countries: the live map draws these first, then ``BASEMAP_PATH``."""
PACKED_SUFFIX = ".gz"
"""The gzipped copy of each file the live map's runtime fetches itself (the basemap files and
milsymbol) is its path + this (``scripts/build_assets.py``): served as it is
(``application/gzip``) where Streamlit gzips other static files on every request."""


@dataclass(frozen=True)
class Asset:
    """One vendored file: a name (folium's key) and its path below ``static/vendor/``."""

    name: str
    path: str


LEAFLET_JS = Asset("leaflet", "leaflet/leaflet.js")
MARKERCLUSTER_JS = Asset("leaflet_markercluster", "leaflet.markercluster/leaflet.markercluster.js")
HEAT_JS = Asset("leaflet_heat", "leaflet.heat/leaflet-heat.js")
LEAFLET_CSS = Asset("leaflet_css", "leaflet/leaflet.css")
MARKERCLUSTER_CSS = Asset("markercluster_css", "leaflet.markercluster/MarkerCluster.css")
MARKERCLUSTER_DEFAULT_CSS = Asset(
    "markercluster_default_css", "leaflet.markercluster/MarkerCluster.Default.css"
)

MILSYMBOL_JS = Asset("milsymbol", "milsymbol/milsymbol.js")
"""APP-6 / MIL-STD-2525 symbols for planned activities (``symbols.py``)."""

DRAW_JS = Asset("leaflet_draw_js", "leaflet-draw/leaflet.draw.js")
DRAW_CSS = Asset("leaflet_draw_css", "leaflet-draw/leaflet.draw.css")

# streamlit-folium loads scripts only when its frame first draws, so every map lists every
# plugin a later rerun may use (about 90 KB, cached by the browser).
MAP_JS: tuple[Asset, ...] = (LEAFLET_JS, MARKERCLUSTER_JS, HEAT_JS, MILSYMBOL_JS, DRAW_JS)
"""Scripts every map loads, in load order (the plugins need Leaflet first)."""
MAP_BUNDLE_JS = Asset("humansec_map", "bundle/map.js")
"""Leaflet, leaflet.markercluster and leaflet.heat in one file (``scripts/build_assets.py``):
streamlit-folium loads a map's scripts one after the other."""
LIVE_MAP_JS: tuple[Asset, ...] = (MAP_BUNDLE_JS,)
"""Scripts of the live map in the app: the bundle. milsymbol is loaded after the first paint
(``elements.LazySymbols``) and Leaflet.draw by the draw controls that need it
(``tools.offline_draw``). Exports inline ``MAP_JS`` instead."""
MAP_CSS: tuple[Asset, ...] = (
    LEAFLET_CSS,
    MARKERCLUSTER_CSS,
    MARKERCLUSTER_DEFAULT_CSS,
    DRAW_CSS,
)


def asset_url(asset: Asset | str, asset_prefix: str) -> str:
    """Return the URL of ``asset`` (or a path below ``static/vendor/``) under ``asset_prefix``.

    >>> asset_url(LEAFLET_JS, STREAMLIT_ASSET_PREFIX)
    '../../app/static/vendor/leaflet/leaflet.js'
    """
    path = asset.path if isinstance(asset, Asset) else asset
    return asset_prefix.rstrip("/") + "/" + path if asset_prefix else path


def links(assets: Iterable[Asset], asset_prefix: str) -> list[tuple[str, str]]:
    """Return ``(name, url)`` pairs in the form folium's ``default_js``/``default_css`` use."""
    return [(asset.name, asset_url(asset, asset_prefix)) for asset in assets]


# An absolute URL (http, https, ws, ftp, ...) or a protocol-relative one such as
# "//cdn.example.org/x.js" right after a quote, "(" or "=" (as in src=, href=, url(...)).
_URL = re.compile(
    r"""(?:\b(?:https?|wss?|ftp)://|(?<=["'(=])//(?=[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+))"""
    r"""[^\s"'<>()`\\]*""",
    re.IGNORECASE,
)


def external_urls(html: str, *, allowed: Iterable[str] = ()) -> list[str]:
    """Return every absolute or protocol-relative URL in ``html`` not in ``allowed``.

    ``allowed`` holds exact URLs or prefixes that may appear (the configured tile URL is the
    only one a map should need). The result keeps document order, without duplicates.

    >>> external_urls('<script src="https://example.org/a.js"></script><a href="//b.org/">')
    ['https://example.org/a.js', '//b.org/']
    >>> external_urls('L.tileLayer("http://t.local/{z}/{x}/{y}.png")',
    ...               allowed=["http://t.local/{z}/{x}/{y}.png"])
    []
    """
    permitted = tuple(url for url in allowed if url)
    found = [match.group(0) for match in _URL.finditer(html)]
    return list(dict.fromkeys(url for url in found if not url.startswith(permitted)))
