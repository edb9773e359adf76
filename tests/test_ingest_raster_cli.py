"""``python -m humansec ingest grid.tif --kind population_raster [--band-role ...]``."""

from __future__ import annotations

import json
from pathlib import Path

from tests import raster_files
from tests.test_ingest_cli import layers
from tests.test_main import run


def test_a_grid_is_stored_then_extended_by_a_second_file(tmp_path: Path) -> None:
    sexes = tmp_path / "sexes.tif"
    raster_files.two_band_grid(sexes)
    result = run(
        tmp_path, "ingest", str(sexes), "--kind", "population_raster",
        "--band-role", "female", "--band-role", "male", "--name", "WorldPop 2020",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    assert printed["bands"] == [{"band": 1, "role": "female"}, {"band": 2, "role": "male"}]
    assert (printed["crs"], printed["width"], printed["height"]) == ("EPSG:4326", 8, 6)
    assert (tmp_path / "store" / printed["file"]).is_file()
    total = tmp_path / "total.tif"
    raster_files.projected_grid(total)
    second = run(
        tmp_path, "ingest", str(total), "--kind", "population_raster", "--layer", printed["layer"]
    )
    assert second.returncode == 0, second.stderr
    assert json.loads(second.stdout)["notes"] == [
        "'total.tif' has one band, stored as the total population (role 'total')."
    ]
    (row,) = layers(tmp_path)
    assert (row["kind"], row["version"], row["features"]) == ("population_raster", 2, 3)
    assert row["title"] == "WorldPop 2020"


def test_a_refused_grid_says_why_and_leaves_the_store_empty(tmp_path: Path) -> None:
    grid = tmp_path / "sexes.tif"
    raster_files.two_band_grid(grid)
    result = run(tmp_path, "ingest", str(grid), "--kind", "population_raster")
    assert result.returncode == 2
    assert "has 2 bands; say what each counts with one --band-role per band" in result.stderr
    wrong_kind = run(tmp_path, "ingest", str(grid), "--kind", "population", "--band-role", "male")
    assert wrong_kind.returncode == 2
    assert "--band-role is for population grids" in wrong_kind.stderr
    assert layers(tmp_path) == []
