"""Convert a column's values to the type of a layer field: numbers, yes/no, dates, allowed values.

Used both to judge whether a column fits a field (``humansec.ingest.suggest``) and to build the
layer frame (``humansec.ingest.mapping``). Every function here is vectorised and returns a
Series on the index of its input, missing where a value does not convert; reporting those
values is the caller's business.

Dates: ISO 8601 is tried first, then the one format that parses most values (day-first wins a
tie with month-first); ``choose_date_format`` says which format it assumed.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from humansec.model import FieldSpec

MAX_CATEGORIES = 1000
"""A column with more distinct values than this is not categorical."""

_SAMPLE = 2000  # distinct values looked at to judge a column or a date format

_TRUE = frozenset({"1", "1.0", "true", "yes", "y", "t", "x", "oui", "si", "да", "так"})
_FALSE = frozenset({"0", "0.0", "false", "no", "n", "f", "non", "нет", "ні"})

# Date formats tried after ISO 8601 (day-first before month-first: a tie goes to day-first).
_DATE_FORMATS: tuple[str, ...] = (
    "%d/%m/%Y",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d.%m.%Y",
    "%d.%m.%Y %H:%M",
    "%d-%m-%Y",
    "%d %B %Y",
    "%d %b %Y",
    "%d-%b-%Y",
    "%d-%b-%y",
    "%d/%m/%y",
    "%m/%d/%Y",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%Y/%m/%d",
    "%Y%m%d",
    "%Y",
)
_ISO = "ISO8601"


def normalise_name(name: object) -> str:
    """Lower-case ``[a-z0-9_]`` form of a column name or value, diacritics and camelCase split.

    >>> normalise_name("Name - English"), normalise_name("admin4Name_eng"), normalise_name("Été")
    ('name_english', 'admin4_name_eng', 'ete')
    """
    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", text)
    return re.sub(r"[^0-9a-z]+", "_", text.lower()).strip("_")


def distinct_sample(values: pd.Series) -> pd.Series:
    """Up to a few thousand distinct present values of ``values``, from its first rows."""
    present = values.dropna()
    return present.head(20 * _SAMPLE).drop_duplicates().head(_SAMPLE)


def normalise_allowed(values: pd.Series, allowed: tuple[str, ...]) -> pd.Series:
    """``values`` with each value that is an allowed one but for case or spacing replaced."""
    other = values.notna() & ~values.isin(allowed).fillna(False)
    if not other.any():
        return values
    codes, uniques = pd.factorize(values[other])
    if len(uniques) > 10 * MAX_CATEGORIES:  # not categorical: leave the values as they are
        return values
    normal = np.array([normalise_name(u) for u in uniques], dtype=object)[codes]
    fits = np.isin(normal, allowed)
    result = values.copy()
    result.loc[values.index[other.to_numpy()][fits]] = normal[fits]
    return result


def to_numbers(values: pd.Series, field: FieldSpec) -> pd.Series:
    """Numbers (float64, NaN where not a finite number); text like '1 234' or '3,5' read too."""
    if pd.api.types.is_bool_dtype(values):
        return values.astype("float64")
    if pd.api.types.is_numeric_dtype(values):
        numbers = pd.to_numeric(values, errors="coerce").astype("float64")
    else:
        text = values.astype("string").str.strip()
        numbers = pd.to_numeric(text, errors="coerce").astype("float64")
        retry = numbers.isna() & text.notna()
        if retry.any():
            cleaned = text[retry].str.replace(r"[\s\u00a0\u202f']", "", regex=True)
            if field.type == "float":
                has_point = cleaned.str.contains(".", regex=False)
                cleaned = cleaned.where(has_point, cleaned.str.replace(",", ".", regex=False))
            cleaned = cleaned.str.replace(",", "", regex=False)
            numbers[retry] = pd.to_numeric(cleaned, errors="coerce").astype("float64")
    return numbers.where(np.isfinite(numbers))


def to_bools(values: pd.Series) -> pd.Series:
    """Yes/no values (boolean, NA where neither): 1/0, true/false, yes/no and the like."""
    if pd.api.types.is_bool_dtype(values):
        return values.astype("boolean")
    if pd.api.types.is_numeric_dtype(values):
        numbers = pd.to_numeric(values, errors="coerce")
        return (numbers != 0).astype("boolean").mask(numbers.isna())
    key = values.astype("string").str.strip().str.lower()
    truth = key.isin(_TRUE).fillna(False)
    false = key.isin(_FALSE).fillna(False)
    result = pd.Series(index=values.index, dtype="boolean")
    result[truth] = True
    result[false] = False
    return result


def choose_date_format(sample: pd.Series) -> tuple[str | None, str]:
    """The format that parses most of ``sample`` (ISO first) and a note when it is not ISO."""
    sample = sample.dropna().str.strip()
    sample = sample[sample != ""]
    if not len(sample):
        return _ISO, ""
    scores = {fmt: int(parse_dates(sample, fmt).notna().sum()) for fmt in (_ISO, *_DATE_FORMATS)}
    best = max(scores.values())
    if best == 0:
        return None, ""
    fmt = next(f for f, s in scores.items() if s == best)
    if fmt == _ISO:
        return fmt, ""
    note = f"dates read as {fmt!r} (the format that fits most rows)."
    swapped = _month_first(fmt)
    if swapped and scores.get(swapped) == best:
        note += (
            " Day and month are both 12 or less in every row, so day first is assumed; if the "
            "file writes the month first, rewrite the dates as ISO 8601 (2022-03-08)."
        )
    return fmt, note


def _month_first(fmt: str) -> str | None:
    if fmt.startswith("%d/%m/"):
        return "%m/%d/" + fmt[6:]
    return None


def parse_dates(values: pd.Series, fmt: str) -> pd.Series:
    """UTC datetimes of ``values`` read in ``fmt`` (``"ISO8601"`` or strptime), NaT where not."""
    text = values.astype("string")
    return pd.to_datetime(text, format=fmt, utc=True, errors="coerce")


def to_dates(values: pd.Series) -> tuple[pd.Series, str]:
    """UTC datetimes (microseconds) and a note on the format assumed."""
    if pd.api.types.is_datetime64_any_dtype(values):
        parsed = pd.to_datetime(values, utc=True)
        return parsed.dt.as_unit("us"), ""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = pd.to_numeric(values, errors="coerce")
        present = numbers.dropna()
        if len(present) and present.between(1000, 2999).all() and (present % 1 == 0).all():
            parsed = pd.to_datetime(numbers.astype("Int64").astype("string"), format="%Y", utc=True)
            return parsed.dt.as_unit("us"), "numbers read as years (1 January of each)."
        if len(present) and present.between(1, 109_575).all():  # Excel serial days to 2199
            parsed = pd.to_datetime(numbers, unit="D", origin="1899-12-30", utc=True)
            return parsed.dt.as_unit("us"), "numbers read as Excel day serials."
        text = values.astype("string")
    else:
        text = values.astype("string").str.strip()
    codes, uniques = pd.factorize(text)
    unique_series = pd.Series(uniques, dtype="string")
    fmt, note = choose_date_format(distinct_sample(unique_series))
    if fmt is None or not len(uniques):
        empty = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us, UTC]")
        return empty, ""
    parsed = parse_dates(unique_series, fmt).dt.tz_convert(None).dt.as_unit("us").to_numpy()
    # code -1 (missing) takes the NaT appended at the end
    result = np.append(parsed, np.datetime64("NaT", "us"))[codes]
    series = pd.Series(result, index=values.index).dt.tz_localize("UTC")
    return series, note
