"""AppTest: the Basemaps page runs and lists packages; the map pages offer the choice."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from humansec.basemaps import BasemapCatalogue, BasemapRecord
from humansec.basemaps.serve import served_dir
from tests.basemap_files import png, write_mbtiles
from tests.test_app import PROJECT, map_reported, start


@pytest.fixture
def with_basemap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[AppTest, BasemapRecord]]:
    data = tmp_path / "data"
    catalogue = BasemapCatalogue(data)
    source = write_mbtiles(tmp_path / "ops.mbtiles", {(0, 0, 0): png(colour=(5, 6, 7))})
    record = catalogue.add(
        source, original_name="ops.mbtiles", title="Ops area", marking="NATO CONFIDENTIAL",
        markings=("NATO UNCLASSIFIED", "NATO CONFIDENTIAL"), who="test",
    )  # fmt: skip
    yield start(data, monkeypatch), record
    shutil.rmtree(served_dir(catalogue.static_dir, record.basemap_id), ignore_errors=True)


def test_the_basemaps_page_lists_the_package(with_basemap: tuple[AppTest, BasemapRecord]) -> None:
    app, record = with_basemap
    app.switch_page("pages/basemaps.py").run()
    assert not app.exception, app.exception
    assert app.title[0].value == "Basemaps"
    table = app.dataframe[0].value
    assert list(table["basemap"]) == [record.basemap_id]
    assert list(table["classification"]) == ["NATO CONFIDENTIAL"]
    app.button(key="basemap_retire").click().run()
    assert not app.exception, app.exception
    assert list(app.dataframe[0].value["status"]) == ["retired"]


def _banner(app: AppTest) -> str:
    return next(m.value for m in app.html if 'class="humansec-banner"' in m.value)


def test_choosing_a_basemap_keeps_it_across_the_map_pages(
    with_basemap: tuple[AppTest, BasemapRecord],
) -> None:
    app, record = with_basemap
    assert "NATO CONFIDENTIAL" not in _banner(app)
    map_reported(app)  # the sidebar's filters follow the map
    choice = app.sidebar.selectbox(key="basemap_choice")
    assert choice.options == ["Countries (built in)", "Ops area (NATO CONFIDENTIAL)"]
    choice.set_value(record.basemap_id).run()
    assert not app.exception, app.exception
    assert app.session_state["basemap_chosen"] == record.basemap_id
    app.switch_page("pages/planned_activities.py").run()
    assert not app.exception, app.exception
    assert app.sidebar.selectbox(key="basemap_choice").value == record.basemap_id


def test_the_banner_carries_the_marking_of_the_chosen_basemap(
    with_basemap: tuple[AppTest, BasemapRecord],
) -> None:
    _, record = with_basemap
    # AppTest shows app.py's banners on a script's first run only: start a second session
    # with the choice already made.
    app = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=60)
    app.session_state["basemap_chosen"] = record.basemap_id
    app.run()
    assert not app.exception, app.exception
    assert ">EXERCISE - NATO CONFIDENTIAL - EXERCISE<" in _banner(app)


def test_a_chosen_basemap_that_is_retired_falls_back_to_the_countries(
    with_basemap: tuple[AppTest, BasemapRecord],
) -> None:
    app, record = map_reported(with_basemap[0]), with_basemap[1]
    app.sidebar.selectbox(key="basemap_choice").set_value(record.basemap_id).run()
    BasemapCatalogue(app_data_dir()).set_retired(record.basemap_id, retired=True, who="t")
    app.run()
    assert not app.exception, app.exception
    choice = app.sidebar.selectbox(key="basemap_choice")
    assert choice.options == ["Countries (built in)"]
    assert choice.value == ""


def app_data_dir() -> Path:
    """The data folder the app under test reads (``start`` sets it in the environment)."""
    return Path(os.environ["HUMANSEC_DATA_DIR"])
