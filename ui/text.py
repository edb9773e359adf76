"""Text from files and users, shown exactly as it is.

Streamlit renders ``st.error``, ``st.success``, ``st.caption`` and friends as Markdown, and
links any URL it sees: a value such as ``![x](http://host/p.png)`` in a file would become an
image the browser fetches from elsewhere, ``[x](http://...)`` or a bare URL a link. Neither
Markdown escapes nor HTML entity references stop the linking (it runs on the decoded text).
So a message that can hold such text is drawn as an HTML block instead, with every character
HTML-escaped: an HTML block is not Markdown, so nothing in it is parsed or linked.
"""

from __future__ import annotations

import html
from typing import Literal

import pandas as pd
import streamlit as st

Tone = Literal["error", "warning", "success", "info", "caption"]

_STYLE: dict[Tone, str] = {
    "error": "background:#ffecec;color:#7d1a1a;padding:.75rem 1rem;border-radius:.5rem",
    "warning": "background:#fff8e1;color:#6b4e00;padding:.75rem 1rem;border-radius:.5rem",
    "success": "background:#e8f5e9;color:#1b5e20;padding:.75rem 1rem;border-radius:.5rem",
    "info": "background:#e8f1fb;color:#0b3d6b;padding:.75rem 1rem;border-radius:.5rem",
    "caption": "color:rgba(49,51,63,.6);font-size:.875rem",
}
_TABLE_STYLE = "border-collapse:collapse;font-size:.875rem;margin:.25rem 0 1rem 0"
_CELL_STYLE = (
    "padding:.2rem 1rem .2rem 0;border-bottom:1px solid rgba(49,51,63,.15);text-align:left"
)


def as_html(text: object) -> str:
    """``text`` HTML-escaped, line breaks as ``<br>``, no blank line (which would end the block).

    >>> as_html("![x](http://h/p.png) <b>\\n\\nnext")
    '![x](http://h/p.png) &lt;b&gt;<br><br>next'
    """
    return html.escape(str(text)).replace("\r", "").replace("\n", "<br>")


def show(text: object, tone: Tone = "error") -> None:
    """Draw ``text`` as it is, in the colours of a Streamlit alert of ``tone``."""
    role = ' role="alert"' if tone in {"error", "warning"} else ""
    block = f'<div class="humansec-{tone}" style="{_STYLE[tone]}"{role}>{as_html(text)}</div>'
    if tone == "caption":
        # Captions are on the first view of every page (the sign-in notice): ``st.html``
        # needs no HTML-in-markdown parser (rehype-raw, 190 KB) before the page's map.
        st.html(block)
        return
    st.markdown(block, unsafe_allow_html=True)  # safe: every character is escaped above


def table(frame: pd.DataFrame, *, css_class: str = "humansec-table") -> None:
    """Draw ``frame`` (its index as the first column) as a plain HTML table, every cell escaped.

    Not ``st.table``: that element brings about 1.1 MB of Streamlit's Arrow code to the
    browser, loaded and run on the first view just when the page's map is being drawn
    (benchmarks/README.md, issue 10).
    """
    names = [frame.index.name or "", *frame]
    head = "".join(f'<th style="{_CELL_STYLE}">{as_html(name)}</th>' for name in names)
    rows = "".join(
        "<tr>"
        + "".join(f'<td style="{_CELL_STYLE}">{as_html(value)}</td>' for value in (label, *values))
        + "</tr>"
        for label, values in zip(frame.index, frame.itertuples(index=False), strict=True)
    )
    st.html(
        f'<table class="{html.escape(css_class)}" style="{_TABLE_STYLE}">'
        f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    )
