"""Tables for people to open in a spreadsheet: text cells that could run as formulas defused.

A spreadsheet treats a cell starting with ``=``, ``+``, ``-`` or ``@`` as a formula, and tab
or carriage return can smuggle one in (OWASP, CSV injection). Such text cells get a leading
apostrophe; numbers stay numbers. ``defusedcsv`` was considered: it leaves a leading tab as it
is, which the OWASP guidance (and this project) counts as dangerous.
"""

from __future__ import annotations

import csv
import io

import pandas as pd

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Return ``value`` with a leading apostrophe if it is text a spreadsheet would run.

    >>> neutralise("=HYPERLINK(1)"), neutralise("-3"), neutralise(-3), neutralise("ok")
    ("'=HYPERLINK(1)", "'-3", -3, 'ok')
    """
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``frame`` whose text cells (and column names) are neutralised."""
    out = frame.copy()
    for column in out.columns:
        if not (
            pd.api.types.is_numeric_dtype(out[column]) or pd.api.types.is_bool_dtype(out[column])
        ):
            out[column] = out[column].map(neutralise, na_action="ignore")
    out.columns = [str(neutralise(str(name))) for name in out.columns]
    return out


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV (with a byte-order mark, so spreadsheets read the accents) of ``frame``."""
    buffer = io.StringIO()
    # Quote every text cell: a carriage return inside one would otherwise split the row.
    neutralise_frame(frame).to_csv(buffer, index=False, quoting=csv.QUOTE_NONNUMERIC)
    return buffer.getvalue().encode("utf-8-sig")
