"""Every real layer in ../shared/data through the whole upload pipeline (when the folder exists).

Row counts are those its SOURCES.md gives (checked there with geopandas/pandas); the traps it
lists are checked here: DBFs in cp1251 with and without a .cpg, HXL hashtag rows, Cyrillic
field names in KML, re-saved ACLED dates, a shapefile folder with spaces in its name.
Files that hold no layer (a table of P-codes, an XLS, UNESCO's XML) must be refused with a
message saying what to do.
"""

from __future__ import annotations

import shutil
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from humansec.errors import IngestError
from humansec.ingest.pipeline import (
    Inspection,
    UploadMeta,
    UploadOptions,
    discard,
    ingest_file,
    inspect_upload,
    stage_upload,
)
from humansec.model import LayerKind
from humansec.store import GeoPackageStore

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason="../shared/data is not on this machine")
META = UploadMeta(title="Shared data", classification="NATO UNCLASSIFIED", who="test")


@dataclass(frozen=True)
class Stored:
    """A file stored as a layer of ``kind``: ``read`` rows in the file, ``stored`` kept."""

    path: str
    kind: LayerKind
    read: int
    stored: int | None = None  # None: a known schema keeps only some rows (checked apart)
    options: dict[str, object] = field(default_factory=dict)
    text: tuple[str, str] | None = None  # (column, value) that must read back (encodings)


STORED = [
    Stored("acled/2022-02-15-2022-05-18-Ukraine.csv", LayerKind.INCIDENT, 6495),
    Stored("acled/ACLED-Ukraine_peacerep_sample_1000.csv", LayerKind.INCIDENT, 1000),
    Stored("ucdp_ged/conflict_data_ukr_hdx_hxl.csv", LayerKind.INCIDENT, 2989),
    Stored(
        "geopackage/derived_ukraine_demo.gpkg",
        LayerKind.INCIDENT,
        6495,
        options={"source_layer": "acled_events_2022_02_15_05_18"},
    ),
    Stored(
        "geonames/geonames_cities5000_UA_SY_IQ_BF_ML_NE.csv",
        LayerKind.POPULATION,
        1449,
        1449,
        text=("alternatenames", "Київ"),
    ),
    Stored("geonames/geonames_cities15000_global.csv", LayerKind.POPULATION, 34006, 34006),
    Stored(
        "natural_earth/ne_50m_populated_places_simple.geojson", LayerKind.POPULATION, 1249, 1249
    ),
    Stored(
        "natural_earth/ne_10m_populated_places_simple.geojson",
        LayerKind.POPULATION,
        7343,
        7341,  # Natural Earth writes -99 for an unknown pop_max: those 2 places are left out
        options={"map_values": {"population": {"-99": ""}}},
    ),
    Stored(
        "humanitarian/idp_estimation_08_03_2022-unhcr-protection-cluster.xlsx",
        LayerKind.POPULATION,
        772,
        772,
    ),
    Stored(
        "humanitarian/ukr_border_crossings_140422.xlsx",
        LayerKind.HUMANITARIAN_SITE,
        67,
        67,
        options={"set_constants": {"category": "office"}},
    ),
    Stored(
        "humanitarian/Humanitarian Corridors Ukraine - HC_geocoded.csv",
        LayerKind.HUMANITARIAN_MOVEMENT,
        282,
        278,  # 4 corridors start and end at the same place: left out, with a warning
    ),
    Stored(
        "unesco_whc/whc_sites_2021_slim.csv",
        LayerKind.CULTURAL,
        1154,
        1154 - 218,  # the 218 natural sites are not cultural property: left out as chosen
        options={"map_values": {"protection": {"Natural": ""}}},
    ),
    Stored(
        "unesco_whc/whc_sites_2021.geojson",
        LayerKind.CULTURAL,
        1154,
        1154 - 218,
        options={"map_values": {"protection": {"Natural": ""}}},
    ),
]


@dataclass(frozen=True)
class ReadOnly:
    """A file of boundaries: no kind of the model holds them; read, counted and checked."""

    path: str
    read: int
    crs: str | None
    text: str | None = None
    options: dict[str, object] = field(default_factory=dict)


def _zip_folder(folder: str, target: Path) -> Path:
    source = DATA / folder
    archive = target / f"{source.name}.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for part in sorted(source.iterdir()):
            out.write(part, f"{source.name} files/{part.name}")  # a folder with a space
    return archive


READ_ONLY = [
    ReadOnly("shapefiles_projected/derived_ukr_adm1_utm36n_utf8", 27, "EPSG:32636", "Київська"),
    ReadOnly(
        "shapefiles_projected/derived_ukr_adm1_ucs2000_gk6_cp1251", 27, "EPSG:5564", "Київська"
    ),
    ReadOnly("shapefiles_projected/vautm17n_utm17n", 136, "EPSG:32617"),
    ReadOnly("natural_earth/naturalearth_lowres_shp", 177, "EPSG:4326"),
    ReadOnly("kml/ukraine_regions_fusiontables.kml", 25, "EPSG:4326", "Николаевская область"),
    ReadOnly("admin_ukraine/minregion_oblast_2020.geojson", 27, "EPSG:4326", "Київська область"),
    ReadOnly("natural_earth/ne_110m_admin_0_countries.geojson", 177, "EPSG:4326"),
    ReadOnly(
        "geopackage/derived_ukraine_demo.gpkg",
        27,
        "EPSG:4326",
        "Київська",
        {"source_layer": "oblasts_codab_2017"},
    ),
]

REFUSED = {
    "humanitarian/DTM_Ukraine_Zakarpatska_AreaBaseline_5_15_April_2022_0.csv": "No coordinates",
    "admin_ukraine/ukr_admpop_2020_v02.xlsx": "sheet",
    "unesco_whc/whc-sites-2021.xls": "xlsx",
    "unesco_whc/whc_list_2026.xml": "not",
}


def _upload(path: str, tmp: Path) -> Path:
    source = DATA / path
    return _zip_folder(path, tmp) if source.is_dir() else source


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("shared") / "store.gpkg"


@pytest.fixture(scope="module")
def stored(
    tmp_path_factory: pytest.TempPathFactory, store_path: Path
) -> dict[str, tuple[Inspection, dict[str, object]] | str]:
    root = tmp_path_factory.mktemp("shared-uploads")

    def ingest(case: Stored) -> tuple[str, tuple[Inspection, dict[str, object]] | str]:
        options = UploadOptions(kind=case.kind, **case.options)  # type: ignore[arg-type]
        try:
            return case.path, ingest_file(
                _upload(case.path, root),
                options,
                staging_root=root / "staging",
                store_path=store_path,
                meta=META,
            )
        except IngestError as refused:  # reported by the test of this file
            return case.path, f"refused: {refused}"

    with ThreadPoolExecutor(max_workers=3) as pool:
        return dict(pool.map(ingest, STORED))


@pytest.mark.parametrize("case", STORED, ids=[c.path.rsplit("/", 1)[-1] for c in STORED])
def test_a_real_layer_is_stored_with_its_rows(
    case: Stored, stored: dict[str, tuple[Inspection, dict[str, object]] | str], store_path: Path
) -> None:
    outcome = stored[case.path]
    assert not isinstance(outcome, str), outcome
    inspection, record = outcome
    assert inspection.read_count == case.read
    if case.stored is not None:
        assert record["features"] == case.stored
    else:  # a known schema: every event is kept, counted by focus area and event type
        assert int(str(record["features"])) == case.read
        codes = {f.code for f in inspection.report.findings}
        assert {"preset_focus_areas", "preset_event_types"} <= codes, inspection.report
    frame = GeoPackageStore(store_path).read_layer(str(record["layer_id"]))
    assert len(frame) == record["features"]
    if case.text is not None:
        column, value = case.text
        assert frame[column].astype("string").str.contains(value, regex=False).any()


def test_hxl_rows_are_not_data(
    stored: dict[str, tuple[Inspection, dict[str, object]] | str],
) -> None:
    outcome = stored["ucdp_ged/conflict_data_ukr_hdx_hxl.csv"]
    assert not isinstance(outcome, str), outcome
    inspection, _record = outcome
    assert inspection.read_count == 2989  # the hashtag row is not an event
    assert inspection.preset == "ucdp_ged"


@pytest.mark.parametrize("case", READ_ONLY, ids=[c.path.rsplit("/", 1)[-1] for c in READ_ONLY])
def test_boundaries_are_read_with_their_crs_and_text(case: ReadOnly, tmp_path: Path) -> None:
    source = _upload(case.path, tmp_path)
    upload = stage_upload(source.read_bytes(), source.name, tmp_path / "staging")
    options = UploadOptions(**case.options)  # type: ignore[arg-type]
    inspection = inspect_upload(upload, source.name, options)
    try:
        assert inspection.read_count == case.read
        assert (inspection.source_crs or "EPSG:4326") == case.crs
        if case.text is not None:
            preview = inspection.preview()
            text_columns = preview.select_dtypes(include=["object", "string"])
            assert any(text_columns[c].astype("string").str.contains(case.text, regex=False).any()
                       for c in text_columns.columns), list(preview.columns)  # fmt: skip
    finally:
        discard(inspection.workdir)


def test_the_cp1251_shapefile_without_its_cpg_still_reads_as_cyrillic(tmp_path: Path) -> None:
    folder = tmp_path / "no cpg"
    shutil.copytree(DATA / "shapefiles_projected/derived_ukr_adm1_ucs2000_gk6_cp1251", folder)
    next(folder.glob("*.cpg")).unlink()
    archive = tmp_path / "no_cpg.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for part in folder.iterdir():
            out.write(part, part.name)
    upload = stage_upload(archive.read_bytes(), archive.name, tmp_path / "staging")
    inspection = inspect_upload(upload, archive.name, UploadOptions())
    assert inspection.encoding is not None
    assert inspection.encoding.replace("_", "").lower() in {"cp1251", "windows1251"}
    assert any(f.code == "encoding_guessed" for f in inspection.report.findings)
    assert inspection.preview()["ADM1_UA"].str.contains("Київська").any()


@pytest.mark.parametrize("path", sorted(REFUSED), ids=lambda p: p.rsplit("/", 1)[-1])
def test_files_without_a_layer_are_refused_with_a_reason(path: str, tmp_path: Path) -> None:
    source = DATA / path
    upload = stage_upload(source.read_bytes(), source.name, tmp_path / "staging")
    with pytest.raises(IngestError) as refused:
        inspect_upload(upload, source.name, UploadOptions(kind=LayerKind.POPULATION))
    assert REFUSED[path].lower() in str(refused.value).lower()
