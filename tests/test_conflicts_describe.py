"""Names and locations joined onto the conflict tables, checked on frames of a few features."""

from __future__ import annotations

import csv
import io
import math

import geopandas as gpd
import mgrs
import pandas as pd
import pytest
import shapely

from humansec.conflicts import describe
from humansec.conflicts.describe import (
    CONFLICT_HEADINGS,
    describe_activities,
    describe_conflicts,
    readable_activities,
    readable_conflicts,
)
from humansec.errors import SchemaError
from humansec.export.furniture import Furniture
from humansec.export.product import conflict_table
from humansec.model import LayerKind

WGS84 = "EPSG:4326"
HOSTILE = '=HYPERLINK("http://x","y")'


def reference(lat: float, lon: float) -> str:
    """The mgrs package's own 1 m reference, grouped as humansec writes it."""
    raw = mgrs.MGRS().toMGRS(lat, lon, MGRSPrecision=5)
    raw = raw if isinstance(raw, str) else raw.decode()
    return f"{raw[:3]} {raw[3:5]} {raw[5:10]} {raw[10:]}"


@pytest.fixture
def features() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "id": ["c1", "c1", "h1", "inf-1", "area-1"],
            "layer_id": ["layer-a", "layer-b", "layer-a", "layer-a", "layer-a"],
            "kind": ["cultural", "cultural", "humanitarian_site", "infrastructure", "population"],
            "name": ["St Anne church", "Old mill", "Field hospital", HOSTILE, "Sejny"],
        },
        geometry=[
            shapely.Point(22.93, 54.1),
            shapely.Point(23.0, 54.2),
            shapely.Point(23.1, 54.3),
            shapely.LineString([(22.0, 54.0), (23.0, 54.0)]),
            shapely.box(23.3, 54.05, 23.4, 54.15),
        ],
        crs=WGS84,
    )


@pytest.fixture
def activities() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": ["a1", "a2"], "type": ["air_strike", "patrol"], "name": ["Strike on depot", None]},
        geometry=[shapely.Point(22.5, 54.01), shapely.Point(23.35, 54.1)],
        crs=WGS84,
    )


def pairs(*rows: tuple[str, str, str | None]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "activity_id": [r[0] for r in rows],
            "activity_type": ["air_strike"] * len(rows),
            "feature_id": [r[1] for r in rows],
            "feature_layer": [r[2] for r in rows],
            "feature_kind": ["cultural"] * len(rows),
            "feature_category": ["place_of_worship"] * len(rows),
            "distance_m": [12.34] * len(rows),
            "threshold_m": [1000.0] * len(rows),
            "severity": ["critical"] * len(rows),
        }
    )


def test_point_feature_gets_its_name_and_the_mgrs_of_the_mgrs_package(
    features: gpd.GeoDataFrame, activities: gpd.GeoDataFrame
) -> None:
    out = describe_conflicts(pairs(("a1", "c1", "layer-a")), features, activities)
    row = out.iloc[0]
    assert row["feature_name"] == "St Anne church"
    assert row["activity_name"] == "Strike on depot"
    assert (row["feature_lat"], row["feature_lon"]) == (54.1, 22.93)
    assert row["feature_mgrs"] == reference(54.1, 22.93) == "34U FE 26199 96369"


def test_ids_are_matched_within_their_layer(
    features: gpd.GeoDataFrame, activities: gpd.GeoDataFrame
) -> None:
    out = describe_conflicts(
        pairs(("a1", "c1", "layer-b"), ("a1", "c1", "layer-a")), features, activities
    )
    assert list(out["feature_name"]) == ["Old mill", "St Anne church"]
    assert out.loc[0, "feature_mgrs"] == reference(54.2, 23.0)


def test_a_line_is_located_at_its_point_nearest_the_activity(
    features: gpd.GeoDataFrame, activities: gpd.GeoDataFrame
) -> None:
    row = describe_conflicts(pairs(("a1", "inf-1", "layer-a")), features, activities).iloc[0]
    assert row["feature_lat"] == pytest.approx(54.0) and row["feature_lon"] == pytest.approx(22.5)
    assert row["feature_mgrs"] == reference(54.0, 22.5)
    # without the activities, a representative point of the line (on it) is used
    alone = describe_conflicts(pairs(("a1", "inf-1", "layer-a")), features).iloc[0]
    assert alone["feature_lat"] == pytest.approx(54.0) and 22.0 <= alone["feature_lon"] <= 23.0
    assert alone["activity_name"] is None


def test_an_area_holding_the_activity_is_located_at_the_activity(
    features: gpd.GeoDataFrame, activities: gpd.GeoDataFrame
) -> None:
    row = describe_conflicts(pairs(("a2", "area-1", "layer-a")), features, activities).iloc[0]
    assert (row["feature_lat"], row["feature_lon"]) == (54.1, 23.35)
    assert row["feature_name"] == "Sejny"
    assert row["activity_name"] is None  # the activity has no name


def test_unknown_features_keep_their_id_and_no_location(
    features: gpd.GeoDataFrame, activities: gpd.GeoDataFrame
) -> None:
    row = describe_conflicts(pairs(("zz", "nope", None)), features, activities).iloc[0]
    assert row["feature_name"] is None and row["activity_name"] is None
    assert math.isnan(row["feature_lat"]) and row["feature_mgrs"] == ""
    assert row["feature_id"] == "nope"


def test_features_without_layers_match_by_id(activities: gpd.GeoDataFrame) -> None:
    plain = gpd.GeoDataFrame(
        {"id": ["c1"], "kind": ["cultural"], "name": ["Chapel"]},
        geometry=[shapely.Point(-58.38, -34.6)],
        crs=WGS84,
    )
    row = describe_conflicts(pairs(("a1", "c1", None)), plain, activities).iloc[0]
    assert row["feature_name"] == "Chapel"
    assert row["feature_mgrs"] == reference(-34.6, -58.38)


def test_readable_table_has_headings_and_codes_in_words(
    features: gpd.GeoDataFrame, activities: gpd.GeoDataFrame
) -> None:
    described = describe_conflicts(pairs(("a1", "c1", "layer-a")), features, activities)
    table = readable_conflicts(described)
    assert list(table.columns) == [h for c, h in CONFLICT_HEADINGS.items() if c in described]
    row = table.iloc[0]
    assert row["Activity type"] == "Air strike"
    assert row["Feature kind"] == "Cultural property"
    assert row["Category"] == "Place of worship"
    assert row["Distance (m)"] == 12.3
    assert row["MGRS"] == "34U FE 26199 96369"


def test_activities_table_has_location_and_words(activities: gpd.GeoDataFrame) -> None:
    table = readable_activities(describe_activities(activities))
    assert list(table.columns[:3]) == ["Activity", "Name", "Type"]
    assert list(table["Type"]) == ["Air strike", "Patrol"]
    assert list(table["MGRS"]) == [reference(54.01, 22.5), reference(54.1, 23.35)]
    assert "geometry" not in table.columns


def test_csv_of_named_conflicts_stays_formula_safe(
    features: gpd.GeoDataFrame, activities: gpd.GeoDataFrame
) -> None:
    described = describe_conflicts(pairs(("a1", "inf-1", "layer-a")), features, activities)
    furniture = Furniture(
        title="T", subtitle="", marking="NATO UNCLASSIFIED", exercise=False, dtg="",
        kinds=(LayerKind.INFRASTRUCTURE,), sources=(), conflicts=described,
    )  # fmt: skip
    data = conflict_table({}, furniture, fmt="csv").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data)))
    header = rows[1]
    assert "Protected feature" in header and "MGRS" in header
    assert rows[2][header.index("Protected feature")] == "'" + HOSTILE


def test_frames_in_another_crs_are_refused(features: gpd.GeoDataFrame) -> None:
    with pytest.raises(SchemaError, match="EPSG:4326"):
        describe_conflicts(pairs(("a1", "c1", "layer-a")), features.to_crs("EPSG:3857"))


def test_pairs_whose_features_are_all_missing_are_kept_without_names() -> None:
    wanted = describe._keys(pd.Series(["l1"]), pd.Series(["f1"]))
    empty = describe._keys(pd.Series([], dtype=object), pd.Series([], dtype=object))
    assert describe._lookup(empty, wanted).tolist() == [-1]
