"""CSV and XLSX tables into WGS84 frames: delimiters, HXL, coordinate columns, CRS, sheets."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from humansec.errors import IngestError
from humansec.ingest.tabular import (
    find_geometry_columns,
    list_sheets,
    parse_coordinates,
    read_table,
    sniff_delimiter,
    unique_names,
)
from humansec.ingest.types import SOURCE_ROW, SourceFormat
from humansec.model import WGS84

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
CSV = SourceFormat.CSV
XLSX = SourceFormat.XLSX


def write(tmp_path: Path, text: str, *, name: str = "t.csv", codec: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(codec))
    return path


def codes(findings: list) -> dict[str, object]:
    return {f.code: f for f in findings}


def test_plain_latlon_csv(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "name,lat,lon,pcode,pop\nKyiv,50.45,30.52,UA80,2952301\nLviv,49.84,24.03,UA46,717273\n",
    )
    frame, findings, facts = read_table(path, CSV)
    assert frame.crs == WGS84
    assert list(frame.columns) == ["name", "lat", "lon", "pcode", "pop", SOURCE_ROW, "geometry"]
    assert frame.geometry.iloc[1].coords[0] == (24.03, 49.84)
    assert frame[SOURCE_ROW].tolist() == [1, 2]
    assert str(frame["pop"].dtype) == "Int64"
    assert frame["pcode"].tolist() == ["UA80", "UA46"]
    assert "crs_assumed" in codes(findings)
    assert facts["delimiter"] == ","
    assert facts["geometry_source"] == {"kind": "pair", "columns": ["lat", "lon"]}


def test_text_is_not_coerced(tmp_path: Path) -> None:
    path = write(tmp_path, "iso,admin1,code,lat,lon\nNA,07,00123,1,2\nUA,12,00456,3,4\n")
    frame, _, _ = read_table(path, CSV)
    assert frame["iso"].tolist() == ["NA", "UA"]  # Namibia, not a missing value
    assert frame["admin1"].tolist() == ["07", "12"]
    assert frame["code"].tolist() == ["00123", "00456"]


def test_semicolon_and_decimal_comma(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "Name;Breite;lat;lon;area\nKyiv, city;x;50,45;30,52;839,5\nLviv;y;49,84;24,03;182\n",
    )
    frame, _, facts = read_table(path, CSV)
    assert facts["delimiter"] == ";"
    assert frame["Name"].tolist() == ["Kyiv, city", "Lviv"]
    assert frame.geometry.iloc[0].coords[0] == (30.52, 50.45)
    assert frame["area"].tolist() == [839.5, 182.0]


def test_tab_and_pipe_delimiters() -> None:
    assert sniff_delimiter("a\tb\tc\n1\t2\t3\n") == "\t"
    assert sniff_delimiter("a|b\n1,5|2\n") == "|"
    assert sniff_delimiter('name,lat,lon\n"Kyiv; city",1,2\n') == ","


def test_hxl_row_is_recognised_and_rows_count_data(tmp_path: Path) -> None:
    text = (
        "Place,Latitude,Longitude,Org\n"
        "#loc+name,#geo+lat,#geo+lon,#org\n"
        "Kyiv,50.45,30.52,UNHCR\n"
        ",,,\n"
        "Nowhere,,,IOM\n"
        "Lviv,49.84,24.03,WFP\n"
    )
    frame, findings, facts = read_table(write(tmp_path, text), CSV)
    assert facts["hxl"] == {
        "Place": "#loc+name",
        "Latitude": "#geo+lat",
        "Longitude": "#geo+lon",
        "Org": "#org",
    }
    assert frame["Place"].tolist() == ["Kyiv", "Lviv"]
    assert frame[SOURCE_ROW].tolist() == [1, 4]  # the blank row 2 counts, the HXL row does not
    missing = codes(findings)["rows_without_coordinates"]
    assert missing.severity == "warning"
    assert missing.rows == (3,)
    assert missing.count == 1


def test_hxl_tags_find_coordinates_when_names_do_not(tmp_path: Path) -> None:
    text = "Ort,Breite,Laenge\n#loc,#geo+lat,#geo+lon\nKyiv,50.45,30.52\n"
    frame, _, _ = read_table(write(tmp_path, text), CSV)
    assert frame.geometry.iloc[0].coords[0] == (30.52, 50.45)


@pytest.mark.parametrize(
    ("columns", "y", "x"),
    [
        (["Lat", "Long"], "Lat", "Long"),
        (["LATITUDE", "LONGITUDE"], "LATITUDE", "LONGITUDE"),
        (["lat", "lng"], "lat", "lng"),
        (["Y Latitude", "X Longitude"], "Y Latitude", "X Longitude"),
        (["#geo+lat", "#geo+lon"], "#geo+lat", "#geo+lon"),
        (["site_lat", "site_lon"], "site_lat", "site_lon"),
        (["x", "y"], "y", "x"),
        (["name", "latest", "longest", "lat", "lon"], "lat", "lon"),
    ],
)
def test_coordinate_columns_by_name(columns: list[str], y: str, x: str) -> None:
    pair = find_geometry_columns(columns, None).pairs[0]
    assert (pair.y, pair.x) == (y, x)


def test_plain_pair_preferred_and_candidates_reported(tmp_path: Path) -> None:
    found = find_geometry_columns(
        ["from_latitude", "from_longitude", "latitude", "longitude"], None
    )
    assert (found.pairs[0].y, found.pairs[0].prefix) == ("latitude", "")
    text = "id,from_latitude,from_longitude,to_latitude,to_longitude\n1,47.1,37.5,47.8,35.2\n"
    frame, findings, facts = read_table(write(tmp_path, text), CSV)
    assert facts["coordinate_candidates"] == [
        {"y": "from_latitude", "x": "from_longitude", "prefix": "from"},
        {"y": "to_latitude", "x": "to_longitude", "prefix": "to"},
    ]
    chosen = codes(findings)["coordinate_columns_chosen"]
    assert "from_latitude" in chosen.message
    assert "to_latitude" in chosen.message
    assert frame.geometry.iloc[0].coords[0] == (37.5, 47.1)


def test_non_numeric_coordinates_are_an_error_naming_rows(tmp_path: Path) -> None:
    text = "name,lat,lon\na,50.1,30.1\nb,fifty,30.2\nc,95.0,200.0\nd,50°27'N,30°31'E\n"
    frame, findings, _ = read_table(write(tmp_path, text), CSV)
    error = codes(findings)["coordinates_not_numeric"]
    assert error.severity == "error"
    assert error.rows == (2,)
    assert frame["name"].tolist() == ["a", "c", "d"]
    # Out of range is validate's business: the row is kept with its numbers.
    assert frame.geometry.iloc[1].coords[0] == (200.0, 95.0)
    lon, lat = frame.geometry.iloc[2].coords[0]
    assert math.isclose(lat, 50.45) and math.isclose(lon, 30 + 31 / 60)


def test_parse_coordinates_dms_and_missing_tokens() -> None:
    numbers, missing, bad = parse_coordinates(
        pd.Series(["50 27 00 S", "N/A", "null", " 12.5 ", "W 3°30'", "12°75'N"])
    )
    assert numbers[0] == pytest.approx(-50.45)
    assert missing.tolist() == [False, True, True, False, False, False]
    assert numbers[3] == 12.5
    assert numbers[4] == pytest.approx(-3.5)
    assert bad.tolist() == [False, False, False, False, False, True]


def test_projected_xy_needs_a_crs(tmp_path: Path) -> None:
    text = "name,x,y\nKyiv,321000,5591000\n"
    with pytest.raises(IngestError, match="--crs EPSG"):
        read_table(write(tmp_path, text), CSV)
    frame, findings, _ = read_table(write(tmp_path, text), CSV, crs="EPSG:32636")
    lon, lat = frame.geometry.iloc[0].coords[0]
    assert 30 < lon < 31 and 50 < lat < 51
    assert frame["x"].iloc[0] == 321000  # the file's own numbers stay
    assert "crs_assumed" not in codes(findings)


def test_bad_crs_is_refused(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="not a coordinate system"):
        read_table(write(tmp_path, "x,y\n1,2\n"), CSV, crs="EPSG:999999")


def test_wkt_column_first(tmp_path: Path) -> None:
    text = (
        'id,WKT,lat,lon\n1,"POINT (30.52 50.45)",0,0\n'
        '2,"LINESTRING (30 50, 31 51)",0,0\n3,,0,0\n4,not wkt,0,0\n'
    )
    frame, findings, facts = read_table(write(tmp_path, text), CSV)
    assert facts["geometry_source"] == {"kind": "wkt", "columns": ["WKT"]}
    assert frame.geom_type.tolist() == ["Point", "LineString"]
    assert codes(findings)["wkt_invalid"].rows == (4,)
    assert codes(findings)["rows_without_coordinates"].rows == (3,)


def test_wkt_column_named_geometry(tmp_path: Path) -> None:
    text = 'name,geometry\na,"POINT (1 2)"\n'
    frame, _, _ = read_table(write(tmp_path, text), CSV)
    assert list(frame.columns) == ["name", SOURCE_ROW, "geometry"]
    assert frame.geometry.iloc[0].coords[0] == (1.0, 2.0)


def test_mgrs_column(tmp_path: Path) -> None:
    text = "id,MGRS_grid\n1,34U FE 26199 96369\n2,34UFE2619996369\n3,\n4,XX12\n"
    frame, findings, facts = read_table(write(tmp_path, text), CSV)
    assert facts["geometry_source"] == {"kind": "mgrs", "columns": ["MGRS_grid"]}
    assert frame["id"].tolist() == [1, 2]
    lon, lat = frame.geometry.iloc[0].coords[0]
    assert lat == pytest.approx(54.1, abs=1e-4) and lon == pytest.approx(22.93, abs=1e-4)
    assert codes(findings)["mgrs_invalid"].rows == (4,)
    assert codes(findings)["rows_without_coordinates"].rows == (3,)


def test_no_geometry_is_refused_with_columns(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="'pcode'"):
        read_table(write(tmp_path, "name,pcode\na,UA01\n"), CSV)


def test_header_names_made_unique(tmp_path: Path) -> None:
    assert unique_names([" a ", None, "a", ""]) == ["a", "Unnamed: 1", "a.1", "Unnamed: 3"]
    frame, _, _ = read_table(write(tmp_path, " lat , lon ,,lat\n1,2,3,4\n"), CSV)
    assert list(frame.columns)[:4] == ["lat", "lon", "Unnamed: 2", "lat.1"]


def test_ragged_rows(tmp_path: Path) -> None:
    frame, _, _ = read_table(write(tmp_path, "name,lat,lon,note\na,1,2\nb,3,4,x\n"), CSV)
    assert frame["note"].isna().tolist() == [True, False]
    with pytest.raises(IngestError, match="more fields than"):
        read_table(write(tmp_path, "name,lat,lon\na,1,2,3,4\n"), CSV)


@pytest.mark.parametrize(
    ("codec", "names"),
    [("cp1251", ["Київська", "Одеська"]), ("shift_jis", ["東京都", "大阪府"])],
)
def test_legacy_encodings(tmp_path: Path, codec: str, names: list[str]) -> None:
    text = f"name,lat,lon\n{names[0]},50.1,30.1\n{names[1]},46.5,30.7\n"
    frame, findings, facts = read_table(write(tmp_path, text, codec=codec), CSV)
    assert frame["name"].tolist() == names
    assert facts["encoding"] == codec
    assert codes(findings)["encoding_guessed"].severity == "warning"
    frame, findings, _ = read_table(write(tmp_path, text, codec=codec), CSV, encoding=codec)
    assert "encoding_guessed" not in codes(findings)


def test_utf8_bom_csv(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbfname,lat,lon\nx,1,2\n")
    frame, findings, _ = read_table(path, CSV)
    assert next(iter(frame.columns)) == "name"
    assert "encoding_guessed" not in codes(findings)


def make_workbook(path: Path, sheets: dict[str, list[tuple[object, ...]]]) -> Path:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def test_xlsx_chooses_the_sheet_with_coordinates(tmp_path: Path) -> None:
    path = make_workbook(
        tmp_path / "b.xlsx",
        {
            "READ ME": [("About",), ("Border crossings",)],
            "Border Crossings": [
                ("Name - English", "Name - Ukrainian", "Lat", "Long", None),
                ("Yahodyn", "Ягодин", 51.185, 23.807, None),
                (None, None, None, None, None),
                ("Shehyni", "Шегині", "49.79", "22.95", None),
            ],
        },
    )
    assert list_sheets(path) == ["READ ME", "Border Crossings"]
    frame, findings, facts = read_table(path, XLSX)
    assert facts["sheet"] == "Border Crossings"
    assert codes(findings)["sheet_chosen"].severity == "info"
    assert frame["Name - Ukrainian"].tolist() == ["Ягодин", "Шегині"]
    assert frame[SOURCE_ROW].tolist() == [1, 3]
    assert frame.geometry.iloc[1].coords[0] == (22.95, 49.79)
    assert list(frame.columns) == [
        "Name - English",
        "Name - Ukrainian",
        "Lat",
        "Long",
        SOURCE_ROW,
        "geometry",
    ]


def test_xlsx_several_candidate_sheets_need_a_choice(tmp_path: Path) -> None:
    rows = [("lat", "lon"), (1.0, 2.0)]
    path = make_workbook(tmp_path / "m.xlsx", {"A": rows, "B": rows})
    with pytest.raises(IngestError, match="'A', 'B'"):
        read_table(path, XLSX)
    with pytest.raises(IngestError, match="no sheet 'C'"):
        read_table(path, XLSX, sheet="C")
    frame, _, _ = read_table(path, XLSX, sheet="B")
    assert len(frame) == 1


def test_xlsx_typed_cells(tmp_path: Path) -> None:
    when = pd.Timestamp("2022-05-13").to_pydatetime()
    path = make_workbook(
        tmp_path / "t.xlsx",
        {
            "S": [
                ("X Longitude", "Y Latitude", "when", "code", "n"),
                (30.5, 50.4, when, "07", 3),
                (24.0, 49.8, when, "12", 4),
            ]
        },
    )
    frame, _, _ = read_table(path, XLSX)
    assert pd.api.types.is_datetime64_any_dtype(frame["when"])
    assert frame["code"].tolist() == ["07", "12"]
    assert frame["n"].tolist() == [3, 4]


def test_not_a_workbook(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="cannot be opened"):
        read_table(write(tmp_path, "not a zip", name="x.xlsx"), XLSX)


def test_large_table_is_vectorised(tmp_path: Path) -> None:
    n = 50_000
    rng = np.random.default_rng(1)
    table = pd.DataFrame(
        {
            "id": np.arange(n),
            "lat": rng.uniform(44, 52, n).round(5),
            "lon": rng.uniform(22, 40, n).round(5),
        }
    )
    path = tmp_path / "big.csv"
    table.to_csv(path, index=False)
    frame, findings, _ = read_table(path, CSV)
    assert len(frame) == n
    assert frame.geometry.iloc[-1].coords[0] == (table["lon"].iloc[-1], table["lat"].iloc[-1])
    assert [f.code for f in findings] == ["crs_assumed"]


# --- the real files, when /work/shared/data is there ---------------------------------------

REAL = [
    ("acled/2022-02-15-2022-05-18-Ukraine.csv", 6495, None),
    ("acled/ACLED-Ukraine_peacerep_sample_1000.csv", 1000, None),
    ("ucdp_ged/conflict_data_ukr_hdx_hxl.csv", 2989, None),
    ("humanitarian/Humanitarian Corridors Ukraine - HC_geocoded.csv", 282, None),
    ("geonames/geonames_cities15000_global.csv", 34006, None),
    ("geonames/geonames_cities5000_UA_SY_IQ_BF_ML_NE.csv", 1449, ("alternatenames", "Київ")),
    ("unesco_whc/whc_sites_2021_slim.csv", 1154, None),
    (
        "humanitarian/ukr_border_crossings_140422.xlsx",
        67,
        ("Name - Ukrainian", "Ягодин - Дорогуск"),
    ),
    (
        "humanitarian/idp_estimation_08_03_2022-unhcr-protection-cluster.xlsx",
        772,
        ("admin4Name_ukr", "Амбуків"),
    ),
]


@pytest.mark.parametrize(("name", "count", "text"), REAL)
def test_real_files(name: str, count: int, text: tuple[str, str] | None) -> None:
    path = DATA / name
    if not path.exists():
        pytest.skip(f"{path} is not here (shared data absent)")
    fmt = XLSX if name.endswith(".xlsx") else CSV
    frame, findings, facts = read_table(path, fmt)
    assert len(frame) == count
    assert frame.crs == WGS84
    assert not [f for f in findings if f.severity == "error"]
    bounds = frame.total_bounds
    assert -180 <= bounds[0] <= bounds[2] <= 180
    if text is not None:
        column, value = text
        assert frame[column].str.contains(value, regex=False).any()
    if "ucdp" in name:
        assert facts["hxl"]["latitude"] == "#geo+lat"  # type: ignore[index]
        assert frame[SOURCE_ROW].iloc[0] == 1
    if "Corridors" in name:
        assert len(facts["coordinate_candidates"]) == 2  # type: ignore[arg-type]


def test_real_file_without_coordinates_is_refused() -> None:
    path = DATA / "humanitarian" / "DTM_Ukraine_Zakarpatska_AreaBaseline_5_15_April_2022_0.csv"
    if not path.exists():
        pytest.skip("shared data absent")
    with pytest.raises(IngestError, match="No coordinates found"):
        read_table(path, CSV)
