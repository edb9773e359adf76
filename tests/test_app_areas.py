"""AppTest: the situation map draws a store's reference areas as a choropleth; the Data page
offers the area layer for a population table (issue 13)."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from streamlit.testing.v1 import AppTest

from humansec.model import WGS84, LayerKind, conform
from humansec.store import GeoPackageStore, NewLayer
from tests.test_app import map_reported, situation_counts, start
from ui import state


@pytest.fixture
def with_areas(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """A store of three districts (one without a population), one town and three incidents
    (two in the first district, one on the boundary it shares with the second)."""
    areas = conform(
        gpd.GeoDataFrame(
            {
                "id": ["PL01", "PL02", "PL03"],
                "name": ["Suwałki district", "Sejny <district>", "Augustów"],
                "pcode": ["PL01", "PL02", "PL03"],
                "admin_level": [2, 2, 2],
                "population": [35_000, 20_000, None],
                "age_0_4": [1_500, 900, None],
            },
            geometry=[
                shapely.box(22.6, 54.0, 23.2, 54.4),
                shapely.box(23.2, 54.0, 23.6, 54.4),
                shapely.box(22.6, 53.6, 23.2, 54.0),
            ],
            crs=WGS84,
        ),
        LayerKind.AREA,
    )
    town = conform(
        gpd.GeoDataFrame(
            {"id": ["p1"], "name": ["Suwałki"], "population": [69_000]},
            geometry=[shapely.Point(22.93, 54.1)],
            crs=WGS84,
        ),
        LayerKind.POPULATION,
    )
    incidents = conform(
        gpd.GeoDataFrame(
            {
                "id": ["e1", "e2", "e3"],
                "date": pd.to_datetime(["2026-09-10", "2026-09-20", "2026-10-01"], utc=True),
                "focus_areas": ["crsv", "poc", "poc"],
            },
            geometry=[
                shapely.Point(22.9, 54.2),
                shapely.Point(22.8, 54.1),
                shapely.Point(23.2, 54.2),  # on the PL01/PL02 boundary: counted once
            ],
            crs=WGS84,
        ),
        LayerKind.INCIDENT,
    )
    store = GeoPackageStore(tmp_path / "humansec.gpkg")
    store.add_version(
        incidents, NewLayer(LayerKind.INCIDENT, "Incidents", "test", "-", "NATO RESTRICTED")
    )
    store.add_version(areas, NewLayer(LayerKind.AREA, "Districts", "test", "-", "NATO RESTRICTED"))
    store.add_version(
        town, NewLayer(LayerKind.POPULATION, "Census", "test", "-", "NATO RESTRICTED")
    )
    return start(tmp_path, monkeypatch)


def test_the_situation_map_draws_areas_as_a_choropleth(with_areas: AppTest) -> None:
    app = map_reported(with_areas)
    assert not app.exception, app.exception
    counts = situation_counts(app)
    assert counts.loc["Reference areas", "features stored"] == 3
    assert counts.loc["Reference areas", "features shown"] == 3
    measure = app.sidebar.selectbox(key="map_area_measure")
    assert measure.value == "population"
    measure.set_value("density_km2").run()
    assert not app.exception, app.exception
    # Incidents per 100,000 people, of the incidents the filters keep: PL01 holds 3 of them
    # (3 / 35,000 people: 8.6), PL02 none (0), PL03 has no population (no figure)
    measure.set_value("incidents_per_100k").run()
    assert not app.exception, app.exception
    script = _map_script(app)
    # the period is the map's date range (its default window ends on the last incident)
    assert re.search(r"Incidents per 100,000 people, \d+ \w+ - 1 Oct 2026, all focus areas", script)
    assert "8.6 (1)" in script and "No figure (1)" in script
    assert "Incidents (map filters)" in script and "8.57 per 100,000 people" in script
    app.sidebar.multiselect(key=state.FILTER_FOCUS).set_value(["crsv"]).run()
    assert not app.exception, app.exception
    script = _map_script(app)
    assert re.search(r"\d+ \w+ - 1 Oct 2026, Conflict-related sexual violence", script)
    assert "2.86 per 100,000 people" in script  # 1 / 35,000 people
    assert "8.57 per 100,000 people" not in script
    # Leaving the areas out of the layers keeps the page running without them
    app.sidebar.multiselect[0].set_value(["population"]).run()
    assert not app.exception, app.exception
    assert list(situation_counts(app).index) == ["Population centres"]


def _map_script(app: AppTest) -> str:
    maps = app.get("component_instance")
    assert len(maps) == 1
    return str(maps[0].proto.json_args)


def test_the_data_page_offers_the_area_layer_for_a_population_table(with_areas: AppTest) -> None:
    app = with_areas
    app.switch_page("pages/data.py").run()
    assert not app.exception, app.exception
    layer = app.selectbox(key="data_population_layer")
    assert len(layer.options) == 1 and "Districts" in layer.options[0]
    assert app.button(key="data_population_join").disabled  # no table chosen yet


def test_the_incidents_page_offers_change_per_area(with_areas: AppTest) -> None:
    app = with_areas
    app.switch_page("pages/incidents.py").run()
    assert not app.exception
    per = app.selectbox(key=state.INCIDENTS_CHANGE_PER)
    assert per.options == ["H3 cell (resolution 6)", "Districts"]
    per.select_index(1).run()
    assert not app.exception
    table = app.dataframe[1].value  # the hot-spot table, then the change table
    # The windows end at the last incident (1 Oct): 20 Sep and 1 Oct (on the PL01/PL02
    # boundary: the first district) are recent, 10 Sep is in the baseline.
    assert table["area_id"].tolist() == ["PL01"]
    assert table[["recent", "baseline"]].values.tolist() == [[2, 1]]
    assert table["area"].tolist() == ["Suwałki district"]


def test_the_briefing_shades_the_areas_as_the_situation_map_last_did(with_areas: AppTest) -> None:
    app = map_reported(with_areas)
    app.sidebar.selectbox(key="map_area_measure").set_value("incidents_per_100k").run()
    app.switch_page("pages/briefing.py").run()
    assert not app.exception, app.exception
    shading = app.selectbox(key=state.BRIEF_AREAS)
    assert shading.value == "incidents_per_100k"  # the situation map's last choice
    app.selectbox(key=state.BRIEF_FORMAT).set_value("html").run()
    app.button(key="brief_make").click().run()
    assert not app.exception, app.exception
    html = app.session_state[state.BRIEF_PRODUCT][2].decode("utf-8")
    assert "hs-choropleth-row" in html and "8.6 (1)" in html  # PL01: 3 per 35,000 people
    # the rate names the map's filters it counted (its date window)
    assert re.search(r"Incidents per 100,000 people, \d+ \w+ - 1 Oct 2026, all focus", html)
    log = app.dataframe[-1].value  # the exports recorded, with the shading
    assert list(log["areas"]) == ["incidents_per_100k"]
    app.selectbox(key=state.BRIEF_AREAS).set_value("outlines").run()
    app.button(key="brief_make").click().run()
    html = app.session_state[state.BRIEF_PRODUCT][2].decode("utf-8")
    assert "hs-choropleth-row" not in html
