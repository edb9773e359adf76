"""Readable popups: titles, labels in words, dates, units, lat/lon and MGRS, all escaped."""

from __future__ import annotations

import json
import re

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from humansec.coords import from_mgrs
from humansec.escaping import escape_text
from humansec.mapview import MapView, build_data_layers
from humansec.mapview.popups import (
    FIELD_LABELS,
    LOCATION_LABELS,
    field_label,
    format_date,
    format_field,
    location_columns,
)
from humansec.model import KIND_SPECS, LayerKind, conform

HOSTILE = ["<img src=x onerror=alert(1)>", "`${alert(1)}`", "C:\\data\\2019", "a & b \"'"]


def _layers(frame: gpd.GeoDataFrame, kind: LayerKind) -> list[tuple[dict, dict]]:
    fmap = folium.Map(tiles=None)
    for group in build_data_layers({kind: frame}, view=MapView(None, None)):
        fmap.add_child(group)
    html = fmap.get_root().render()
    found = re.findall(r"L\.Humansec\.layer\((\{.*?\}), (\{.*?\})\)\.addTo", html)
    return [(json.loads(data), json.loads(meta)) for data, meta in found]


def _incident(**values: object) -> gpd.GeoDataFrame:
    row = {"id": "ev-1", "date": "2021-02-16T00:00:00Z", "focus_area": "crsv", **values}
    frame = gpd.GeoDataFrame(
        {key: [value] for key, value in row.items()},
        geometry=[shapely.Point(22.93, 54.1)],
        crs="EPSG:4326",
    )
    frame["layer_id"] = "0f3a9c1e5b7d4e2a8c6b"
    return conform(frame, LayerKind.INCIDENT)


def test_every_schema_field_has_a_label_in_words():
    for spec in KIND_SPECS.values():
        for name in spec.field_names:
            label = field_label(name)
            assert "_" not in label and label[:1].isupper(), (name, label)
    assert FIELD_LABELS["precision_m"] == "Location uncertainty"


def test_dates_are_written_for_people():
    assert format_date(pd.Timestamp("2021-02-16", tz="UTC")) == "16 Feb 2021"
    assert format_date(pd.Timestamp("2021-02-16T14:30", tz="UTC")) == "16 Feb 2021 14:30Z"
    assert format_date(pd.Timestamp("2021-02-16T15:30", tz="Europe/Warsaw")) == "16 Feb 2021 14:30Z"
    assert format_date(pd.NaT) == format_date(None) == ""


@pytest.mark.parametrize(
    ("name", "value", "shown"),
    [
        ("precision_m", 25.0, "25 m"),
        ("hazard_radius_m", 12500.0, "12,500 m"),
        ("population", 45123, "45,123 people"),
        ("population_in_hazard", 1200.4, "1,200 people"),
        ("share_children", 0.214, "21 %"),
        ("focus_area", "humanitarian_access", "Humanitarian access"),
        ("type", "engineering_demolition", "Engineering demolition"),
        ("notified", True, "yes"),
        ("killed", 3, "3"),
        ("organisation", "ICRC", "ICRC"),
        ("organisation", float("nan"), ""),
    ],
)
def test_values_carry_their_units(name, value, shown):
    assert format_field(name, value) == shown


def test_location_is_latlon_and_mgrs_of_a_point_inside():
    geoms = np.array(
        [shapely.Point(22.93, 54.1), shapely.box(22.9, 54.0, 23.0, 54.2), None], dtype=object
    )
    latlon, grid = location_columns(geoms)
    assert latlon[0] == "54.10000° N, 22.93000° E"
    lat, lon = from_mgrs(grid[1])
    assert shapely.box(22.9, 54.0, 23.0, 54.2).buffer(1e-4).contains(shapely.Point(lon, lat))
    assert latlon[2] == grid[2] == ""


def test_popup_has_title_words_dates_units_location_and_no_internal_hash():
    ((data, meta),) = _layers(
        _incident(name="Market shelling", precision_m=50.0), LayerKind.INCIDENT
    )
    props = data["features"][0]["properties"]
    assert props["t"] == "Market shelling"  # the popup's title
    shown = dict(zip(meta["fields"], props["v"], strict=False))
    assert shown["Date"] == "16 Feb 2021"
    assert shown["Focus areas"] == "Conflict-related sexual violence"
    assert shown["Location uncertainty"] == "50 m"
    assert shown[LOCATION_LABELS[0]] == "54.10000° N, 22.93000° E"
    assert shown[LOCATION_LABELS[1]] == "34U FE 26199 96369"
    text = json.dumps([data, meta])
    assert "layer_id" not in text and "0f3a9c1e5b7d4e2a8c6b" not in text
    assert not any("_" in label for label in meta["fields"])


@pytest.mark.parametrize("hostile", HOSTILE)
def test_new_popup_fields_are_escaped(hostile):
    frame = _incident(name=hostile, perpetrator=hostile, source=hostile, unit_note=hostile)
    ((data, meta),) = _layers(frame, LayerKind.INCIDENT)
    props = data["features"][0]["properties"]
    assert props["t"] == escape_text(hostile)
    assert props["v"].count(escape_text(hostile)) == 2  # perpetrator, source
    for value in [props["t"], *props["v"], *meta["fields"], meta["title"]]:
        bare = re.sub(r"&(#\d+|[a-z]+);", "", value)
        assert not set("<>`$\\\"'") & set(bare), value
