import gzip
from pathlib import Path

import folium
import pytest

from humansec.mapview.assets import (
    BASEMAP_PATH,
    COARSE_BASEMAP_PATH,
    MAP_CSS,
    MAP_JS,
    MILSYMBOL_JS,
    PACKED_SUFFIX,
    STREAMLIT_ASSET_PREFIX,
    VENDOR_DIR,
    asset_url,
    external_urls,
    links,
)


def test_prefix_is_relative_to_the_component_iframe():
    # The iframe document is <base>/component/streamlit_folium.st_folium/index.html.
    assert STREAMLIT_ASSET_PREFIX == "../../app/static/vendor/"
    assert asset_url("leaflet/leaflet.js", STREAMLIT_ASSET_PREFIX) == (
        "../../app/static/vendor/leaflet/leaflet.js"
    )
    assert asset_url("leaflet/leaflet.js", "") == "leaflet/leaflet.js"


def test_leaflet_loads_before_its_plugins():
    names = [name for name, _ in links(MAP_JS, "x/")]
    assert names[0] == "leaflet"
    assert {"leaflet_markercluster", "leaflet_heat"} <= set(names)
    assert all(url.startswith("x/") for _, url in links(MAP_CSS, "x/"))


def test_external_urls_finds_absolute_and_protocol_relative():
    html = (
        '<script src="https://cdn.jsdelivr.net/npm/leaflet.js"></script>'
        "<link href='//netdna.bootstrapcdn.com/x.css'>"
        "<style>a{background:url(//fonts.example.org/f.woff)}</style>"
        '<script src="../../app/static/vendor/leaflet/leaflet.js"></script>'
        "// a comment, not a URL: see docs.example.org\n"
    )
    assert external_urls(html) == [
        "https://cdn.jsdelivr.net/npm/leaflet.js",
        "//netdna.bootstrapcdn.com/x.css",
        "//fonts.example.org/f.woff",
    ]


def test_external_urls_allows_only_what_is_named():
    tiles = "http://tiles.local:8080/{z}/{x}/{y}.png"
    html = f'L.tileLayer("{tiles}"); fetch("http://evil.example/x")'
    assert external_urls(html, allowed=[tiles]) == ["http://evil.example/x"]


def test_a_plain_folium_map_is_caught():
    html = folium.Map().get_root().render()
    found = external_urls(html)
    assert any("jsdelivr" in url for url in found)
    assert any("openstreetmap" in url for url in found)


@pytest.mark.parametrize("path", [BASEMAP_PATH, COARSE_BASEMAP_PATH, MILSYMBOL_JS.path])
def test_each_file_the_runtime_fetches_has_its_gzipped_copy(path: str) -> None:
    # Built by `make setup` (scripts/build_assets.py), as the live map asks for it.
    plain = Path(__file__).resolve().parent.parent / VENDOR_DIR / path
    packed = plain.with_name(plain.name + PACKED_SUFFIX)
    assert gzip.decompress(packed.read_bytes()) == plain.read_bytes()
