"""AppTest: the Planned activities page shows the incidents near each activity (context)."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from humansec.analytics.context import incidents_near
from humansec.demo import DEMO_DIR, load_demo
from humansec.model import LayerKind
from tests.test_app import planner, start
from ui import state


def _context(at: AppTest) -> pd.DataFrame:
    tables = [t.value for t in at.dataframe if "Incidents near" in t.value.columns]
    assert len(tables) == 1
    return tables[0]


def test_each_activity_shows_the_incidents_near_it(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = start(tmp_path_factory.mktemp("appdata"), monkeypatch)
    planner(at)
    demo = load_demo(DEMO_DIR)
    activities, incidents = demo[LayerKind.ACTIVITY], demo[LayerKind.INCIDENT]
    table = _context(at)
    assert table["Activity"].tolist() == activities["id"].astype(str).tolist()
    near = incidents_near(activities, incidents, distance_m=10_000, days=30)
    expected = near.groupby("activity").size().reindex(range(len(activities)), fill_value=0)
    assert table["Incidents near"].tolist() == expected.tolist()
    assert "Protection of civilians" in table.columns
    small = int(table["Incidents near"].sum())
    at.number_input(key=state.PLAN_CONTEXT_KM).set_value(60.0).run()
    at.number_input(key=state.PLAN_CONTEXT_DAYS).set_value(365).run()
    assert not at.exception, at.exception
    wider = _context(at)
    assert int(wider["Incidents near"].sum()) > small
    assert (wider["Incidents near"] >= table["Incidents near"]).all()
