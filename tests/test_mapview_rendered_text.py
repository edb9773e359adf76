"""Names that look like Jinja reach the map as text and never run (rendered_text.py)."""

import branca
import folium
import geopandas as gpd
import shapely
import streamlit_folium

from humansec.mapview import (
    STREAMLIT_ASSET_PREFIX,
    MapView,
    build_data_layers,
    build_layer_control,
    build_situation_map,
)
from humansec.mapview.rendered_text import RenderedText
from humansec.model import LayerKind, conform

# Evaluated, these would give "62615533", "posixCycler" (from the server's os module) and
# "shown". None holds a character that HTML or JSON escaping would change.
ARITHMETIC = "{{ 7919 * 7907 }}"
CODE = "{{ cycler.__init__.__globals__.os.name ~ cycler.__name__ }}"
STATEMENT = "{% if true %}shown{% endif %}"


def _frames():
    towns = gpd.GeoDataFrame(
        {"id": ["p1", "p2"], "name": [ARITHMETIC, CODE], "population": [10, 20]},
        geometry=[shapely.Point(30, 50), shapely.Point(30.5, 50.4)],
        crs="EPSG:4326",
    )
    sites = gpd.GeoDataFrame(
        {"id": ["c1"], "name": [STATEMENT], "protection": ["general"]},
        geometry=[shapely.Point(30.2, 50.1)],
        crs="EPSG:4326",
    )
    return {
        LayerKind.POPULATION: conform(towns, LayerKind.POPULATION),
        LayerKind.CULTURAL: conform(sites, LayerKind.CULTURAL),
    }


def _assert_literal(text: str) -> None:
    for name in (ARITHMETIC, CODE, STATEMENT):
        assert name in text
    assert "62615533" not in text
    assert "posixCycler" not in text


def test_a_product_holds_jinja_like_names_as_text():
    fmap = build_situation_map(
        _frames(),
        view=MapView(bounds=(29.5, 49.5, 31.0, 50.8), zoom=9),
        asset_prefix=STREAMLIT_ASSET_PREFIX,
        static=True,
    )
    _assert_literal(fmap.get_root().render())


def test_a_layer_title_and_group_name_stay_text_in_folium_elements():
    fmap = folium.Map(tiles=None)
    folium.FeatureGroup(name=ARITHMETIC).add_to(fmap)
    folium.FeatureGroup(name=STATEMENT).add_to(fmap)
    folium.LayerControl().add_to(fmap)
    html = fmap.get_root().render()
    assert ARITHMETIC in html
    assert STATEMENT in html
    assert ">shown<" not in html


def test_the_live_maps_layers_hold_jinja_like_names_as_text():
    """The same steps as st_folium: the base map rendered, then each group serialised."""
    fmap = folium.Map(tiles=None)
    fmap.get_root().render()
    view = MapView(bounds=(29.5, 49.5, 31.0, 50.8), zoom=9)
    groups = build_data_layers(_frames(), view=view)
    scripts = [
        streamlit_folium._get_feature_group_string(group, fmap, index)
        for index, group in enumerate(groups)
    ]
    scripts.append(streamlit_folium._get_layer_control_string(build_layer_control(), fmap))
    _assert_literal("\n".join(scripts))


def test_importing_humansec_mapview_installed_the_guard():
    assert branca.element.MacroElement.render.__module__ == "humansec.mapview.rendered_text"
    assert RenderedText(CODE).render() == CODE
