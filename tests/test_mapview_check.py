"""The check's map layers: statuses by colour and word, hazard areas, escaped, offline."""

from __future__ import annotations

import geopandas as gpd
import shapely
from streamlit_folium import _get_feature_group_string  # how the page ships the groups

from humansec.mapview import (
    STATUS_COLOURS,
    STREAMLIT_ASSET_PREFIX,
    activity_status_groups,
    build_base_map,
    conflicting_feature_groups,
    draw_control,
    external_urls,
    status_legend,
)
from humansec.model import WGS84, LayerKind, conform

HOSTILE = "<img src=x onerror=alert(1)>"


def activities() -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(
        {
            "id": ["a-red", HOSTILE, "a-green"],
            "type": ["air_strike", "patrol", "convoy"],
            "status": ["red", "amber", "green"],
            "worst_severity": ["critical", "medium", None],
            "conflicts": [2, 1, 0],
        },
        geometry=[
            shapely.Point(23, 54),
            shapely.LineString([(23, 54), (23.2, 54.1)]),
            shapely.Polygon([(23, 54), (23.1, 54), (23.1, 54.1)]),
        ],
        crs=WGS84,
    )
    return conform(frame, LayerKind.ACTIVITY)


def rendered(groups, *extra) -> str:
    fmap = build_base_map(
        center=(54, 23), zoom=8, asset_prefix=STREAMLIT_ASSET_PREFIX, kinds_shown=[]
    )
    for element in extra:
        fmap.add_child(element)
    scripts = [_get_feature_group_string(g, fmap, idx) for idx, g in enumerate(groups)]
    return fmap.get_root().render() + "\n".join(scripts)


def test_each_status_is_drawn_in_its_colour_with_its_word() -> None:
    areas = gpd.GeoDataFrame(
        {"id": ["a-red"], "status": ["red"]},
        geometry=[shapely.Point(23, 54).buffer(0.1)],
        crs=WGS84,
    )
    groups = activity_status_groups(activities(), areas)
    assert [g.layer_name for g in groups] == ["Hazard areas", "Planned activities by status (3)"]
    html = rendered(groups)
    for status, colour in STATUS_COLOURS.items():
        assert colour in html
        # the status is a popup value in words, not only a colour
        assert f'"{status.capitalize()}"' in html
    assert "Hazard area (Red: critical or high conflict)" in html


def test_activity_names_are_escaped() -> None:
    html = rendered(activity_status_groups(activities()))
    assert "<img src=x" not in html
    # HTML-escaped, then made safe inside <script> (& as \u0026).
    assert "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;" in html


def test_conflicting_features_one_group_per_kind() -> None:
    sites = conform(
        gpd.GeoDataFrame(
            {"id": ["h1"], "category": ["hospital"]}, geometry=[shapely.Point(23, 54)], crs=WGS84
        ),
        LayerKind.HUMANITARIAN_SITE,
    )
    groups = conflicting_feature_groups(
        {LayerKind.HUMANITARIAN_SITE: sites, LayerKind.CULTURAL: sites.iloc[0:0]}
    )
    assert [g.layer_name for g in groups] == ["In conflict: Humanitarian sites (1)"]


def test_legend_and_draw_control_use_only_local_assets() -> None:
    control = draw_control(STREAMLIT_ASSET_PREFIX)
    assert all(url.startswith(STREAMLIT_ASSET_PREFIX) for _, url in control.default_js)
    assert all(url.startswith(STREAMLIT_ASSET_PREFIX) for _, url in control.default_css)
    html = rendered(activity_status_groups(activities()), status_legend(), control)
    assert external_urls(html) == []
    assert "Activity status" in html
    assert "L.Control.Draw" in html
