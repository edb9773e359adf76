"""Tests for humansec.ingest.suggest: suggestions for real column sets, checked by applying them."""

from __future__ import annotations

from humansec.ingest.mapping import apply_mapping
from humansec.ingest.suggest import suggest_mapping
from humansec.model import LayerKind, conform
from tests.ingest_frames import by_code, errors, make


def test_unesco_columns():
    frame = make(
        {
            "unique_number": [230, 231, 232, 233],
            "id_no": [208, 209, 210, 211],
            "name_en": ["Kyiv: Saint-Sophia", "L'viv", "Struve Arc", "Odesa"],
            "category": ["Cultural", "Cultural", "Mixed", "Cultural"],
            "date_inscribed": [1990, 1998, 2005, 2023],
            "danger": [0, 0, 0, 1],
            "longitude": [30.5, 24.0, 28.0, 30.7],
            "latitude": [50.4, 49.8, 47.0, 46.5],
        }
    )
    mapping = suggest_mapping(frame, LayerKind.CULTURAL)
    assert dict(mapping.columns) == {
        "id": "id_no",
        "name": "name_en",
        "protection": "category",
        "in_danger": "danger",
    }
    assert mapping.values == {
        "protection": {"Cultural": "world_heritage", "Mixed": "world_heritage"}
    }
    out, findings = apply_mapping(frame, mapping)
    assert errors(findings) == []
    assert out["in_danger"].tolist() == [False, False, False, True]
    conform(out, LayerKind.CULTURAL)


def test_unesco_natural_sites_are_not_cultural_property():
    frame = make(
        {
            "id_no": [1, 2, 3, 4],
            "name_en": ["a", "b", "c", "d"],
            "category": ["Cultural", "Natural", "Cultural", "Cultural"],
            "date_inscribed": [1990, 1991, 1992, 1993],
        }
    )
    mapping = suggest_mapping(frame, LayerKind.CULTURAL)
    assert "Natural" not in mapping.values["protection"]  # leaving out is never guessed
    _, findings = apply_mapping(frame, mapping)
    found = by_code(findings)["value_not_allowed"]
    assert found.severity == "error"
    assert found.rows == (2,)
    assert "'Natural'" in found.message
    assert "leave those rows out" in found.message
    assert "CLI: --value protection:Natural=)" in found.message


def test_cultural_word_maps_to_world_heritage_only_in_a_heritage_list():
    frame = make({"name": ["a", "b"], "status": ["Cultural", "Cultural"]})
    assert "protection" not in suggest_mapping(frame, LayerKind.CULTURAL).columns


def test_geonames_columns():
    frame = make(
        {
            "geonameid": [703448, 702550, 706483],
            "name": ["Kyiv", "Lviv", "Kharkiv"],
            "latitude": [50.45, 49.84, 49.99],
            "longitude": [30.52, 24.02, 36.23],
            "countrycode": ["UA", "UA", "UA"],
            "population": [2797553, 717803, 1430885],
            "timezone": ["Europe/Kyiv"] * 3,
        }
    )
    mapping = suggest_mapping(frame, LayerKind.POPULATION)
    assert dict(mapping.columns) == {"id": "geonameid", "name": "name", "population": "population"}


def test_unhcr_idp_columns():
    frame = make(
        {
            "#": [113, 187, 188],
            "admin4Pcode": ["UA0702021002", "UA5104013001", "UA5104013002"],
            "admin4Name_eng": ["Ambukiv", "Andriivka", "Andriivka"],
            "admin4Name_ukr": ["Амбуків", "Андріївка", "Андріївка"],
            "admin3Name_eng": ["Ustyluzka", "Molohivska", "Molohivska"],
            "Population": [232, 1203, 1203],
            "Population_source": ["Census 2001"] * 3,
            "X Longitude": [23.98, 30.08, 30.08],
            "Y Latitude": [50.79, 46.22, 46.22],
            "IDP estimation": [232, 1203, 1203],
        }
    )
    mapping = suggest_mapping(frame, LayerKind.POPULATION)
    assert mapping.columns["name"] == "admin4Name_eng"
    assert mapping.columns["population"] == "Population"
    assert mapping.columns["id"] == "admin4Pcode"
    out, findings = apply_mapping(frame, mapping)
    assert errors(findings) == []
    assert {"admin4_name_ukr", "idp_estimation", "column", "x_longitude"} <= set(out.columns)
    conform(out, LayerKind.POPULATION)


def test_border_crossing_columns():
    frame = make(
        {
            "Name - English": ["Yahodyn - Dorohusk", "Uhryniv - Dolhobychuv"],
            "Name - Ukrainian": ["Ягодин - Дорогуск", "Угринів - Долгобичув"],
            "Country": ["Poland", "Poland"],
            "Lat": [51.18, 50.57],
            "Long": [23.80, 24.08],
        }
    )
    mapping = suggest_mapping(frame, LayerKind.HUMANITARIAN_SITE)
    assert dict(mapping.columns) == {"name": "Name - English"}
    _, findings = apply_mapping(frame, mapping)
    found = by_code(findings)["field_unmapped"]
    assert "'category'" in found.message
    assert "'Country'" in found.message  # lists the columns to choose from


def test_hxl_tags_from_attrs_win_over_names():
    frame = make(
        {
            "a": ["MSF", "ICRC"],
            "b": [3, 0],
            "c": ["2022-03-01", "2022-03-02"],
            "d": ["Mariupol", "Kharkiv"],
            "name": ["x", "y"],
        },
        hxl={"a": "#org", "b": "#affected+killed", "c": "#date+occurred", "d": "#loc+name"},
    )
    incident = suggest_mapping(frame, LayerKind.INCIDENT)
    assert incident.columns["killed"] == "b"
    assert incident.columns["date"] == "c"
    assert incident.columns["name"] == "d"
    site = suggest_mapping(frame, LayerKind.HUMANITARIAN_SITE)
    assert site.columns["organisation"] == "a"


def test_hxl_tags_as_column_names():
    frame = make({"#org": ["UNHCR", "IOM"], "#loc+name": ["Uzhhorod", "Mukachevo"]})
    mapping = suggest_mapping(frame, LayerKind.HUMANITARIAN_SITE)
    assert mapping.columns["organisation"] == "#org"
    assert mapping.columns["name"] == "#loc+name"


def test_category_values_are_suggested():
    values = [
        "Hospital",
        "Health centre",
        "clinic",
        "IDP camp",
        "Collective Centre",
        "Central District Hospital",
        "School",
        "Bus stop",
    ]
    frame = make({"Site name": [f"s{i}" for i in range(8)], "Type": values})
    mapping = suggest_mapping(frame, LayerKind.HUMANITARIAN_SITE)
    assert mapping.columns["category"] == "Type"
    assert mapping.values["category"] == {
        "Hospital": "hospital",
        "Health centre": "clinic",
        "IDP camp": "idp_site",
        "Collective Centre": "idp_site",
        "Central District Hospital": "hospital",
        "School": "school",
    }
    out, findings = apply_mapping(frame, mapping)
    found = by_code(findings)["category_other"]  # kept as 'other', not refused (issue 13)
    assert found.severity == "warning"
    assert found.rows == (8,)
    assert "'Bus stop'" in found.message
    assert out["category"].iloc[-1] == "other"
    assert out["category_source"].iloc[-1] == "Bus stop"


def test_places_of_worship():
    frame = make(
        {"name": ["a", "b", "c", "d"], "class": ["Church", "mosque", "Cathedral", "Museum"]}
    )
    mapping = suggest_mapping(frame, LayerKind.CULTURAL)
    assert mapping.columns["category"] == "class"
    assert set(mapping.values["category"].values()) == {"place_of_worship", "museum"}


def test_no_column_fills_two_fields_and_name_is_not_the_id():
    frame = make({"name": ["a", "b", "c"], "population": [1, 2, 3]})
    mapping = suggest_mapping(frame, LayerKind.POPULATION)
    assert dict(mapping.columns) == {"name": "name", "population": "population"}


def test_an_id_column_with_repeats_is_not_suggested():
    frame = make({"id": [1, 1, 2], "code": ["a", "b", "c"], "population": [1, 2, 3]})
    assert suggest_mapping(frame, LayerKind.POPULATION).columns["id"] == "code"


def test_place_names_in_from_and_to_are_not_dates():
    frame = make({"From": ["Mariupol", "Sumy"], "To": ["Zaporizhzhia", "Poltava"]})
    mapping = suggest_mapping(frame, LayerKind.HUMANITARIAN_MOVEMENT)
    assert "valid_from" not in mapping.columns
    assert "valid_to" not in mapping.columns


def test_a_unix_timestamp_is_not_a_date():
    frame = make(
        {"timestamp": [1652450000, 1652460000], "event_date": ["13 May 2022", "14 May 2022"]}
    )
    assert suggest_mapping(frame, LayerKind.INCIDENT).columns["date"] == "event_date"
