"""Every page opens from its own URL as the first request to a freshly started server.

A bookmarked ``/briefing`` opened first on a new server once drew the sidebar and never the
page: with a ``pages/`` folder, Streamlit's first run falls back to folder navigation.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import Server, start_server

pytestmark = pytest.mark.browser

# URL path -> a heading only that page draws (every page in ui/navigation.PAGES).
PAGES = {
    "": "Situation map",
    "situation_map": "Situation map",
    "planned_activities": "Planned activities",
    "briefing": "Briefing",
    "incidents": "Incidents",
    "data": "Data",
    "rules": "Stand-off rules",
    "audit_trail": "Audit trail",
    "basemaps": "Basemaps",
    "settings": "Settings",
}


@pytest.fixture
def fresh_server(tmp_path: Path) -> Iterator[Server]:
    running = start_server(tmp_path / "data", tmp_path / "streamlit.log")
    yield running
    running.stop()


@pytest.mark.parametrize("path", list(PAGES))
def test_page_opens_from_its_url_on_a_fresh_server(
    browser: Browser, fresh_server: Server, path: str
) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    blocked: list[str] = []
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith((fresh_server.url, "data:", "blob:", "about:"))
            else (blocked.append(route.request.url), route.abort())
        ),
    )
    page = context.new_page()
    try:
        page.goto(f"{fresh_server.url}/{path}", wait_until="domcontentloaded")
        expect(page.get_by_role("heading", name=PAGES[path], exact=True)).to_be_visible(
            timeout=60_000
        )
        # The classification banner above and below the page: the page ran to its end.
        expect(page.locator(".humansec-banner")).to_have_count(2, timeout=60_000)
        assert page.get_by_text("Traceback").count() == 0
        assert blocked == []
    finally:
        context.close()


def test_every_page_of_the_navigation_is_opened_here() -> None:
    from ui.navigation import PAGES as NAVIGATION  # noqa: PLC0415 - the app's own table

    assert {page.url_path for page in NAVIGATION} == set(PAGES) - {""}
