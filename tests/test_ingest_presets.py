"""ACLED and UCDP GED exports translated into incidents with focus areas."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from humansec.errors import IngestError
from humansec.ingest.presets import apply_preset, detect_preset
from humansec.ingest.tabular import read_table
from humansec.ingest.types import SOURCE_ROW, SourceFormat
from humansec.model import LayerKind, conform

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

ACLED_OLD_HEADER = (
    "data_id,iso,event_id_cnty,event_id_no_cnty,event_date,year,time_precision,event_type,"
    "sub_event_type,actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,region,"
    "country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,"
    "source_scale,notes,fatalities,timestamp,iso3"
)
ACLED_OLD_COLUMNS = ACLED_OLD_HEADER.split(",")
VAC = "Violence against civilians"
CIV = "Civilians (Ukraine)"
# (id, date, event_type, sub_event_type, actor2, assoc_actor_2, location, lat, lon,
#  geo_precision, source, notes, fatalities)
ACLED_EVENTS = [
    (
        "UKR1",
        "13 May 2022",
        VAC,
        "Attack",
        CIV,
        "",
        "Bucha",
        50.54,
        30.22,
        1,
        "Reuters",
        "Civilians were shot.",
        3,
    ),
    (
        "UKR2",
        "12 May 2022",
        VAC,
        "Sexual violence",
        CIV,
        "",
        "Irpin",
        50.52,
        30.25,
        2,
        "OHCHR",
        "A woman was raped.",
        0,
    ),
    (
        "UKR3",
        "11 May 2022",
        VAC,
        "Abduction/forced disappearance",
        CIV,
        "",
        "Kherson",
        46.63,
        32.61,
        3,
        "Local",
        "Two boys were taken away.",
        0,
    ),
    (
        "UKR4",
        "10 May 2022",
        VAC,
        "Abduction/forced disappearance",
        CIV,
        "",
        "Kherson",
        46.63,
        32.61,
        1,
        "Local",
        "The mayor was abducted.",
        0,
    ),
    (
        "UKR5",
        "09 May 2022",
        "Explosions/Remote violence",
        "Shelling/artillery/missile attack",
        "",
        "",
        "Chernihiv",
        51.49,
        31.29,
        1,
        "Local",
        "A church and the museum were damaged by shelling.",
        0,
    ),
    (
        "UKR6",
        "08 May 2022",
        "Battles",
        "Armed clash",
        "Ukraine",
        "",
        "Avdiivka",
        48.13,
        37.74,
        2,
        "Local",
        "Fighting near the town.",
        5,
    ),
    (
        "UKR7",
        "07 May 2022",
        "Explosions/Remote violence",
        "Air/drone strike",
        "Ukraine",
        CIV,
        "Odesa",
        46.48,
        30.72,
        1,
        "Local",
        "A strike hit a house.",
        1,
    ),
    (
        "UKR8",
        "06 May 2022",
        "Protests",
        "Peaceful protest",
        "",
        "",
        "Lviv",
        49.84,
        24.03,
        1,
        "Local",
        "Protest outside the church.",
        0,
    ),
]


def acled_old_csv() -> str:
    rows = []
    for i, event in enumerate(ACLED_EVENTS, start=1):
        ident, date, etype, sub, actor2, assoc2, loc, lat, lon, prec, src, notes, dead = event
        row = dict.fromkeys(ACLED_OLD_COLUMNS, "")
        row.update(
            data_id=i,
            iso=804,
            event_id_cnty=ident,
            event_id_no_cnty=i,
            event_date=date,
            year=2022,
            event_type=etype,
            sub_event_type=sub,
            actor1="Russia",
            actor2=actor2,
            assoc_actor_2=assoc2,
            country="Ukraine",
            location=loc,
            latitude=lat,
            longitude=lon,
            geo_precision=prec,
            source=src,
            notes=notes,
            fatalities=dead,
            iso3="UKR",
        )
        rows.append(row)
    return pd.DataFrame(rows, columns=ACLED_OLD_COLUMNS).to_csv(index=False)


ACLED_NEW_HEAD = (
    "event_id_cnty,event_date,year,event_type,sub_event_type,actor1,actor2,assoc_actor_2,"
    "admin1,location,latitude,longitude,geo_precision,source,notes,fatalities,"
    "civilian_targeting,disorder_type,tags\n"
)

UCDP = "\n".join(
    [
        "id,relid,year,type_of_violence,side_a,side_b,source_article,source_office,where_prec,"
        "where_coordinates,latitude,longitude,geom_wkt,date_start,date_end,deaths_a,deaths_b,"
        "deaths_civilians,deaths_unknown,best,high,low",
        ",,#date+year,,#group+name+first,#group+name+second,#meta+source,,,#loc+name,#geo+lat,"
        "#geo+lon,,#date+start,#date+end,,,,,#affected+killed,,",
        "101,UKR-1,2014,3,DPR,Civilians,AFP article,AFP,1,Donetsk town,48.0,37.8,"
        "POINT (37.8 48.0),2014-07-17 00:00:00.000,2014-07-17,0,0,12,0,12,15,10",
        "102,UKR-2,2014,1,Ukraine,DPR,,UNHCR,4,Luhansk oblast,48.5,39.3,POINT (39.3 48.5),"
        "2014-08-01,2014-08-01,2,3,1,0,6,6,6",
        "103,UKR-3,2015,1,Ukraine,DPR,Reuters,,2,Debaltseve,48.3,38.4,POINT (38.4 48.3),"
        "2015-02-01,2015-02-01,5,5,0,0,10,10,10",
        "",
    ]
)


def frame_of(tmp_path: Path, text: str) -> pd.DataFrame:
    path = tmp_path / "events.csv"
    path.write_text(text, encoding="utf-8")
    return read_table(path, SourceFormat.CSV)[0]


def by_code(findings: list) -> dict[str, object]:
    return {f.code: f for f in findings}


def test_detect() -> None:
    acled = ACLED_OLD_COLUMNS
    assert detect_preset(acled) == "acled"
    assert detect_preset([c.upper() for c in acled]) == "acled"
    assert detect_preset(UCDP.splitlines()[0].split(",")) == "ucdp_ged"
    assert detect_preset(["name", "lat", "lon", "event_date"]) is None


def test_acled_old_schema_focus_areas(tmp_path: Path) -> None:
    out, findings = apply_preset("acled", frame_of(tmp_path, acled_old_csv()))
    by_id = out.set_index("id")
    assert by_id["focus_areas"].to_dict() == {
        "UKR1": "poc",
        "UKR2": "crsv",
        "UKR3": "caac",  # boys abducted: the keyword heuristic
        "UKR4": "thb",
        "UKR5": "cpp",
        "UKR6": None,  # a battle: a conflict event, kept
        "UKR7": "poc",  # civilians among the associated targets
        "UKR8": None,  # a protest at a church: not violent, a conflict event
    }
    # Every event is kept: the battle and the protest as conflict events, with their types.
    assert by_id.loc["UKR6", "event_type"] == "Battles"
    assert by_id.loc["UKR6", "type"] == "Armed clash"
    assert by_id.loc["UKR6", "killed"] == 5
    assert by_id.loc["UKR6", "target"] == "Ukraine"
    areas = by_code(findings)["preset_focus_areas"]
    assert "poc 2, crsv 1, thb 1, caac 1, cpp 1, humanitarian_access 0" in areas.message
    assert "2 conflict events" in areas.message
    assert areas.count == 6
    types = by_code(findings)["preset_event_types"]
    assert types.count == 8
    assert "Violence against civilians 4" in types.message and "Battles 1" in types.message
    row = by_id.loc["UKR1"]
    assert row["date"] == pd.Timestamp("2022-05-13", tz="UTC")
    assert row["killed"] == 3
    assert row["perpetrator"] == "Russia"
    assert row["source"] == "Reuters"
    assert row["name"] == "Bucha"
    assert row["type"] == "Attack"
    assert row["verification"] == "reported"
    assert by_id["precision_m"].to_dict()["UKR3"] == 50_000
    assert row[SOURCE_ROW] == 1
    stored = conform(out, LayerKind.INCIDENT)
    assert len(stored) == 8
    assert stored.geometry.iloc[0].coords[0] == (30.22, 50.54)
    assert stored["focus_area"].fillna("-").tolist()[:6] == [
        "poc",
        "crsv",
        "caac",
        "thb",
        "cpp",
        "-",
    ]


def test_sexual_violence_against_a_child_is_crsv_and_caac(tmp_path: Path) -> None:
    text = ACLED_NEW_HEAD + (
        "UKR9,13 May 2022,2022,Violence against civilians,Sexual violence,Russia,"
        f"{CIV},,Kyiv,Bucha,50.54,30.22,1,Src,A 15-year-old girl was raped.,0,"
        "Civilian targeting,Political violence,\n"
        "UKR10,13 May 2022,2022,Explosions/Remote violence,Shelling/artillery/missile attack,"
        "Russia,,,Kharkiv,Kharkiv,50.0,36.2,1,Src,An aid convoy of the ICRC and a church were "
        "hit; two children were killed.,2,Civilian targeting,Political violence,\n"
    )
    out, findings = apply_preset("acled", frame_of(tmp_path, text))
    assert out["focus_areas"].tolist() == ["crsv;caac", "poc;caac;cpp;humanitarian_access"]
    stored = conform(out, LayerKind.INCIDENT)
    assert stored["focus_area"].tolist() == ["crsv", "poc"]  # the first: the map symbol
    message = by_code(findings)["preset_focus_areas"].message
    assert "poc 1, crsv 1, thb 0, caac 2, cpp 1, humanitarian_access 1" in message


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("14/08/2020 00:00:00", "2020-08-14"),
        ("2022-05-13", "2022-05-13"),
        ("44694", "2022-05-13"),  # an Excel serial number
        ("3 February 2024", "2024-02-03"),
    ],
)
def test_acled_new_schema_dates(tmp_path: Path, written: str, expected: str) -> None:
    text = ACLED_NEW_HEAD + (
        f"UKR9,{written},2020,Explosions/Remote violence,Air/drone strike,Russia,Ukraine,,"
        "Kyiv,Kyiv,50.45,30.52,1,Src,A strike.,0,Civilian targeting,Political violence,\n"
    )
    out, findings = apply_preset("acled", frame_of(tmp_path, text))
    assert out["date"].iloc[0] == pd.Timestamp(expected, tz="UTC")
    assert out["focus_areas"].iloc[0] == "poc"  # civilian_targeting
    assert "dates_unparsed" not in by_code(findings)


def test_acled_unreadable_date_is_an_error(tmp_path: Path) -> None:
    text = ACLED_NEW_HEAD + (
        "UKR9,someday,2020,Violence against civilians,Attack,Russia,Civilians,,Kyiv,Kyiv,"
        "50.45,30.52,1,Src,x,0,Civilian targeting,,\n"
    )
    _, findings = apply_preset("acled", frame_of(tmp_path, text))
    error = by_code(findings)["dates_unparsed"]
    assert error.severity == "error"
    assert error.rows == (1,)
    assert "'someday'" in error.message and "--drop-bad-dates" in error.message


def test_ucdp(tmp_path: Path) -> None:
    out, findings = apply_preset("ucdp_ged", frame_of(tmp_path, UCDP))
    # 103, fighting without civilian deaths, is kept as a conflict event.
    assert out["id"].tolist() == ["101", "102", "103"]
    assert out["focus_areas"].tolist() == ["poc", "poc", None]
    assert out["killed"].tolist() == [12, 6, 10]
    assert out["precision_m"].tolist() == [1_000, 150_000, 25_000]
    assert out["source"].tolist() == ["AFP", "UNHCR", "Reuters"]
    assert out["perpetrator"].tolist() == ["DPR", "Ukraine", "Ukraine"]
    assert out["target"].tolist() == ["Civilians", "DPR", "DPR"]
    assert out["type"].tolist() == ["one-sided violence", "state-based conflict"] * 1 + [
        "state-based conflict"
    ]
    assert out["event_type"].tolist() == out["type"].tolist()
    assert out["date"].iloc[0] == pd.Timestamp("2014-07-17", tz="UTC")
    assert out[SOURCE_ROW].tolist() == [1, 2, 3]
    assert by_code(findings)["preset_focus_areas"].count == 2
    assert "1 conflict events" in by_code(findings)["preset_focus_areas"].message
    assert len(conform(out, LayerKind.INCIDENT)) == 3


def test_unknown_preset_and_missing_columns(tmp_path: Path) -> None:
    frame = frame_of(tmp_path, "name,lat,lon\na,1,2\n")
    with pytest.raises(IngestError, match="'acled', 'ucdp_ged'"):
        apply_preset("gtd", frame)
    with pytest.raises(IngestError, match="event_id_cnty"):
        apply_preset("acled", frame)


@pytest.mark.parametrize(
    ("name", "preset", "rows"),
    [
        ("acled/2022-02-15-2022-05-18-Ukraine.csv", "acled", 6495),
        ("acled/ACLED-Ukraine_peacerep_sample_1000.csv", "acled", 1000),
        ("ucdp_ged/conflict_data_ukr_hdx_hxl.csv", "ucdp_ged", 2989),
    ],
)
def test_real_exports(name: str, preset: str, rows: int) -> None:
    path = DATA / name
    if not path.exists():
        pytest.skip(f"{path} is not here (shared data absent)")
    frame, _, _ = read_table(path, SourceFormat.CSV)
    assert detect_preset(frame.columns) == preset
    out, findings = apply_preset(preset, frame)
    codes = by_code(findings)
    assert "dates_unparsed" not in codes
    assert codes["preset_event_types"].count == rows
    stored = conform(out, LayerKind.INCIDENT)
    assert len(stored) == len(out) == rows  # every event is kept
    assert stored["date"].notna().all()
    if "peacerep" in name:
        assert stored["date"].min() >= pd.Timestamp("2018-01-01", tz="UTC")
        # 71 rows are coded 'Civilian targeting' in this sample: all are incidents.
        assert (stored["focus_area"] == "poc").sum() >= 71
    if preset == "ucdp_ged":
        assert set(stored["focus_area"].dropna()) == {"poc"}
