"""AppTest smoke tests: every page runs without an exception and shows its key elements."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
import streamlit as st
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from humansec.model import WGS84, LayerKind, conform
from humansec.store import GeoPackageStore, NewLayer
from ui import map_filters, state

PROJECT = Path(__file__).resolve().parent.parent


def _bound_to_loopback(get_option: Callable[[str], object]) -> Callable[[str], object]:
    def option(key: str) -> object:
        return "127.0.0.1" if key == "server.address" else get_option(key)

    return option


def start(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    # Settings and the store are cached per process: start each test from its own store.
    st.cache_resource.clear()
    st.cache_data.clear()
    # As `make run`: bound to 127.0.0.1, no sign-in configured, the local user.
    monkeypatch.setattr(st_config, "get_option", _bound_to_loopback(st_config.get_option))
    monkeypatch.setenv("HUMANSEC_DATA_DIR", str(data_dir))
    monkeypatch.chdir(PROJECT)
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=60)
    return at.run()


MAP_FIRST_REPORT = {"last_clicked": None, "bounds": None, "zoom": None, "all_drawings": None}
"""What the situation map reports once drawn, before the user moves it (no view read yet)."""


PLAN_MAP_DRAWN = {"last_clicked": None, "all_drawings": None, "hs_drawn": True}
"""What the Planned activities map reports once drawn (``ReportAfterBasemap(report_drawn=)``)."""


def map_reported(at: AppTest) -> AppTest:
    """What the browser does once the situation map is drawn: the map reports, and the app
    runs again and draws the sidebar's filters (``ui/map_filters.py``)."""
    at.session_state[state.MAP_COMPONENT] = dict(MAP_FIRST_REPORT)
    return at.run()


def plan_map_reported(at: AppTest) -> AppTest:
    """The same on the Planned activities page: its inputs and tables follow the map."""
    at.session_state[state.PLAN_MAP] = dict(PLAN_MAP_DRAWN)
    return at.run()


@pytest.fixture
def app(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return start(tmp_path_factory.mktemp("appdata"), monkeypatch)


@pytest.fixture
def population_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """A store that holds one population layer and nothing else (no activities, no incidents)."""
    frame = conform(
        gpd.GeoDataFrame(
            {"id": ["p1"], "name": ["Suwałki"], "population": [69_000]},
            geometry=[shapely.Point(22.93, 54.1)],
            crs=WGS84,
        ),
        LayerKind.POPULATION,
    )
    store = GeoPackageStore(tmp_path / "humansec.gpkg")
    store.add_version(
        frame, NewLayer(LayerKind.POPULATION, "Census", "test", "-", "NATO RESTRICTED")
    )
    return start(tmp_path, monkeypatch)


def situation_counts(app: AppTest) -> pd.DataFrame:
    """The situation map's table of features shown and stored per layer, indexed by layer
    (an HTML table: ``ui.text.table``)."""
    table = next(h.value for h in app.html if 'class="humansec-counts"' in h.value)
    cells = [
        [html.unescape(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", table)
    ]
    frame = pd.DataFrame([[row[0], *map(int, row[1:])] for row in cells[1:]], columns=cells[0])
    return frame.set_index(cells[0][0])


def test_situation_map_page_runs(app: AppTest) -> None:
    assert not app.exception, app.exception
    assert app.title[0].value == "Situation map"
    banners = [m.value for m in app.html if 'class="humansec-banner"' in m.value]
    assert len(banners) == 2  # top and bottom
    assert "EXERCISE - NATO UNCLASSIFIED - EXERCISE" in banners[0]
    map_reported(app)
    labels = [w.label for w in app.sidebar.multiselect]
    assert labels == ["Layers", "Incident focus areas"]
    # The six focus areas and the conflict events (incidents with none), all chosen.
    assert app.sidebar.multiselect[1].value == [
        "poc", "crsv", "thb", "caac", "cpp", "humanitarian_access", "conflict_event",
    ]  # fmt: skip
    assert app.sidebar.date_input[0].label == "Date range"


def test_a_fresh_session_gets_the_map_first_and_then_the_same_map_with_its_filters(
    app: AppTest,
) -> None:
    # The first run of a session draws the map with the filters' starting values, not the
    # filters themselves (their code would compete with the map's in a fresh browser).
    assert not app.exception, app.exception
    assert not app.sidebar.multiselect and not app.sidebar.date_input and not app.sidebar.toggle
    assert map_filters.WAITING_NOTE in [c.value for c in app.sidebar.caption]
    first_counts = situation_counts(app)
    first_map = map_args(app)
    assert first_counts.loc["Incidents", "features shown"] > 100
    # The map's first report draws them, with the values the map was drawn with: the same
    # layers, so the browser draws nothing again.
    map_reported(app)
    assert not app.exception, app.exception
    assert [w.label for w in app.sidebar.multiselect] == ["Layers", "Incident focus areas"]
    assert map_filters.WAITING_NOTE not in [c.value for c in app.sidebar.caption]
    assert situation_counts(app).equals(first_counts)
    assert map_args(app) == first_map
    # From then on the session gets them at once, also back from a page without them.
    app.switch_page("pages/data.py").run()
    app.switch_page("pages/situation_map.py").run()
    assert not app.exception, app.exception
    assert [w.label for w in app.sidebar.multiselect] == ["Layers", "Incident focus areas"]


def test_the_filters_wait_for_one_run_at_most(app: AppTest) -> None:
    # Should the map never report (a browser that cannot draw it), the next run of any kind
    # draws the filters.
    assert not app.sidebar.multiselect
    app.run()
    assert not app.exception, app.exception
    assert [w.label for w in app.sidebar.multiselect] == ["Layers", "Incident focus areas"]


def map_args(app: AppTest) -> str:
    """The serialised arguments of the map component (its HTML and JavaScript)."""
    found = [str(node.proto) for node in app.get("component_instance")]
    assert found, "no map component on the page"
    return "\n".join(found)


def test_situation_map_filters_change_counts(app: AppTest) -> None:
    map_reported(app)
    counts = situation_counts(app)
    assert counts.loc["Incidents", "features shown"] > 100
    app.sidebar.multiselect[1].set_value(["crsv"]).run()
    assert not app.exception, app.exception
    filtered = situation_counts(app)
    assert (
        0 < filtered.loc["Incidents", "features shown"] < counts.loc["Incidents", "features shown"]
    )
    app.sidebar.multiselect[0].set_value(["population"]).run()
    assert list(situation_counts(app).index) == ["Population centres"]


def planner(app: AppTest) -> AppTest:
    app.switch_page("pages/planned_activities.py").run()
    assert not app.exception, app.exception
    return plan_map_reported(app)


def test_a_fresh_session_gets_the_plan_map_first_then_its_inputs_and_tables(
    app: AppTest,
) -> None:
    app.switch_page("pages/planned_activities.py").run()
    assert not app.exception, app.exception
    # The map and the counts come first; the inputs of the hidden tabs, the basemap choice and
    # the tables below the map wait for it (their code would compete with the map's).
    counts = [(m.label, m.value) for m in app.metric]
    assert counts[0][0] == "Red (critical or high)"
    first_map = map_args(app)
    assert not app.text_input and not app.dataframe and not app.sidebar.selectbox
    captions = [c.value for c in app.caption]
    assert "The tables of conflicts and activities follow as soon as the map is drawn." in captions
    # The map's first report draws them around the same map and the same counts.
    plan_map_reported(app)
    assert not app.exception, app.exception
    assert app.text_input(key=state.PLAN_FORM_ID) is not None
    subheaders = [h.value for h in app.subheader]
    assert "Activities" in subheaders and any(h.startswith("Conflicts (") for h in subheaders)
    assert len(app.dataframe) >= 2  # conflicts and activities
    assert app.sidebar.selectbox(key=state.BASEMAP).value == ""
    assert [(m.label, m.value) for m in app.metric] == counts
    assert map_args(app) == first_map


def conflicts_table(app: AppTest):
    """The conflicts table (the page also shows the plan editor and an activities table)."""
    tables = [t.value for t in app.dataframe if "Feature id" in t.value.columns]
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
    assert {
        "Activity",
        "Protected feature",
        "Feature id",
        "MGRS",
        "Distance (m)",
        "Rationale",
    } <= set(conflicts.columns)
    assert (conflicts["Distance (m)"] <= conflicts["Stand-off (m)"]).all()
    assert conflicts["Protected feature"].notna().all()  # every demo feature has a name
    # The activities keep their names through the plan check (they were lost once, "None").
    activities = next(t.value for t in page.dataframe if {"Name", "Status"} <= set(t.value))
    assert activities["Name"].notna().all()
    assert "Manoeuvre box around Raczki" in set(activities["Name"])


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
    assert "cp-005" in set(conflicts["Feature id"])
    assert set(conflicts["Activity"]) == {"strike-1"}
    row = conflicts[conflicts["Feature id"] == "cp-005"].iloc[0]
    assert row["MGRS"].startswith("34U FE 29")  # where the site is, to 1 m


def test_planner_refuses_a_bad_mgrs_with_the_reason(app: AppTest) -> None:
    page = planner(app)
    page.text_input(key="plan_form_mgrs").input("34U XX 1")
    page.button[0].click().run()
    assert not page.exception
    shown = [m.value for m in page.markdown if "humansec-error" in m.value]
    assert any("not a valid MGRS reference" in value for value in shown)
    assert any("&#x27;34U XX 1&#x27;" in value for value in shown)  # the input, escaped


def test_a_mistyped_mgrs_keeps_the_form_and_says_what_is_wrong(app: AppTest) -> None:
    page = planner(app)
    page.text_input(key="plan_form_id").input("strike-9")
    page.text_input(key="plan_form_mgrs").input("34U FE 2619 96369")  # one digit short
    page.button[0].click().run()
    assert not page.exception, page.exception
    (shown,) = [m.value for m in page.markdown if "humansec-error" in m.value]
    assert "9 digits in all" in shown
    assert "34U FE 26199 96369" in shown  # an example of a valid one
    assert "Convert_MGRS" not in shown
    assert "Row 1" not in shown
    assert page.text_input(key="plan_form_mgrs").value == "34U FE 2619 96369"  # kept
    assert page.text_input(key="plan_form_id").value == "strike-9"
    page.text_input(key="plan_form_mgrs").input("34U FE 26199 96369")
    page.button[0].click().run()
    assert not [m.value for m in page.markdown if "humansec-error" in m.value]
    assert page.text_input(key="plan_form_mgrs").value == ""  # accepted: the form is emptied
    assert sum(statuses(page).values()) >= 1


def test_pages_run_on_a_store_without_activities(population_only: AppTest) -> None:
    app = population_only
    assert not app.exception, app.exception
    banner = next(m.value for m in app.html if 'class="humansec-banner"' in m.value)
    assert ">NATO RESTRICTED<" in banner  # no exercise data: no EXERCISE marking
    counts = situation_counts(app)
    assert counts.loc["Population centres", "features shown"] == 1
    maps = app.get("component_instance")
    assert "Activity status" not in str(maps[0].proto.json_args)  # no legend of nothing
    page = planner(app)
    assert statuses(page) == {"Red": 0, "Amber": 0, "Green": 0}


def test_briefing_exports_offline_html_and_records_it(app: AppTest) -> None:
    page = app.switch_page("pages/briefing.py").run()
    assert not page.exception, page.exception
    assert page.title[0].value == "Briefing"
    # The demo is NATO UNCLASSIFIED: every marking may be chosen, none below the layers'.
    assert page.selectbox(key="brief_marking").options[0] == "NATO UNCLASSIFIED"
    page.selectbox(key="brief_format").set_value("html")
    page.selectbox(key="brief_marking").set_value("NATO RESTRICTED")
    page.radio(key="brief_grid").set_value("mgrs")
    page.button(key="brief_make").click().run()
    assert not page.exception, page.exception
    log = page.dataframe[-1].value  # the exports recorded
    assert list(log["format"]) == ["html"]
    assert list(log["marking"]) == ["NATO RESTRICTED"]
    assert list(log["grid"]) == ["mgrs"]
    html = page.session_state["brief_product"][2].decode("utf-8")
    assert '"34U FE"' in html  # an MGRS square label of the demo area


def test_briefing_exports_the_chosen_layers_attributes_as_csv(population_only: AppTest) -> None:
    page = population_only.switch_page("pages/briefing.py").run()
    assert "Layer attributes (Excel)" in page.selectbox(key="brief_format").options
    page.selectbox(key="brief_format").set_value("layers-csv")
    page.multiselect(key="brief_kinds").set_value([LayerKind.POPULATION])
    page.button(key="brief_make").click().run()
    assert not page.exception, page.exception
    name, mime, data = page.session_state["brief_product"]
    assert (name, mime) == ("humansec-layers.csv", "text/csv")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0] == lines[-1] == '"NATO RESTRICTED"'  # the marking in a header row
    assert lines[1].startswith('"kind",')
    assert '"population",' in lines[2] and ",69000," in lines[2] + ","  # numbers stay numbers
    log = page.dataframe[-1].value
    assert list(log["format"]) == ["csv"] and list(log["table"]) == ["layers"]


def test_briefing_never_offers_a_marking_below_the_layers(population_only: AppTest) -> None:
    page = population_only.switch_page("pages/briefing.py").run()
    assert not page.exception, page.exception
    options = page.selectbox(key="brief_marking").options
    assert options[0] == "NATO RESTRICTED"
    assert "NATO UNCLASSIFIED" not in options


def test_briefing_applies_the_situation_maps_filters(app: AppTest) -> None:
    map_reported(app)
    app.sidebar.multiselect[1].set_value(["crsv"]).run()  # the situation map's focus areas
    page = app.switch_page("pages/briefing.py").run()
    assert not page.exception, page.exception
    assert "1 of 7 incident focus areas" in page.checkbox(key="brief_use_filters").label
    page.selectbox(key="brief_format").set_value("layers-csv")
    page.multiselect(key="brief_kinds").set_value(["incident"])
    page.button(key="brief_make").click().run()
    assert not page.exception, page.exception
    _, _, data = page.session_state["brief_product"]
    text = data.decode("utf-8-sig")
    assert "crsv" in text
    for other in ("poc", "thb", "caac", "cpp", "humanitarian_access"):
        assert f'"{other}"' not in text and f",{other}," not in text


def test_data_page_lists_the_catalogue_and_retires_a_layer(app: AppTest) -> None:
    app.switch_page("pages/data.py").run()
    assert not app.exception, app.exception
    assert app.title[0].value == "Data"
    assert [s.label for s in app.selectbox][:1] == ["What does the file hold?"]
    catalogue = app.dataframe[0].value
    assert len(catalogue) == 7
    assert len(app.dataframe[1].value) == 1  # the versions of the chosen layer
    assert set(catalogue["status"]) == {"active"}
    layer = app.selectbox(key="data_catalogue_layer").value
    app.button(key="data_retire").click().run()
    assert not app.exception, app.exception
    after = app.dataframe[0].value.set_index("layer")
    assert after.loc[layer, "status"] == "retired"
    assert app.button(key="data_retire").label == f"Restore {layer}"
    app.button(key="data_retire").click().run()
    restored = app.dataframe[0].value.set_index("layer")
    assert restored.loc[layer, "status"] == "active"


def test_briefing_without_chromium_says_why_in_one_line_and_offers_html(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUMANSEC_CHROMIUM", str(tmp_path / "no-chromium"))
    page = start(tmp_path / "data", monkeypatch).switch_page("pages/briefing.py").run()
    assert not page.exception, page.exception
    (warning,) = page.warning
    assert "need headless Chromium" in warning.value
    assert "apt-get install chromium" in warning.value
    options = page.selectbox(key="brief_format").options
    assert "Offline HTML (interactive)" in options
    assert not {"PNG picture", "PDF sheet", "PowerPoint slide"} & set(options)
    # No stray text under the banner: every markdown element is a banner or an alert block.
    texts = [m.value for m in page.markdown]
    assert all("humansec-" in value for value in texts), texts


def test_situation_map_starts_recent_and_steps_through_time(app: AppTest) -> None:
    map_reported(app)
    first, last = app.sidebar.date_input[0].value
    assert (last - first).days >= 89  # ninety days up to the newest incident, and what is planned
    assert app.sidebar.toggle(key="map_mgrs_grid").value is True
    shown = situation_counts(app).loc["Incidents", "features shown"]
    app.sidebar.toggle(key="time_step").set_value(True).run()
    assert not app.exception, app.exception
    week = situation_counts(app).loc["Incidents", "features shown"]
    assert 0 <= week < shown  # seven days up to the slider's day
    assert any(c.value.startswith("Showing ") for c in app.sidebar.caption)
    cursor = app.sidebar.slider(key="time_cursor").value
    app.sidebar.slider(key="time_cursor").set_value(last).run()
    assert not app.exception, app.exception
    assert app.sidebar.slider(key="time_cursor").value == last != cursor
