"""The upload pipeline end to end: staged file -> bounded worker -> report -> store."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from humansec.errors import IngestError
from humansec.ingest.limits import IngestLimits
from humansec.ingest.pipeline import (
    UploadMeta,
    UploadOptions,
    commit_upload,
    discard,
    ingest_file,
    inspect_upload,
    remap,
    stage_upload,
    sweep_staging,
    work_folder,
)
from humansec.ingest.sandbox import PROGRESS_FILE, WorkerRefusedError
from humansec.ingest.types import FieldMapping, SourceFormat
from humansec.model import WGS84, LayerKind
from humansec.store import GeoPackageStore

META = UploadMeta(title="Towns", classification="NATO RESTRICTED", who="Lt Test, J2")


def towns_geojson(count: int = 3) -> bytes:
    features = [
        {
            "type": "Feature",
            "properties": {"town": f"Town {i}", "pop": 1000 + i, "code": f"T{i}"},
            "geometry": {
                "type": "Point",
                "coordinates": [24.0 + (i % 1000) / 100, 50.0 + (i // 1000) / 100],
            },
        }
        for i in range(count)
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def staged(tmp_path: Path, data: bytes, name: str) -> Path:
    return stage_upload(data, name, tmp_path / "staging")


def test_inspect_then_commit_stores_one_version_with_provenance(tmp_path: Path) -> None:
    upload = staged(tmp_path, towns_geojson(), "towns.geojson")
    inspection = inspect_upload(upload, "towns.geojson", UploadOptions(kind=LayerKind.POPULATION))
    assert inspection.format is SourceFormat.GEOJSON
    assert inspection.read_count == 3
    assert inspection.mapping is not None
    assert inspection.mapping.columns.get("population") == "pop"
    assert not inspection.report.errors, inspection.report
    assert len(inspection.preview()) == 3
    store_path = tmp_path / "store.gpkg"
    record = commit_upload(inspection, inspection.mapping, store_path=store_path, meta=META)
    assert record["features"] == 3
    assert record["version"] == 1
    (stored,) = GeoPackageStore(store_path).catalogue()
    assert stored.classification == "NATO RESTRICTED"
    provenance = dict(stored.provenance)
    assert provenance["original_name"] == "towns.geojson"
    assert provenance["sha256"] == inspection.sha256
    assert len(inspection.sha256) == 64
    assert provenance["uploaded_by"] == "Lt Test, J2"
    assert provenance["mapping"]["columns"]["population"] == "pop"
    frame = GeoPackageStore(store_path).read_layer(stored.layer_id)
    assert sorted(frame["population"].tolist()) == [1000, 1001, 1002]


def test_a_new_version_keeps_the_old_one(tmp_path: Path) -> None:
    store_path = tmp_path / "store.gpkg"
    first = inspect_upload(
        staged(tmp_path, towns_geojson(2), "a.geojson"),
        "a.geojson",
        UploadOptions(kind=LayerKind.POPULATION),
    )
    assert first.mapping is not None
    record = commit_upload(first, first.mapping, store_path=store_path, meta=META)
    second = inspect_upload(
        staged(tmp_path, towns_geojson(5), "b.geojson"),
        "b.geojson",
        UploadOptions(kind=LayerKind.POPULATION),
    )
    assert second.mapping is not None
    again = commit_upload(
        second,
        second.mapping,
        store_path=store_path,
        meta=META,
        layer_id=str(record["layer_id"]),
    )
    assert again["version"] == 2
    store = GeoPackageStore(store_path)
    assert [r.feature_count for r in store.versions(str(record["layer_id"]))] == [2, 5]
    assert len(store.read_layer(str(record["layer_id"]), version=1)) == 2


def test_remap_changes_the_report_and_errors_block_the_commit(tmp_path: Path) -> None:
    upload = staged(tmp_path, towns_geojson(), "towns.geojson")
    inspection = inspect_upload(upload, "towns.geojson", UploadOptions(kind=LayerKind.POPULATION))
    wrong = FieldMapping(kind="population", columns={"id": "code", "population": "town"})
    remapped = remap(inspection, wrong)
    assert remapped.report.errors, "population from a text column must be an error"
    store_path = tmp_path / "store.gpkg"
    with pytest.raises(IngestError, match="not stored"):
        commit_upload(remapped, wrong, store_path=store_path, meta=META)
    assert not store_path.exists() or GeoPackageStore(store_path).catalogue() == []


def test_a_refused_file_leaves_no_store_and_says_why(tmp_path: Path) -> None:
    upload = staged(
        tmp_path, b'<OGRVRTDataSource><OGRVRTLayer name="x"/></OGRVRTDataSource>', "x.geojson"
    )
    with pytest.raises(IngestError) as raised:
        inspect_upload(upload, "x.geojson", UploadOptions(kind=LayerKind.POPULATION))
    assert "VRT" in str(raised.value) or "not" in str(raised.value)
    assert not (tmp_path / "store.gpkg").exists()


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    upload = staged(tmp_path, b"", "empty.csv")
    with pytest.raises(IngestError, match="empty"):
        inspect_upload(upload, "empty.csv", UploadOptions())


def test_a_multi_layer_geopackage_asks_for_a_layer(tmp_path: Path) -> None:
    path = tmp_path / "two.gpkg"
    for name in ("alpha", "beta"):
        gpd.GeoDataFrame({"name": [name]}, geometry=[shapely.Point(24, 50)], crs=WGS84).to_file(
            path, layer=name
        )
    upload = staged(tmp_path, path.read_bytes(), "two.gpkg")
    with pytest.raises(WorkerRefusedError) as raised:
        inspect_upload(upload, "two.gpkg", UploadOptions(kind=LayerKind.POPULATION))
    assert sorted(raised.value.details["layers"]) == ["alpha", "beta"]
    assert "alpha" in str(raised.value)
    chosen = inspect_upload(
        upload, "two.gpkg", UploadOptions(kind=LayerKind.POPULATION, source_layer="beta")
    )
    assert chosen.read_count == 1


def test_a_slow_worker_is_stopped(tmp_path: Path) -> None:
    upload = staged(tmp_path, towns_geojson(), "towns.geojson")
    limits = replace(IngestLimits(), worker_seconds=0.05)
    with pytest.raises(IngestError, match="longer than"):
        inspect_upload(upload, "towns.geojson", UploadOptions(), limits=limits)


def test_a_worker_over_its_memory_cap_is_stopped(tmp_path: Path) -> None:
    upload = staged(tmp_path, towns_geojson(), "towns.geojson")
    limits = replace(IngestLimits(), worker_memory_bytes=200 * 2**20)
    with pytest.raises(IngestError, match="memory"):
        inspect_upload(upload, "towns.geojson", UploadOptions(), limits=limits)


def test_ingest_file_cleans_its_staging(tmp_path: Path) -> None:
    source = tmp_path / "towns.geojson"
    source.write_bytes(towns_geojson())
    inspection, record = ingest_file(
        source,
        UploadOptions(kind=LayerKind.POPULATION),
        staging_root=tmp_path / "staging",
        store_path=tmp_path / "store.gpkg",
        meta=META,
    )
    assert record["features"] == 3
    assert inspection.read_count == 3
    assert list((tmp_path / "staging").iterdir()) == []


def test_sweep_removes_only_old_work_folders(tmp_path: Path) -> None:
    old = work_folder(staged(tmp_path, b"x", "a.csv"))
    new = work_folder(staged(tmp_path, b"y", "b.csv"))
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    assert sweep_staging(tmp_path / "staging", older_than_s=3600) == 1
    assert not old.exists()
    assert new.exists()
    discard(new)
    assert not new.exists()


def test_a_worker_killed_while_storing_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    store_path = tmp_path / "store.gpkg"
    small = inspect_upload(
        staged(tmp_path, towns_geojson(2), "a.geojson"),
        "a.geojson",
        UploadOptions(kind=LayerKind.POPULATION),
    )
    assert small.mapping is not None
    record = commit_upload(small, small.mapping, store_path=store_path, meta=META)
    big = inspect_upload(
        staged(tmp_path, towns_geojson(40_000), "big.geojson"),
        "big.geojson",
        UploadOptions(kind=LayerKind.POPULATION),
    )
    assert big.mapping is not None
    killed = threading.Event()

    def kill_when_storing() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                progress = json.loads((big.workdir / PROGRESS_FILE).read_text())
            except (OSError, ValueError):
                progress = {}
            if progress.get("stage") == "Storing the layer":
                os.killpg(int(progress["pid"]), signal.SIGKILL)
                killed.set()
                return
            time.sleep(0.005)

    watcher = threading.Thread(target=kill_when_storing)
    watcher.start()
    with pytest.raises(IngestError):
        commit_upload(
            big, big.mapping, store_path=store_path, meta=META, layer_id=str(record["layer_id"])
        )
    watcher.join()
    assert killed.is_set()
    store = GeoPackageStore(store_path)
    (only,) = store.catalogue()
    assert only.version == 1
    assert len(store.read_layer(only.layer_id)) == 2
    again = commit_upload(small, small.mapping, store_path=store_path, meta=META)
    assert again["features"] == 2


def test_the_staged_file_keeps_a_safe_version_of_its_name(tmp_path: Path) -> None:
    upload = staged(tmp_path, b"x", "../../job.json")
    assert upload.name == "job.json"
    assert upload.parent.name == "source"
    assert work_folder(upload).parent == tmp_path / "staging"


ACLED_CSV = (
    b"event_id_cnty,event_date,year,event_type,sub_event_type,actor1,actor2,latitude,longitude,"
    b"notes,fatalities\n"
    b"UKR1,16-Feb-21,2021,Battles,Armed clash,A,B,50.1,30.1,Fighting.,3\n"
    b"UKR2,3/4/2021,2021,Protests,Peaceful protest,P,,50.2,30.2,A protest.,0\n"
    b"UKR3,2/5/2021,2021,Violence against civilians,Attack,A,Civilians,50.3,30.3,Shot.,1\n"
    b"UKR4,17-Feb-21,2021,Strategic developments,Looting,A,,50.4,30.4,Looting.,0\n"
)


def test_the_upload_report_of_an_acled_file_and_the_bad_dates_choice(tmp_path: Path) -> None:
    """What the Data page does: the report, then the analyst's choice, then the store."""
    upload = staged(tmp_path, ACLED_CSV, "acled.csv")
    inspection = inspect_upload(upload, "acled.csv", UploadOptions(kind=LayerKind.INCIDENT))
    assert inspection.preset == "acled"
    codes = {f.code: f for f in inspection.report.findings}
    assert codes["dates_ambiguous"].severity == "error"
    assert codes["dates_ambiguous"].rows == (2, 3)
    assert "Battles 1" in codes["preset_event_types"].message
    assert "Protests 1" in codes["preset_event_types"].message
    mapping = inspection.mapping
    assert mapping is not None
    with pytest.raises(WorkerRefusedError, match="day/month"):
        commit_upload(inspection, mapping, store_path=tmp_path / "s.gpkg", meta=META)
    chosen = remap(inspection, mapping, drop_bad_dates=True)
    assert chosen.options.drop_bad_dates
    codes = {f.code: f for f in chosen.report.findings}
    assert codes["dates_ambiguous"].severity == "warning"
    assert not chosen.report.errors
    assert "1 with a human-security focus area" not in codes["preset_focus_areas"].message
    assert "0 with a human-security focus area" in codes["preset_focus_areas"].message
    assert "2 conflict events" in codes["preset_focus_areas"].message
    record = commit_upload(chosen, mapping, store_path=tmp_path / "s.gpkg", meta=META)
    stored = GeoPackageStore(tmp_path / "s.gpkg").read_layer(str(record["layer_id"]))
    assert stored["id"].tolist() == ["UKR1", "UKR4"]
    assert stored["event_type"].tolist() == ["Battles", "Strategic developments"]
    assert stored["focus_areas"].isna().all()
