"""AppTest: the Briefing page offers the incident charts for the PDF and PowerPoint only."""

from __future__ import annotations

import pytest

from tests.test_app import start
from ui import state


def test_the_charts_are_offered_for_pdf_and_pptx_only(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = start(tmp_path_factory.mktemp("appdata"), monkeypatch)
    at.switch_page("pages/briefing.py").run()
    assert not at.exception, at.exception
    charts = at.multiselect(key=state.BRIEF_ANALYSES)
    assert charts.label == "Incident charts after the map (PDF, PowerPoint)"
    assert charts.options == ["Trend (events per week)", "Victims by sex and age",
                              "Hot spots (Gi*)"]  # fmt: skip
    formats = at.selectbox(key=state.BRIEF_FORMAT)
    formats.set_value("html").run()
    assert at.multiselect(key=state.BRIEF_ANALYSES).disabled
    if "PDF sheet" in formats.options:  # the PDF needs Chromium (unavailable: not offered)
        at.selectbox(key=state.BRIEF_FORMAT).set_value("pdf").run()
        assert not at.exception, at.exception
        assert not at.multiselect(key=state.BRIEF_ANALYSES).disabled
