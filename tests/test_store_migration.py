"""Stores written before an incident could carry several focus areas keep working.

``fixtures/store_ede3ef9.gpkg`` was written by main at ede3ef9 (one ``focus_area`` per
incident; see ``fixtures/make_store_ede3ef9.py``): an ACLED upload through that version's
ingest CLI and preset, and a layer added through its store API.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

from humansec import analytics
from humansec.errors import SchemaError
from humansec.filters import apply_filters
from humansec.model import LayerKind, conform
from humansec.store.base import NewLayer
from humansec.store.geopackage import GeoPackageStore

FIXTURE = Path(__file__).parent / "fixtures" / "store_ede3ef9.gpkg"


@pytest.fixture
def old_store(tmp_path: Path) -> GeoPackageStore:
    path = tmp_path / "humansec.gpkg"
    shutil.copyfile(FIXTURE, path)
    return GeoPackageStore(path)


def _fields(store: GeoPackageStore, layer_id: str) -> list[str]:
    tables = [t for t, _ in pyogrio.list_layers(store.path) if t.startswith(f"hs_{layer_id}_v1")]
    return list(pyogrio.read_info(store.path, layer=tables[0])["fields"])


def test_the_fixture_is_an_old_store(old_store: GeoPackageStore) -> None:
    fields = _fields(old_store, "acled_upload")
    assert "focus_area" in fields
    assert "focus_areas" not in fields and "event_type" not in fields


def test_old_layers_read_with_their_focus_area_as_the_set(old_store: GeoPackageStore) -> None:
    acled = old_store.read_layer("acled_upload").set_index("id")
    assert acled["focus_areas"].to_dict() == {"FIX1": "crsv", "FIX2": "poc", "FIX4": "thb"}
    assert acled["focus_area"].to_dict() == {"FIX1": "crsv", "FIX2": "poc", "FIX4": "thb"}
    assert acled["event_type"].isna().all() and acled["target"].isna().all()
    assert acled.loc["FIX1", "type"] == "Sexual violence"
    manual = old_store.read_layer("manual").set_index("id")
    assert manual["focus_areas"].to_dict() == {"m1": "cpp", "m2": "humanitarian_access"}
    # Read, never rewritten: the old version's table is as it was.
    assert "focus_areas" not in _fields(old_store, "acled_upload")


def test_filters_and_analytics_work_on_an_old_store(old_store: GeoPackageStore) -> None:
    incidents = old_store.read_kind(LayerKind.INCIDENT)
    assert len(incidents) == 5
    shown = apply_filters({LayerKind.INCIDENT: incidents}, kinds=[LayerKind.INCIDENT],
                          focus_areas=["crsv", "cpp"])[LayerKind.INCIDENT]  # fmt: skip
    assert sorted(shown["id"]) == ["FIX1", "m1"]
    assert len(analytics.select(incidents, focus=["conflict_event"])) == 0
    table = analytics.trend(incidents, freq="M", by="focus_area")
    assert table.set_index("group")["events"].to_dict() == {
        "crsv": 1, "poc": 1, "thb": 1, "cpp": 1, "humanitarian_access": 1,
    }  # fmt: skip


def test_a_new_version_with_several_focus_areas_goes_into_an_old_store(
    old_store: GeoPackageStore,
) -> None:
    frame = gpd.GeoDataFrame(
        {
            "id": ["n1", "n2"],
            "date": ["2022-06-01", "2022-06-02"],
            "focus_areas": ["caac;crsv", None],
            "event_type": ["Violence against civilians", "Battles"],
        },
        geometry=[shapely.Point(30.5, 50.4), shapely.Point(37.5, 48.0)],
        crs="EPSG:4326",
    )
    meta = NewLayer(LayerKind.INCIDENT, "Manual incidents", "test", "none", "NATO UNCLASSIFIED")
    assert old_store.add_version(frame, meta, layer_id="manual").version == 2
    latest = old_store.read_layer("manual")
    assert latest["focus_areas"].tolist() == ["crsv;caac", pd.NA]
    assert latest["focus_area"].tolist() == ["crsv", pd.NA]
    assert old_store.read_layer("manual", version=1)["focus_areas"].tolist() == [
        "cpp", "humanitarian_access",
    ]  # fmt: skip


def test_an_unknown_focus_area_is_refused_with_the_valid_ones() -> None:
    frame = gpd.GeoDataFrame(
        {"id": ["x"], "date": ["2022-06-01"], "focus_areas": ["crsv;genocide"]},
        geometry=[shapely.Point(30.5, 50.4)],
        crs="EPSG:4326",
    )
    with pytest.raises(SchemaError, match=r"'genocide'.*'poc'"):
        conform(frame, LayerKind.INCIDENT)
