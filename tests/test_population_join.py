"""Population tables joined to a stored area layer by P-code, as a new version (issue 13).

Hand-built tables (CSV with an HXL row, XLSX of two sheets) carry unmatched, duplicated and
inconsistent rows; the real COD-PS workbook of ../shared/data is joined to the COD-AB oblasts
through the command line (skipped where that folder is absent).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import geopandas as gpd
import openpyxl
import pytest
import shapely

from humansec.errors import IngestError, SchemaError
from humansec.model import WGS84, LayerKind, conform
from humansec.population.join import join_to_layer, read_population_table
from humansec.store import GeoPackageStore
from humansec.store.base import NewLayer
from tests.test_main import run

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def _store_areas(store_path: Path, codes: list[str]) -> GeoPackageStore:
    store = GeoPackageStore(store_path)
    frame = gpd.GeoDataFrame(
        {
            "id": [f"a{i}" for i in range(len(codes))],
            "name": [f"Area {c}" for c in codes],
            "pcode": codes,
            "admin_level": [1] * len(codes),
            "parent_pcode": ["XX"] * len(codes),
        },
        geometry=[shapely.box(i, 0, i + 1, 1) for i in range(len(codes))],
        crs=WGS84,
    )
    meta = NewLayer(LayerKind.AREA, "Regions", "hand-built", "none", "NATO UNCLASSIFIED")
    store.add_version(conform(frame, LayerKind.AREA), meta, layer_id="regions")
    return store


CSV = (
    "ADM0_PCODE,ADM1_PCODE,ADM1_EN,T_TL,F_TL,M_TL,F_00_04,M_00_04,T_00_04,F_80Plus,M_80Plus\n"
    "#country+code,#adm1+code,#adm1+name,#population+total,#population+f,#population+m,"
    "#population+f+age0_4,#population+m+age0_4,#population+age0_4,#population+f+age80plus,"
    "#population+m+age80plus\n"
    "XX,XX01,One,1000,510,490,40,42,82,30,20\n"
    "XX,xx02 ,Two,2000,1200,700,80,90,170,60,40\n"  # female + male = 1900: 5 % off
    "XX,XX03,Three,300,150,150,10,10,20,5,5\n"
    "XX,XX03,Three again,301,150,151,10,10,20,5,5\n"  # duplicated: not joined
    "XX,XX09,Nine,50,25,25,2,2,4,1,1\n"  # not in the layer
)


def test_a_csv_table_joins_by_pcode_and_reports_what_does_not_fit(tmp_path: Path) -> None:
    store = _store_areas(tmp_path / "s.gpkg", ["XX01", "XX02", "XX03", "XX04"])
    table = tmp_path / "pop.csv"
    table.write_text(CSV, encoding="utf-8")
    outcome = join_to_layer(store, "regions", table, date="2020-07-01")
    report = outcome.report
    assert report.matched == 2
    assert report.unmatched_in_table == ("XX09",)
    assert report.unmatched_in_layer == ("XX04",)
    assert report.duplicated_in_table == ("XX03",)
    assert report.sex_mismatch == (("XX02", 2000, 1900),)
    assert outcome.record.version == 2
    assert outcome.table.sha256 == hashlib.sha256(table.read_bytes()).hexdigest()
    provenance = outcome.record.provenance["population_table"]
    assert isinstance(provenance, dict)
    assert provenance["file"] == "pop.csv"
    assert provenance["sha256"] == outcome.table.sha256
    areas = store.read_layer("regions").set_index("pcode")
    assert len(store.versions("regions")) == 2
    assert areas.loc["XX01", "population"] == 1000
    assert areas.loc["XX02", "female"] == 1200  # ' xx02 ' matched: case and spaces ignored
    assert areas.loc["XX01", "female_age_0_4"] == 40
    assert areas.loc["XX01", "age_0_4"] == 82
    assert areas.loc["XX02", "male_age_80_plus"] == 40
    assert areas[["population", "female"]].loc[["XX03", "XX04"]].isna().all().all()
    assert areas.loc["XX01", "population_source"] == "pop.csv"
    assert str(areas.loc["XX01", "population_date"].date()) == "2020-07-01"
    assert areas.loc["XX01", "name"] == "Area XX01"  # the layer's own fields are kept


def test_nothing_is_matched_by_name_and_nothing_stored_without_a_match(tmp_path: Path) -> None:
    store = _store_areas(tmp_path / "s.gpkg", ["YY01"])
    table = tmp_path / "pop.csv"
    table.write_text("ADM1_PCODE,ADM1_EN,T_TL\nZZ01,Area YY01,10\n", encoding="utf-8")
    with pytest.raises(SchemaError, match="Not one P-code"):
        join_to_layer(store, "regions", table)
    assert len(store.versions("regions")) == 1
    no_code = tmp_path / "names.csv"
    no_code.write_text("ADM1_EN,T_TL\nArea YY01,10\n", encoding="utf-8")
    with pytest.raises(IngestError, match="never by name"):
        join_to_layer(store, "regions", no_code)
    assert len(store.versions("regions")) == 1


def test_the_workbook_sheet_of_the_layers_level_is_chosen(tmp_path: Path) -> None:
    path = tmp_path / "pop.xlsx"
    book = openpyxl.Workbook()
    notes = book.active
    assert notes is not None
    notes.title = "Metadata"
    notes.append(["About", "COD-PS"])
    adm0 = book.create_sheet("adm0")
    adm0.append(["ADM0_PCODE", "T_TL", "F_TL", "M_TL"])
    adm0.append(["XX", 3000, 1500, 1500])
    adm1 = book.create_sheet("adm1")
    adm1.append(["ADM0_PCODE", "ADM1_PCODE", "T_TL", "F_TL", "M_TL", "T_15_19"])
    adm1.append(["XX", "XX01", 1000, 500, 500, 70])
    adm1.append(["XX", "XX02", 2000, 1000, 1000, 120])
    book.save(path)
    table = read_population_table(path, level=1)
    assert table.sheet == "adm1"
    assert table.pcode_column == "ADM1_PCODE"
    assert table.frame["age_15_19"].tolist() == [70, 120]
    assert read_population_table(path, level=0).sheet == "adm0"
    with pytest.raises(IngestError, match="no sheet 'adm9'"):
        read_population_table(path, sheet="adm9")
    with pytest.raises(IngestError, match="ADM2_PCODE"):
        read_population_table(path, level=2)


@pytest.mark.skipif(
    not (DATA / "admin_ukraine" / "ukr_admpop_2020_v02.xlsx").is_file()
    or not (DATA / "geopackage" / "derived_ukraine_demo.gpkg").is_file(),
    reason="../shared/data (COD-AB oblasts and the COD-PS workbook) is not on this machine",
)
def test_the_codps_workbook_joins_the_codab_oblasts_from_the_command_line(
    tmp_path: Path,
) -> None:
    stored = run(
        tmp_path, "ingest", str(DATA / "geopackage" / "derived_ukraine_demo.gpkg"),
        "--source-layer", "oblasts_codab_2017", "--kind", "area", "--name", "Oblasts",
    )  # fmt: skip
    assert stored.returncode == 0, stored.stderr
    layer = json.loads(stored.stdout)["layer"]
    joined = run(
        tmp_path, "ingest", str(DATA / "admin_ukraine" / "ukr_admpop_2020_v02.xlsx"),
        "--join-to", layer, "--on", "pcode", "--date", "2020-01-01",
    )  # fmt: skip
    assert joined.returncode == 0, joined.stderr
    result = json.loads(joined.stdout)
    assert result["version"] == 2
    assert result["sheet"] == "ukr_admpop_adm1_2020"
    assert result["join"]["matched"] == 27
    assert result["join"]["unmatched_in_table"] == result["join"]["unmatched_in_layer"] == []
    areas = GeoPackageStore(tmp_path / "store" / "humansec.gpkg").read_layer(layer)
    assert areas["population"].notna().all()
    # Each oblast's age bands add up to its total, within rounding of the source
    bands = [c for c in areas.columns if c.startswith("age_")]
    assert len(bands) == 17
    assert (areas[bands].sum(axis=1) - areas["population"]).abs().max() <= 17
    assert int(areas["population"].sum()) > 40_000_000


def test_only_a_cleared_analyst_joins_and_the_join_is_audited(tmp_path: Path) -> None:
    from humansec import audit  # noqa: PLC0415
    from humansec.access import Role, User, actions  # noqa: PLC0415
    from humansec.errors import AccessDeniedError  # noqa: PLC0415
    from humansec.settings import Settings  # noqa: PLC0415

    settings = Settings(data_dir=tmp_path)
    store = _store_areas(settings.store_path, ["XX01", "XX02"])
    table = tmp_path / "pop.csv"
    table.write_text(CSV, encoding="utf-8")

    def person(role: Role, clearance: str = "NATO RESTRICTED") -> User:
        return User(f"sub-{role}", str(role), "x@m.example", frozenset({role}), clearance)

    with pytest.raises(AccessDeniedError):
        actions.join_population(
            settings, person(Role.VIEWER), store, "regions", table, original_name="pop.csv"
        )
    assert len(store.versions("regions")) == 1
    outcome = actions.join_population(
        settings, person(Role.ANALYST), store, "regions", table, original_name="pop.csv"
    )
    assert outcome.record.version == 2
    entries = audit.read(settings.data_dir)
    assert [e["action"] for e in entries] == ["denied", "upload"]
    assert entries[-1]["what"]["sha256"] == outcome.table.sha256  # type: ignore[index]
