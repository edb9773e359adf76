"""AppTest of the Incidents page on the demo store."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from humansec.demo import DEMO_DIR, load_demo
from humansec.model import LayerKind
from ui import state

PROJECT = Path(__file__).resolve().parent.parent


@pytest.fixture
def page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    st.cache_resource.clear()
    st.cache_data.clear()
    monkeypatch.setenv("HUMANSEC_DATA_DIR", str(tmp_path))
    monkeypatch.chdir(PROJECT)
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/incidents.py").run()
    return at


def _matching(at: AppTest) -> int:
    for block in at.markdown:
        found = re.search(r"(\d+) incidents match the filters", block.value)
        if found:
            return int(found.group(1))
    raise AssertionError("no count of matching incidents")


def test_the_page_draws_every_chart_and_table(page: AppTest) -> None:
    assert not page.exception, page.exception
    assert page.title[0].value == "Incidents"
    demo = load_demo(DEMO_DIR)[LayerKind.INCIDENT]
    assert _matching(page) == len(demo)
    charts = page.get("plotly_chart")
    assert len(charts) == 5  # events, fatalities, victims, who, hot spots
    events = json.loads(charts[0].proto.spec)
    assert "Protection of civilians" in {trace["name"] for trace in events["data"]}
    assert events["layout"]["barmode"] == "stack"
    hot, emerging = page.dataframe[0].value, page.dataframe[1].value
    assert {"h3", "count", "gi_z", "p_fdr", "class", "nearest_place", "distance_km"} <= set(hot)
    assert (hot["class"] != "not significant").all() and len(hot) > 0
    assert hot["nearest_place"].str.len().min() > 0
    assert {"recent", "baseline", "p_value", "nearest_place"} <= set(emerging)
    assert emerging["p_value"].is_monotonic_increasing
    labels = [w.label for w in page.sidebar.multiselect]
    assert labels == ["Incident focus areas"]


def test_filters_and_the_map_view_narrow_the_incidents(page: AppTest) -> None:
    demo = load_demo(DEMO_DIR)[LayerKind.INCIDENT]
    page.sidebar.multiselect[0].set_value(["crsv"]).run()
    assert not page.exception, page.exception
    assert _matching(page) == int((demo["focus_area"] == "crsv").sum())
    page.sidebar.multiselect[0].set_value(list(demo["focus_area"].unique())).run()
    bbox = (22.0, 53.5, 23.5, 54.5)
    page.session_state[state.LAST_VIEW] = bbox
    page.sidebar.toggle[0].set_value(True).run()
    assert not page.exception, page.exception
    x, y = demo.geometry.x, demo.geometry.y
    inside = int((x.between(bbox[0], bbox[2]) & y.between(bbox[1], bbox[3])).sum())
    assert 0 < _matching(page) == inside < len(demo)
    page.radio(key=state.INCIDENTS_FREQ).set_value("M").run()
    page.selectbox(key=state.INCIDENTS_PERMUTATIONS).set_value(99).run()
    assert not page.exception, page.exception
    assert len(page.get("plotly_chart")) == 5


def test_trend_picks_read_the_selection_event() -> None:
    from ui.analytics import trend_picks  # noqa: PLC0415

    table = pd.DataFrame(
        {"period": pd.to_datetime(["2026-08-03", "2026-08-03"]), "group": ["poc", "crsv"]}
    )
    event = {"selection": {"points": [{"curve_number": 1, "x": "2026-08-03"},
                                      {"curve_number": 0, "x": "2026-08-03 00:00"}]}}  # fmt: skip
    assert trend_picks(event, table, "W", "focus_area") == (
        "W",
        "focus_area",
        (("2026-08-03", "crsv"), ("2026-08-03", "poc")),
    )
    assert trend_picks({"selection": {"points": []}}, table, "W", "focus_area") is None
