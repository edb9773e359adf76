"""AppTest: the situation map draws a store's reference areas as a choropleth; the Data page
offers the area layer for a population table (issue 13)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from streamlit.testing.v1 import AppTest

from humansec.model import WGS84, LayerKind, conform
from humansec.store import GeoPackageStore, NewLayer
from tests.test_app import start


@pytest.fixture
def with_areas(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """A store of three districts (one without a population) and one town."""
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
    store = GeoPackageStore(tmp_path / "humansec.gpkg")
    store.add_version(areas, NewLayer(LayerKind.AREA, "Districts", "test", "-", "NATO RESTRICTED"))
    store.add_version(
        town, NewLayer(LayerKind.POPULATION, "Census", "test", "-", "NATO RESTRICTED")
    )
    return start(tmp_path, monkeypatch)


def test_the_situation_map_draws_areas_as_a_choropleth(with_areas: AppTest) -> None:
    app = with_areas
    assert not app.exception, app.exception
    counts = app.table[0].value
    assert counts.loc["Reference areas", "features stored"] == 3
    assert counts.loc["Reference areas", "features shown"] == 3
    measure = app.sidebar.selectbox(key="map_area_measure")
    assert measure.value == "population"
    measure.set_value("density_km2").run()
    assert not app.exception, app.exception
    # Leaving the areas out of the layers keeps the page running without them
    app.sidebar.multiselect[0].set_value(["population"]).run()
    assert not app.exception, app.exception
    assert list(app.table[0].value.index) == ["Population centres"]


def test_the_data_page_offers_the_area_layer_for_a_population_table(with_areas: AppTest) -> None:
    app = with_areas
    app.switch_page("pages/data.py").run()
    assert not app.exception, app.exception
    layer = app.selectbox(key="data_population_layer")
    assert len(layer.options) == 1 and "Districts" in layer.options[0]
    assert app.button(key="data_population_join").disabled  # no table chosen yet
