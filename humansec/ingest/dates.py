"""Event dates in every form ACLED and UCDP files carry, and the ones that cannot be told.

Read, per cell: ``13 May 2022`` and ``13 May 22``; ``16-Feb-21`` and ``16-Feb-2021`` (Excel's
``d-mmm-yy``); ``May 13, 2022``; ISO ``2022-05-13`` (with a time or not); ``2022/05/13``;
numeric day/month forms with ``/``, ``.`` or ``-`` (``14/08/2020 00:00:00``, ``2/16/2021``,
``16.02.2021``, two- or four-digit years); Excel serial day numbers, as numbers or as text;
and cells an Excel reader already gives as dates.

A numeric form such as ``3/4/2022`` is 3 April or 4 March. The file decides: when any of its
dates has a first number above 12 (and none a second above 12) the column is day first, and
the other way round for month first. A date that the file leaves undecided (both numbers 12 or
below and different) is *ambiguous*; a date in no known form, impossible (31/02) or missing is
*unreadable*. Neither is ever guessed: the rows are returned for the report.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

DTYPE: Literal["datetime64[us, UTC]"] = "datetime64[us, UTC]"
# Excel day numbers that can be event dates: 10000 (1927-05-18) .. 2958465 (9999-12-31). A
# bare year (2021) is not taken for a day number.
SERIAL_MIN, SERIAL_MAX = 10_000, 2_958_465
_EXCEL_EPOCH = pd.Timestamp("1899-12-30", tz="UTC")

_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_NUMERIC = re.compile(rf"^(\d{{1,2}})([/.\-])(\d{{1,2}})\2(\d{{4}}|\d{{2}}){_TIME}$")
_ISO = re.compile(rf"^\d{{4}}-\d{{1,2}}-\d{{1,2}}{_TIME}(?:Z|[+-]\d{{2}}:?\d{{2}})?$")
_YMD_SLASH = re.compile(rf"^\d{{4}}/\d{{1,2}}/\d{{1,2}}{_TIME}$")
_SERIAL = re.compile(r"^\d{5,7}(?:\.\d+)?$")
_TRAILING_TIME = re.compile(r"[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")
# Forms with the month in words (English, as ACLED and UCDP write them).
_NAMED_FORMATS = (
    "%d %B %Y",
    "%d %b %Y",
    "%d-%b-%y",
    "%d-%b-%Y",
    "%d-%B-%Y",
    "%d %B %y",
    "%d %b %y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%B %d %Y",
    "%b %d %Y",
)


@dataclass(frozen=True)
class DateReading:
    """What ``read_dates`` made of a column.

    ``dates`` are UTC (``NaT`` where not read); ``unreadable`` and ``ambiguous`` are boolean
    arrays by position; ``order`` says how numeric day/month forms were read
    (``"day first"``, ``"month first"``, ``"each by itself"`` when the file holds both, or
    None when it holds none that tell).
    """

    dates: pd.Series
    unreadable: np.ndarray
    ambiguous: np.ndarray
    order: str | None = None


def read_dates(values: pd.Series) -> DateReading:
    """Read every date of ``values`` (see the module docstring).

    >>> r = read_dates(pd.Series(["16-Feb-21", "16 February 2021", "2021-02-16", "2/16/2021",
    ...                           "44243", "3/4/2021", "soon", None]))
    >>> [d.date().isoformat() if d is not pd.NaT else None for d in r.dates]
    ['2021-02-16', '2021-02-16', '2021-02-16', '2021-02-16', '2021-02-16', '2021-03-04', None, None]
    >>> r.order, r.unreadable.tolist()[-2:], r.ambiguous.any()
    ('month first', [True, True], np.False_)
    """
    index = values.index
    if pd.api.types.is_datetime64_any_dtype(values):
        parsed = pd.to_datetime(values, utc=True).astype(DTYPE)
        return DateReading(parsed, parsed.isna().to_numpy(), np.zeros(len(values), dtype=bool))
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        parsed = excel_serial(values)
        return DateReading(parsed, parsed.isna().to_numpy(), np.zeros(len(values), dtype=bool))
    parsed = pd.Series(pd.NaT, index=index, dtype=DTYPE)
    cells = values.astype(object)
    # Cells an Excel reader gave as dates or numbers (a column mixing them with text).
    is_stamp = cells.map(lambda v: isinstance(v, (dt.date, pd.Timestamp))).to_numpy(dtype=bool)
    if is_stamp.any():
        _put(parsed, is_stamp, pd.to_datetime(cells[is_stamp], utc=True, errors="coerce"))
    is_number = cells.map(
        lambda v: isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
    ).to_numpy(dtype=bool)
    if is_number.any():
        _put(parsed, is_number, excel_serial(cells[is_number].astype("float64")))
    text = cells.where(~(is_stamp | is_number)).astype("string").str.strip()
    text = text.where(text.ne(""))
    ambiguous = np.zeros(len(values), dtype=bool)
    order: str | None = None
    todo = text.notna().to_numpy()
    if todo.any():
        order = _read_text(text, todo, parsed, ambiguous)
    unreadable = parsed.isna().to_numpy() & ~ambiguous
    return DateReading(parsed, unreadable, ambiguous, order)


def excel_serial(values: pd.Series) -> pd.Series:
    """Excel day numbers (the 1900 system every current Excel writes) as UTC dates."""
    numbers = pd.to_numeric(values, errors="coerce")
    plausible = numbers.between(SERIAL_MIN, SERIAL_MAX)
    days = pd.to_timedelta(numbers.where(plausible), unit="D")
    return (_EXCEL_EPOCH + days).astype(DTYPE)


def _read_text(
    text: pd.Series, todo: np.ndarray, parsed: pd.Series, ambiguous: np.ndarray
) -> str | None:
    """Fill ``parsed`` (and ``ambiguous``) from the text cells; return the day/month order."""
    iso = todo & (
        text.str.match(_ISO.pattern).fillna(False).to_numpy(dtype=bool)
        | text.str.match(_YMD_SLASH.pattern).fillna(False).to_numpy(dtype=bool)
    )
    if iso.any():
        cleaned = text[iso].str.replace("/", "-", regex=False)
        _put(parsed, iso, pd.to_datetime(cleaned, utc=True, errors="coerce", format="ISO8601"))
    serial = todo & text.str.match(_SERIAL.pattern).fillna(False).to_numpy(dtype=bool)
    if serial.any():
        _put(parsed, serial, excel_serial(text[serial]))
    order = _read_numeric(text, todo & ~iso & ~serial, parsed, ambiguous)
    named = todo & ~iso & ~serial & parsed.isna().to_numpy() & ~ambiguous
    if named.any():
        words = text[named].str.replace(_TRAILING_TIME.pattern, "", regex=True)
        for fmt in _NAMED_FORMATS:
            left = named & parsed.isna().to_numpy()
            if not left.any():
                break
            got = pd.to_datetime(words[left[named]], format=fmt, errors="coerce", utc=True)
            _put(parsed, left, got)
    return order


def _read_numeric(
    text: pd.Series, todo: np.ndarray, parsed: pd.Series, ambiguous: np.ndarray
) -> str | None:
    """Numeric day/month/year forms, ordered by the evidence of the whole column."""
    if not todo.any():
        return None
    parts = text[todo].str.extract(_NUMERIC.pattern)
    found = parts[0].notna().to_numpy()
    if not found.any():
        return None
    rows = np.flatnonzero(todo)[found]
    first = parts.loc[found, 0].astype(int).to_numpy()
    second = parts.loc[found, 2].astype(int).to_numpy()
    year = parts.loc[found, 3].astype(str).to_numpy()
    years = np.array([_full_year(y) for y in year], dtype=int)
    order: str | None
    day_first_rows = (first > 12) & (second <= 12)
    month_first_rows = (second > 12) & (first <= 12)
    if day_first_rows.any() and not month_first_rows.any():
        order, day_first = "day first", np.ones(len(rows), dtype=bool)
    elif month_first_rows.any() and not day_first_rows.any():
        order, day_first = "month first", np.zeros(len(rows), dtype=bool)
    else:  # both in one file, or neither: each date only by its own numbers
        order = "each by itself" if day_first_rows.any() else None
        day_first = day_first_rows | (first == second)
        undecided = ~day_first_rows & ~month_first_rows & (first != second)
        ambiguous[rows[undecided]] = True
        keep = ~undecided
        rows, first, second, years, day_first = (
            rows[keep], first[keep], second[keep], years[keep], day_first[keep]
        )  # fmt: skip
    day = np.where(day_first, first, second)
    month = np.where(day_first, second, first)
    stamps = pd.to_datetime(
        pd.DataFrame({"year": years, "month": month, "day": day}), errors="coerce", utc=True
    )
    mask = np.zeros(len(parsed), dtype=bool)
    mask[rows] = True
    _put(parsed, mask, stamps)
    return order


def _put(parsed: pd.Series, mask: np.ndarray, values: pd.Series) -> None:
    """Write the read ``values`` (one per True of ``mask``) into ``parsed``; NaT stays."""
    got = values.notna().to_numpy()
    if got.any():
        positions = np.flatnonzero(mask)[got]
        stamps = pd.to_datetime(values[got], utc=True).astype(DTYPE)
        parsed.iloc[positions] = stamps.to_numpy()


def _full_year(text: str) -> int:
    """A four-digit year; two digits as Python's ``%y`` reads them (69-99: 1900s, else 2000s)."""
    value = int(text)
    if len(text) == 2:
        return value + (1900 if value >= 69 else 2000)
    return value
