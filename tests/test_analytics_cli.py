"""python -m humansec incidents summary|hotspots, on the demo store."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from humansec.__main__ import main
from humansec.demo import DEMO_DIR, load_demo
from humansec.model import LayerKind


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("cli_store")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HUMANSEC_DATA_DIR", str(path))
        yield path


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()))


def test_summary_by_month_and_focus_area_counts_every_incident(
    store_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "summary.csv"
    assert main(["incidents", "summary", "--by", "month,focus_area", "--out", str(out)]) == 0
    said = json.loads(capsys.readouterr().out)
    demo = load_demo(DEMO_DIR)[LayerKind.INCIDENT]
    rows = _rows(out)
    assert said["incidents"] == len(demo) == sum(int(r["events"]) for r in rows)
    focus = demo["focus_area"].fillna("conflict_event")  # none: a conflict event
    plain = demo.groupby([demo["date"].dt.strftime("%Y-%m-01"), focus]).size()
    got = {(r["period"], r["focus_area"]): int(r["events"]) for r in rows}
    assert got == {key: int(n) for key, n in plain.items()}


def test_summary_by_week_only_with_filters(
    store_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "weeks.csv"
    args = ["incidents", "summary", "--by", "week", "--focus", "crsv,thb",
            "--since", "2026-09-01", "--until", "2026-09-30", "--out", str(out)]  # fmt: skip
    assert main(args) == 0
    said = json.loads(capsys.readouterr().out)
    demo = load_demo(DEMO_DIR)[LayerKind.INCIDENT]
    day = demo["date"].dt.strftime("%Y-%m-%d")
    plain = demo[demo["focus_area"].isin(["crsv", "thb"]) & day.between("2026-09-01", "2026-09-30")]
    rows = _rows(out)
    assert list(rows[0]) == ["period", "events", "fatalities"]
    assert said["incidents"] == len(plain) == sum(int(r["events"]) for r in rows) > 0


def test_hotspots_as_geojson_and_csv(
    store_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    geojson = tmp_path / "hot.geojson"
    assert main(["incidents", "hotspots", "--resolution", "6", "--out", str(geojson)]) == 0
    said = json.loads(capsys.readouterr().out)
    cells = gpd.read_file(geojson)
    assert len(cells) == said["cells"]
    assert {"h3", "count", "gi_z", "p_value", "p_fdr", "class"} <= set(cells.columns)
    assert cells["count"].sum() == said["incidents"]
    assert (cells.geom_type == "Polygon").all()
    table = tmp_path / "hot.csv"
    bbox = "22,53.5,24,54.5"
    assert main(["incidents", "hotspots", "--bbox", bbox, "--out", str(table)]) == 0
    rows = pd.read_csv(table, encoding="utf-8-sig")
    assert rows["count"].sum() == json.loads(capsys.readouterr().out)["incidents"] > 0


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["summary", "--by", "year", "--out", "x.csv"], "'day', 'month', 'week'"),
        (["summary", "--by", "month,actor", "--out", "x.csv"], "'event_type', 'focus_area'"),
        (["summary", "--out", "x.xlsx"], "'.csv'"),
        (["hotspots", "--resolution", "16", "--out", "x.csv"], "0 to 15"),
        (["hotspots", "--permutations", "-5", "--out", "x.csv"], "999"),
        (["hotspots", "--out", "x.shp"], "'.csv', '.geojson'"),
        (["change", "--areas", "nope", "--out", "x.csv"], "not a reference-area layer"),
        (["change", "--recent-days", "0", "--out", "x.csv"], "1 or more"),
    ],
)
def test_bad_arguments_exit_2_naming_the_choices(
    store_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    names: str,
) -> None:
    out_index = args.index("--out") + 1
    args = [*args[:out_index], str(tmp_path / args[out_index]), *args[out_index + 1 :]]
    assert main(["incidents", *args]) == 2
    assert names in capsys.readouterr().err
    assert not any(tmp_path.iterdir())  # nothing written


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["hotspots", "--focus", "pox", "--out", "x.csv"], "'humanitarian_access'"),
        (["hotspots", "--focus", "battles", "--out", "x.csv"], "'conflict_event'"),
        (["hotspots", "--bbox", "1,2,3", "--out", "x.csv"], "W,S,E,N"),
        (["summary", "--since", "yesterday", "--out", "x.csv"], "YYYY-MM-DD"),
        (["rank", "--out", "x.csv"], "'summary', 'hotspots'"),
    ],
)
def test_argparse_errors_exit_2_naming_the_choices(
    store_dir: Path, capsys: pytest.CaptureFixture[str], args: list[str], names: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["incidents", *args])
    assert exited.value.code == 2
    assert names in capsys.readouterr().err


def test_focus_conflict_event_selects_incidents_without_a_focus_area(
    store_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "conflict.csv"
    args = ["incidents", "summary", "--by", "month", "--focus", "conflict_event,crsv",
            "--out", str(out)]  # fmt: skip
    assert main(args) == 0
    said = json.loads(capsys.readouterr().out)
    demo = load_demo(DEMO_DIR)[LayerKind.INCIDENT]
    expected = demo["focus_area"].isna() | demo["focus_area"].eq("crsv")
    assert said["incidents"] == int(expected.sum()) > 0


def test_change_per_cell_and_per_area(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import shapely  # noqa: PLC0415

    from humansec import analytics  # noqa: PLC0415
    from humansec.model import WGS84, conform  # noqa: PLC0415
    from humansec.store import GeoPackageStore, NewLayer  # noqa: PLC0415

    monkeypatch.setenv("HUMANSEC_DATA_DIR", str(tmp_path))
    store = GeoPackageStore(tmp_path / "humansec.gpkg")
    end = pd.Timestamp("2026-10-01", tz="UTC")
    dates = [end - pd.Timedelta(days=d) for d in (0, 2, 30, 1, 40, 50)]
    points = [(0.5, 0.5)] * 3 + [(1.5, 0.5)] * 3
    incidents = conform(
        gpd.GeoDataFrame(
            {"id": [f"e{i}" for i in range(6)], "date": dates, "focus_areas": "poc"},
            geometry=[shapely.Point(x, y) for x, y in points],
            crs=WGS84,
        ),
        LayerKind.INCIDENT,
    )
    areas = conform(
        gpd.GeoDataFrame(
            {"id": ["A1", "A2"], "name": ["West", "East"]},
            geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)],
            crs=WGS84,
        ),
        LayerKind.AREA,
    )
    store.add_version(
        incidents, NewLayer(LayerKind.INCIDENT, "Incidents", "t", "-", "NATO RESTRICTED")
    )
    record = store.add_version(
        areas, NewLayer(LayerKind.AREA, "Areas", "t", "-", "NATO RESTRICTED")
    )
    per_area = tmp_path / "areas.csv"
    args = ["incidents", "change", "--recent-days", "7", "--baseline-days", "60"]
    assert main([*args, "--areas", record.layer_id, "--out", str(per_area)]) == 0
    said = json.loads(capsys.readouterr().out)
    assert (said["incidents"], said["rows"]) == (6, 2)
    rows = {r["area_id"]: (int(r["recent"]), int(r["baseline"])) for r in _rows(per_area)}
    assert rows == {"A1": (2, 1), "A2": (1, 2)}
    per_cell = tmp_path / "cells.geojson"
    assert main([*args, "--resolution", "5", "--out", str(per_cell)]) == 0
    got = gpd.read_file(per_cell)
    expected = analytics.change(store.read_kind(LayerKind.INCIDENT), 7, 60, resolution=5)
    assert got["h3"].tolist() == expected["h3"].tolist()
    assert got["recent"].tolist() == expected["recent"].tolist() == [2, 1]
