from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from humansec.tables import neutralise, to_csv_bytes


@pytest.mark.parametrize(
    "text", ["=1+2", "+44 20 7946", "-3", "@SUM(A1)", "\tx", "\r=1", '=HYPERLINK("x")']
)
def test_dangerous_text_gets_an_apostrophe(text: str) -> None:
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["ok", "Ełk", "", "a=b", 3, -3.5, None])
def test_harmless_values_are_unchanged(value: object) -> None:
    assert neutralise(value) == value


def test_csv_keeps_numbers_numeric_and_defuses_text() -> None:
    frame = pd.DataFrame(
        {"name": ["=cmd|' /C calc'!A0", "Suwałki"], "distance_m": [-1.5, 250.0], "n": [1, 2]}
    )
    rows = list(csv.reader(io.StringIO(to_csv_bytes(frame).decode("utf-8-sig"))))
    assert rows[0] == ["name", "distance_m", "n"]
    assert rows[1] == ["'=cmd|' /C calc'!A0", "-1.5", "1"]
    assert rows[2] == ["Suwałki", "250.0", "2"]


def test_csv_keeps_a_carriage_return_inside_its_cell() -> None:
    frame = pd.DataFrame({"note": ["line one\rline two", "\r=1+2"], "n": [1, 2]})
    rows = list(csv.reader(io.StringIO(to_csv_bytes(frame).decode("utf-8-sig"), newline="")))
    assert rows == [["note", "n"], ["line one\rline two", "1"], ["'\r=1+2", "2"]]
