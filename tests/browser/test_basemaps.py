"""Basemap packages in a real browser: added, chosen in the sidebar, drawn from the app itself.

The packages are built by the test (PNG tiles in an MBTiles file, vector tiles in a PMTiles
file) over the demo area; the app serves their tiles from ``static/basemaps/`` and nothing
may leave 127.0.0.1.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, Response, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from humansec.basemaps import BasemapCatalogue
from humansec.basemaps.serve import DEFAULT_STATIC_DIR, SERVED_SUBDIR, served_dir
from tests.basemap_files import (
    DEMO_BOUNDS,
    demo_raster_tiles,
    demo_vector_tiles,
    write_mbtiles,
    write_pmtiles,
)
from tests.browser.conftest import Guard, Server, open_then, start_server

pytestmark = pytest.mark.browser

MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
SCREENSHOTS = Path(__file__).resolve().parents[2] / "benchmarks" / "results"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """An app of its own: the basemaps added here stay out of the other tests' data."""
    folder = tmp_path_factory.mktemp("basemaps")
    running = start_server(folder / "data", folder / "streamlit.log")
    yield running
    running.stop()
    for record in BasemapCatalogue(folder / "data").records(include_retired=True):
        shutil.rmtree(served_dir(DEFAULT_STATIC_DIR, record.basemap_id), ignore_errors=True)


def idle(page: Page) -> None:
    """Wait until Streamlit has no script run in progress."""
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=60_000)


def tile_responses(page: Page) -> list[tuple[str, int, str]]:
    """Every response for a served basemap tile, as (url, status, content type)."""
    seen: list[tuple[str, int, str]] = []

    def record(response: Response) -> None:
        if f"/app/static/{SERVED_SUBDIR}/" in response.url:
            seen.append((response.url, response.status, response.headers.get("content-type", "")))

    page.on("response", record)
    return seen


def choose_basemap(page: Page, title: str) -> None:
    # The map reports its view once drawn, and that rerun can close an open dropdown: retry.
    for attempt in range(4):
        idle(page)
        page.get_by_test_id("stSidebar").get_by_role("combobox", name="Basemap").click()
        try:
            page.get_by_role("option", name=title).click(timeout=15_000)
        except PlaywrightTimeoutError:
            if attempt == 3:
                raise
            page.keyboard.press("Escape")
            continue
        break
    idle(page)


def wait_in_map(page: Page, condition: str, *, seconds: int = 120) -> None:
    """Wait until ``condition`` (a JS function) is true in a map frame.

    Choosing a basemap redraws the map, so a frame may go away under us: look again.
    """
    for _ in range(seconds * 2):
        for element in page.locator(MAP_FRAME).all():
            try:
                handle = element.element_handle(timeout=1000)
                frame = handle.content_frame() if handle else None
                if frame is not None and frame.evaluate(condition):
                    return
            except PlaywrightError:  # the frame went away under us
                continue
        page.wait_for_timeout(500)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "basemap-failed.png"))
    state = [
        element.element_handle()
        .content_frame()
        .evaluate(  # type: ignore[union-attr]
            "() => [...document.querySelectorAll('.leaflet-tile-pane img')]"
            ".map(t => [t.className, t.naturalWidth, t.src.slice(-40)])"
        )
        for element in page.locator(MAP_FRAME).all()
    ]
    pytest.fail(f"not seen in the map within {seconds} s: {condition}; tiles: {state}")


def test_an_uploaded_raster_mbtiles_is_drawn_from_the_app(
    guarded_page: tuple[Page, Guard], server: Server, tmp_path: Path
) -> None:
    page, guard = guarded_page
    tiles = demo_raster_tiles()
    package = write_mbtiles(
        tmp_path / "ops area.mbtiles", tiles,
        metadata={"format": "png", "name": "Ops area", "bounds": ",".join(map(str, DEMO_BOUNDS))},
    )  # fmt: skip
    responses = tile_responses(page)
    open_then(page, server, "Basemaps", timeout_ms=120_000)
    expect(page.get_by_role("heading", name="Basemaps")).to_be_visible(timeout=60_000)
    page.locator('input[type="file"]').set_input_files(str(package))
    idle(page)
    page.get_by_role("button", name="Add basemap").click()
    expect(page.get_by_text("Added Ops area").first).to_be_visible(timeout=120_000)
    expect(page.get_by_text(f"{len(tiles):,} PNG tiles").first).to_be_visible()

    page.get_by_role("link", name="Situation map").click()
    choose_basemap(page, "Ops area (NATO UNCLASSIFIED)")
    wait_in_map(
        page,
        "() => { const tiles = document.querySelectorAll("
        "'.hs-package-basemap img.leaflet-tile-loaded');"
        " return tiles.length >= 4 && [...tiles].every(t => t.naturalWidth === 256); }",
    )
    page.wait_for_timeout(1000)  # let the last tiles land before counting
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "basemap-raster.png"))
    assert responses, "no tile was requested"
    assert all(status == 200 for _, status, _ in responses), responses
    assert all(url.startswith(server.url) and url.endswith(".png") for url, _, _ in responses)
    assert {kind for _, _, kind in responses} == {"image/png"}
    assert guard.blocked == []
    assert guard.dialogs == []


def test_a_vector_pmtiles_is_drawn_in_the_browser(
    guarded_page: tuple[Page, Guard], server: Server, tmp_path: Path
) -> None:
    page, guard = guarded_page
    package = write_pmtiles(
        tmp_path / "vector.pmtiles", demo_vector_tiles(), tile_type="mvt", gzip_tiles=True,
        metadata={"name": "Vector ops", "vector_layers": [{"id": "water"}, {"id": "roads"}]},
        bounds=DEMO_BOUNDS,
    )  # fmt: skip
    BasemapCatalogue(server.data_dir).add(
        package, original_name=package.name, title="", marking="NATO RESTRICTED",
        markings=("NATO UNCLASSIFIED", "NATO RESTRICTED"), who="test",
    )  # fmt: skip
    responses = tile_responses(page)
    page.goto(server.url, wait_until="domcontentloaded")
    page.locator(MAP_FRAME).last.wait_for(timeout=120_000)
    choose_basemap(page, "Vector ops (NATO RESTRICTED)")
    expect(page.locator(".humansec-banner").first).to_contain_text("NATO RESTRICTED")
    # protomaps-leaflet draws each tile on a canvas: wait for the water colour in one.
    wait_in_map(
        page,
        """() => [...document.querySelectorAll('.leaflet-tile-pane canvas')].some(c => {
             if (!c.width) return false;
             const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
             for (let i = 0; i < d.length; i += 4 * 97) {
               if (Math.abs(d[i] - 169) < 6 && Math.abs(d[i+1] - 201) < 6
                   && Math.abs(d[i+2] - 230) < 6) return true;
             }
             return false; })""",
    )
    page.wait_for_timeout(1500)
    page.screenshot(path=str(SCREENSHOTS / "basemap-vector.png"))
    mvt = [(url, status, kind) for url, status, kind in responses if url.endswith(".mvt")]
    assert mvt, responses
    assert all(status == 200 for _, status, _ in mvt), mvt
    # Streamlit sends the type Python's mimetypes finds (/etc/mime.types knows .mvt on Debian,
    # Python alone does not); fetch() reads the bytes either way.
    assert {kind for _, _, kind in mvt} <= {
        "application/vnd.mapbox-vector-tile", "application/octet-stream",
    }  # fmt: skip
    assert guard.blocked == []
    assert guard.dialogs == []
