"""Event dates in every form ACLED and UCDP files carry; ambiguous and unreadable ones reported."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from humansec.ingest.dates import read_dates
from humansec.ingest.presets import apply_preset
from humansec.ingest.tabular import read_table
from humansec.ingest.types import SourceFormat

FEB16 = pd.Timestamp("2021-02-16", tz="UTC")


@pytest.mark.parametrize(
    "written",
    [
        "16-Feb-21",  # the field export refused before: day, English month, two-digit year
        "16-Feb-2021",
        "16-FEB-21",
        "16 February 2021",
        "16 Feb 2021",
        "February 16, 2021",
        "2021-02-16",
        "2021-02-16 00:00:00",
        "2021-02-16 00:00:00.000",  # UCDP GED
        "2021-02-16T00:00:00Z",
        "2021/02/16",
        "2/16/2021",  # US; Excel re-saved on a US machine
        "2/16/21",
        "16/02/2021",
        "16/02/2021 00:00:00",  # Excel re-saved, day first
        "16.02.2021",
        "16-02-2021",
        "44243",  # an Excel serial written out as text
        "44243.0",
        " 16 February 2021 ",
    ],
)
def test_every_date_form(written: str) -> None:
    reading = read_dates(pd.Series([written]))
    assert reading.dates.iloc[0] == FEB16
    assert not reading.unreadable.any()
    assert not reading.ambiguous.any()


@pytest.mark.parametrize(
    "cells",
    [
        pd.Series([44243, 44243.0]),  # Excel serials as numbers
        pd.Series(pd.to_datetime(["2021-02-16", "2021-02-16"])),  # cells Excel typed as dates
        pd.Series([dt.datetime(2021, 2, 16), "16-Feb-21"], dtype=object),  # a mixed column
        pd.Series([44243, "16 February 2021"], dtype=object),
    ],
)
def test_cells_from_a_spreadsheet(cells: pd.Series) -> None:
    reading = read_dates(cells)
    assert reading.dates.tolist() == [FEB16, FEB16]
    assert not reading.unreadable.any()


def test_the_file_decides_day_or_month_first() -> None:
    day_first = read_dates(pd.Series(["3/4/2021", "16/2/2021"]))
    assert day_first.order == "day first"
    assert day_first.dates.iloc[0] == pd.Timestamp("2021-04-03", tz="UTC")
    month_first = read_dates(pd.Series(["3/4/2021", "2/16/2021"]))
    assert month_first.order == "month first"
    assert month_first.dates.iloc[0] == pd.Timestamp("2021-03-04", tz="UTC")


def test_ambiguous_dates_are_never_guessed() -> None:
    reading = read_dates(pd.Series(["3/4/2021", "5/5/2021", "16-Feb-21"]))
    assert reading.ambiguous.tolist() == [True, False, False]
    assert pd.isna(reading.dates.iloc[0])
    assert reading.dates.iloc[1] == pd.Timestamp("2021-05-05", tz="UTC")  # same either way
    # A file mixing both orders: each date by its own numbers, the rest ambiguous.
    mixed = read_dates(pd.Series(["16/2/2021", "2/16/2021", "3/4/2021"]))
    assert mixed.order == "each by itself"
    assert mixed.dates.iloc[:2].tolist() == [FEB16, FEB16]
    assert mixed.ambiguous.tolist() == [False, False, True]


@pytest.mark.parametrize("written", ["someday", "31/02/2021", "2021", "", None, "16-Foo-21"])
def test_unreadable_dates(written: object) -> None:
    reading = read_dates(pd.Series([written, "16-Feb-21"], dtype=object))
    assert reading.unreadable.tolist() == [True, False]
    assert not reading.ambiguous.any()


ACLED_HEAD = (
    "event_id_cnty,event_date,year,event_type,sub_event_type,actor1,actor2,latitude,longitude,"
    "notes,fatalities\n"
)


def _acled(tmp_path: Path, dates: list[str]) -> pd.DataFrame:
    rows = "".join(
        f"UKR{i},{d},2021,Battles,Armed clash,A,B,50.{i},30.{i},Fighting.,{i}\n"
        for i, d in enumerate(dates, start=1)
    )
    path = tmp_path / "acled.csv"
    path.write_text(ACLED_HEAD + rows, encoding="utf-8")
    return read_table(path, SourceFormat.CSV)[0]


def test_the_report_lists_ambiguous_and_unreadable_rows(tmp_path: Path) -> None:
    frame = _acled(tmp_path, ["3/4/2021", "16-Feb-21", "sometime", "5/6/2021", "7/7/2021"])
    out, findings = apply_preset("acled", frame)
    codes = {f.code: f for f in findings}
    ambiguous, unreadable = codes["dates_ambiguous"], codes["dates_unparsed"]
    assert (ambiguous.severity, ambiguous.rows, ambiguous.count) == ("error", (1, 4), 2)
    assert "row 1: '3/4/2021'" in ambiguous.message
    assert (unreadable.severity, unreadable.rows) == ("error", (3,))
    assert len(out) == 5  # refused as a whole by the worker while these errors stand


def test_the_analyst_can_leave_those_rows_out(tmp_path: Path) -> None:
    frame = _acled(tmp_path, ["3/4/2021", "16-Feb-21", "sometime", "5/6/2021", "7/7/2021"])
    out, findings = apply_preset("acled", frame, drop_bad_dates=True)
    codes = {f.code: f for f in findings}
    assert codes["dates_ambiguous"].severity == "warning"
    assert codes["dates_ambiguous"].rows == (1, 4)
    assert codes["dates_unparsed"].severity == "warning"
    assert "left out" in codes["dates_unparsed"].message
    assert out["id"].tolist() == ["UKR2", "UKR5"]
    assert out["date"].tolist() == [FEB16, pd.Timestamp("2021-07-07", tz="UTC")]
    assert codes["preset_event_types"].count == 2
