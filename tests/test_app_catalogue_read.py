"""The router reads the store's catalogue once per run, and every run reads it afresh."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from streamlit.testing.v1 import AppTest

from humansec.model import WGS84, LayerKind, conform
from humansec.store import GeoPackageStore, LayerRecord, NewLayer
from tests.test_app import PROJECT, situation_counts, start


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Every read of a GeoPackage store's catalogue (its ``include_retired``), in order."""
    seen: list[bool] = []
    read = GeoPackageStore.catalogue

    def counted(self: GeoPackageStore, *, include_retired: bool = False) -> list[LayerRecord]:
        seen.append(include_retired)
        return read(self, include_retired=include_retired)

    monkeypatch.setattr(GeoPackageStore, "catalogue", counted)
    return seen


def _towns(name: str) -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(
        {"id": ["t1", "t2"], "name": [name, f"{name} 2"], "population": [1_000, 2_000]},
        geometry=[shapely.Point(23.0, 54.2), shapely.Point(23.1, 54.3)],
        crs=WGS84,
    )
    return conform(frame, LayerKind.POPULATION)


def _new_session() -> AppTest:
    """Another user's first run of the router, on the server process the test started (its
    store and caches warm): unlike ``AppTest.run`` again, which reruns the page alone."""
    app = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=60)
    app.run()
    assert not app.exception, app.exception
    return app


def test_a_run_of_the_router_reads_the_catalogue_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reads: list[bool]
) -> None:
    start(tmp_path, monkeypatch)  # writes the demo and fills the caches
    reads.clear()
    _new_session()  # the situation map, the default page
    # The banner, the data versions, the conflict check's versions and markings: one read.
    assert reads == [True]


def test_a_layer_another_analyst_adds_is_shown_on_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = start(tmp_path, monkeypatch)
    stored_before = situation_counts(app).loc["Population centres", "features stored"]
    # Another process (or another session's upload) adds a layer to the same file.
    other = GeoPackageStore(tmp_path / "humansec.gpkg")
    meta = NewLayer(LayerKind.POPULATION, "Added towns", "test", "-", "NATO UNCLASSIFIED")
    other.add_version(_towns("Added"), meta)
    for again in (app, _new_session()):  # the page rerun alone, and the router's next run
        again.run()
        assert not again.exception, again.exception
        stored = situation_counts(again).loc["Population centres", "features stored"]
        assert stored == stored_before + 2
