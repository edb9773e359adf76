import math
import re

import branca
import folium
import geopandas as gpd
import numpy as np
import pytest
import shapely

from humansec.errors import SchemaError
from humansec.mapview import (
    STREAMLIT_ASSET_PREFIX,
    MapView,
    build_base_map,
    build_data_layers,
    build_layer_control,
    build_situation_map,
    external_urls,
)
from humansec.mapview.first_view import ReportAfterBasemap
from humansec.mapview.style import KIND_STYLES
from humansec.mapview.symbols import FOCUS_STYLES, SIDC_BY_TYPE
from humansec.model import LayerKind, conform

HOSTILE_NAME = "<img src=x onerror=alert(1)>"
HOSTILE_TEMPLATE = "`${alert(1)}`"
TILES = "http://tiles.local:8080/{z}/{x}/{y}.png"


def _frame(kind, rows, geoms):
    frame = gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4326")
    return conform(frame, kind)


def _points(n, *, seed=0, lon=30.0, lat=50.0, spread=1.0):
    rng = np.random.default_rng(seed)
    return gpd.points_from_xy(
        rng.uniform(lon - spread, lon + spread, n), rng.uniform(lat - spread, lat + spread, n)
    )


def _incidents(n, *, seed=0):
    return _frame(
        LayerKind.INCIDENT,
        {
            "id": [f"e{i}" for i in range(n)],
            "date": ["2025-01-01"] * n,
            "focus_area": ["poc"] * n,
        },
        _points(n, seed=seed),
    )


@pytest.fixture
def frames():
    return {
        LayerKind.POPULATION: _frame(
            LayerKind.POPULATION,
            {"id": ["p1", "p2"], "name": [HOSTILE_NAME, "Kyiv"], "population": [10, 2_000_000]},
            [shapely.Point(30, 50), shapely.Point(30.5, 50.45)],
        ),
        LayerKind.CULTURAL: _frame(
            LayerKind.CULTURAL,
            {
                "id": ["c1", "c2"],
                "name": [HOSTILE_TEMPLATE, "C:\\data\\2019"],
                "protection": ["special", "general"],
            },
            [shapely.Point(30.2, 50.1), shapely.box(29, 49, 29.3, 49.2)],
        ),
        LayerKind.HUMANITARIAN_MOVEMENT: _frame(
            LayerKind.HUMANITARIAN_MOVEMENT,
            {"id": ["m1"], "name": ["</script><script>alert(1)</script>"]},
            [shapely.LineString([(29, 50), (31, 51)])],
        ),
        LayerKind.INCIDENT: _incidents(20),
    }


def _render(fmap):
    return fmap.get_root().render()


def _all_links(fmap):
    """streamlit-folium's own walk over the map (st_folium in its __init__.py)."""

    def walk(fig):
        if isinstance(fig, branca.colormap.ColorMap):
            yield fig
        if isinstance(fig, folium.elements.JSCSSMixin):
            yield fig
        for child in getattr(fig, "_children", {}).values():
            yield from walk(child)

    js, css = [], []
    for elem in walk(fmap):
        assert not isinstance(elem, branca.colormap.ColorMap)  # it would add d3 from a CDN
        js.extend(src for _, src in getattr(elem, "default_js", []))
        css.extend(href for _, href in getattr(elem, "default_css", []))
    return js, css


def test_no_external_url_but_the_configured_tiles(frames):
    fmap = build_situation_map(
        frames,
        view=MapView(None, None),
        asset_prefix=STREAMLIT_ASSET_PREFIX,
        tile_url=TILES,
        tile_attribution="Local tiles",
    )
    html = _render(fmap)
    assert external_urls(html, allowed=[TILES]) == []
    assert TILES in html
    assert "jquery" not in html.lower()
    assert "bootstrap" not in html.lower()
    assert "font-awesome" not in html.lower() and "fontawesome" not in html.lower()


def test_streamlit_folium_collects_only_local_links(frames):
    fmap = build_base_map(
        center=(50, 30), zoom=6, asset_prefix=STREAMLIT_ASSET_PREFIX, kinds_shown=list(frames)
    )
    for group in build_data_layers(frames, view=MapView(None, None), heatmap=True):
        group.add_to(fmap)  # what st_folium does with feature_group_to_add
    build_layer_control().add_to(fmap)
    js, css = _all_links(fmap)
    assert js[0] == "../../app/static/vendor/leaflet/leaflet.js"
    assert any("markercluster" in url for url in js)
    assert any("leaflet-heat" in url for url in js)
    for url in js + css:
        assert url.startswith(STREAMLIT_ASSET_PREFIX), url
    # folium's class defaults are untouched: only our instances were changed
    assert any("jsdelivr" in url for _, url in folium.Map.default_js)


def test_hostile_strings_appear_only_escaped(frames):
    html = _render(build_situation_map(frames, view=MapView(None, None), asset_prefix="static/"))
    assert "<img src=x" not in html
    assert "`${" not in html
    assert "${alert" not in html
    assert "</script><script>alert" not in html
    assert "C:\\data" not in html
    # the escaped forms are there (inside JSON strings, with < > & as \u escapes)
    assert "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;" in html
    assert "\\u0026#96;\\u0026#36;{alert(1)}\\u0026#96;" in html
    assert "C:\\u0026#92;data\\u0026#92;2019" in html


def test_layer_names_are_escaped_and_counted(frames):
    groups = build_data_layers(frames, view=MapView(None, None))
    names = {group.summary.kind: group.layer_name for group in groups}
    assert names[LayerKind.POPULATION] == "Population centres (2)"
    assert names[LayerKind.INCIDENT] == "Incidents (20)"
    assert [group.summary.kind for group in groups] == [
        LayerKind.POPULATION,
        LayerKind.CULTURAL,
        LayerKind.HUMANITARIAN_MOVEMENT,
        LayerKind.INCIDENT,
    ]


def test_legend_lists_every_kind_shown_with_its_colour():
    kinds = [LayerKind.POPULATION, LayerKind.INCIDENT, LayerKind.ACTIVITY]
    html = _render(build_base_map(center=(50, 30), zoom=6, asset_prefix="v/", kinds_shown=kinds))
    legend = re.search(r"L\.Humansec\.legend\((\".*?\"), ", html).group(1)
    # One row for population, one per focus area and conflict events, one per activity type.
    assert legend.count("hs-legend-row") == 1 + len(FOCUS_STYLES) + len(SIDC_BY_TYPE)
    for kind in kinds:
        assert KIND_STYLES[kind].title in legend
    assert KIND_STYLES[LayerKind.POPULATION].colour in legend
    assert all(style.colour in legend for style in FOCUS_STYLES.values())
    assert KIND_STYLES[LayerKind.CULTURAL].title + "\\u003c/span" not in legend


def test_basemap_is_fetched_not_embedded_and_tiles_are_above_it():
    html = _render(
        build_base_map(center=(50, 30), zoom=6, asset_prefix="v/", tile_url=TILES, kinds_shown=[])
    )
    assert '"v/basemap/countries.geojson"' in html
    assert "FeatureCollection" not in html
    assert "pane.style.zIndex = 150" in html  # below Leaflet's tile pane (200)
    assert "L.tileLayer(" in html
    assert "L.control.scale(" in html


def test_points_cluster_above_the_threshold_only():
    small = build_data_layers({LayerKind.INCIDENT: _incidents(50)}, view=MapView(None, None))
    large = build_data_layers({LayerKind.INCIDENT: _incidents(300)}, view=MapView(None, None))
    assert '"cluster":false' in _element_script(small[0])
    assert '"cluster":true' in _element_script(large[0])


def _element_script(group):
    fmap = folium.Map(tiles=None)
    group.add_to(fmap)
    return _render(fmap)


def test_heatmap_when_asked():
    frames = {LayerKind.INCIDENT: _incidents(100)}
    (group,) = build_data_layers(frames, view=MapView(None, None), heatmap=True)
    assert group.summary.mode == "heat"
    assert "L.Humansec.heat(" in _element_script(group)
    (plain,) = build_data_layers(frames, view=MapView(None, None))
    assert "L.Humansec.heat(" not in _element_script(plain)


def test_aggregated_above_point_limit_and_small_for_100k_points():
    incidents = _incidents(100_000)
    population = _frame(
        LayerKind.POPULATION,
        {"id": [f"p{i}" for i in range(50_000)], "population": [100] * 50_000},
        _points(50_000, seed=1),
    )
    frames = {LayerKind.INCIDENT: incidents, LayerKind.POPULATION: population}
    view = MapView(bounds=(28.0, 48.0, 32.0, 52.0), zoom=7)
    fmap = build_situation_map(frames, view=view, asset_prefix=STREAMLIT_ASSET_PREFIX)
    html = _render(fmap)
    assert len(html.encode()) < 5_000_000
    groups = build_data_layers(frames, view=view)
    for group in groups:
        assert group.summary.mode == "hexagons"
        assert group.summary.drawn < 5000
        assert group.summary.in_view == len(frames[group.summary.kind])
        assert "in hexagons" in group.layer_name


def test_small_view_draws_individual_features():
    incidents = _incidents(20_000)
    view = MapView(bounds=(29.95, 49.95, 30.05, 50.05), zoom=13)
    (group,) = build_data_layers({LayerKind.INCIDENT: incidents}, view=view, point_limit=5000)
    assert group.summary.mode == "features"
    # only the view plus its margin is sent
    assert 0 < group.summary.drawn < 200


def test_bad_geometries_are_dropped_and_counted():
    frame = _incidents(3)
    geometry = frame.geometry.name
    frame.loc[1, geometry] = shapely.Point(math.nan, math.nan)
    frame.loc[2, geometry] = shapely.Point(math.inf, 50)
    (group,) = build_data_layers({LayerKind.INCIDENT: frame}, view=MapView(None, None))
    assert group.summary.dropped == 2
    assert group.summary.drawn == 1
    html = _render(build_situation_map({LayerKind.INCIDENT: frame}, view=MapView(None, None),
                                       asset_prefix="v/"))  # fmt: skip
    assert "NaN" not in html
    assert "Infinity" not in html


def test_wrong_crs_is_refused(frames):
    projected = frames[LayerKind.POPULATION].to_crs("EPSG:3857")
    with pytest.raises(SchemaError, match="EPSG:4326"):
        build_data_layers({LayerKind.POPULATION: projected}, view=MapView(None, None))
    no_crs = frames[LayerKind.POPULATION].set_crs(None, allow_override=True)
    with pytest.raises(SchemaError, match="Reproject"):
        build_situation_map({LayerKind.POPULATION: no_crs}, view=MapView(None, None),
                            asset_prefix="v/")  # fmt: skip


def test_missing_and_empty_frames_give_no_group_and_a_working_map():
    empty = gpd.GeoDataFrame({"id": []}, geometry=[], crs="EPSG:4326")
    assert build_data_layers({LayerKind.CULTURAL: empty}, view=MapView(None, None)) == []
    html = _render(build_situation_map({}, view=MapView(None, None), asset_prefix="v/"))
    assert "L.Humansec.basemap(" in html


def test_view_outside_the_data_sends_nothing():
    (group,) = build_data_layers(
        {LayerKind.INCIDENT: _incidents(10)}, view=MapView(bounds=(-80, 10, -70, 20), zoom=6)
    )
    assert group.summary.mode == "empty"
    assert group.summary.drawn == 0


def test_mapview_from_component():
    value = {
        "bounds": {"_southWest": {"lat": 49, "lng": 29}, "_northEast": {"lat": 51, "lng": 31}},
        "zoom": 8,
    }
    assert MapView.from_component(value) == MapView((29.0, 49.0, 31.0, 51.0), 8)
    nothing = {"bounds": {"_southWest": {"lat": None, "lng": None}}, "zoom": None}
    assert MapView.from_component(nothing) == MapView(None, None)
    assert MapView.from_component(None) == MapView(None, None)


def test_the_live_map_loads_one_bundle_the_light_countries_first_and_milsymbol_later():
    kinds = [LayerKind.ACTIVITY]
    live = build_base_map(center=(50, 30), zoom=6, asset_prefix="v/", kinds_shown=kinds, live=True)
    assert [url for _, url in live.default_js] == ["v/bundle/map.js"]
    html = _render(live)
    assert "v/milsymbol/milsymbol.js" not in html.split("<body>")[0]  # not a page script
    assert '"v/milsymbol/milsymbol.js", ".gz");' in html  # lazySymbols, gzipped where unpacked
    # The 1:110m countries first, the 1:50m ones after the first paint.
    assert '"v/basemap/countries.geojson", {' in html
    assert '"v/basemap/countries-110m.geojson", ".gz");' in html  # gzipped where unpacked
    assert html.index("L.Humansec.basemap(") < html.index("L.Humansec.lazySymbols(")
    # A product's map (exports inline these files) keeps every script and one basemap.
    product = build_base_map(center=(50, 30), zoom=6, asset_prefix="v/", kinds_shown=kinds)
    assert "v/milsymbol/milsymbol.js" in [url for _, url in product.default_js]
    assert "v/leaflet/leaflet.js" in [url for _, url in product.default_js]
    product_html = _render(product)
    assert "countries-110m" not in product_html
    assert "L.Humansec.lazySymbols(" not in product_html


def test_only_the_live_map_guards_its_reports_before_any_other_wrapper():
    kinds = [LayerKind.ACTIVITY]
    live = build_base_map(center=(50, 30), zoom=6, asset_prefix="v/", kinds_shown=kinds, live=True)
    live.add_child(ReportAfterBasemap())
    html = _render(live)
    guard = html.index("S.hsGuarded = true;")
    # Added by the page after the base map: it sends through the guard.
    assert guard < html.index("S.hsHeld = true;")
    assert 'selector = "a[data-testid=\\"stSidebarNavLink\\"]";' in html
    product = build_base_map(center=(50, 30), zoom=6, asset_prefix="v/", kinds_shown=kinds)
    assert "hsGuarded" not in _render(product)
