"""Tests for humansec.model: kinds, their specs, and conform."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from humansec.errors import SchemaError
from humansec.model import (
    KIND_SPECS,
    PROTECTED_KINDS,
    WGS84,
    LayerKind,
    conform,
    geometry_family,
    parse_kind,
)


def frame(data: dict[str, list[object]], geometry: list[object], crs: object = WGS84):
    return gpd.GeoDataFrame(data, geometry=geometry, crs=crs)


def points(n: int) -> list[shapely.Point]:
    return [shapely.Point(30 + i / 10, 50) for i in range(n)]


def test_parse_kind():
    assert parse_kind("incident") is LayerKind.INCIDENT
    with pytest.raises(
        SchemaError, match=r"Unknown layer kind 'incidents'.*'activity'.*'incident'"
    ):
        parse_kind("incidents")


def test_every_kind_has_a_spec_with_a_required_id():
    assert set(KIND_SPECS) == set(LayerKind)
    for kind, spec in KIND_SPECS.items():
        assert spec.kind is kind
        assert spec.field("id").required
        if spec.time_fields is not None:
            assert all(spec.field(name).type == "datetime" for name in spec.time_fields)


def test_protected_kinds():
    assert LayerKind.INCIDENT not in PROTECTED_KINDS
    assert LayerKind.ACTIVITY not in PROTECTED_KINDS
    assert LayerKind.CULTURAL in PROTECTED_KINDS


def test_unknown_field_lists_the_fields():
    with pytest.raises(SchemaError, match=r"no field 'size'.*'population'"):
        KIND_SPECS[LayerKind.POPULATION].field("size")


@pytest.mark.parametrize(
    ("geom_type", "family"),
    [("Point", "point"), ("MultiLineString", "line"), ("MultiPolygon", "polygon")],
)
def test_geometry_family(geom_type, family):
    assert geometry_family(geom_type) == family


def test_conform_types_every_field_and_adds_the_missing_ones():
    raw = frame(
        {
            "extra": ["x", "y"],
            "population": ["1200", 35],
            "id": [1, 2],
            "share_female": ["0.52", None],
            "date": ["2026-01-02", "2026-01-03T10:00:00+02:00"],
        },
        points(2),
    )
    out = conform(raw, LayerKind.POPULATION)
    spec = KIND_SPECS[LayerKind.POPULATION]
    assert list(out.columns) == [*spec.field_names, "extra", "geometry"]
    assert out["id"].dtype == "string"
    assert out["id"].tolist() == ["1", "2"]
    assert out["population"].dtype == "Int64"
    assert out["population"].tolist() == [1200, 35]
    assert out["share_female"].dtype == "float64"
    assert out["share_female"].iloc[0] == 0.52
    assert np.isnan(out["share_female"].iloc[1])
    assert out["share_children"].isna().all()
    assert out["share_children"].dtype == "float64"
    assert out["name"].dtype == "string"
    assert str(out["date"].dt.tz) == "UTC"
    assert out["date"].iloc[1] == pd.Timestamp("2026-01-03T08:00Z")
    assert out["extra"].tolist() == ["x", "y"]  # extra columns are kept as they are
    assert "name" not in raw.columns  # the input is not changed


def test_conform_types_booleans_and_nullable_integers():
    raw = frame(
        {"id": ["a", "b", "c"], "category": ["clinic"] * 3, "notified": [1, 0, None]},
        points(3),
    )
    out = conform(raw, LayerKind.HUMANITARIAN_SITE)
    assert out["notified"].dtype == "boolean"
    assert out["notified"].tolist() == [True, False, pd.NA]
    incidents = frame(
        {
            "id": ["a", "b"],
            "date": ["2026-01-01"] * 2,
            "focus_area": ["poc"] * 2,
            "killed": [2, None],
        },
        points(2),
    )
    killed = conform(incidents, LayerKind.INCIDENT)["killed"]
    assert killed.dtype == "Int64"
    assert killed.isna().tolist() == [False, True]


def test_missing_required_field_is_named():
    raw = frame({"id": ["a"], "name": ["x"]}, points(1))
    with pytest.raises(
        SchemaError, match=r"needs the field 'category'; the layer has 'id', 'name'"
    ):
        conform(raw, LayerKind.INFRASTRUCTURE)


def test_missing_id_values_give_row_numbers():
    raw = frame({"id": ["a", None, "c"], "category": ["dam"] * 3}, points(3))
    with pytest.raises(SchemaError, match=r"rows 2 have no id"):
        conform(raw, LayerKind.INFRASTRUCTURE)


def test_values_outside_the_allowed_set_give_rows_and_choices():
    raw = frame({"id": ["a", "b", "c"], "category": ["dam", "bridge", "Dam"]}, points(3))
    with pytest.raises(SchemaError, match=r"category: rows 2, 3 hold 'Dam', 'bridge'; valid"):
        conform(raw, LayerKind.INFRASTRUCTURE)


def test_many_bad_rows_are_summarised():
    raw = frame({"id": [str(i) for i in range(14)], "category": ["road"] * 14}, points(14))
    with pytest.raises(SchemaError, match=r"rows 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 4 more"):
        conform(raw, LayerKind.INFRASTRUCTURE)


def test_values_that_are_not_numbers_or_dates():
    raw = frame({"id": ["a", "b"], "population": [10, "many"]}, points(2))
    with pytest.raises(SchemaError, match=r"population: rows 2 are not numbers"):
        conform(raw, LayerKind.POPULATION)
    raw = frame({"id": ["a"], "date": ["yesterday"], "focus_area": ["poc"]}, points(1))
    with pytest.raises(SchemaError, match=r"date: rows 1 are not dates.*ISO 8601"):
        conform(raw, LayerKind.INCIDENT)


@pytest.mark.parametrize("crs", ["EPSG:3857", None])
def test_wrong_or_missing_crs_is_refused(crs):
    raw = frame({"id": ["a"], "category": ["dam"]}, points(1), crs=crs)
    with pytest.raises(SchemaError, match=r"must be in WGS84 \(EPSG:4326\)"):
        conform(raw, LayerKind.INFRASTRUCTURE)


def test_wrong_geometry_family_is_refused():
    raw = frame(
        {"id": ["a"], "date": ["2026-01-01"], "focus_area": ["poc"]},
        [shapely.LineString([(30, 50), (31, 50)])],
    )
    with pytest.raises(SchemaError, match=r"incident layer holds 'point' geometries, not 'line'"):
        conform(raw, LayerKind.INCIDENT)


def test_geometry_collections_are_refused():
    raw = frame(
        {"id": ["a"], "category": ["dam"]},
        [shapely.GeometryCollection([shapely.Point(30, 50)])],
    )
    with pytest.raises(SchemaError, match="GeometryCollections must be split"):
        conform(raw, LayerKind.INFRASTRUCTURE)


def test_missing_and_empty_geometries_give_row_numbers():
    raw = frame(
        {"id": ["a", "b", "c"], "category": ["dam"] * 3},
        [shapely.Point(30, 50), None, shapely.Point()],
    )
    with pytest.raises(SchemaError, match=r"rows 2, 3 have no geometry"):
        conform(raw, LayerKind.INFRASTRUCTURE)


@pytest.mark.parametrize(
    "bad",
    [
        shapely.Point(200, 50),
        shapely.Point(30, -91),
        shapely.Point(np.nan, 50),
        shapely.LineString([(30, 50), (np.inf, 50)]),
    ],
    ids=["lon", "lat", "nan", "inf-vertex"],
)
def test_non_finite_or_out_of_range_coordinates_give_row_numbers(bad):
    raw = frame(
        {"id": ["a", "b", "c"], "category": ["dam"] * 3},
        [shapely.Point(30, 50), shapely.Point(31, 50), bad],
    )
    with pytest.raises(SchemaError, match=r"rows 3 have coordinates that are not finite"):
        conform(raw, LayerKind.INFRASTRUCTURE)


def test_row_numbers_are_positions_not_index_labels():
    raw = frame(
        {"id": ["a", "b"], "category": ["dam", "dam"]},
        [shapely.Point(30, 50), shapely.Point(300, 50)],
    )
    raw.index = [10, 20]
    with pytest.raises(SchemaError, match=r"rows 2 have coordinates"):
        conform(raw, LayerKind.INFRASTRUCTURE)


def test_empty_frame_conforms():
    raw = frame({"id": [], "category": []}, [])
    out = conform(raw, LayerKind.INFRASTRUCTURE)
    assert len(out) == 0
    assert list(out.columns) == [*KIND_SPECS[LayerKind.INFRASTRUCTURE].field_names, "geometry"]
