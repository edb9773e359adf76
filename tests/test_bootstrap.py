"""First start: an empty store gets the demo layers, a store with layers is left alone."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pytest

from humansec.bootstrap import ensure_demo
from humansec.demo import DEMO_DIR, demo_metadata, load_demo
from humansec.errors import StoreError
from humansec.model import VECTOR_KINDS, LayerKind, conform
from humansec.store import GeoPackageStore
from humansec.store.base import BBox, LayerRecord, LayerStore, NewLayer
from humansec.timerange import TimeRange


class MemoryStore(LayerStore):
    """The smallest LayerStore: versions in a dict, for testing callers of the interface."""

    def __init__(self) -> None:
        self.layers: dict[str, list[tuple[LayerRecord, gpd.GeoDataFrame]]] = {}

    def catalogue(self, *, include_retired: bool = False) -> list[LayerRecord]:
        latest = [versions[-1][0] for versions in self.layers.values()]
        return [r for r in latest if include_retired or not r.retired]

    def versions(self, layer_id: str) -> list[LayerRecord]:
        return [record for record, _ in self.layers[layer_id]]

    def add_version(
        self, frame: gpd.GeoDataFrame, meta: NewLayer, *, layer_id: str | None = None
    ) -> LayerRecord:
        frame = conform(frame, meta.kind)
        layer_id = layer_id or f"layer-{len(self.layers) + 1}"
        versions = self.layers.setdefault(layer_id, [])
        record = LayerRecord(
            layer_id=layer_id,
            version=len(versions) + 1,
            kind=meta.kind,
            title=meta.title,
            source=meta.source,
            licence=meta.licence,
            classification=meta.classification,
            created_at=datetime(2026, 1, 1, tzinfo=UTC),
            feature_count=len(frame),
            exercise=meta.exercise,
            provenance=meta.provenance,
        )
        versions.append((record, frame))
        return record

    def read_layer(
        self,
        layer_id: str,
        *,
        version: int | None = None,
        bbox: BBox | None = None,
        time_range: TimeRange | None = None,
    ) -> gpd.GeoDataFrame:
        versions = self.layers[layer_id]
        return versions[-1 if version is None else version - 1][1].copy()

    def set_retired(self, layer_id: str, *, retired: bool) -> LayerRecord:
        record, frame = self.layers[layer_id][-1]
        record = dataclasses.replace(record, retired=retired)
        self.layers[layer_id][-1] = (record, frame)
        return record


def test_empty_store_gets_one_exercise_layer_per_kind() -> None:
    store = MemoryStore()
    records = ensure_demo(store)
    assert [r.kind for r in records] == list(VECTOR_KINDS)
    assert all(r.exercise and r.title.startswith("EXERCISE") for r in records)
    assert all(r.classification == "NATO UNCLASSIFIED" for r in records)
    assert len(store.catalogue()) == len(VECTOR_KINDS)
    incidents = store.read_kind(LayerKind.INCIDENT)
    assert 300 <= len(incidents) <= 400


def test_store_with_a_layer_is_left_alone() -> None:
    store = MemoryStore()
    ensure_demo(store)
    assert ensure_demo(store) == []
    assert len(store.catalogue()) == len(VECTOR_KINDS)


def test_store_with_a_layer_of_its_own_is_left_alone() -> None:
    store = MemoryStore()
    demo = load_demo(DEMO_DIR)
    own = dataclasses.replace(demo_metadata(LayerKind.POPULATION), title="Census 2021")
    store.add_version(demo[LayerKind.POPULATION], own)
    assert ensure_demo(store) == []
    assert [r.title for r in store.catalogue()] == ["Census 2021"]


def test_half_loaded_demo_is_completed() -> None:
    # A first start killed after three demo layers: the next start adds the other four.
    store = MemoryStore()
    demo = load_demo(DEMO_DIR)
    first_three = list(VECTOR_KINDS)[:3]
    for kind in first_three:
        store.add_version(demo[kind], demo_metadata(kind))
    added = ensure_demo(store)
    assert [r.kind for r in added] == list(VECTOR_KINDS)[3:]
    assert sorted(r.kind for r in store.catalogue()) == sorted(VECTOR_KINDS)


def test_store_with_only_retired_layers_is_left_alone() -> None:
    store = MemoryStore()
    first = ensure_demo(store)
    for record in first:
        store.set_retired(record.layer_id, retired=True)
    assert ensure_demo(store) == []
    assert store.catalogue() == []


def test_missing_demo_files_raise_and_add_nothing(tmp_path: Path) -> None:
    store = MemoryStore()
    with pytest.raises(StoreError, match="build_demo"):
        ensure_demo(store, tmp_path)
    assert store.is_empty()


def test_geopackage_store_is_filled_once(tmp_path: Path) -> None:
    store = GeoPackageStore(tmp_path / "humansec.gpkg")
    records = ensure_demo(store, DEMO_DIR)
    assert [r.kind for r in records] == list(VECTOR_KINDS)
    catalogue = store.catalogue()
    assert {r.kind for r in catalogue} == set(VECTOR_KINDS)
    assert all(r.exercise for r in catalogue)
    activities = store.read_kind(LayerKind.ACTIVITY)
    assert set(activities.geom_type) == {"Point", "LineString", "Polygon"}
    incidents = store.read_kind(LayerKind.INCIDENT)
    assert "<img src=x onerror=alert(1)>" in set(incidents["name"])
    assert str(incidents["date"].dt.tz) == "UTC"
    assert ensure_demo(GeoPackageStore(tmp_path / "humansec.gpkg"), DEMO_DIR) == []
