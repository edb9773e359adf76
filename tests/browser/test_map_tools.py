"""The live map's tools as a person uses them: framing, MGRS grid, time slider, measuring,
and placing a planned activity with a click."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Frame, Page, expect
from pyproj import Geod

from tests.browser.conftest import Guard, Server, frame_of
from tests.browser.test_situation_map import MAP_FRAME, OPEN_POPUPS, open_map

pytestmark = pytest.mark.browser

# Features drawn by the data layers that are on the map now (following clusters).
COUNT_ON_MAP = """
() => {
  let count = 0;
  const visit = (layer) => {
    if (layer.feature) { count += 1; }
    if (layer.eachLayer) { layer.eachLayer(visit); }
  };
  (window.feature_group || []).filter((g) => map_div.hasLayer(g)).forEach(visit);
  return count;
}
"""


def features_drawn(frame: Frame) -> int:
    return int(frame.evaluate(COUNT_ON_MAP))


VISIBLE_MAP_FRAME = f"{MAP_FRAME} >> visible=true"


def current_frame(page: Page) -> Frame:
    return frame_of(page, VISIBLE_MAP_FRAME)


def wait_for_change(page: Page, changed_from: int) -> int:
    """Poll the drawn features until their count differs from ``changed_from``."""
    for _ in range(120):
        try:
            count = features_drawn(current_frame(page))
        except PlaywrightError:  # the frame was swapped under us
            count = changed_from
        if count != changed_from:
            return count
        page.wait_for_timeout(500)
    return changed_from


def test_map_fills_the_window_and_carries_a_labelled_mgrs_grid(
    guarded_page: tuple[Page, Guard], server: Server
) -> None:
    page, guard = guarded_page
    frame = open_map(page, server)
    window_height = page.viewport_size["height"] if page.viewport_size else 1000
    box = page.locator(VISIBLE_MAP_FRAME).last.bounding_box()
    assert box is not None
    below_header = window_height - box["y"]
    assert box["y"] < 200  # a compact header
    assert below_header - 60 <= box["height"] <= below_header, (box, window_height)
    map_box = frame.locator("#map_div").bounding_box()
    assert map_box is not None and abs(map_box["height"] - box["height"]) < 2
    labels = frame.locator(".hs-mgrs-label")
    expect(labels.first).to_be_attached(timeout=30_000)
    texts = labels.all_inner_texts()
    assert texts and all(re.fullmatch(r"\d{1,2}[C-X] [A-Z]{2}( \d+ \d+)?", t) for t in texts)
    assert "34U FE" in texts  # the demo area's 100 km squares at its home zoom
    assert guard.blocked == []


def test_time_slider_changes_what_is_drawn(
    guarded_page: tuple[Page, Guard], server: Server
) -> None:
    page, guard = guarded_page
    frame = open_map(page, server)
    frame.wait_for_function("(window.feature_group || []).length > 1", timeout=30_000)
    before = features_drawn(frame)
    assert before > 500  # 478 incidents and the protected features
    page.get_by_text("Step through time").click()
    showing = page.get_by_text(re.compile(r"^Showing \d\d \w{3} \d{4} to \d\d \w{3} \d{4}\.$"))
    expect(showing).to_be_visible(timeout=30_000)
    one_week = wait_for_change(page, before)
    assert 0 < one_week < before  # seven days of incidents, not ninety
    first_caption = showing.inner_text()
    page.get_by_text("Play", exact=True).click()
    expect(showing).not_to_have_text(first_caption, timeout=30_000)  # the player stepped on
    page.get_by_text("Play", exact=True).click()  # stop it
    assert guard.blocked == []


def test_measure_a_route_geodesically(guarded_page: tuple[Page, Guard], server: Server) -> None:
    page, guard = guarded_page
    open_map(page, server)
    box = page.locator(VISIBLE_MAP_FRAME).last.bounding_box()
    assert box is not None
    frame = page.frame_locator(MAP_FRAME).last
    frame.locator(".leaflet-draw-draw-polyline").click()
    x, y = box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.5
    page.mouse.click(x, y)
    page.wait_for_timeout(300)
    page.mouse.click(x + 300, y + 40)
    page.wait_for_timeout(300)
    frame.get_by_role("link", name="Finish").click()
    measured = page.get_by_test_id("stMarkdownContainer").filter(has_text="Measured (geodesic")
    expect(measured).to_be_visible(timeout=30_000)
    line = current_frame(page).evaluate(
        """() => { let found = null; map_div.eachLayer((l) => {
             if (l instanceof L.Polyline && !(l instanceof L.Polygon) && l.editing
                 && l.getLatLngs().length === 2) { found = l.getLatLngs(); } });
           return found && found.map((p) => [p.lng, p.lat]); }"""
    )
    assert line, "the drawn line is not on the map"
    (lon1, lat1), (lon2, lat2) = line
    expected_km = Geod(ellps="WGS84").inv(lon1, lat1, lon2, lat2)[2] / 1000
    shown = re.search(r"Route: ([\d,.]+) km", measured.inner_text())
    assert shown, measured.inner_text()
    assert float(shown[1].replace(",", "")) == pytest.approx(expected_km, abs=0.006)
    assert guard.blocked == []


def test_activity_placed_by_a_click_appears(
    guarded_page: tuple[Page, Guard], server: Server
) -> None:
    page, guard = guarded_page
    # Opened from its URL: the navigation link is tested elsewhere, and a click racing the
    # situation map's first rerun once left this page's map frame hidden on a loaded CI machine.
    page.goto(f"{server.url}/planned_activities", wait_until="domcontentloaded")
    expect(page.get_by_role("heading", name="Planned activities")).to_be_visible(timeout=60_000)
    page.locator(VISIBLE_MAP_FRAME).last.wait_for(timeout=60_000)
    current_frame(page).wait_for_function("(window.feature_group || []).length > 0")
    box = page.locator(VISIBLE_MAP_FRAME).last.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.6)
    mgrs_value = page.get_by_test_id("stMetricValue").filter(has_text=re.compile(r"^\d{1,2}[C-X] "))
    expect(mgrs_value).to_be_visible(timeout=30_000)
    page.get_by_label(re.compile("^Id of the activity to add at the clicked point")).fill(
        "placed-1"
    )
    page.get_by_role("button", name="Add activity here").click()
    table = page.get_by_test_id("stDataFrame").last
    popups: list[dict[str, str]] = []
    for _ in range(60):  # the new activity is checked and drawn
        for element in page.locator(MAP_FRAME).all():
            try:
                frame = element.element_handle().content_frame()
                popups = frame.evaluate(OPEN_POPUPS, "placed-1") if frame else []
            except PlaywrightError:
                popups = []
            if popups:
                break
        if popups:
            break
        page.wait_for_timeout(500)
    assert popups, "the placed activity is not drawn"
    expect(table).to_be_visible()
    assert guard.blocked == []
