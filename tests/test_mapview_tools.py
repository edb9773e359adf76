"""The measure control (vendored Leaflet.draw only) and the reset of streamlit-folium's list."""

from __future__ import annotations

import folium

from humansec.mapview import STREAMLIT_ASSET_PREFIX, external_urls
from humansec.mapview.tools import ResetGroupList, fresh_group_list, measure_control


def test_measure_control_draws_routes_and_areas_from_local_files() -> None:
    control = measure_control(STREAMLIT_ASSET_PREFIX)
    assert [url for _, url in control.default_js] == [
        "../../app/static/vendor/leaflet-draw/leaflet.draw.js"
    ]
    fmap = folium.Map(tiles=None)
    fmap.default_js, fmap.default_css = [], []
    control.add_to(fmap)
    html = fmap.get_root().render()
    assert external_urls(html) == []
    options = control.draw_options
    assert options["polyline"] and options["polygon"]
    assert not any(options[k] for k in ("marker", "circle", "circlemarker", "rectangle"))
    assert options["polyline"]["showLength"] is False  # lengths come from pyproj, not the browser


def test_fresh_group_list_resets_the_list_in_the_first_group_only() -> None:
    groups = [folium.FeatureGroup(name="a"), folium.FeatureGroup(name="b")]
    assert fresh_group_list(groups) is groups
    first = [c for c in groups[0]._children.values() if isinstance(c, ResetGroupList)]
    assert len(first) == 1
    assert not any(isinstance(c, ResetGroupList) for c in groups[1]._children.values())
    script = first[0]._template.module.script(first[0], {})  # type: ignore[attr-defined]
    assert script == "window.feature_group = [];"
    assert fresh_group_list([]) == []
