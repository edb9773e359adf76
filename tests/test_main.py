"""The command line (python -m humansec) on a real store and real files."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from humansec.demo import DEMO_DIR, load_demo
from humansec.model import LayerKind

PROJECT = Path(__file__).resolve().parent.parent


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "humansec", *args],
        cwd=PROJECT,
        env={"HUMANSEC_DATA_DIR": str(tmp_path / "store"), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )


def test_layers_command_prints_the_catalogue(tmp_path: Path) -> None:
    result = run(tmp_path, "layers", "--demo")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) == 7
    assert {row["kind"] for row in rows} >= {"incident", "population", "activity"}
    assert all(row["exercise"] and row["version"] == 1 for row in rows)


def test_layers_command_reports_a_broken_store(tmp_path: Path) -> None:
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "humansec.gpkg").write_text("not a geopackage")
    result = run(tmp_path, "layers")
    assert result.returncode == 2
    assert "GeoPackage" in result.stderr


@pytest.fixture
def plan_file(tmp_path: Path) -> Path:
    path = tmp_path / "plan.gpkg"
    load_demo(DEMO_DIR)[LayerKind.ACTIVITY].to_file(path)
    return path


def test_check_against_the_store_writes_csv(tmp_path: Path, plan_file: Path) -> None:
    out = tmp_path / "conflicts.csv"
    result = run(tmp_path, "check", "--activities", str(plan_file), "--out", str(out))
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert summary["conflicts"] == len(rows) > 0
    assert summary["activities"] == 12
    assert all(float(r["Distance (m)"]) <= float(r["Stand-off (m)"]) for r in rows)
    assert all(r["Protected feature"] and r["MGRS"] for r in rows)
    assert {"critical", "high"} & {r["Severity"] for r in rows}


def test_check_against_feature_files_writes_geojson(tmp_path: Path, plan_file: Path) -> None:
    sites = load_demo(DEMO_DIR)[LayerKind.HUMANITARIAN_SITE].assign(kind="humanitarian_site")
    features = tmp_path / "sites.geojson"
    sites.to_file(features)
    out = tmp_path / "conflicts.geojson"
    result = run(
        tmp_path,
        "check",
        "--activities", str(plan_file),
        "--features", str(features),
        "--out", str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    document = json.loads(out.read_text())
    kinds = {f["properties"]["feature_kind"] for f in document["features"]}
    assert kinds == {"humanitarian_site"}
    assert all(f["geometry"] is not None for f in document["features"])
    names = set(sites["name"])
    assert all(f["properties"]["feature_name"] in names for f in document["features"])
    assert all(f["properties"]["feature_mgrs"].startswith("3") for f in document["features"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--out", "x.xlsx"], "must end in '.csv', '.geojson'"),
        (["--out", "x.csv", "--rules", "/nonexistent.toml"], "nonexistent.toml"),
        (["--out", "x.csv", "--features", "/nonexistent.gpkg"], "does not exist"),
    ],
)
def test_check_errors_exit_non_zero_with_a_message(
    tmp_path: Path, plan_file: Path, args: list[str], message: str
) -> None:
    result = run(tmp_path, "check", "--activities", str(plan_file), *args)
    assert result.returncode == 2
    assert message in result.stderr
