"""Incident symbols by focus area, APP-6 codes per activity type, the heat map's ramp."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import pandas as pd
import shapely

from humansec.mapview import MapView, activity_status_groups, build_data_layers, status_legend
from humansec.mapview.builder import HEAT_GRADIENT, build_base_map
from humansec.mapview.check import STATUS_COLOURS
from humansec.mapview.runtime import RUNTIME_JS
from humansec.mapview.style import KIND_STYLES, OKABE_ITO
from humansec.mapview.symbols import (
    CONFLICT_EVENT,
    FOCUS_KEYS,
    FOCUS_STYLES,
    SIDC_BY_TYPE,
    UNCHECKED_COLOUR,
    focus_index,
    map_legend_html,
    sidc_for,
)
from humansec.model import ACTIVITY_TYPES, FOCUS_AREA_TITLES, FocusArea, LayerKind, conform


def _render(element) -> str:
    import folium  # noqa: PLC0415

    fmap = folium.Map(tiles=None)
    for child in element if isinstance(element, list) else [element]:
        fmap.add_child(child)
    return fmap.get_root().render()


def _layer_args(html: str) -> list[tuple[dict, dict]]:
    found = re.findall(r"L\.Humansec\.layer\((\{.*?\}), (\{.*?\})\)\.addTo", html)
    return [(json.loads(data), json.loads(meta)) for data, meta in found]


def test_every_focus_area_and_conflict_events_have_their_own_colour_and_shape():
    assert set(FOCUS_KEYS) == {*map(str, FocusArea), CONFLICT_EVENT}
    colours = [style.colour.lower() for style in FOCUS_STYLES.values()]
    shapes = [style.shape for style in FOCUS_STYLES.values()]
    assert len(set(colours)) == len(colours)
    assert len(set(shapes)) == len(shapes)  # colour is never the only cue
    kind_colours = {style.colour.lower() for style in KIND_STYLES.values()}
    assert not set(colours) & kind_colours  # not confused with a layer kind


def test_focus_index_maps_missing_and_unknown_to_conflict_event():
    values = pd.Series(["poc", "crsv", None, "thb", "unknown", pd.NA], dtype="string")
    index = focus_index(values).tolist()
    event = FOCUS_KEYS.index(CONFLICT_EVENT)
    assert index == [0, 1, event, 2, event, event]


def test_incidents_carry_their_symbol_index_and_the_layer_the_styles():
    frame = conform(
        gpd.GeoDataFrame(
            {"id": ["a", "b", "c"], "date": ["2025-01-01"] * 3,
             "focus_area": ["crsv", "cpp", "poc"]},
            geometry=[shapely.Point(23, 54), shapely.Point(23.1, 54), shapely.Point(23.2, 54)],
            crs="EPSG:4326",
        ),
        LayerKind.INCIDENT,
    )  # fmt: skip
    groups = build_data_layers({LayerKind.INCIDENT: frame}, view=MapView(None, None))
    ((data, meta),) = _layer_args(_render(groups))
    assert [f["properties"]["s"] for f in data["features"]] == [1, 4, 0]
    assert [s["fillColor"] for s in meta["styles"]] == [s.colour for s in FOCUS_STYLES.values()]
    assert [s["shape"] for s in meta["styles"]] == [s.shape for s in FOCUS_STYLES.values()]
    assert "style_function" not in _render(groups)
    assert meta["point"]["fillColor"] not in STATUS_COLOURS.values()  # clusters are neutral


def test_legend_lists_every_focus_area_or_the_heat_ramp():
    legend = map_legend_html([LayerKind.INCIDENT])
    for title in FOCUS_AREA_TITLES.values():
        assert title in legend
    assert "Conflict event" in legend
    heat = map_legend_html([LayerKind.INCIDENT], heat_gradient=HEAT_GRADIENT)
    assert "linear-gradient" in heat
    assert all(colour in heat for colour in HEAT_GRADIENT.values())
    assert "Protection of civilians" not in heat
    html = (
        build_base_map(
            center=(54, 23),
            zoom=8,
            asset_prefix="v/",
            kinds_shown=[LayerKind.INCIDENT],
            heatmap=True,
        )
        .get_root()
        .render()
    )
    assert "linear-gradient" in html


def test_heat_map_is_drawn_in_its_own_pane_above_the_features():
    frame = conform(
        gpd.GeoDataFrame(
            {"id": ["a"], "date": ["2025-01-01"], "focus_area": ["poc"]},
            geometry=[shapely.Point(23, 54)], crs="EPSG:4326",
        ),
        LayerKind.INCIDENT,
    )  # fmt: skip
    html = _render(build_data_layers({LayerKind.INCIDENT: frame}, view=MapView(None, None),
                                     heatmap=True))  # fmt: skip
    assert "L.Humansec.heat(" in html
    # The runtime puts it above the features' canvas (400), below the symbols; no clicks.
    assert 'makePane(map, "hsHeat", 450, true)' in RUNTIME_JS


def test_every_activity_type_has_an_app6_code():
    assert set(SIDC_BY_TYPE) == set(ACTIVITY_TYPES)
    for sidc in SIDC_BY_TYPE.values():
        assert re.fullmatch(r"S[FD][GA]P[A-Z-]{11}", sidc), sidc
    assert sidc_for("exercise").startswith("SD")  # exercise friend
    assert sidc_for(None) == sidc_for("something new") == "SFGPU----------"


def _activities() -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(
        {"id": ["a1", "a2", "a3"], "type": ["indirect_fire", "patrol", "convoy"],
         "status": ["red", "amber", "green"]},
        geometry=[shapely.Point(23, 54), shapely.Point(23.1, 54),
                  shapely.LineString([(23, 54.1), (23.2, 54.2)])],
        crs="EPSG:4326",
    )  # fmt: skip
    return conform(frame, LayerKind.ACTIVITY)


def test_activities_are_app6_symbols_in_their_status_colour():
    areas = gpd.GeoDataFrame(
        {"id": ["a1"], "status": ["red"]},
        geometry=[shapely.Point(23, 54).buffer(0.05)],
        crs="EPSG:4326",
    )
    layers = _layer_args(_render(activity_status_groups(_activities(), areas)))
    hazard = [meta for _, meta in layers if "milsymbol" not in meta]
    assert len(hazard) == 1  # hazard areas carry no symbol
    symbols = {
        meta["milsymbol"]["fill"]: [f["properties"]["sidc"] for f in data["features"]]
        for data, meta in layers
        if "milsymbol" in meta
    }
    assert symbols == {
        STATUS_COLOURS["red"]: [SIDC_BY_TYPE["indirect_fire"]],
        STATUS_COLOURS["amber"]: [SIDC_BY_TYPE["patrol"]],
        STATUS_COLOURS["green"]: [SIDC_BY_TYPE["convoy"]],
    }


def test_unchecked_activities_are_grey_app6_symbols():
    groups = build_data_layers({LayerKind.ACTIVITY: _activities()}, view=MapView(None, None))
    ((data, meta),) = _layer_args(_render(groups))
    assert meta["milsymbol"]["fill"] == UNCHECKED_COLOUR
    assert len({f["properties"]["sidc"] for f in data["features"]}) == 3
    assert OKABE_ITO["vermillion"] not in json.dumps(meta["milsymbol"])


def test_status_legend_shows_each_status_and_type_as_a_symbol():
    html = status_legend().html
    assert html.count('class="hs-ms"') == len(STATUS_COLOURS) + len(SIDC_BY_TYPE)
    for colour in STATUS_COLOURS.values():
        assert f'data-fill="{colour}"' in html
    assert "Engineering demolition" in html
