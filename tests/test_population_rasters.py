"""Stored grids as layers of the store (``humansec.population.rasters``), on both backends."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from humansec.errors import StoreError
from humansec.ingest.raster import GridFacts, grid_frame
from humansec.model import LayerKind
from humansec.population.rasters import raster_bands, raster_file_name, stored_path
from humansec.store import LayerStore, NewLayer

DIGEST = "ab" * 32
FACTS = GridFacts(
    width=10, height=10, count=2, dtype="float32", crs="EPSG:32636",
    nodata=(-99.0, None), bounds=(320_000.0, 5_599_000.0, 321_000.0, 5_600_000.0),
    resolution=(100.0, 100.0),
)  # fmt: skip
META = NewLayer(LayerKind.POPULATION_RASTER, "WorldPop", "test", "CC-BY", "NATO UNCLASSIFIED")


def test_a_grid_layer_round_trips_through_the_store(store: LayerStore, tmp_path: Path) -> None:
    frame = grid_frame(FACTS, ["female", "male:80+"], DIGEST, "WorldPop")
    record = store.add_version(frame, META)
    assert (record.kind, record.feature_count) == (LayerKind.POPULATION_RASTER, 2)
    read = store.read_kind(LayerKind.POPULATION_RASTER)
    (tmp_path / "rasters").mkdir()
    (tmp_path / "rasters" / raster_file_name(DIGEST)).write_bytes(b"II*\x00")
    bands = raster_bands(read, tmp_path)
    assert [(b.layer, b.role.label, b.band, b.nodata) for b in bands] == [
        (record.layer_id, "female", 1, -99.0),
        (record.layer_id, "male:80+", 2, None),
    ]
    assert bands[1].role.band is not None and bands[1].role.band.low == 80
    assert {b.path for b in bands} == {tmp_path / "rasters" / raster_file_name(DIGEST)}
    footprint = read.geometry.iloc[0]
    assert 30.4 < footprint.centroid.x < 30.6 and 50.4 < footprint.centroid.y < 50.6


def test_a_missing_grid_file_names_the_layer_and_the_fix(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"layer_id": ["wp"], "file": [f"rasters/{DIGEST}.tif"], "band": [1], "role": ["total"],
         "nodata": [None]}
    )  # fmt: skip
    with pytest.raises(StoreError, match=r"grid file .* of layer wp is missing.*retire"):
        raster_bands(frame, tmp_path)


@pytest.mark.parametrize("name", ["../etc/passwd", "/abs/x.tif", "rasters/x.tif", "rasters/../a"])
def test_a_catalogued_file_outside_the_grid_folder_is_refused(name: str, tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="not a stored grid"):
        stored_path(tmp_path, name)
