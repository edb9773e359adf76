"""The self-contained product page: print canvases without margins, the clipped basemap."""

from __future__ import annotations

import json

import geopandas as gpd

from humansec.export.furniture import Furniture, make_furniture
from humansec.export.html import (
    _PRINT_CANVAS,
    DEFAULT_VENDOR_DIR,
    _vendor_file,
    clipped_basemap,
    product_html,
)
from humansec.mapview.assets import BASEMAP_PATH

BOUNDS = (22.0, 53.8, 24.0, 54.6)


def _furniture() -> Furniture:
    return make_furniture(
        [], kinds=[], order=("NATO UNCLASSIFIED",), title="t", bounds=BOUNDS, conflicts=None
    )


def test_print_pages_draw_canvases_without_margin_and_interactive_keeps_it() -> None:
    furniture = _furniture()
    for mode in ("print", "bare"):
        html = product_html({}, furniture, mode=mode)
        body = html.index("<body")
        assert html.index(_PRINT_CANVAS) > body  # after Leaflet (head), before the map
        assert html.index(_PRINT_CANVAS) < html.index("L.map(")
    assert _PRINT_CANVAS not in product_html({}, furniture, mode="interactive")


def test_clipped_basemap_keeps_only_the_countries_near_the_view() -> None:
    path = _vendor_file(DEFAULT_VENDOR_DIR, BASEMAP_PATH)
    clipped = gpd.GeoDataFrame.from_features(json.loads(clipped_basemap(path, BOUNDS)))
    assert 0 < len(clipped) < 20
    assert clipped.geometry.is_valid.all()
    west, south, east, north = clipped.total_bounds
    eps = 1e-9  # the widened box: half the view each side
    assert west >= 21 - eps and east <= 25 + eps and south >= 53.4 - eps and north <= 55 + eps
    assert clipped_basemap(path, (170.0, -10.0, -170.0, 10.0)) == path.read_bytes()


def test_products_carry_milsymbol_inline_and_name_no_url() -> None:
    from humansec.export.html import NAMESPACE_URLS  # noqa: PLC0415
    from humansec.mapview import external_urls  # noqa: PLC0415

    html = product_html({}, _furniture(), mode="print")
    assert "hsx-vendor:" not in html and "milsymbol/milsymbol.js" not in html
    assert "Copyright (c) 2017 Måns Beckman" in html  # milsymbol's licence header, inlined
    assert "L.Humansec.labels(" in html  # the place names come along
    assert external_urls(html, allowed=NAMESPACE_URLS) == []
