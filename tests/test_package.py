"""The core library stays free of the UI, and the command line works on a real store."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def test_importing_humansec_does_not_import_streamlit() -> None:
    # A fresh interpreter, so that modules imported by other tests do not count.
    code = (
        "import sys, pkgutil, importlib, humansec\n"
        "for m in pkgutil.walk_packages(humansec.__path__, 'humansec.'):\n"
        "    if m.name != 'humansec.__main__':\n"
        "        importlib.import_module(m.name)\n"
        "print(sorted(n for n in sys.modules if n.split('.')[0] == 'streamlit'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_layers_command_prints_the_catalogue(tmp_path: Path) -> None:
    env = {"HUMANSEC_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "humansec", "layers", "--demo"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    rows = json.loads(result.stdout)
    assert len(rows) == 7
    assert {row["kind"] for row in rows} >= {"incident", "population", "activity"}
    assert all(row["exercise"] and row["version"] == 1 for row in rows)


def test_layers_command_reports_a_broken_store(tmp_path: Path) -> None:
    (tmp_path / "humansec.gpkg").write_text("not a geopackage")
    result = subprocess.run(
        [sys.executable, "-m", "humansec", "layers"],
        cwd=PROJECT,
        env={"HUMANSEC_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "GeoPackage" in result.stderr
