"""AppTest smoke tests: every page runs without an exception and shows its key elements."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

PROJECT = Path(__file__).resolve().parent.parent


@pytest.fixture
def app(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("HUMANSEC_DATA_DIR", str(tmp_path_factory.mktemp("appdata")))
    monkeypatch.chdir(PROJECT)
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=60)
    at.run()
    return at


def test_situation_map_page_runs(app: AppTest) -> None:
    assert not app.exception, app.exception
    assert app.title[0].value == "Situation map"
    banners = [m.value for m in app.markdown if "humansec-banner" in m.value]
    assert len(banners) == 2  # top and bottom
    assert "EXERCISE - NATO UNCLASSIFIED - EXERCISE" in banners[0]
    labels = [w.label for w in app.sidebar.multiselect]
    assert labels == ["Layers", "Incident focus areas"]
    assert app.sidebar.date_input[0].label == "Date range"


def test_situation_map_filters_change_counts(app: AppTest) -> None:
    counts = app.dataframe[0].value.set_index("layer")
    assert counts.loc["Incidents", "features shown"] > 100
    app.sidebar.multiselect[1].set_value(["crsv"]).run()
    assert not app.exception, app.exception
    filtered = app.dataframe[0].value.set_index("layer")
    assert (
        0 < filtered.loc["Incidents", "features shown"] < counts.loc["Incidents", "features shown"]
    )
    app.sidebar.multiselect[0].set_value(["population"]).run()
    assert list(app.dataframe[0].value["layer"]) == ["Population centres"]


def planner(app: AppTest) -> AppTest:
    app.switch_page("pages/planned_activities.py").run()
    assert not app.exception, app.exception
    return app


def conflicts_table(app: AppTest):
    """The conflicts table (the page also shows the plan editor and an activities table)."""
    tables = [t.value for t in app.dataframe if "feature_id" in t.value.columns]
    assert len(tables) == 1
    return tables[0]


def statuses(app: AppTest) -> dict[str, int]:
    return {m.label.split(" ")[0]: int(m.value) for m in app.metric}


def test_planner_checks_the_store_activities(app: AppTest) -> None:
    page = planner(app)
    assert page.title[0].value == "Planned activities"
    counts = statuses(page)
    assert sum(counts.values()) == 12  # the demo's activities
    assert counts["Red"] > 0 and counts["Green"] > 0
    assert page.subheader[0].value.startswith("Conflicts (")
    conflicts = conflicts_table(page)
    assert {"activity_id", "feature_id", "distance_m", "threshold_m", "rationale"} <= set(
        conflicts.columns
    )
    assert (conflicts["distance_m"] <= conflicts["threshold_m"]).all()


def test_planner_flags_an_activity_entered_by_mgrs(app: AppTest) -> None:
    page = planner(app)
    page.checkbox(key="plan_use_store").uncheck().run()
    assert sum(statuses(page).values()) == 0
    page.text_input(key="plan_form_id").input("strike-1")
    page.selectbox(key="plan_form_type").set_value("air_strike")
    page.text_input(key="plan_form_mgrs").input("34U FE 29074 68283")  # demo site cp-005
    page.button[0].click().run()
    assert not page.exception, page.exception
    assert statuses(page) == {"Red": 1, "Amber": 0, "Green": 0}
    conflicts = conflicts_table(page)
    assert "cp-005" in set(conflicts["feature_id"])
    assert set(conflicts["activity_id"]) == {"strike-1"}


def test_planner_refuses_a_bad_mgrs_with_the_reason(app: AppTest) -> None:
    page = planner(app)
    page.text_input(key="plan_form_mgrs").input("34U XX 1")
    page.button[0].click().run()
    assert not page.exception
    assert any("not a valid MGRS reference" in e.value for e in page.error)
