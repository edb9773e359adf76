"""Text from files is drawn as it is (ui/text.py).

The browser test ``test_text_from_a_file_is_shown_as_text_not_markdown`` checks what Chromium
shows; this checks the HTML the app sends.
"""

from __future__ import annotations

import html

import pandas as pd
import pytest

import ui.text
from ui.text import as_html

HOSTILE = [
    "![seen](http://198.51.100.7/pixel.png)",
    "[click](http://198.51.100.7/) www.example.org ops@example.org",
    "<img src=x onerror=alert(1)></div><script>alert(2)</script>",
    "**bold** `code` $x^2$ :red[alarm]",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_every_character_is_escaped_and_reads_back(value: str) -> None:
    shown = as_html(value)
    assert "<" not in shown
    assert ">" not in shown
    assert html.unescape(shown) == value


def test_blank_lines_cannot_end_the_html_block() -> None:
    shown = as_html("first\n\n![x](http://h/p.png)\r\n")
    assert "\n" not in shown
    assert shown == "first<br><br>![x](http://h/p.png)<br>"


def test_a_table_is_html_with_every_cell_escaped(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[str] = []
    monkeypatch.setattr(ui.text.st, "html", sent.append)
    frame = pd.DataFrame({"count": [3], HOSTILE[2]: [HOSTILE[0]]}, index=pd.Index([HOSTILE[2]]))
    frame.index.name = "layer"
    ui.text.table(frame, css_class="humansec-counts")
    (body,) = sent
    assert body.startswith('<table class="humansec-counts"')
    assert "<img" not in body and "<script" not in body
    cells = [html.unescape(c) for c in body.split(">") if c.endswith("</td") or c.endswith("</th")]
    assert [c.removesuffix("</td").removesuffix("</th") for c in cells] == [
        "layer", "count", HOSTILE[2], HOSTILE[2], "3", HOSTILE[0],
    ]  # fmt: skip
