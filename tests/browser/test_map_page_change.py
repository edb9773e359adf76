"""A live map sends no report once the user has clicked a link to another page.

The map's frame sits in a page of the test's own with two links marked as Streamlit marks
its navigation links: one to the page itself, one to another page (the click is kept from
navigating, so the frame stays). ``window.Streamlit`` in the frame records what the map
reports, as streamlit-folium's would send it. The frame is added once the test has set the
page up (a click made before the map's script ran leaves only the focus on the link). Every
request is answered by the test.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Frame, Page, Route

from humansec.demo import DEMO_AREA
from humansec.mapview import build_base_map
from humansec.mapview.assets import VENDOR_DIR
from humansec.mapview.first_view import ReportAfterBasemap
from humansec.mapview.page_change import NAV_LINK_SELECTOR, StopReportsOnPageChange
from humansec.model import LayerKind

pytestmark = pytest.mark.browser

ORIGIN = "http://127.0.0.1:9"
"""Never reached: every request to it is answered by the test's route."""
PREFIX = f"{ORIGIN}/vendor/"
PROJECT = Path(__file__).resolve().parents[2]
PARENT = """<!doctype html><html><body>
<a data-testid="stSidebarNavLink" href="/app/situation_map">Situation map</a>
<a data-testid="stSidebarNavLink" href="/app/data"><span>Data</span></a>
<script>
document.addEventListener("click", (event) => event.preventDefault());
window.sent = [];
</script></body></html>"""
ADD_FRAME = f"""() => {{
  const frame = document.createElement("iframe");
  frame.src = "{ORIGIN}/map.html";
  frame.style.cssText = "width: 900px; height: 600px";
  document.body.appendChild(frame);
}}"""
RECORDER = """
if (window !== window.top) {
  window.Streamlit = { setComponentValue: (value) => window.top.sent.push(value) };
}
"""
"""Stands in for streamlit-folium's ``Streamlit`` in the frame: records each report."""


def _map_html(*, hold_reports: bool) -> str:
    west, south, east, north = DEMO_AREA
    fmap = build_base_map(
        center=((south + north) / 2, (west + east) / 2),
        zoom=8,
        asset_prefix=PREFIX,
        kinds_shown=[LayerKind.POPULATION],
        live=True,
    )
    if hold_reports:
        fmap.add_child(ReportAfterBasemap())
    return fmap.get_root().render()


def _serve(pages: dict[str, str], blocked: list[str]):
    def route(route: Route) -> None:
        url = route.request.url
        if url in pages:
            route.fulfill(body=pages[url], content_type="text/html")
        elif url.startswith(PREFIX) and ".." not in url:
            route.fulfill(path=PROJECT / VENDOR_DIR / url.removeprefix(PREFIX))
        else:
            blocked.append(url)
            route.abort()

    return route


@pytest.fixture
def parent(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """The test's page at /app/situation_map, its map's frame not added yet."""
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    blocked: list[str] = []
    pages = {
        f"{ORIGIN}/app/situation_map": PARENT,
        f"{ORIGIN}/map.html": _map_html(hold_reports=getattr(request, "param", False)),
    }
    context.route("**/*", _serve(pages, blocked))
    context.add_init_script(RECORDER)
    page = context.new_page()
    page.goto(f"{ORIGIN}/app/situation_map", wait_until="load")
    yield page
    context.close()
    assert blocked == []


def _add_frame(page: Page) -> Frame:
    page.evaluate(ADD_FRAME)
    frame = page.locator("iframe").element_handle().content_frame()
    assert frame is not None
    frame.wait_for_function("() => window.Streamlit && window.Streamlit.hsGuarded")
    return frame


@pytest.fixture
def opened(parent: Page) -> tuple[Page, Frame]:
    """The test's page with the map's frame drawn."""
    return parent, _add_frame(parent)


def _report(frame: Frame, value: int) -> None:
    frame.evaluate("(value) => window.Streamlit.setComponentValue({value: value})", value)


def _sent(page: Page) -> list[int]:
    return page.evaluate("() => window.sent.map((report) => report.value)")


def test_reports_stop_once_another_page_is_clicked(opened: tuple[Page, Frame]) -> None:
    page, frame = opened
    assert page.locator(NAV_LINK_SELECTOR).count() == 2
    _report(frame, 1)
    page.get_by_role("link", name="Situation map").click()  # the page itself: nothing changes
    _report(frame, 2)
    assert _sent(page) == [1, 2]
    page.get_by_text("Data").click()  # on the link's text, inside the link
    _report(frame, 3)
    page.wait_for_timeout(200)
    assert _sent(page) == [1, 2]


@pytest.mark.parametrize("parent", [True], indirect=True)
def test_a_held_report_is_dropped_once_another_page_is_clicked(
    opened: tuple[Page, Frame],
) -> None:
    # ReportAfterBasemap holds reports until the basemap is painted, then sends the latest
    # through the guard: after a click on another page, nothing.
    page, frame = opened
    frame.wait_for_function("() => window.Streamlit.hsHeld")
    page.wait_for_timeout(300)  # the basemap painted: reports go out at once
    _report(frame, 1)
    page.get_by_text("Data").click()
    _report(frame, 2)
    page.wait_for_timeout(200)
    assert _sent(page) == [1]


def test_a_click_made_before_the_map_ran_stops_its_reports(parent: Page) -> None:
    # The click came before the frame's listener existed: only the focus on the link shows
    # it until Streamlit changes the address (once the new page's run answers).
    parent.get_by_text("Data").click()
    frame = _add_frame(parent)
    _report(frame, 1)
    parent.wait_for_timeout(300)
    assert _sent(parent) == []
    parent.evaluate("() => history.pushState({}, '', '/app/data')")  # the new page answered
    parent.wait_for_timeout(StopReportsOnPageChange.FOCUS_WAIT_MS + 500)
    _report(frame, 2)
    assert _sent(parent) == []


def test_focus_left_over_from_an_older_click_only_delays_a_report(parent: Page) -> None:
    # The Back button leaves the focus on the link clicked last, and the address changes
    # back: the map must report all the same, once the address has held.
    parent.get_by_text("Data").click()
    frame = _add_frame(parent)
    _report(frame, 1)
    _report(frame, 2)  # the latest is kept
    assert _sent(parent) == []
    parent.wait_for_timeout(StopReportsOnPageChange.FOCUS_WAIT_MS + 500)
    assert _sent(parent) == [2]
    _report(frame, 3)
    assert _sent(parent) == [2, 3]
