"""Tests for humansec.ingest.validate: each finding on a hand-built frame of a few rows."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from humansec.errors import IngestError
from humansec.ingest.types import SOURCE_ROW, Finding
from humansec.ingest.validate import (
    describe_rows,
    repair_geometries,
    row_finding,
    validate_geometry,
)

# Ten places in Ukraine (lon, lat)
UKRAINE = [
    (30.52, 50.45),
    (24.03, 49.84),
    (36.23, 49.99),
    (35.05, 48.46),
    (30.73, 46.48),
    (32.06, 49.44),
    (28.47, 49.23),
    (34.55, 49.59),
    (33.39, 49.07),
    (26.25, 50.62),
]
BOW_TIE = shapely.from_wkt("POLYGON ((0 0, 2 2, 2 0, 0 2, 0 0))")
SQUARE = shapely.box(30, 50, 31, 51)


def make(geoms, *, start=1, **columns):
    data = {SOURCE_ROW: np.arange(start, start + len(geoms)), **columns}
    return gpd.GeoDataFrame(data, geometry=list(geoms), crs="EPSG:4326")


def by_code(findings: list[Finding]) -> dict[str, Finding]:
    codes = [f.code for f in findings]
    assert len(codes) == len(set(codes)), codes
    return {f.code: f for f in findings}


def points(coords):
    return [shapely.Point(x, y) for x, y in coords]


def test_describe_rows_and_row_finding_cap():
    assert describe_rows([4, 9, 11]) == "rows 4, 9 and 11"
    finding = row_finding("x", "warning", np.arange(1, 501), "m")
    assert finding.count == 500
    assert len(finding.rows) == 200
    assert finding.rows[:2] == (1, 2)


def test_clean_points_give_no_findings():
    frame = make(points(UKRAINE), name=[f"p{i}" for i in range(10)])
    kept, findings = validate_geometry(frame, source_crs=None)
    assert findings == []
    assert kept[SOURCE_ROW].tolist() == list(range(1, 11))


def test_missing_and_empty_geometries_are_dropped_with_a_warning():
    frame = make([shapely.Point(30, 50), None, shapely.Point(), shapely.Point(31, 49)])
    kept, findings = validate_geometry(frame, source_crs=None)
    found = by_code(findings)["geometry_missing"]
    assert found.severity == "warning"
    assert found.rows == (2, 3)
    assert found.count == 2
    assert "rows 2 and 3" in found.message
    assert kept[SOURCE_ROW].tolist() == [1, 4]


def test_non_finite_coordinates_are_dropped_with_a_warning_naming_rows():
    geoms = [*points(UKRAINE[:4]), shapely.Point(np.nan, 50), shapely.Point(30, np.inf)]
    kept, findings = validate_geometry(make(geoms, start=10), source_crs=None)
    found = by_code(findings)["coordinates_not_finite"]
    assert found.severity == "warning"
    assert found.rows == (14, 15)
    assert len(kept) == 4


def test_a_few_out_of_range_rows_are_dropped_with_a_warning():
    coords = list(UKRAINE)
    coords[5] = (200.0, 50.0)
    kept, findings = validate_geometry(make(points(coords)), source_crs=None)
    found = by_code(findings)["coordinates_out_of_range"]
    assert found.severity == "warning"
    assert found.rows == (6,)
    assert 6 not in kept[SOURCE_ROW].tolist()
    assert len(kept) == 9


def test_mostly_out_of_range_says_the_crs_is_probably_wrong():
    # UTM metres read as degrees
    geoms = points([(500000 + i, 5500000 + i) for i in range(8)]) + points(UKRAINE[:2])
    kept, findings = validate_geometry(make(geoms), source_crs="EPSG:4326")
    found = by_code(findings)["coordinates_out_of_range"]
    assert found.severity == "error"
    assert found.count == 8
    assert "--crs" in found.message
    assert len(kept) == 2


def test_rows_3_and_7_swapped_out_of_10_are_reported_not_swapped():
    coords = list(UKRAINE)
    for i in (2, 6):
        coords[i] = coords[i][::-1]
    frame = make(points(coords))
    kept, findings = validate_geometry(frame, source_crs=None)
    found = by_code(findings)["coordinates_likely_swapped"]
    assert found.severity == "warning"
    assert found.rows == (3, 7)
    assert "rows 3 and 7" in found.message
    assert len(kept) == 10
    assert kept.geometry.iloc[2].equals(shapely.Point(coords[2]))  # nothing swapped silently


def test_swap_check_skipped_for_a_projected_source():
    coords = list(UKRAINE)
    coords[2] = coords[2][::-1]
    _, findings = validate_geometry(make(points(coords)), source_crs="EPSG:32636")
    assert "coordinates_likely_swapped" not in by_code(findings)


def test_world_wide_points_are_not_taken_for_swapped():
    rng = np.random.default_rng(4)
    coords = np.column_stack([rng.uniform(-170, 170, 400), rng.uniform(-55, 70, 400)])
    _, findings = validate_geometry(make(points(coords)), source_crs=None)
    assert findings == []


def test_all_rows_swapped_says_the_columns_are_swapped():
    # places in East Asia written (lat, lon): some "latitudes" beyond 90
    coords = [(35.7, 139.7), (39.9, 116.4), (31.2, 121.5), (37.6, 127.0), (23.1, 113.3)]
    kept, findings = validate_geometry(make(points(coords)), source_crs=None)
    found = by_code(findings)
    assert found["coordinates_swapped"].severity == "error"
    assert "swapped" in found["coordinates_out_of_range"].message
    assert found["coordinates_out_of_range"].severity == "error"
    assert len(kept) == 0


def test_a_bow_tie_is_an_error_that_names_the_reason():
    frame = make([SQUARE, BOW_TIE, SQUARE.buffer(0.1)], name=["a", "b", "c"])
    kept, findings = validate_geometry(frame, source_crs=None)
    found = by_code(findings)["geometry_invalid"]
    assert found.severity == "error"
    assert found.rows == (2,)
    assert "Self-intersection" in found.message
    assert "repair" in found.message
    assert len(kept) == 3  # invalid rows are not dropped: the analyst decides


def test_repair_makes_a_bow_tie_a_multipolygon_and_leaves_valid_rows_alone():
    frame = make([SQUARE, BOW_TIE], name=["a", "b"])
    fixed, findings = repair_geometries(frame)
    assert fixed.geometry.iloc[0] is frame.geometry.iloc[0]
    repaired = fixed.geometry.iloc[1]
    assert repaired.geom_type == "MultiPolygon"
    assert repaired.is_valid
    assert repaired.area == pytest.approx(2.0)
    found = by_code(findings)["geometry_repaired"]
    assert found.rows == (2,)
    assert "Polygon -> MultiPolygon" in found.message
    assert validate_geometry(fixed, source_crs=None)[1] == []


def test_repair_drops_stray_lines_and_rows_left_empty():
    spike = shapely.from_wkt("POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0, -5 -5, 0 0))")
    flat = shapely.from_wkt("POLYGON ((0 0, 1 0, 2 0, 0 0))")
    frame = make([spike, flat, SQUARE])
    fixed, findings = repair_geometries(frame)
    found = by_code(findings)
    assert found["geometry_repair_parts_dropped"].rows == (1,)
    assert found["geometry_repair_empty"].rows == (2,)
    assert fixed[SOURCE_ROW].tolist() == [1, 3]
    assert fixed.geometry.iloc[0].geom_type == "Polygon"
    assert fixed.geometry.iloc[0].area == pytest.approx(100.0)


def test_repair_without_invalid_rows_changes_nothing():
    frame = make([SQUARE])
    fixed, findings = repair_geometries(frame)
    assert findings == []
    assert fixed.geometry.iloc[0].equals(SQUARE)


def test_mixed_geometry_types_warn_with_counts():
    line = shapely.LineString([(30, 50), (31, 51)])
    frame = make([*points(UKRAINE[:3]), SQUARE, line])
    _, findings = validate_geometry(frame, source_crs=None)
    found = by_code(findings)["geometry_mixed"]
    assert found.severity == "warning"
    assert "3 Point" in found.message
    assert "1 Polygon" in found.message
    assert "1 LineString" in found.message
    assert found.rows == (4, 5)


def test_a_geometry_collection_is_an_error():
    collection = shapely.GeometryCollection([shapely.Point(30, 50), SQUARE])
    _, findings = validate_geometry(make([SQUARE, collection]), source_crs=None)
    found = by_code(findings)["geometry_collection"]
    assert found.severity == "error"
    assert found.rows == (2,)
    assert "Split" in found.message


def test_exact_duplicates_warn_and_same_place_is_info():
    geoms = [*points(UKRAINE[:4]), shapely.Point(UKRAINE[1]), shapely.Point(UKRAINE[2])]
    names = ["a", "b", "c", "d", "b", "other"]
    kept, findings = validate_geometry(make(geoms, name=names), source_crs=None)
    found = by_code(findings)
    assert found["duplicate_features"].severity == "warning"
    assert found["duplicate_features"].rows == (5,)
    assert "row 5 = row 2" in found["duplicate_features"].message
    assert found["duplicate_geometry"].severity == "info"
    assert found["duplicate_geometry"].rows == (6,)
    assert "row 6 at row 3" in found["duplicate_geometry"].message
    assert len(kept) == 6  # duplicates are kept


def test_duplicates_ignore_the_source_row_and_treat_missing_values_alike():
    frame = make(points([UKRAINE[0]] * 2), value=[np.nan, np.nan], tags=[["x"], ["x"]])
    _, findings = validate_geometry(frame, source_crs=None)
    assert by_code(findings)["duplicate_features"].rows == (2,)


def test_refuses_a_frame_not_in_wgs84_or_without_source_rows():
    with pytest.raises(IngestError, match="EPSG:4326"):
        validate_geometry(make(points(UKRAINE)).set_crs(3857, allow_override=True), source_crs=None)
    with pytest.raises(IngestError, match=SOURCE_ROW):
        validate_geometry(make(points(UKRAINE)).drop(columns=SOURCE_ROW), source_crs=None)


def test_many_points_in_range_are_all_kept():
    n = 100_000
    rng = np.random.default_rng(0)
    frame = gpd.GeoDataFrame(
        {SOURCE_ROW: np.arange(1, n + 1), "v": rng.integers(0, 50, n)},
        geometry=shapely.points(rng.uniform(22, 40, n), rng.uniform(44, 52, n)),
        crs="EPSG:4326",
    )
    kept, _ = validate_geometry(frame, source_crs=None)  # speed: benchmarks/ingest.py
    assert len(kept) == n


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(-180, 180), st.floats(-90, 90)),
        min_size=1,
        max_size=30,
    )
)
def test_points_in_range_are_all_kept_in_order(coords):
    frame = make(points(coords))
    kept, findings = validate_geometry(frame, source_crs=None)
    assert kept[SOURCE_ROW].tolist() == list(range(1, len(coords) + 1))
    assert not [f for f in findings if f.severity == "error"]


def test_rounding_noise_beyond_the_antimeridian_is_snapped_not_dropped() -> None:
    overshoot = shapely.Polygon([(170, 60), (180.00000000000006, 60), (180, 70), (170, 70)])
    frame = gpd.GeoDataFrame(
        {SOURCE_ROW: [1, 2]},
        geometry=[overshoot, shapely.Point(181, 0)],
        crs="EPSG:4326",
    )
    kept, findings = validate_geometry(frame, source_crs="EPSG:4326")
    assert kept[SOURCE_ROW].tolist() == [1]
    assert kept.geometry.iloc[0].bounds[2] == 180.0
    codes = {f.code: f for f in findings}
    assert codes["coordinates_snapped"].rows == (1,)
    assert codes["coordinates_out_of_range"].rows == (2,)
