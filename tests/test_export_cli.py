"""``python -m humansec export`` (run in-process): argument errors and an offline HTML product."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from openpyxl import load_workbook

from humansec.__main__ import main
from humansec.demo import DEMO_AREA
from humansec.mapview.choropleth import MEASURES
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
        (["--out", "x.html", "--layers", "cultural,tanks"], "'activity', 'area', 'cultural'"),
        (["--out", "x.html", "--bbox", "1,2,3"], "W,S,E,N"),
        (["--out", "x.html", "--classification", "SECRET"], "'NATO SECRET'"),
        (["--out", "x.html", "--areas-by", "crowds"], ", ".join(repr(m) for m in MEASURES)),
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


def layered_store(data_dir: Path) -> None:
    """A store with a cultural layer (hostile name) and a population layer (numbers)."""
    store = GeoPackageStore(Settings(data_dir=data_dir).store_path)
    cultural = gpd.GeoDataFrame(
        {"id": ["c1"], "name": ["=cmd|' /C calc'!A0"], "category": ["monument"],
         "protection": ["general"]},
        geometry=[shapely.Point(22.5, 54.1)],
        crs=WGS84,
    )  # fmt: skip
    store.add_version(
        cultural, NewLayer(LayerKind.CULTURAL, "Sites", "survey", "own", "NATO CONFIDENTIAL")
    )
    population = gpd.GeoDataFrame(
        {"id": ["p1", "p2"], "name": ["Suwałki", "Far away"], "population": [69_000, 5]},
        geometry=[shapely.Point(22.93, 54.1), shapely.Point(10.0, 50.0)],
        crs=WGS84,
    )
    store.add_version(
        population, NewLayer(LayerKind.POPULATION, "Census", "stat", "-", "NATO RESTRICTED")
    )


def test_layer_attributes_as_csv_with_marking_neutralised_text_and_numbers(
    tmp_path: Path,
) -> None:
    layered_store(tmp_path / "data")
    out = tmp_path / "layers.csv"
    code, stderr = run(tmp_path / "data", "--out", str(out), "--table", "layers",
                       "--layers", "cultural,population", "--bbox", "22,53.8,24,54.6")  # fmt: skip
    assert code == 0, stderr
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"), newline="")))
    assert rows[0] == ["NATO CONFIDENTIAL"] and rows[-1] == ["NATO CONFIDENTIAL"]
    header = rows[1]
    assert header[0] == "kind" and "id" in header
    body = {row[header.index("id")]: dict(zip(header, row, strict=True)) for row in rows[2:-1]}
    assert sorted(body) == ["c1", "p1"]  # p2 lies outside the box
    assert body["c1"]["kind"] == "cultural"
    assert body["c1"]["name"] == "'=cmd|' /C calc'!A0"
    assert body["p1"]["population"] == "69000"  # a number, unquoted in the file
    assert header[-3:] == ["latitude", "longitude", "MGRS"]  # each feature located
    assert body["p1"]["MGRS"] == "34U FE 26199 96369"  # 54.1 N 22.93 E
    assert float(body["c1"]["latitude"]) == 54.1 and float(body["c1"]["longitude"]) == 22.5
    assert '"69000"' not in out.read_text(encoding="utf-8-sig")


def test_layer_attributes_as_xlsx_and_geojson(tmp_path: Path) -> None:
    layered_store(tmp_path / "data")
    xlsx, geojson = tmp_path / "layers.xlsx", tmp_path / "layers.geojson"
    assert run(tmp_path / "data", "--out", str(xlsx), "--table", "layers")[0] == 0
    rows = list(load_workbook(xlsx).active.iter_rows(values_only=True))
    assert rows[0][0] == "NATO CONFIDENTIAL" and rows[-1][0] == "NATO CONFIDENTIAL"
    population = [row for row in rows[2:-1] if row[0] == "population"]
    assert sorted(row[rows[1].index("population")] for row in population) == [5, 69_000]
    assert run(tmp_path / "data", "--out", str(geojson), "--table", "layers")[0] == 0
    collection = json.loads(geojson.read_text(encoding="utf-8"))
    assert collection["classification"] == "NATO CONFIDENTIAL"
    kinds = sorted(f["properties"]["kind"] for f in collection["features"])
    assert kinds == ["cultural", "population", "population"]


def test_table_option_needs_a_table_file(tmp_path: Path) -> None:
    code, stderr = run(tmp_path / "data", "--out", str(tmp_path / "x.html"), "--table", "layers")
    assert code == 2
    assert "'.csv', '.geojson', '.xlsx'" in stderr
    assert not (tmp_path / "x.html").exists()


def test_mgrs_grid_draws_the_square_labels_of_the_demo_area(tmp_path: Path) -> None:
    layered_store(tmp_path / "data")
    bbox = ",".join(str(v) for v in DEMO_AREA)
    mgrs_html, latlon_html = tmp_path / "mgrs.html", tmp_path / "latlon.html"
    code, stderr = run(tmp_path / "data", "--out", str(mgrs_html), "--bbox", bbox,
                       "--grid", "mgrs")  # fmt: skip
    assert code == 0, stderr
    html = mgrs_html.read_text(encoding="utf-8")
    for label in ("34U FE", "34U EF", "35U LA"):
        assert f'"{label}"' in html
    assert "HumansecPrint.mgrs(" in html and "MGRS, WGS84" in html
    assert run(tmp_path / "data", "--out", str(latlon_html), "--bbox", bbox)[0] == 0
    default = latlon_html.read_text(encoding="utf-8")
    # (popups give each feature's own MGRS reference; the grid's square labels stand alone)
    assert '"34U FE"' not in default and "HumansecPrint.mgrs(" not in default
    assert "HumansecPrint.grid(" in default
    assert run(tmp_path / "data", "--out", str(mgrs_html), "--grid", "utm")[0] == 2


@pytest.mark.parametrize("suffix", ["png", "pdf", "pptx"])
def test_without_chromium_a_picture_exits_2_saying_why_and_what_still_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    monkeypatch.setenv("HUMANSEC_CHROMIUM", str(tmp_path / "no-chromium"))
    out = tmp_path / f"brief.{suffix}"
    code, stderr = run(tmp_path / "data", "--out", str(out))
    assert code == 2
    assert "need headless Chromium" in stderr
    assert "apt-get install chromium" in stderr
    assert "Offline HTML and tables still work" in stderr
    assert "Traceback" not in stderr
    assert not out.exists()
    assert not (tmp_path / "data").exists()  # refused before anything was opened or built
    code, _ = run(tmp_path / "data", "--out", str(tmp_path / "brief.html"))
    assert code == 0


def test_areas_shaded_by_a_measure_and_the_rate_needs_the_incidents(tmp_path: Path) -> None:
    store = GeoPackageStore(Settings(data_dir=tmp_path / "data").store_path)
    areas = gpd.GeoDataFrame(
        {"id": ["a1", "a2"], "name": ["Gmina A", "Gmina B"], "population": [1_000, 3_000]},
        geometry=[shapely.box(22.5, 54.0, 23.0, 54.3), shapely.box(23.0, 54.0, 23.5, 54.3)],
        crs=WGS84,
    )
    store.add_version(areas, NewLayer(LayerKind.AREA, "Gminas", "GUS", "-", "NATO UNCLASSIFIED"))
    out = tmp_path / "areas.html"
    code, stderr = run(tmp_path / "data", "--out", str(out), "--layers", "area",
                       "--areas-by", "population")  # fmt: skip
    assert code == 0, stderr
    assert out.read_text(encoding="utf-8").count("hs-choropleth-row") == 2  # two classes
    assert run(tmp_path / "data", "--out", str(out), "--layers", "area")[0] == 0
    assert "hs-choropleth-row" not in out.read_text(encoding="utf-8")  # outlines by default
    out.unlink()
    code, stderr = run(tmp_path / "data", "--out", str(out), "--layers", "area",
                       "--areas-by", "incidents_per_100k")  # fmt: skip
    assert code == 2
    assert "add the Incidents layer" in stderr
    assert not out.exists()
