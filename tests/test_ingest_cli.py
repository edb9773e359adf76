"""``python -m humansec ingest`` on a real store.

One JSON line on success; on refusal a message on stderr and the store unchanged.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from humansec.model import WGS84
from tests.test_main import run


def layers(tmp_path: Path) -> list[dict[str, object]]:
    result = run(tmp_path, "layers", "--all")
    assert result.returncode == 0, result.stderr
    rows: list[dict[str, object]] = json.loads(result.stdout)
    return rows


@pytest.fixture
def sites_csv(tmp_path: Path) -> Path:
    path = tmp_path / "sites list.csv"
    path.write_text(
        "name,category,latitude,longitude\n"
        "Old Town,Cultural,50.45,30.52\n"
        "Forest,Natural,48.9,24.1\n"
        "Monastery,Cultural,49.8,24.0\n",
        encoding="utf-8",
    )
    return path


def test_ingest_prints_one_json_line_and_the_catalogue_shows_the_layer(
    tmp_path: Path, sites_csv: Path
) -> None:
    result = run(
        tmp_path,
        "ingest",
        str(sites_csv),
        "--kind",
        "cultural",
        "--name",
        "Heritage sites",
        "--classification",
        "NATO RESTRICTED",
        "--map",
        "protection=category",
        "--value",
        "protection:Cultural=world_heritage",
        "--value",
        "protection:Natural=",
    )
    assert result.returncode == 0, result.stderr
    (line,) = result.stdout.strip().splitlines()
    out = json.loads(line)
    assert out["kind"] == "cultural"
    assert out["features"] == 2  # the natural site is left out, as asked
    assert out["crs"] == "EPSG:4326"
    assert any("left out" in w for w in out["warnings"])
    (row,) = layers(tmp_path)
    assert row["layer"] == out["layer"]
    assert row["title"] == "Heritage sites"
    assert row["classification"] == "NATO RESTRICTED"
    provenance = row["provenance"]
    assert isinstance(provenance, dict)
    assert provenance["original_name"] == "sites list.csv"
    assert len(str(provenance["sha256"])) == 64
    assert str(provenance["uploaded_by"]).startswith("cli:")


def test_set_gives_every_feature_one_value(tmp_path: Path, sites_csv: Path) -> None:
    result = run(
        tmp_path,
        "ingest",
        str(sites_csv),
        "--kind",
        "humanitarian_site",
        "--set",
        "category=school",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["features"] == 3


def test_a_refused_file_exits_non_zero_and_leaves_the_store_unchanged(
    tmp_path: Path, sites_csv: Path
) -> None:
    assert run(tmp_path, "ingest", str(sites_csv), "--kind", "humanitarian_site",
               "--set", "category=school").returncode == 0  # fmt: skip
    before = layers(tmp_path)
    vrt = tmp_path / "towns.geojson"
    vrt.write_text(
        '<OGRVRTDataSource><OGRVRTLayer name="x"><SrcDataSource>/etc/passwd</SrcDataSource>'
        "</OGRVRTLayer></OGRVRTDataSource>"
    )
    result = run(tmp_path, "ingest", str(vrt), "--kind", "population")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "humansec:" in result.stderr
    assert "VRT" in result.stderr
    assert layers(tmp_path) == before


def test_a_required_field_without_a_column_is_refused_with_the_columns(
    tmp_path: Path, sites_csv: Path
) -> None:
    result = run(tmp_path, "ingest", str(sites_csv), "--kind", "population")
    assert result.returncode == 2
    assert "'population' is required" in result.stderr
    assert "'category'" in result.stderr  # the columns to choose from
    assert not (tmp_path / "store" / "humansec.gpkg").exists() or layers(tmp_path) == []


def test_a_multi_layer_file_without_source_layer_lists_its_layers(tmp_path: Path) -> None:
    path = tmp_path / "partner data.gpkg"
    for name in ("camps", "clinics"):
        gpd.GeoDataFrame(
            {"name": [name], "population": [100]}, geometry=[shapely.Point(24, 50)], crs=WGS84
        ).to_file(path, layer=name)
    result = run(tmp_path, "ingest", str(path), "--kind", "population")
    assert result.returncode == 2
    assert "'camps'" in result.stderr
    assert "'clinics'" in result.stderr
    assert "--source-layer" in result.stderr
    chosen = run(tmp_path, "ingest", str(path), "--kind", "population", "--source-layer", "clinics")
    assert chosen.returncode == 0, chosen.stderr
    assert json.loads(chosen.stdout)["features"] == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kind", "camps"], "Valid kinds"),
        (["--kind", "population", "--map", "population"], "FIELD=COLUMN"),
        (["--kind", "population", "--value", "category=x"], "FIELD:SOURCE=TARGET"),
        (["--kind", "population", "--classification", "TOP"], "NATO SECRET"),
    ],
)
def test_bad_arguments_say_what_is_valid(
    tmp_path: Path, sites_csv: Path, args: list[str], message: str
) -> None:
    result = run(tmp_path, "ingest", str(sites_csv), *args)
    assert result.returncode == 2
    assert message in result.stderr


ACLED_HEAD = (
    "event_id_cnty,event_date,year,event_type,sub_event_type,actor1,actor2,latitude,longitude,"
    "notes,fatalities\n"
)


def test_acled_keeps_every_event_and_bad_dates_are_the_analysts_choice(tmp_path: Path) -> None:
    path = tmp_path / "acled export.csv"
    path.write_text(
        ACLED_HEAD
        + "UKR1,16-Feb-21,2021,Battles,Armed clash,A,B,50.1,30.1,Fighting.,3\n"
        + "UKR2,3/4/2021,2021,Battles,Armed clash,A,B,50.2,30.2,Fighting.,0\n"
        + "UKR3,17-Feb-21,2021,Violence against civilians,Sexual violence,A,Civilians,50.3,30.3,"
        + "A girl was raped.,0\n",
        encoding="utf-8",
    )
    refused = run(tmp_path, "ingest", str(path), "--kind", "incident")
    assert refused.returncode == 2
    assert "row 2: '3/4/2021'" in refused.stderr and "--drop-bad-dates" in refused.stderr
    assert not (tmp_path / "store" / "humansec.gpkg").exists() or layers(tmp_path) == []
    stored = run(tmp_path, "ingest", str(path), "--kind", "incident", "--drop-bad-dates")
    assert stored.returncode == 0, stored.stderr
    out = json.loads(stored.stdout)
    assert out["features"] == 2  # the battle is kept as a conflict event; row 2 left out
    assert any("row 2: '3/4/2021'" in w and "left out" in w for w in out["warnings"])
    notes = " ".join(out["notes"])
    assert "crsv 1" in notes and "caac 1" in notes and "1 conflict events" in notes
    assert "Battles 1" in notes and "Violence against civilians 1" in notes
