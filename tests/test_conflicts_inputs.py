"""Inputs and outputs of a check: protected features, plans from tables and files, writing."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from humansec.conflicts.inputs import (
    activities_from_geojson,
    activities_from_geojson_bytes,
    activities_from_table,
    activities_geojson,
    conflicts_geojson,
    protected_features,
    read_vector,
    write_conflicts,
)
from humansec.coords import to_mgrs
from humansec.errors import CoordinateError, SchemaError
from humansec.model import WGS84, LayerKind, conform


def _frame(kind: LayerKind, rows: dict[str, list[object]], geoms: list[shapely.Geometry]):
    return conform(gpd.GeoDataFrame(rows, geometry=geoms, crs=WGS84), kind)


def test_protected_features_take_every_protected_kind_and_no_other() -> None:
    frames = {
        LayerKind.CULTURAL: _frame(
            LayerKind.CULTURAL, {"id": ["c1"], "protection": ["enhanced"]}, [shapely.Point(1, 1)]
        ).assign(layer_id="L1"),
        LayerKind.INCIDENT: _frame(
            LayerKind.INCIDENT,
            {"id": ["i1"], "date": ["2026-01-01"], "focus_area": ["poc"]},
            [shapely.Point(2, 2)],
        ),
    }
    features = protected_features(frames)
    assert list(features["id"]) == ["c1"]
    assert list(features["kind"]) == ["cultural"]
    assert features.loc[0, "protection"] == "enhanced"
    assert features.crs == WGS84


def test_table_rows_by_mgrs_and_by_latlon() -> None:
    table = pd.DataFrame(
        {
            "id": ["a", "b", None],
            "type": ["air_strike", "patrol", None],
            "mgrs": [to_mgrs(54.1, 22.93), None, None],
            "lat": [None, 54.2, None],
            "lon": [None, 23.1, None],
            "start": ["2026-11-20T10:00", None, None],
        }
    )
    plan = activities_from_table(table)
    assert list(plan["id"]) == ["a", "b"]  # the empty row is skipped
    assert plan.geometry[0].y == pytest.approx(54.1, abs=2e-5)
    assert plan.geometry[1].x == pytest.approx(23.1)
    assert plan.loc[0, "start"] == pd.Timestamp("2026-11-20T10:00", tz="UTC")


@pytest.mark.parametrize(
    ("row", "error", "message"),
    [
        ({"type": "bombing", "lat": 1, "lon": 1}, SchemaError, "Row 1: type 'bombing'"),
        ({"type": "patrol", "mgrs": "nonsense"}, CoordinateError, "Row 1: 'nonsense'"),
        ({"type": "patrol", "lat": 54.1}, CoordinateError, "both latitude and longitude"),
        ({"type": "patrol", "lat": 95, "lon": 1}, CoordinateError, "out of range"),
        ({"type": "patrol", "lat": 1, "lon": 1, "start": "soon"}, SchemaError, "ISO 8601"),
    ],
)
def test_bad_table_rows_are_named(row: dict[str, object], error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        activities_from_table(pd.DataFrame([row]))


def test_drawn_shapes_become_activities_of_the_chosen_type() -> None:
    drawn = [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [23, 54]}},
        {
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": [[23, 54], [23.1, 54.1]]},
        },
    ]
    plan = activities_from_geojson(drawn, activity_type="convoy")
    assert list(plan["type"]) == ["convoy", "convoy"]
    assert list(plan.geom_type) == ["Point", "LineString"]
    with pytest.raises(SchemaError, match="air_strike"):
        activities_from_geojson(drawn, activity_type="parade")


def test_plan_geojson_round_trips_with_times() -> None:
    plan = gpd.GeoDataFrame(
        {
            "id": ["a"],
            "type": ["patrol"],
            "start": [pd.Timestamp("2026-11-20T10:00", tz="UTC")],
            "end": [pd.NaT],
            "precision_m": [25.0],
        },
        geometry=[shapely.Polygon([(23, 54), (23.1, 54), (23.1, 54.1)])],
        crs=WGS84,
    )
    back = activities_from_geojson_bytes(activities_geojson(plan).encode(), default_type="exercise")
    assert back.loc[0, "start"] == plan.loc[0, "start"]
    assert back.loc[0, "end"] is None
    assert back.loc[0, "precision_m"] == 25.0
    assert back.geometry[0].equals(plan.geometry[0])


def test_plan_geojson_keeps_the_names_and_units() -> None:
    # The plan check goes through this GeoJSON: a name lost here showed as "None" in every
    # table of the Planned activities page although the store's activities had names.
    plan = gpd.GeoDataFrame(
        {"id": ["a", "b"], "type": ["patrol", "convoy"], "name": ["Patrol through Kalvarija", None],
         "unit": ["2 Coy", ""]},
        geometry=[shapely.Point(23, 54), shapely.Point(23.1, 54)],
        crs=WGS84,
    )  # fmt: skip
    back = activities_from_geojson_bytes(activities_geojson(plan).encode(), default_type="exercise")
    assert back["name"].tolist() == ["Patrol through Kalvarija", None]
    assert back["unit"].tolist() == ["2 Coy", None]
    unnamed = activities_geojson(plan.drop(columns=["name", "unit"])).encode()
    assert "name" not in activities_from_geojson_bytes(unnamed, default_type="exercise").columns


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xfe not text", "not GeoJSON text"),
        (b'{"type": "Feature"}', "FeatureCollection"),
        (b'{"type":"FeatureCollection","crs":{"type":"link","properties":{"href":"http://x"}},'
         b'"features":[]}', "names a CRS"),
        (b'{"type":"FeatureCollection","features":[{"geometry":{"type":"GeometryCollection",'
         b'"geometries":[]}}]}', "Feature 1"),
        (b'{"type":"FeatureCollection","features":[{"geometry":{"type":"Point",'
         b'"coordinates":[400, 1]}}]}', "finite longitude"),
        (b'{"type":"FeatureCollection","features":[{"geometry":{"type":"Point",'
         b'"coordinates":[1, 1]},"properties":{"type":"bombing"}}]}', "bombing"),
        (b'{"type":"FeatureCollection","features":[]}', "no features"),
        (b"{" + b" " * 5_000_001 + b"}", "at most"),
    ],
)  # fmt: skip
def test_bad_plan_files_are_refused_with_the_reason(data: bytes, message: str) -> None:
    with pytest.raises((SchemaError, CoordinateError), match=message):
        activities_from_geojson_bytes(data, default_type="patrol")


def test_write_conflicts_csv_and_geojson(tmp_path: Path) -> None:
    features = gpd.GeoDataFrame(
        {"id": ["f1", "f1"], "layer_id": ["A", "B"], "kind": ["cultural", "population"]},
        geometry=[shapely.Point(1, 1), shapely.Point(2, 2)],
        crs=WGS84,
    )
    conflicts = pd.DataFrame(
        {
            "activity_id": ["=cmd()"],
            "feature_id": ["f1"],
            "feature_layer": ["B"],
            "distance_m": [12.5],
        }
    )
    write_conflicts(conflicts, features, tmp_path / "out.csv")
    csv_text = (tmp_path / "out.csv").read_text(encoding="utf-8-sig")
    assert "'=cmd()" in csv_text
    assert "12.5" in csv_text
    write_conflicts(conflicts, features, tmp_path / "out.geojson")
    document = json.loads((tmp_path / "out.geojson").read_text())
    # The same id in two layers: the conflict is located at the feature of its own layer.
    assert document["features"][0]["geometry"]["coordinates"] == [2.0, 2.0]
    assert conflicts_geojson(conflicts.iloc[0:0], features).startswith(
        '{"type": "FeatureCollection"'
    )
    with pytest.raises(SchemaError, match=r"\.csv"):
        write_conflicts(conflicts, features, tmp_path / "out.xlsx")


def test_read_vector_reprojects_and_names_layers(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame({"id": ["a"]}, geometry=[shapely.Point(500000, 6000000)], crs=32634)
    path = tmp_path / "two.gpkg"
    frame.to_file(path, layer="one")
    frame.to_file(path, layer="two")
    with pytest.raises(SchemaError, match="'one', 'two'"):
        read_vector(path)
    back = read_vector(path, layer="two")
    assert back.crs == WGS84
    assert back.geometry[0].x == pytest.approx(21.0, abs=0.01)
    with pytest.raises(SchemaError, match="does not exist"):
        read_vector(tmp_path / "missing.gpkg")


def test_an_empty_string_cell_is_blank_not_a_reference() -> None:
    # An empty cell of a string column (the planner's table) holds pd.NA, not None.
    table = pd.DataFrame(
        {"id": ["placed-1"], "type": ["air_strike"], "lat": [53.9], "lon": [23.35]}
    ).assign(mgrs=pd.Series([pd.NA], dtype="string"))
    frame = activities_from_table(table)
    assert len(frame) == 1
    assert (frame.geometry.x[0], frame.geometry.y[0]) == (23.35, 53.9)
