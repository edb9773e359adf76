"""The reference area kind: polygons that hold people, never protected (issue 13)."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from humansec.errors import SchemaError
from humansec.model import KIND_SPECS, PROTECTED_KINDS, WGS84, LayerKind, conform


def _square(x: float, y: float) -> shapely.Polygon:
    return shapely.box(x, y, x + 1, y + 1)


def test_area_is_a_polygon_kind_that_is_not_protected() -> None:
    spec = KIND_SPECS[LayerKind.AREA]
    assert spec.geometries == frozenset({"polygon"})
    assert LayerKind.AREA not in PROTECTED_KINDS
    assert spec.field_names[:5] == ("id", "name", "pcode", "admin_level", "parent_pcode")


def test_conform_types_the_area_fields_and_band_counts() -> None:
    frame = gpd.GeoDataFrame(
        {
            "id": ["UA05", "UA07"],
            "admin_level": ["1", 1],
            "population": [1_529_123.0, None],
            "female_age_80_plus": ["1200", None],
            "age_0_4": [50_000, 40_000],
            "adm1_ua": ["Вінницька", "Волинська"],
        },
        geometry=[_square(28, 48), _square(24, 50)],
        crs=WGS84,
    )
    out = conform(frame, LayerKind.AREA)
    assert str(out["admin_level"].dtype) == "Int64"
    assert str(out["population"].dtype) == "Int64"
    assert str(out["female_age_80_plus"].dtype) == "Int64"
    assert out["female_age_80_plus"].tolist()[0] == 1200
    assert out["adm1_ua"].tolist() == ["Вінницька", "Волинська"]  # extras kept as they are
    assert out["pcode"].isna().all()


def test_conform_refuses_points_and_bad_band_counts() -> None:
    points = gpd.GeoDataFrame({"id": ["a"]}, geometry=[shapely.Point(30, 50)], crs=WGS84)
    with pytest.raises(SchemaError, match="polygon"):
        conform(points, LayerKind.AREA)
    bad = gpd.GeoDataFrame(
        {"id": ["a"], "male_age_15_19": ["many"]}, geometry=[_square(30, 50)], crs=WGS84
    )
    with pytest.raises(SchemaError, match="male_age_15_19"):
        conform(bad, LayerKind.AREA)
