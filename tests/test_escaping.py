import html
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from humansec.escaping import escape_text, fields_table, format_value, is_missing

HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "`${alert(1)}`",
    "C:\\data\\2019",
    "</script><script>alert(1)</script>",
    "\"double\" 'single'",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_strings_keep_no_active_character(value):
    escaped = escape_text(value)
    for char in "<>\"'`$\\":
        assert char not in escaped


def test_exact_entities():
    assert escape_text("<img src=x onerror=alert(1)>") == "&lt;img src=x onerror=alert(1)&gt;"
    assert escape_text("`${alert(1)}`") == "&#96;&#36;{alert(1)}&#96;"
    assert escape_text("C:\\data\\2019") == "C:&#92;data&#92;2019"
    assert escape_text("a & b \"c\" 'd'") == "a &amp; b &quot;c&quot; &#39;d&#39;"


def test_unicode_passes_unchanged():
    assert escape_text("Київ — Ḥalab ✓") == "Київ — Ḥalab ✓"


@pytest.mark.parametrize("value", [None, math.nan, np.float64("nan"), pd.NA, pd.NaT])
def test_missing_values_are_empty(value):
    assert is_missing(value)
    assert escape_text(value) == ""


def test_numbers_booleans_and_timestamps():
    assert escape_text(3) == "3"
    assert escape_text(np.int64(7)) == "7"
    assert escape_text(2.0) == "2"
    assert escape_text(0.25) == "0.25"
    assert escape_text(math.inf) == "inf"
    assert escape_text(True) == "yes"
    assert escape_text(pd.Timestamp("2026-01-02T03:04:05Z")) == "2026-01-02T03:04:05Z"
    assert format_value(pd.Timestamp("2026-01-02T03:04:05+02:00")) == "2026-01-02T03:04:05+02:00"


@given(st.text())
def test_escaping_is_reversible_by_an_html_parser(text):
    assert html.unescape(escape_text(text)) == text


def test_fields_table_escapes_names_and_values_and_skips_missing():
    table = fields_table(
        {"<b>name</b>": "<img src=x onerror=alert(1)>", "killed": 2.0, "empty": None},
        title="`${t}`",
    )
    assert "<img" not in table
    assert "<b>" not in table
    assert "&lt;b&gt;name&lt;/b&gt;" in table
    assert "<td>2</td>" in table
    assert "empty" not in table
    assert "&#96;&#36;{t}&#96;" in table
    assert table.startswith('<div class="hs-title">')


def test_fields_table_accepts_pairs_in_order():
    table = fields_table([("b", 1), ("a", 2)], skip_missing=False)
    assert table.index(">b<") < table.index(">a<")
