"""``python -m humansec export`` (run in-process): argument errors and an offline HTML product."""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from humansec.__main__ import main
from humansec.model import WGS84, LayerKind
from humansec.settings import Settings
from humansec.store import GeoPackageStore, NewLayer


def run(data_dir: Path, *args: str) -> tuple[int, str]:
    """Run the command in this process; return the exit code and stderr."""
    previous = os.environ.get("HUMANSEC_DATA_DIR")
    os.environ["HUMANSEC_DATA_DIR"] = str(data_dir)
    stderr = io.StringIO()
    try:
        with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
            try:
                code = main(["export", *args])
            except SystemExit as exit_:  # argparse refuses an argument
                code = int(exit_.code or 0)
    finally:
        if previous is None:
            del os.environ["HUMANSEC_DATA_DIR"]
        else:
            os.environ["HUMANSEC_DATA_DIR"] = previous
    return code, stderr.getvalue()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--out", "x.docx"], "'.html', '.pdf', '.png', '.pptx'"),
        (["--out", "x.html", "--size", "a5"], "'slide', 'a4', 'a3'"),
        (["--out", "x.html", "--layers", "cultural,tanks"], "'activity', 'cultural'"),
        (["--out", "x.html", "--bbox", "1,2,3"], "W,S,E,N"),
        (["--out", "x.html", "--classification", "SECRET"], "'NATO SECRET'"),
    ],
)
def test_bad_arguments_exit_2_listing_the_choices(
    tmp_path: Path, args: list[str], expected: str
) -> None:
    code, stderr = run(tmp_path / "data", *args)
    assert code == 2
    assert expected in stderr
    assert not (tmp_path / "x.html").exists()


def test_classification_raises_but_never_lowers_the_marking(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    store = GeoPackageStore(settings.store_path)
    frame = gpd.GeoDataFrame(
        {
            "id": ["c1"],
            "name": ["=cmd|' /C calc'!A0"],
            "category": ["monument"],
            "protection": ["general"],
        },
        geometry=[shapely.Point(22.5, 54.1)],
        crs=WGS84,
    )
    store.add_version(
        frame,
        NewLayer(kind=LayerKind.CULTURAL, title="Sites", source="survey", licence="own",
                 classification="NATO CONFIDENTIAL"),
    )  # fmt: skip
    lower = run(settings.data_dir, "--out", str(tmp_path / "low.html"),
                "--classification", "NATO UNCLASSIFIED")  # fmt: skip
    assert lower[0] == 0, lower[1]
    html = (tmp_path / "low.html").read_text(encoding="utf-8")
    assert html.count(">NATO CONFIDENTIAL</div>") == 2
    assert "NATO UNCLASSIFIED" not in html
    higher = run(settings.data_dir, "--out", str(tmp_path / "high.html"),
                 "--classification", "NATO SECRET", "--title", "Brief")  # fmt: skip
    assert higher[0] == 0, higher[1]
    html = (tmp_path / "high.html").read_text(encoding="utf-8")
    assert html.count(">NATO SECRET</div>") == 2
    assert "EXERCISE" not in html.split("<body", 1)[1].split("<script", 1)[0]
