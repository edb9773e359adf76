"""``python -m humansec basemap``: add prints the record, a refusal exits 2 with the reason."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from humansec.basemaps.serve import DEFAULT_STATIC_DIR, served_dir
from tests.basemap_files import png, write_mbtiles
from tests.test_main import run


@pytest.fixture
def served() -> Iterator[list[str]]:
    """Ids whose served tiles (in the project's static/ folder) are removed afterwards."""
    ids: list[str] = []
    yield ids
    for basemap_id in ids:
        shutil.rmtree(served_dir(DEFAULT_STATIC_DIR, basemap_id), ignore_errors=True)


def test_add_list_retire(tmp_path: Path, served: list[str]) -> None:
    source = write_mbtiles(tmp_path / "area.mbtiles", {(0, 0, 0): png(colour=(1, 99, 7))})
    result = run(tmp_path, "basemap", "add", str(source), "--marking", "NATO RESTRICTED")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    served.append(record["basemap_id"])
    assert (record["marking"], record["tile_count"], record["title"]) == (
        "NATO RESTRICTED", 1, "Test",
    )  # fmt: skip
    assert record["added_by"].startswith("cli:")
    tile = served_dir(DEFAULT_STATIC_DIR, record["basemap_id"]) / "0" / "0" / "0.png"
    assert tile.read_bytes() == png(colour=(1, 99, 7))
    listed = json.loads(run(tmp_path, "basemap", "list").stdout)
    assert [r["basemap_id"] for r in listed] == [record["basemap_id"]]
    assert run(tmp_path, "basemap", "retire", record["basemap_id"]).returncode == 0
    assert json.loads(run(tmp_path, "basemap", "list").stdout) == []
    assert not tile.exists()


def test_a_refused_package_exits_2_with_the_reason(tmp_path: Path) -> None:
    source = write_mbtiles(
        tmp_path / "evil.mbtiles",
        {(0, 0, 0): png()},
        extra_sql=["CREATE TRIGGER t AFTER INSERT ON tiles BEGIN SELECT 1; END"],
    )
    result = run(tmp_path, "basemap", "add", str(source))
    assert result.returncode == 2
    assert "trigger t" in result.stderr
    assert not (tmp_path / "store" / "basemaps.json").exists()
    assert run(tmp_path, "basemap", "list").stdout.strip() == "[]"


def test_an_unknown_marking_lists_the_markings(tmp_path: Path) -> None:
    source = write_mbtiles(tmp_path / "a.mbtiles", {(0, 0, 0): png()})
    result = run(tmp_path, "basemap", "add", str(source), "--marking", "SECRETISH")
    assert result.returncode == 2
    assert "'NATO RESTRICTED'" in result.stderr
