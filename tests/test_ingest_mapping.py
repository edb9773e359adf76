"""Tests for humansec.ingest.mapping: applying a mapping, conversion findings, left-out rows."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from humansec.errors import IngestError
from humansec.ingest.mapping import (
    LEAVE_OUT,
    apply_mapping,
    distinct_values,
)
from humansec.ingest.suggest import suggest_mapping
from humansec.ingest.types import SOURCE_ROW, FieldMapping
from humansec.model import LayerKind, conform
from tests.ingest_frames import by_code, errors, make

# --- leaving rows out ---------------------------------------------------------------------


# row 4 is 'Natural ' with a space at the end
WHC_CATEGORIES = ["Cultural", "Natural", "Mixed", "Natural ", "Cultural", "Natural", "Cultural"]


def whc_frame():
    return make(
        {
            "id_no": [1, 2, 3, 4, 5, 6, 7, 8],
            "name_en": ["a", "b", "c", "d", "e", "f", "g", "h"],
            "category": [*WHC_CATEGORIES, "Cultural"],
            "date_inscribed": [1990, 1991, 1992, 1993, 1994, 1995, 1996, 1997],
            "danger": ["0", "perhaps", "1", "0", "0", "0", "0", "1"],  # row 2 is left out
        }
    )


def test_natural_sites_can_be_left_out():
    frame = whc_frame()
    suggested = suggest_mapping(frame, LayerKind.CULTURAL)
    assert suggested.columns["protection"] == "category"
    mapping = suggested.overridden(
        columns={"in_danger": "danger"}, values={"protection": {"Natural": LEAVE_OUT}}
    )
    out, findings = apply_mapping(frame, mapping)
    assert [f.code for f in findings] == ["rows_left_out"]
    found = findings[0]
    assert found.severity == "warning"
    assert (found.rows, found.count) == ((2, 4, 6), 3)
    assert found.message.startswith(
        "3 rows whose category is 'Natural' were left out, as the mapping says (rows 2, 4 and 6)"
    )
    assert out[SOURCE_ROW].tolist() == [1, 3, 5, 7, 8]
    assert out["protection"].tolist() == ["world_heritage"] * 5
    assert out["in_danger"].tolist() == [False, True, False, False, True]
    assert len(conform(out, LayerKind.CULTURAL)) == 5


def test_left_out_rows_cause_no_other_finding():
    frame = make(
        {
            "code": ["A", "B", "A", None],
            "kind": ["school", "Bus stop", "Bus stop", "Bus stop"],
        }
    )
    mapping = FieldMapping(
        "humanitarian_site",
        columns={"id": "code", "category": "kind"},
        values={"category": {"Bus stop": ""}},
    )
    out, findings = apply_mapping(frame, mapping)
    assert [f.code for f in findings] == ["rows_left_out"]  # no duplicate id, no empty id
    assert findings[0].message.startswith("3 rows whose kind is 'Bus stop' were left out")
    assert out["id"].tolist() == ["A"]
    conform(out, LayerKind.HUMANITARIAN_SITE)


def test_a_value_of_an_optional_field_can_be_left_out():
    frame = incident_frame(verif=["Confirmed", "rumour", "unverified", None])
    frame["code"] = [1.0, 2.0, np.nan, 2.0]  # values as distinct_values gives them: "2"
    mapping = FieldMapping(
        "incident",
        columns={**INCIDENT.columns, "verification": "verif", "precision_m": "code"},
        values={"verification": {"Confirmed": "verified", "rumour": LEAVE_OUT}},
    )
    out, findings = apply_mapping(frame, mapping)
    assert [f.code for f in findings] == ["rows_left_out"]
    assert findings[0].message.startswith("1 row whose verif is 'rumour' was left out")
    assert out[SOURCE_ROW].tolist() == [1, 3, 4]
    assert out["verification"].tolist()[:2] == ["verified", "unverified"]
    assert len(conform(out, LayerKind.INCIDENT)) == 3
    # several values and fields in one warning; the key matches a whole float written as "2"
    assert distinct_values(frame)["code"] == ["2", "1"]
    mapping = mapping.overridden(
        columns={"precision_m": "code"}, values={"precision_m": {"2": LEAVE_OUT}}
    )
    out, findings = apply_mapping(frame, mapping)
    assert [f.code for f in findings] == ["rows_left_out"]
    assert findings[0].rows == (2, 4)
    assert "2 rows whose code is '2' and 1 row whose verif is 'rumour' were" in findings[0].message
    assert out["precision_m"].tolist()[0] == 1.0
    assert len(conform(out, LayerKind.INCIDENT)) == 2


def test_leaving_out_every_row_is_an_error():
    frame = make({"name": ["a", "b"], "category": ["Natural", "Natural"]})
    mapping = FieldMapping(
        "cultural", columns={"protection": "category"}, values={"protection": {"Natural": ""}}
    )
    out, findings = apply_mapping(frame, mapping)
    assert len(out) == 0
    assert by_code(findings)["all_rows_left_out"].severity == "error"


# --- applying -------------------------------------------------------------------------------


def incident_frame(**overrides: list[object]):
    columns: dict[str, list[object]] = {
        "event_id": ["E1", "E2", "E3", "E4"],
        "event_date": ["2022-03-01", "2022-03-02T10:00:00Z", "2022-03-03", "2022-03-04"],
        "focus": ["poc", "crsv", "POC", "cpp"],
        "fatalities": [0, 3, 1, 2],
        "notes": ["a", "b", "c", "d"],
    }
    columns.update(overrides)
    return make(columns)


INCIDENT = FieldMapping(
    "incident",
    columns={"id": "event_id", "date": "event_date", "focus_area": "focus", "killed": "fatalities"},
)


def test_a_clean_frame_maps_and_conforms():
    out, findings = apply_mapping(incident_frame(), INCIDENT)
    assert findings == []
    assert out["focus_area"].tolist() == ["poc", "crsv", "poc", "cpp"]  # case fixed
    assert str(out["date"].dtype) == "datetime64[us, UTC]"
    assert out["date"].iloc[1] == pd.Timestamp("2022-03-02T10:00:00Z")
    assert out["killed"].dtype == "Int64"
    assert out[SOURCE_ROW].tolist() == [1, 2, 3, 4]
    assert "notes" in out.columns
    conformed = conform(out, LayerKind.INCIDENT)
    assert len(conformed) == 4


def test_day_first_dates_are_found_and_reported():
    frame = incident_frame(event_date=["13/05/2022", "01/06/2022", "02/06/2022", "28/02/2022"])
    out, findings = apply_mapping(frame, INCIDENT)
    found = by_code(findings)["date_format_assumed"]
    assert found.severity == "info"
    assert "%d/%m/%Y" in found.message
    assert out["date"].iloc[1] == pd.Timestamp("2022-06-01", tz="UTC")


def test_ambiguous_day_month_dates_say_day_first_was_assumed():
    frame = incident_frame(event_date=["01/02/2022", "03/04/2022", "05/06/2022", "07/08/2022"])
    out, findings = apply_mapping(frame, INCIDENT)
    assert "day first is assumed" in by_code(findings)["date_format_assumed"].message
    assert out["date"].iloc[0] == pd.Timestamp("2022-02-01", tz="UTC")


def test_acled_style_dates():
    frame = incident_frame(event_date=["13 May 2022", "1 March 2022", "24 February 2022", "x"])
    out, findings = apply_mapping(frame, INCIDENT)
    found = by_code(findings)
    assert "%d %B %Y" in found["date_format_assumed"].message
    assert found["value_invalid"].severity == "error"  # date is required
    assert found["value_invalid"].rows == (4,)
    assert "'x'" in found["value_invalid"].message
    assert out["date"].iloc[1] == pd.Timestamp("2022-03-01", tz="UTC")
    assert "required_empty" not in found  # the bad row is reported once


def test_an_optional_date_that_does_not_parse_is_emptied_with_a_warning():
    frame = make({"name": ["a", "b"], "pop": [1, 2], "when": ["2022-01-01", "soon"]})
    mapping = FieldMapping("population", columns={"population": "pop", "date": "when"})
    out, findings = apply_mapping(frame, mapping)
    found = by_code(findings)["value_invalid"]
    assert found.severity == "warning"
    assert found.rows == (2,)
    assert out["date"].isna().tolist() == [False, True]
    assert errors(findings) == []
    conform(out, LayerKind.POPULATION)


def test_numbers_are_read_and_bad_ones_reported():
    frame = make(
        {
            "pop": ["1 234", "2,500", "many", "-5", "7.5"],
            "share": ["0.5", "0,25", "1.5", None, ""],
        }
    )
    mapping = FieldMapping("population", columns={"population": "pop", "share_female": "share"})
    out, findings = apply_mapping(frame, mapping)
    assert out["population"].tolist()[:2] == [1234, 2500]
    assert out["share_female"].tolist()[:2] == [0.5, 0.25]
    messages = {(f.code, f.rows, f.severity) for f in findings}
    assert ("value_invalid", (3,), "error") in messages  # not a number
    assert ("value_invalid", (4,), "error") in messages  # negative population
    assert ("value_invalid", (5,), "error") in messages  # not a whole number
    assert ("value_invalid", (3,), "warning") in messages  # share 1.5 outside 0..1


def test_optional_categorical_value_outside_allowed_is_emptied():
    frame = make({"name": ["a", "b"], "verif": ["Confirmed", "maybe"]})
    mapping = FieldMapping(
        "incident",
        columns={"verification": "verif"},
        constants={"date": "2022-03-01", "focus_area": "poc"},
        values={"verification": {"Confirmed": "verified"}},
    )
    out, findings = apply_mapping(frame, mapping)
    found = by_code(findings)["value_not_allowed"]
    assert found.severity == "warning"
    assert found.rows == (2,)
    assert out["verification"].tolist()[0] == "verified"
    assert out["verification"].isna().tolist() == [False, True]
    assert errors(findings) == []
    conform(out, LayerKind.INCIDENT)


def test_required_field_unmapped_or_empty():
    frame = incident_frame(event_date=["2022-03-01", None, " ", "2022-03-04"])
    _out, findings = apply_mapping(frame, INCIDENT)
    found = by_code(findings)["required_empty"]
    assert found.severity == "error"
    assert found.rows == (2, 3)
    mapping = FieldMapping("incident", columns={"id": "event_id", "focus_area": "focus"})
    found = by_code(apply_mapping(frame, mapping)[1])["field_unmapped"]
    assert "'date'" in found.message
    assert "'event_date'" in found.message


def test_an_incident_without_a_focus_area_is_a_conflict_event():
    frame = incident_frame(focus=["poc", None, " ", "cpp"])
    out, findings = apply_mapping(frame, INCIDENT)
    assert errors(findings) == []
    conformed = conform(out, LayerKind.INCIDENT)
    assert conformed["focus_areas"].fillna("-").tolist() == ["poc", "-", "-", "cpp"]


def test_constant_fills_the_rows_a_column_leaves_empty():
    frame = incident_frame(focus=["crsv", None, "", "cpp"])
    mapping = FieldMapping(
        "incident", columns=dict(INCIDENT.columns), constants={"focus_area": "poc"}
    )
    out, findings = apply_mapping(frame, mapping)
    assert errors(findings) == []
    assert out["focus_area"].tolist() == ["crsv", "poc", "poc", "cpp"]


def test_ids_from_rows_and_duplicate_ids():
    frame = incident_frame()
    mapping = FieldMapping(
        "incident", columns={k: v for k, v in INCIDENT.columns.items() if k != "id"}
    )
    out, findings = apply_mapping(frame, mapping)
    assert by_code(findings)["ids_from_rows"].severity == "info"
    assert out["id"].tolist() == ["1", "2", "3", "4"]
    out, findings = apply_mapping(incident_frame(event_id=["E1", "E2", "E1", "E3"]), INCIDENT)
    found = by_code(findings)["id_duplicate"]
    assert found.severity == "error"
    assert found.rows == (1, 3)
    assert "'E1'" in found.message


def test_numeric_ids_read_back_without_decimals():
    frame = incident_frame(event_id=[101.0, 102.0, np.nan, 104.0])
    out, findings = apply_mapping(frame, INCIDENT)
    assert out["id"].tolist()[:2] == ["101", "102"]
    assert by_code(findings)["required_empty"].rows == (3,)


def test_extra_columns_are_sanitised_and_kept_clear_of_reserved_names():
    frame = make(
        {
            "Name": ["a", "b"],
            "Category": ["x", "y"],
            "fid": [1, 2],
            "Layer ID": ["l", "m"],
            "2nd name": ["c", "d"],
            "Événement": ["e", "f"],
        }
    )
    mapping = FieldMapping(
        "infrastructure", columns={"name": "Name"}, constants={"category": "dam"}
    )
    out, findings = apply_mapping(frame, mapping)
    assert {"category_2", "fid_2", "layer_id_2", "c_2nd_name", "evenement"} <= set(out.columns)
    assert out["category"].tolist() == ["dam", "dam"]
    assert out["category_2"].tolist() == ["x", "y"]
    assert "'Layer ID' as layer_id_2" in by_code(findings)["columns_renamed"].message
    conform(out, LayerKind.INFRASTRUCTURE)


def test_mapping_to_unknown_fields_or_columns_is_an_error():
    frame = incident_frame()
    mapping = FieldMapping(
        "incident", columns={**INCIDENT.columns, "colour": "notes", "name": "missing"}
    )
    found = by_code(apply_mapping(frame, mapping)[1])
    assert "'colour'" in found["mapping_unknown_field"].message
    assert "'missing'" in found["mapping_unknown_column"].message
    assert "'notes'" in found["mapping_unknown_column"].message


def test_optional_value_message_says_how_to_map_it():
    frame = make({"name": ["a"], "verif": ["maybe so"]})
    mapping = FieldMapping(
        "incident",
        columns={"verification": "verif"},
        constants={"date": "2022-03-01", "focus_area": "poc"},
    )
    found = by_code(apply_mapping(frame, mapping)[1])["value_not_allowed"]
    assert "CLI: --value 'verification:maybe so=verified'" in found.message


def test_distinct_values():
    frame = make(
        {
            "category": ["Cultural", "Natural", "Cultural", None, " Natural", "Cultural", ""],
            "code": [1.0, 2.0, 2.0, np.nan, 2.0, 3.0, 3.0],
            "flag": [True, False, True, True, True, False, True],
            "name": ["a", "b", "c", "d", "e", "f", "g"],
        }
    )
    found = distinct_values(frame, limit=3)
    assert found == {
        "category": ["Cultural", "Natural"],  # blank and missing left out, spaces stripped
        "code": ["2", "3", "1"],
        "flag": ["True", "False"],
    }
    assert "name" in distinct_values(frame)  # 7 values are within the default limit
    assert distinct_values(frame.iloc[:0]) == {}


def test_distinct_values_of_large_columns():
    n = 15_000
    frame = make(
        {
            "few": np.where(np.arange(n) % 10 == 0, "rare", "common"),
            "many": np.arange(n).astype(str),
            # one value for the first 10,000 rows, then a different value in each row
            "late": np.r_[np.zeros(10_000, dtype=int), np.arange(1, n - 9_999)].astype(str),
            # 60 distinct raw values that are 40 once spaces are stripped
            "padded": [f"v{i % 40}" + " " * (i % 60 // 40) for i in range(n)],
        }
    )
    found = distinct_values(frame, limit=50)
    assert found["few"] == ["common", "rare"]
    assert "many" not in found
    assert "late" not in found
    assert len(found["padded"]) == 40
    assert SOURCE_ROW not in found


def test_refuses_a_frame_without_source_rows():
    with pytest.raises(IngestError, match=SOURCE_ROW):
        apply_mapping(incident_frame().drop(columns=SOURCE_ROW), INCIDENT)


def test_bool_values():
    frame = make({"name": ["a", "b", "c", "d"], "danger": ["Yes", "no", "1", "perhaps"]})
    mapping = FieldMapping(
        "cultural", columns={"in_danger": "danger"}, constants={"protection": "general"}
    )
    out, findings = apply_mapping(frame, mapping)
    assert out["in_danger"].tolist()[:3] == [True, False, True]
    assert by_code(findings)["value_invalid"].rows == (4,)
    conform(out, LayerKind.CULTURAL)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 10**9), st.text(max_size=8)),
        min_size=1,
        max_size=25,
    )
)
def test_valid_rows_keep_their_count_and_order(rows):
    frame = make({"pop": [p for p, _ in rows], "label": [t for _, t in rows]})
    frame = frame.iloc[::-1]  # any order and index
    mapping = FieldMapping("population", columns={"population": "pop", "name": "label"})
    out, findings = apply_mapping(frame, mapping)
    assert errors(findings) == []
    assert out[SOURCE_ROW].tolist() == frame[SOURCE_ROW].tolist()
    assert out["population"].tolist() == frame["pop"].tolist()
    assert len(conform(out, LayerKind.POPULATION)) == len(rows)


SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.mark.skipif(not SHARED.exists(), reason="../shared/data is not present")
def test_real_heritage_and_geonames_files():
    whc = pd.read_csv(SHARED / "unesco_whc" / "whc_sites_2021_slim.csv")
    whc[SOURCE_ROW] = np.arange(1, len(whc) + 1)
    frame = gpd.GeoDataFrame(
        whc, geometry=gpd.points_from_xy(whc["longitude"], whc["latitude"]), crs="EPSG:4326"
    )
    mapping = suggest_mapping(frame, LayerKind.CULTURAL)
    assert mapping.columns["name"] == "name_en"
    assert mapping.columns["in_danger"] == "danger"
    out, findings = apply_mapping(frame, mapping)
    assert [f.count for f in errors(findings)] == [int((whc["category"] == "Natural").sum())]
    assert int(out["in_danger"].sum()) == 52
    natural = int((whc["category"] == "Natural").sum())
    out, findings = apply_mapping(
        frame, mapping.overridden(values={"protection": {"Natural": LEAVE_OUT}})
    )
    assert errors(findings) == []
    assert by_code(findings)["rows_left_out"].count == natural
    assert len(conform(out, LayerKind.CULTURAL)) == len(whc) - natural
    assert distinct_values(frame)["category"][0] == "Cultural"
    cities = pd.read_csv(SHARED / "geonames" / "geonames_cities5000_UA_SY_IQ_BF_ML_NE.csv")
    cities[SOURCE_ROW] = np.arange(1, len(cities) + 1)
    frame = gpd.GeoDataFrame(
        cities,
        geometry=gpd.points_from_xy(cities["longitude"], cities["latitude"]),
        crs="EPSG:4326",
    )
    out, findings = apply_mapping(frame, suggest_mapping(frame, LayerKind.POPULATION))
    assert errors(findings) == []
    assert len(conform(out, LayerKind.POPULATION)) == len(cities)
