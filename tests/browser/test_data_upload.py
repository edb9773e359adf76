"""What an analyst sees: a zipped shapefile uploaded on the Data page appears on the map."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.browser.conftest import Guard, Server, open_then
from tests.browser.test_situation_map import MAP_FRAME, OPEN_POPUPS

pytestmark = pytest.mark.browser

TOWN = "Uploadville"


def idle(page: Page) -> None:
    """Wait until Streamlit has no script run in progress (its status widget is gone)."""
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=60_000)


def choose(page: Page, label: str, option: str) -> None:
    """Pick ``option`` in the select box ``label`` once no rerun is replacing the page.

    A click during a rerun can open a box that the rerun then redraws closed, so each try
    starts from a settled page, and a box that closed before the option was picked is opened
    again.
    """
    wanted = page.get_by_role("option", name=option)
    for _ in range(3):
        idle(page)
        try:  # the box itself can be redrawn by a rerun while it is clicked
            page.get_by_label(label).click(timeout=10_000)
            wanted.click(timeout=10_000)
        except PlaywrightTimeoutError:
            continue
        idle(page)
        return
    page.get_by_label(label).click()  # a last try that fails with Playwright's own account
    wanted.click()


def submit(page: Page, button: Locator) -> None:
    """Click a form's submit ``button`` on a settled page, again if a rerun replaced it."""
    for _ in range(3):
        idle(page)
        try:
            button.click(timeout=10_000)
        except PlaywrightTimeoutError:
            continue
        return
    button.click()


def open_data_page(page: Page, server: Server) -> None:
    """Open the app (through the router), then its Data page."""
    open_then(page, server, "Data")
    expect(page.get_by_role("heading", name="Data")).to_be_visible(timeout=60_000)


def sign_as(page: Page, who: str) -> None:
    """Give the uploader's name and unit in the settled store form."""
    idle(page)
    page.get_by_role("textbox", name="Your name and unit").fill(who)


def upload(page: Page, server: Server, path: Path, kind: str, *, report: bool = True) -> None:
    """Open the Data page, say what the file holds, upload it and (by default) await its report."""
    open_data_page(page, server)
    choose(page, "What does the file hold?", kind)
    page.locator('input[type="file"]').set_input_files(str(path))
    if report:
        expect(page.get_by_role("heading", name="Validation report")).to_be_visible(timeout=60_000)


def zipped_shapefile(folder: Path) -> Path:
    """A shapefile in UTM 34N inside a folder with a space in its name, zipped."""
    inner = folder / "survey data"
    inner.mkdir()
    frame = gpd.GeoDataFrame(
        {"NAME": [TOWN, "Second town"], "POP": [12_345, 678], "CODE": ["U1", "U2"]},
        geometry=[shapely.Point(22.95, 54.05), shapely.Point(23.1, 54.2)],
        crs="EPSG:4326",
    ).to_crs("EPSG:32634")
    frame.to_file(inner / "towns survey.shp", encoding="UTF-8")
    archive = folder / "towns.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for part in inner.iterdir():
            out.write(part, f"survey data/{part.name}")
    return archive


def test_an_uploaded_shapefile_is_stored_and_drawn(
    guarded_page: tuple[Page, Guard], server: Server, tmp_path: Path
) -> None:
    page, guard = guarded_page
    archive = zipped_shapefile(tmp_path)
    open_data_page(page, server)
    page.locator('input[type="file"]').set_input_files(str(archive))
    expect(page.get_by_role("heading", name="What was read")).to_be_visible(timeout=60_000)
    features = page.get_by_test_id("stMetric").filter(has_text="Features read")
    expect(features.get_by_test_id("stMetricValue")).to_have_text("2")
    crs = page.get_by_test_id("stMetric").filter(has_text="Coordinate system")
    expect(crs.get_by_test_id("stMetricValue")).to_contain_text("32634")
    sign_as(page, "Capt Analyst, J2")
    submit(page, page.get_by_role("button", name="Store", exact=True))
    expect(page.get_by_text("Stored 2 features as layer").first).to_be_visible(timeout=60_000)

    page.get_by_role("link", name="Situation map").click()
    popups: list[dict[str, str]] = []
    for _ in range(60):
        for element in page.locator(MAP_FRAME).all():
            try:
                handle = element.element_handle()
                frame = handle.content_frame() if handle else None
                popups = frame.evaluate(OPEN_POPUPS, TOWN) if frame else []
            except PlaywrightError:  # the frame went away under us
                popups = []
            if popups:
                break
        if popups:
            break
        page.wait_for_timeout(500)
    assert any("12345" in p["text"].replace(",", "") for p in popups), popups
    assert guard.blocked == []
    assert guard.dialogs == []


def test_the_analyst_edits_the_suggested_mapping_before_storing(
    guarded_page: tuple[Page, Guard], server: Server, tmp_path: Path
) -> None:
    page, guard = guarded_page
    sites = tmp_path / "sites.csv"
    sites.write_text(
        "site,latitude,longitude\nOld church,54.10,22.93\nTown hall,54.12,22.95\n",
        encoding="utf-8",
    )
    upload(page, server, sites, "Cultural property")
    # No column says how the sites are protected: storing is blocked until the analyst says.
    expect(page.get_by_text("'protection' is required").first).to_be_visible()
    expect(page.get_by_role("button", name="Store")).to_be_disabled()
    choose(page, "protection (required)", "value: national_list")
    # While Streamlit reruns, the old (disabled) and the new button may both be on the page.
    store = page.get_by_role("button", name="Store").and_(page.locator(":enabled"))
    expect(store).to_have_count(1, timeout=60_000)
    who = page.get_by_role("textbox", name="Your name and unit")
    expect(who).to_have_count(1, timeout=60_000)
    idle(page)  # the rerun has finished: a click now submits the form
    who.fill("Sgt Mapper, CIMIC")
    submit(page, store)
    expect(page.get_by_text("Stored 2 features as layer").first).to_be_visible(timeout=60_000)
    assert guard.blocked == []


def test_a_multi_layer_geopackage_asks_which_layer(
    guarded_page: tuple[Page, Guard], server: Server, tmp_path: Path
) -> None:
    page, guard = guarded_page
    path = tmp_path / "partner.gpkg"
    for name, count in (("camps", 1), ("towns", 3)):
        gpd.GeoDataFrame(
            {"name": [f"{name} {i}" for i in range(count)], "population": [100] * count},
            geometry=[shapely.Point(22.9 + i / 100, 54.1) for i in range(count)],
            crs="EPSG:4326",
        ).to_file(path, layer=name)
    open_data_page(page, server)
    page.locator('input[type="file"]').set_input_files(str(path))
    chooser = page.get_by_label("The file holds several layers (or sheets): which one?")
    expect(chooser).to_be_visible(timeout=60_000)
    chooser.click()
    page.get_by_role("option", name="towns").click()
    features = page.get_by_test_id("stMetric").filter(has_text="Features read")
    expect(features.get_by_test_id("stMetricValue")).to_have_text("3", timeout=60_000)
    assert guard.blocked == []


def test_text_from_a_file_is_shown_as_text_not_markdown(
    guarded_page: tuple[Page, Guard], server: Server, tmp_path: Path
) -> None:
    page, guard = guarded_page
    # A value that Markdown would turn into an image fetched from elsewhere, and a link.
    image = "![seen](http://198.51.100.7/pixel.png)"
    sites = tmp_path / "sites.csv"
    sites.write_text(
        "name,protection,latitude,longitude\n"
        f'Church,"{image}",54.10,22.93\n'
        "Museum,[click](http://198.51.100.7/),54.12,22.95\n",
        encoding="utf-8",
    )
    upload(page, server, sites, "Cultural property")
    choose(page, "protection (required)", "column: protection")
    # The refusal quotes the values literally: no image, no link, nothing fetched.
    alert = page.locator(".humansec-error").filter(has_text="not valid values").first
    expect(alert).to_contain_text(image, timeout=60_000)
    expect(alert.locator("img")).to_have_count(0)
    expect(alert.locator("a")).to_have_count(0)
    page.wait_for_timeout(1000)
    assert guard.blocked == []


def test_a_french_facility_list_is_classed_and_a_second_upload_of_it_asks_first(
    guarded_page: tuple[Page, Guard], server: Server, tmp_path: Path
) -> None:
    page, guard = guarded_page
    facilities = tmp_path / "etablissements.csv"
    facilities.write_text(
        "nom,type,latitude,longitude\n"
        "CHR de Kaya,Centre Hospitalier Régional,54.11,22.91\n"
        "CSPS de Boussé,CSPS,54.13,22.92\n"
        "Siège,Siège d'ONG,54.14,22.93\n",
        encoding="utf-8",
    )
    upload(page, server, facilities, "Humanitarian sites")
    # Classed from the French words; the NGO office fits no category and is kept as 'other'.
    expect(page.get_by_role("button", name="Store")).to_be_enabled(timeout=60_000)
    sign_as(page, "Capt Analyst, J2")
    submit(page, page.get_by_role("button", name="Store", exact=True))
    stored = page.get_by_text(re.compile(r"Stored 3 features as layer (\S+) version 1"))
    expect(stored.first).to_be_visible(timeout=60_000)
    found = re.search(r"as layer (\S+) version", stored.first.inner_text())
    assert found
    layer_id = found[1]

    # A second session (another analyst) uploads the very same file.
    page = page.context.new_page()
    upload(page, server, facilities, "Humanitarian sites", report=False)
    expect(page.get_by_text("This file (same SHA-256) is already stored").first).to_be_visible(
        timeout=60_000
    )
    store_as = page.get_by_role("combobox", name="Store as")
    expect(store_as).to_have_value(f"a new version of {layer_id}")  # chosen for the analyst
    sign_as(page, "Lt Second, J2")
    submit(page, page.get_by_role("button", name="Store", exact=True))
    expect(page.get_by_text(f"as layer {layer_id} version 2").first).to_be_visible(timeout=60_000)
    assert guard.blocked == []
