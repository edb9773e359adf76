"""The Incidents page draws its plotly charts offline: nothing leaves 127.0.0.1."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Guard, Server

pytestmark = pytest.mark.browser


def test_incidents_page_draws_its_charts_offline(
    guarded_page: tuple[Page, Guard], server: Server
) -> None:
    page, guard = guarded_page
    page.goto(f"{server.url}/incidents", wait_until="domcontentloaded")
    expect(page.get_by_role("heading", name="Incidents", exact=True)).to_be_visible(timeout=90_000)
    expect(page.locator(".humansec-banner")).to_have_count(2, timeout=90_000)
    # Five plotly charts drawn by plotly.js from Streamlit's own bundle (SVG in the page).
    plots = page.locator(".js-plotly-plot")
    expect(plots).to_have_count(5, timeout=90_000)
    for index in range(5):
        expect(plots.nth(index).locator("svg.main-svg").first).to_be_visible(timeout=30_000)
    expect(plots.nth(0).locator("g.barlayer path").first).to_be_attached()
    expect(page.get_by_text("Hot spots (Getis-Ord Gi*)")).to_be_visible()
    expect(page.get_by_text("Traceback")).to_have_count(0)
    assert page.locator("script[src*='mathjax' i]").count() == 0
    assert guard.blocked == []
    assert guard.failed == []
    assert guard.dialogs == []


def test_selecting_a_trend_bar_filters_the_other_charts(
    guarded_page: tuple[Page, Guard], server: Server
) -> None:
    page, guard = guarded_page
    page.goto(f"{server.url}/incidents", wait_until="domcontentloaded")
    plots = page.locator(".js-plotly-plot")
    expect(plots).to_have_count(5, timeout=90_000)
    bar = plots.nth(0).locator("g.barlayer path").first
    expect(bar).to_be_attached(timeout=30_000)
    bar.click(force=True)
    note = page.get_by_text(re.compile(r"\d+ incidents in the 1 bars selected in the trend chart"))
    expect(note).to_be_visible(timeout=60_000)
    expect(page.locator(".js-plotly-plot")).to_have_count(5, timeout=60_000)
    expect(page.get_by_text("Traceback")).to_have_count(0)
    assert guard.blocked == []
