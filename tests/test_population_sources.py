"""Exposure over what analysts store: a GeoTIFF grid and reference areas ingested through the
CLI, found by ``population_sources`` and counted by ``python -m humansec exposure``."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from exactextract import exact_extract

from humansec.__main__ import main
from humansec.conflicts import hazard_area, parse_rules
from humansec.model import LayerKind
from humansec.population.sources import population_sources
from humansec.settings import load_settings
from humansec.store import open_store
from tests.raster_files import NODATA, two_band_grid

RULES = (
    '[[rule]]\nactivity = "patrol"\nfeature = "population"\ndistance_m = 300.0\n'
    'severity = "medium"\nrationale = "people nearby"\n'
)


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "data"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HUMANSEC_DATA_DIR", str(folder))
        yield folder


def _ingest(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, object]:
    assert main(["ingest", *argv]) == 0
    said: dict[str, object] = json.loads(capsys.readouterr().out)
    return said


def test_a_stored_grid_and_areas_are_counted_in_each_hazard_area(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    grid = tmp_path / "sexes.tif"
    cells = two_band_grid(grid)  # 8 x 6 cells of 0.01 degrees from 30E 50N, nodata top left
    grid_layer = _ingest(
        capsys, str(grid), "--kind", "population_raster", "--band-role", "female",
        "--band-role", "male",
    )["layer"]  # fmt: skip
    # Two districts side by side over the grid, 1,000 people each, 600 of them women.
    districts = gpd.GeoDataFrame(
        {"ADM1_PCODE": ["UA01", "UA02"], "ADM1_EN": ["West", "East"],
         "population": [1000, 1000], "female": [600, 600], "male": [400, 400]},
        geometry=[shapely.box(30.0, 49.94, 30.04, 50.0), shapely.box(30.04, 49.94, 30.08, 50.0)],
        crs="EPSG:4326",
    )  # fmt: skip
    areas_file = tmp_path / "districts.geojson"
    districts.to_file(areas_file, driver="GeoJSON")
    area_layer = _ingest(capsys, str(areas_file), "--kind", "area")["layer"]

    settings = load_settings()
    sources = population_sources(open_store(settings), settings.data_dir)
    kinds = {type(source).__name__: source.layer for source in sources}
    assert kinds["RasterSource"] == grid_layer and kinds["AreaSource"] == area_layer

    # A patrol in the western district: its 300 m hazard area cuts grid cells at the edge.
    activity = shapely.Point(30.015, 49.975)
    acts = gpd.GeoDataFrame({"id": ["p1"], "type": ["patrol"]}, geometry=[activity], crs=4326)
    acts_file, rules_file, out = tmp_path / "a.geojson", tmp_path / "r.toml", tmp_path / "x.csv"
    acts.to_file(acts_file, driver="GeoJSON")
    rules_file.write_text(RULES, encoding="utf-8")
    argv = ["exposure", "--activities", str(acts_file), "--rules", str(rules_file)]
    assert main([*argv, "--out", str(out)]) == 0
    capsys.readouterr()
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    rows = {r["source_kind"]: r for r in csv.DictReader(lines)}
    assert set(rows) >= {"raster", "area"}

    # The grid: the exact coverage-weighted sums of the original file, per band.
    area = hazard_area(acts.iloc[0], parse_rules(RULES))
    with rasterio.open(grid) as src:
        expected = exact_extract(
            src, gpd.GeoDataFrame(geometry=[area], crs=4326), "sum", output="pandas"
        )
    assert float(rows["raster"]["female"]) == pytest.approx(expected["band_1_sum"][0], rel=1e-9)
    assert float(rows["raster"]["male"]) == pytest.approx(expected["band_2_sum"][0], rel=1e-9)
    assert np.all(cells[:, 0, 0] == NODATA)  # the nodata cell is far from the patrol
    # The areas: the share of the western district inside, of 1,000 people (600 women).
    share = float(rows["area"]["population"]) / 1000
    assert 0 < share < 1
    assert float(rows["area"]["female"]) == pytest.approx(600 * share, rel=1e-9)
    assert rows["area"]["source_layer"] == area_layer


def test_retired_grids_are_not_sources(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    grid = tmp_path / "sexes.tif"
    two_band_grid(grid)
    layer = _ingest(
        capsys, str(grid), "--kind", "population_raster", "--band-role", "female",
        "--band-role", "male",
    )["layer"]  # fmt: skip
    settings = load_settings()
    store = open_store(settings)
    assert [s.layer for s in population_sources(store, settings.data_dir)] == [layer]
    store.set_retired(str(layer), retired=True)
    assert population_sources(store, settings.data_dir) == []
    assert LayerKind.POPULATION_RASTER not in {r.kind for r in store.catalogue()}
