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
