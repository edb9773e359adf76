"""Reference areas from COD-AB boundaries, recognised without hand work (issue 13, section 1).

The real files are the COD-AB derived shapefiles and GeoPackage layer of ../shared/data
(skipped where that folder is absent); the hand-built ones are written by the tests.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from humansec.ingest.pipeline import UploadMeta, UploadOptions, ingest_file
from humansec.ingest.suggest import suggest_mapping
from humansec.model import WGS84, LayerKind
from humansec.population.areas import codab_columns
from humansec.store import GeoPackageStore

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
NEEDS_DATA = pytest.mark.skipif(
    not DATA.is_dir(), reason="../shared/data (the COD-AB derived files) is not on this machine"
)
META = UploadMeta(title="Oblasts", classification="NATO UNCLASSIFIED", who="test")


def test_the_deepest_pcode_is_the_unit_and_the_one_above_its_parent() -> None:
    found = codab_columns(
        ["ADM0_EN", "ADM0_PCODE", "ADM1_PCODE", "ADM2_PCODE", "ADM2_UA", "ADM2_RU", "ADM2_EN"]
    )
    assert found is not None
    assert found.admin_level == 2
    assert found.columns == {
        "id": "ADM2_PCODE",
        "pcode": "ADM2_PCODE",
        "parent_pcode": "ADM1_PCODE",
        "name": "ADM2_EN",
    }
    assert found.names == ("ADM2_UA", "ADM2_RU", "ADM2_EN")
    assert codab_columns(["name", "pcode"]) is None
    # No English name: the level's first name column
    french = codab_columns(["adm3_pcode", "adm3_fr"])
    assert french is not None
    assert french.columns["name"] == "adm3_fr"
    assert "parent_pcode" not in french.columns


def test_suggest_maps_codab_areas_and_keeps_the_other_names() -> None:
    frame = gpd.GeoDataFrame(
        {
            "ADM1_PCODE": ["BF46", "BF47"],
            "ADM1_FR": ["Boucle du Mouhoun", "Cascades"],
            "ADM0_PCODE": ["BF", "BF"],
            "_source_row": [1, 2],
        },
        geometry=[shapely.box(-4, 12, -3, 13), shapely.box(-5, 10, -4, 11)],
        crs=WGS84,
    )
    mapping = suggest_mapping(frame, LayerKind.AREA)
    assert dict(mapping.columns) == {
        "id": "ADM1_PCODE",
        "name": "ADM1_FR",
        "pcode": "ADM1_PCODE",
        "parent_pcode": "ADM0_PCODE",
    }
    assert dict(mapping.constants) == {"admin_level": 1}


def test_a_plain_pcode_column_is_also_the_id() -> None:
    frame = gpd.GeoDataFrame(
        {"pcode": ["X1", "X2"], "name": ["A", "B"], "_source_row": [1, 2]},
        geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)],
        crs=WGS84,
    )
    mapping = suggest_mapping(frame, LayerKind.AREA)
    assert mapping.columns["pcode"] == "pcode"
    assert mapping.columns["id"] == "pcode"


def _zip_folder(folder: Path, out: Path) -> Path:
    with zipfile.ZipFile(out, "w") as archive:
        for part in sorted(folder.iterdir()):
            archive.write(part, part.name)
    return out


@NEEDS_DATA
@pytest.mark.parametrize(
    "folder", ["derived_ukr_adm1_utm36n_utf8", "derived_ukr_adm1_ucs2000_gk6_cp1251"]
)
def test_codab_shapefiles_are_stored_as_areas_without_hand_work(
    folder: str, tmp_path: Path
) -> None:
    archive = _zip_folder(DATA / "shapefiles_projected" / folder, tmp_path / f"{folder}.zip")
    store_path = tmp_path / "data" / "humansec.gpkg"
    inspection, record = ingest_file(
        archive,
        UploadOptions(kind=LayerKind.AREA),
        staging_root=tmp_path / "staging",
        store_path=store_path,
        meta=META,
    )
    assert record["features"] == 27
    assert not inspection.report.errors
    areas = GeoPackageStore(store_path).read_layer(str(record["layer_id"]))
    assert areas["pcode"].str.fullmatch(r"UA\d{2}").all()
    assert (areas["id"] == areas["pcode"]).all()
    assert set(areas["admin_level"].tolist()) == {1}
    assert areas["parent_pcode"].isna().all()  # these files have no ADM0_PCODE
    kyiv = areas.set_index("pcode").loc["UA32"]
    assert kyiv["name"] == "Kyivska"
    assert kyiv["adm1_ua"] == "Київська"  # the other languages are kept as extra fields
    assert kyiv["adm1_ru"] == "Киевская"
    assert areas.total_bounds == pytest.approx([22.137, 44.386, 40.22, 52.379], abs=0.01)
