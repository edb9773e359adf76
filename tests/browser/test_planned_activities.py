"""What a planner sees: an activity entered by MGRS is flagged on the map."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import Error as PlaywrightError

from tests.browser.conftest import Guard, Server, open_then, start_server
from tests.browser.test_situation_map import (
    MAP_FRAME,
    OPEN_POPUPS,
    drawn_before_and_not_again,
    watch_until,
)

pytestmark = pytest.mark.browser

SITE_CP_005 = "34U FE 29074 68283"  # a demo cultural site (general protection)


def test_activity_entered_by_mgrs_is_flagged_on_the_map(
    guarded_page: tuple[Page, Guard], server: Server
) -> None:
    page, guard = guarded_page
    open_then(page, server, "Planned activities")
    expect(page.get_by_role("heading", name="Planned activities")).to_be_visible(timeout=60_000)
    page.get_by_text("Include the activity layers of the store").click()
    page.get_by_role("tab", name="Enter by hand").click()
    page.get_by_label("Id", exact=True).fill("strike-1")
    page.get_by_label("MGRS", exact=True).fill(SITE_CP_005)
    page.get_by_label("Type", exact=True).click()
    page.get_by_role("option", name="air_strike").click()
    page.get_by_role("button", name="Add activity").click()
    red = page.get_by_test_id("stMetric").filter(has_text="Red (critical or high)")
    expect(red.get_by_test_id("stMetricValue")).to_have_text("1", timeout=30_000)

    def flagged(shown: list[dict[str, str]]) -> bool:
        # The popup says it in words: the check's status and the activity's type.
        return any("Conflict check\tRed" in p["text"] and "Air strike" in p["text"] for p in shown)

    popups: list[dict[str, str]] = []
    for _ in range(60):  # the map may be redrawn after the rerun: look it up each time
        # While Streamlit swaps the map, the old and the new frame may both be on the page.
        for element in page.locator(MAP_FRAME).all():
            try:
                frame = element.element_handle().content_frame()
                popups = frame.evaluate(OPEN_POPUPS, "strike-1") if frame else []
            except PlaywrightError:  # the frame went away under us
                popups = []
            if flagged(popups):
                break
        if flagged(popups):
            break
        page.wait_for_timeout(500)
    assert flagged(popups), popups
    assert guard.blocked == []
    assert guard.dialogs == []


def test_the_plan_map_comes_before_its_tables_and_is_not_drawn_again(
    guarded_page: tuple[Page, Guard], server: Server
) -> None:
    page, guard = guarded_page
    page.add_init_script(watch_until('[data-testid="stDownloadButton"]'))
    page.goto(f"{server.url}/planned_activities", wait_until="domcontentloaded")
    download = page.get_by_role("button", name="Download conflicts (CSV)")
    expect(download).to_be_visible(timeout=60_000)
    drawn_before_and_not_again(page)
    page.get_by_role("tab", name="Enter by hand").click()
    expect(page.get_by_label("MGRS", exact=True)).to_be_visible()
    assert page.get_by_test_id("stException").count() == 0
    assert guard.blocked == []


@pytest.fixture
def fresh_server(tmp_path: Path) -> Iterator[Server]:
    running = start_server(tmp_path / "data", tmp_path / "streamlit.log")
    yield running
    running.stop()


def test_a_page_url_opened_first_goes_through_the_router(
    browser: Browser, fresh_server: Server
) -> None:
    # A fresh server process whose first request is a page's URL: without the router guard,
    # Streamlit runs the page alone (no classification banner, no shared frame).
    page = browser.new_page()
    page.goto(f"{fresh_server.url}/planned_activities", wait_until="domcontentloaded")
    banner = page.locator(".humansec-banner").first
    expect(banner).to_have_text("EXERCISE - NATO UNCLASSIFIED - EXERCISE", timeout=60_000)
    expect(page.get_by_role("link", name="Planned activities")).to_be_visible()
    page.close()
