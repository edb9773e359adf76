"""AppTest: the situation map runs with a population grid in the store and draws it."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from rasterio.transform import from_origin
from streamlit.testing.v1 import AppTest

from humansec.ingest.raster import GridFacts, grid_frame
from humansec.model import WGS84, LayerKind, conform
from humansec.population.rasters import raster_file_name
from humansec.store import GeoPackageStore, NewLayer
from tests.test_app import map_args, map_reported, situation_counts, start

DIGEST = "ef" * 32


@pytest.fixture
def with_grid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """A store with one population place and a 2-band grid around it (Suwałki)."""
    grid = tmp_path / "rasters" / raster_file_name(DIGEST)
    grid.parent.mkdir()
    cells = np.arange(2 * 20 * 30, dtype="float32").reshape(2, 20, 30)
    with rasterio.open(
        grid, "w", driver="GTiff", width=30, height=20, count=2, dtype="float32",
        crs="EPSG:4326", transform=from_origin(22.8, 54.2, 0.01, 0.01), nodata=-1.0,
    ) as out:  # fmt: skip
        out.write(cells)
    facts = GridFacts(
        width=30, height=20, count=2, dtype="float32", crs="EPSG:4326", nodata=(-1.0, -1.0),
        bounds=(22.8, 54.0, 23.1, 54.2), resolution=(0.01, 0.01),
    )  # fmt: skip
    store = GeoPackageStore(tmp_path / "humansec.gpkg")
    store.add_version(
        grid_frame(facts, ["total", "female"], DIGEST, "WorldPop <i>2020</i>"),
        NewLayer(LayerKind.POPULATION_RASTER, "WorldPop", "test", "CC-BY", "NATO UNCLASSIFIED"),
    )
    place = gpd.GeoDataFrame(
        {"id": ["p1"], "name": ["Suwałki"], "population": [69_000]},
        geometry=[shapely.Point(22.93, 54.1)],
        crs=WGS84,
    )
    store.add_version(
        conform(place, LayerKind.POPULATION),
        NewLayer(LayerKind.POPULATION, "Census", "test", "-", "NATO UNCLASSIFIED"),
    )
    return start(tmp_path, monkeypatch)


def test_the_situation_map_draws_a_stored_grid_with_its_legend(with_grid: AppTest) -> None:
    app = map_reported(with_grid)
    assert not app.exception, app.exception
    counts = situation_counts(app)
    assert counts.loc["Population grids", "features stored"] == 2
    args = map_args(app)
    assert "data:image/png;base64," in args
    assert "people per cell" in args
    assert "<i>2020</i>" not in args  # the layer's name is escaped
    app.sidebar.multiselect[0].set_value(["population"]).run()
    assert not app.exception, app.exception
    assert "data:image/png;base64," not in map_args(app)


def test_the_data_page_offers_a_grid_upload_and_retires_a_grid(with_grid: AppTest) -> None:
    app = with_grid
    app.switch_page("pages/data.py").run()
    assert not app.exception, app.exception
    app.selectbox(key="data_kind").set_value("population_raster").run()
    assert not app.exception, app.exception
    roles = app.text_input(key="data_grid_roles")
    assert roles.value == "total"
    assert "female:15-19" in str(roles.help)
    assert not [e for e in app.text_input if e.key == "data_crs"]  # vector-only options hidden
    grid_layer = next(
        option for option in app.selectbox(key="data_catalogue_layer").options
        if option.lower().startswith("worldpop")
    )  # fmt: skip
    app.selectbox(key="data_catalogue_layer").set_value(grid_layer).run()
    app.button(key="data_retire").click().run()
    assert not app.exception, app.exception
    app.switch_page("pages/situation_map.py").run()
    assert not app.exception, app.exception
    assert "data:image/png;base64," not in map_args(app)
