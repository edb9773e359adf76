"""The basemap package element: relative tile URLs, escaped text, vector style from layers."""

from __future__ import annotations

import json
import re

from humansec.basemaps import STREAMLIT_BASEMAP_PREFIX, BasemapRecord
from humansec.mapview import STREAMLIT_ASSET_PREFIX, build_base_map, external_urls
from humansec.mapview.basemap_layer import PackageBasemap, layer_style, vector_style


def _record(**changes: object) -> BasemapRecord:
    values: dict = {
        "basemap_id": "ops-1a2b3c4d5e", "title": "Ops", "marking": "NATO RESTRICTED",
        "container": "mbtiles", "tile_format": "png", "min_zoom": 5, "max_zoom": 12,
        "bounds": (21.5, 53.0, 25.0, 55.5), "tile_count": 10, "vector_layers": (),
        "attribution": "<img src=x onerror=alert(1)> `${x}`", "original_name": "o.mbtiles",
        "sha256": "ab" * 32, "size_bytes": 1, "added_by": "me", "added_at": "2026-12-03",
    }  # fmt: skip
    values.update(changes)
    return BasemapRecord(**values)


def _spec(html: str) -> dict:
    match = re.search(r"\}\)\([a-z_0-9]+, (\{.*?\})\);", html)
    assert match, html[-2000:]
    return json.loads(match.group(1))


def _map_html(record: BasemapRecord) -> str:
    element = PackageBasemap(
        record, tiles_prefix=STREAMLIT_BASEMAP_PREFIX, asset_prefix=STREAMLIT_ASSET_PREFIX
    )
    fmap = build_base_map(
        center=(54, 23), zoom=8, asset_prefix=STREAMLIT_ASSET_PREFIX, kinds_shown=[],
        basemap=element,
    )  # fmt: skip
    return fmap.get_root().render()


def test_a_raster_package_is_a_tile_layer_over_relative_urls() -> None:
    html = _map_html(_record())
    spec = _spec(html)
    assert spec["url"] == "../../app/static/basemaps/ops-1a2b3c4d5e/{z}/{x}/{y}.png"
    assert (spec["vector"], spec["minZoom"], spec["maxZoom"]) == (False, 5, 12)
    assert spec["bounds"] == [21.5, 53.0, 25.0, 55.5]
    assert external_urls(html) == []
    # The attribution is text: no tag, backtick or ${ survives to the page.
    assert "<img" not in html
    assert "&lt;img" in spec["attribution"]
    assert "`" not in spec["attribution"]
    assert "${" not in spec["attribution"]


def test_a_vector_package_loads_protomaps_from_the_vendor_folder() -> None:
    html = _map_html(
        _record(tile_format="mvt", container="pmtiles", vector_layers=("water", "roads", "x<y>"))
    )
    spec = _spec(html)
    assert spec["url"].endswith("/ops-1a2b3c4d5e/{z}/{x}/{y}.mvt")
    assert spec["script"] == "../../app/static/vendor/protomaps-leaflet/protomaps-leaflet.js"
    assert [s["layer"] for s in spec["style"]] == ["water", "x<y>", "roads"]
    assert "x<y>" not in html  # inert in the script: x\u003cy\u003e
    assert external_urls(html) == []


def test_without_a_package_the_map_has_no_package_layer() -> None:
    fmap = build_base_map(
        center=(54, 23), zoom=8, asset_prefix=STREAMLIT_ASSET_PREFIX, kinds_shown=[]
    )
    assert "hs-package-basemap" not in fmap.get_root().render()


def test_layer_styles_follow_the_words_in_the_layer_names() -> None:
    assert layer_style("ocean")["fill"] == "#a9c9e6"
    assert layer_style("boundary")["dash"] == [4, 3]
    assert layer_style("mystery")["fill"] == "#ece7dd"
    fills_first = [s["layer"] for s in vector_style(("roads", "landcover", "building"))]
    assert fills_first == ["landcover", "building", "roads"]
