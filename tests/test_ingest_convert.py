"""Tests for humansec.ingest.convert (conversions are also tested through apply_mapping)."""

from __future__ import annotations

import pandas as pd

from humansec.ingest.convert import (
    choose_date_format,
    normalise_name,
    to_bools,
    to_dates,
    to_numbers,
)
from humansec.model import KIND_SPECS, LayerKind


def test_normalise_name():
    assert normalise_name("  Name - English ") == "name_english"
    assert normalise_name("admin4Name_eng") == "admin4_name_eng"
    assert normalise_name("Événement Date") == "evenement_date"
    assert normalise_name("#affected+killed") == "affected_killed"


def test_numbers_read_grouped_and_decimal_comma_text() -> None:
    population = KIND_SPECS[LayerKind.POPULATION].field("population")
    share = KIND_SPECS[LayerKind.POPULATION].field("share_female")
    text = pd.Series(["1 234", "5,000", "12", "many", None, "inf"])
    assert to_numbers(text, population).tolist()[:3] == [1234.0, 5000.0, 12.0]
    assert to_numbers(text, population).iloc[3:].isna().all()
    assert to_numbers(pd.Series(["0,5", "0.25"]), share).tolist() == [0.5, 0.25]


def test_yes_and_no_in_several_languages() -> None:
    values = pd.Series(["Yes", "no", "1", "так", "нет", "maybe", None])
    assert to_bools(values).tolist() == [True, False, True, True, False, pd.NA, pd.NA]


def test_day_first_dates_are_chosen_and_said() -> None:
    fmt, note = choose_date_format(pd.Series(["14/08/2020 00:00:00", "01/02/2021 00:00:00"]))
    assert fmt == "%d/%m/%Y %H:%M:%S"
    assert "14/08/2020" not in note  # the note names the format, not a row
    assert "day first" not in note  # 14 cannot be a month: no ambiguity to report
    fmt, note = choose_date_format(pd.Series(["01/02/2021", "03/04/2021"]))
    assert fmt is not None
    assert fmt.startswith("%d/%m/")
    assert "day first is assumed" in note


def test_dates_from_text_years_and_excel_serials() -> None:
    iso, note = to_dates(pd.Series(["2022-05-13", None, "nonsense"]))
    assert iso.iloc[0] == pd.Timestamp("2022-05-13", tz="UTC")
    assert iso.iloc[1:].isna().all()
    assert note == ""
    years, note = to_dates(pd.Series([2014, 2021]))
    assert years.iloc[1] == pd.Timestamp("2021-01-01", tz="UTC")
    assert "years" in note
    serials, note = to_dates(pd.Series([44694.0]))  # Excel's day number of 13 May 2022
    assert serials.iloc[0] == pd.Timestamp("2022-05-13", tz="UTC")
    assert "Excel" in note
