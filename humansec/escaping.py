"""Escaping of every value that reaches HTML: popups, tooltips, legends, layer names, exports.

folium escapes nothing (DESIGN.md section 7): a field value such as ``<img src=x onerror=...>``
runs script in a popup, and through streamlit-folium reaches the parent page. Every value,
field name and layer name goes through :func:`escape_text` before it reaches folium or any
HTML export. Beyond the five HTML specials it also encodes backtick, ``$`` and backslash, so an
escaped string is also inert inside a JavaScript template literal or string.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

_ENTITIES: Mapping[str, str] = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "'": "&#39;",
    "`": "&#96;",
    "$": "&#36;",
    "\\": "&#92;",
}
_TABLE = str.maketrans(dict(_ENTITIES))
_SPECIAL = re.compile("[" + re.escape("".join(_ENTITIES)) + "]")


def is_missing(value: object) -> bool:
    """True for None, NaN, pandas NA/NaT and other scalar "no value" markers."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating):
        return math.isnan(value)
    if isinstance(value, np.datetime64 | np.timedelta64):
        return bool(np.isnat(value))
    return False


def format_value(value: object) -> str:  # noqa: PLR0911 - one return per type
    """Return ``value`` as plain (unescaped) display text; missing values become ``""``.

    Timestamps are written as ISO 8601 (UTC ones with a ``Z``), booleans as yes/no, whole
    floats without a trailing ``.0``.

    >>> format_value(3.0), format_value(0.25), format_value(True), format_value(float("nan"))
    ('3', '0.25', 'yes', '')
    """
    if is_missing(value):
        return ""
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, pd.Timestamp | dt.datetime):
        stamp = pd.Timestamp(value)
        if stamp.tzinfo is not None and stamp.utcoffset() == dt.timedelta(0):
            return stamp.tz_localize(None).isoformat(timespec="seconds") + "Z"
        return stamp.isoformat(timespec="seconds")
    if isinstance(value, float | np.floating):
        number = float(value)
        if math.isfinite(number) and number.is_integer() and abs(number) < 1e15:
            return str(int(number))
        return f"{number:.10g}"
    return str(value)


def escape_text(value: object) -> str:
    """Return ``value`` as text safe to put into HTML (element content or quoted attribute).

    Escapes ``& < > " '`` and also backtick, ``$`` and backslash as numeric entities, so the
    result stays inert inside JavaScript strings and template literals too. None and NaN
    become ``""``.

    >>> escape_text("<img src=x onerror=alert(1)>")
    '&lt;img src=x onerror=alert(1)&gt;'
    >>> escape_text("`${x}` C:\\\\data")
    '&#96;&#36;{x}&#96; C:&#92;data'
    """
    text = format_value(value)
    return text.translate(_TABLE) if _SPECIAL.search(text) else text


def fields_table(
    fields: Mapping[str, object] | Iterable[tuple[object, object]],
    *,
    title: object = None,
    skip_missing: bool = True,
) -> str:
    """Return an HTML table of a feature's fields, names and values escaped.

    Parameters
    ----------
    fields
        Field name -> value, or (name, value) pairs in display order.
    title
        Optional heading above the table (escaped too).
    skip_missing
        Leave out fields whose value is missing (None, NaN, NaT, empty text).


    >>> fields_table({"name": "<b>", "killed": 2.0}, title="Incidents")
    '<div class="hs-title">Incidents</div><table class="hs-fields"><tr><th>name</th><td>&lt;b&gt;</td></tr><tr><th>killed</th><td>2</td></tr></table>'

    """  # noqa: E501
    pairs = fields.items() if isinstance(fields, Mapping) else fields
    rows = []
    for name, value in pairs:
        text = escape_text(value)
        if skip_missing and text == "":
            continue
        rows.append(f"<tr><th>{escape_text(name)}</th><td>{text}</td></tr>")
    head = "" if is_missing(title) else f'<div class="hs-title">{escape_text(title)}</div>'
    return f'{head}<table class="hs-fields">{"".join(rows)}</table>'
