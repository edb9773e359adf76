"""What an analyst sees: a GeoTIFF population grid uploaded on the Data page is drawn on the
situation map as an image with its legend, and the page asks for nothing off the machine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import rasterio
from playwright.sync_api import Browser, Page, expect
from rasterio.transform import from_origin

from tests.browser.conftest import Guard, Server, guarded, open_then, start_server
from tests.browser.test_data_upload import choose, idle, submit
from tests.browser.test_situation_map import MAP_FRAME

pytestmark = pytest.mark.browser

GRID_IMAGES = """() => [...document.querySelectorAll('img.leaflet-image-layer')]
    .filter(img => img.src.startsWith('data:image/png')).length"""


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server of its own: the grid and its legend must not change other tests' maps."""
    folder = tmp_path_factory.mktemp("grid-browser")
    running = start_server(folder / "data", folder / "streamlit.log")
    yield running
    running.stop()


@pytest.fixture
def page_and_guard(browser: Browser, own_server: Server) -> Iterator[tuple[Page, Guard]]:
    with guarded(browser, own_server.url) as (page, guard):
        yield page, guard


def sex_grid(path: Path) -> None:
    """Two bands (female, male) of 40 x 30 cells of 0.01 degrees around Suwałki."""
    cells = np.arange(2 * 30 * 40, dtype="float32").reshape(2, 30, 40)
    with rasterio.open(
        path, "w", driver="GTiff", width=40, height=30, count=2, dtype="float32",
        crs="EPSG:4326", transform=from_origin(22.75, 54.25, 0.01, 0.01), nodata=-1.0,
    ) as out:  # fmt: skip
        out.write(cells)


def test_an_uploaded_grid_is_stored_and_drawn_with_its_legend(
    page_and_guard: tuple[Page, Guard], own_server: Server, tmp_path: Path
) -> None:
    page, guard = page_and_guard
    grid = tmp_path / "worldpop sex.tif"
    sex_grid(grid)
    open_then(page, own_server, "Data")
    expect(page.get_by_role("heading", name="Data")).to_be_visible(timeout=60_000)
    choose(page, "What does the file hold?", "Population grids")
    page.locator('input[type="file"][accept*=".tif"]').set_input_files(str(grid))
    idle(page)
    page.get_by_role("textbox", name="What each band counts").fill("female, male")
    page.get_by_role("textbox", name="Title").fill("WorldPop sexes")
    page.get_by_role("textbox", name="Your name and unit").fill("Capt Analyst, J2")
    submit(page, page.get_by_role("button", name="Store", exact=True))
    expect(page.get_by_text("Stored the grid as layer").first).to_be_visible(timeout=90_000)
    expect(page.get_by_text("1: female, 2: male").first).to_be_visible()

    page.get_by_role("link", name="Situation map").click()
    drawn = 0
    for _ in range(60):
        frames = [e.content_frame() for e in page.locator(MAP_FRAME).element_handles()]
        drawn = max((f.evaluate(GRID_IMAGES) for f in frames if f is not None), default=0)
        if drawn:
            break
        page.wait_for_timeout(1000)
    assert drawn == 1
    frame = page.frame_locator(MAP_FRAME).last
    legend = frame.get_by_text("WorldPop sexes (female): people per cell")
    expect(legend).to_be_visible()
    # the legend follows its grid in the layer control: gone while the grid is switched off
    frame.locator(".leaflet-control-layers").hover()
    entry = frame.locator(".leaflet-control-layers-overlays label").filter(
        has_text="Population grid: WorldPop sexes (female)"
    )
    entry.locator("input").uncheck()
    expect(legend).to_be_hidden()
    entry.locator("input").check()
    expect(legend).to_be_visible()
    # its title folds it to one line and back (stacked legends must not hide the map)
    note = frame.get_by_text("0 or no data: not drawn")
    expect(note).to_be_visible()
    legend.click()
    expect(note).to_be_hidden()
    expect(legend).to_be_visible()
    legend.press("Enter")
    expect(note).to_be_visible()
    assert guard.blocked == []
