"""The Incidents page draws its plotly charts offline: nothing leaves 127.0.0.1."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Frame, Locator, Page, expect

from tests.browser.conftest import Guard, Server, frame_of
from tests.browser.test_situation_map import BASEMAP_DRAWN, MAP_FRAME

pytestmark = pytest.mark.browser

# The hot-spot cells drawn on the map: how many, how many hot, and their incidents.
HOT_CELLS = """
() => {
  const out = { total: 0, hot: 0, incidents: 0 };
  const visit = (layer) => {
    const p = layer.feature && layer.feature.properties;
    if (p && p.h3) {
      out.total += 1;
      if (p.t.startsWith("hot")) { out.hot += 1; }
      out.incidents += parseInt(p.v[1].replace(/,/g, ""), 10);
    }
    if (layer.eachLayer) { layer.eachLayer(visit); }
  };
  (window.feature_group || []).forEach(visit);
  return out;
}
"""
# The container point of the centre of the first hot 99 % (else hot) cell, with its id.
HOT_CELL_POINT = """
() => {
  let found = null;
  const visit = (layer) => {
    const p = layer.feature && layer.feature.properties;
    if (!found && p && p.h3 && p.t.startsWith("hot")) { found = layer; }
    if (layer.eachLayer) { layer.eachLayer(visit); }
  };
  (window.feature_group || []).forEach(visit);
  map_div.fitBounds(found.getBounds(), { maxZoom: 9, animate: false });
  const centre = found.getBounds().getCenter();
  const pt = map_div.latLngToContainerPoint(centre);
  const p = found.feature.properties;
  return { x: pt.x, y: pt.y, h3: p.h3, count: parseInt(p.v[1].replace(/,/g, ""), 10) };
}
"""

# The same for the first cell of the class drawn last (on top of the others). Until every
# class shared one canvas, only that class's cells took clicks, and a click on them opened
# the popup but never filtered.
TOP_CLASS_CELL_POINT = """
() => {
  const classes = [];
  const visit = (layer) => {
    if (layer.hsKind === "hotspot") { classes.push(layer); return; }
    if (layer.eachLayer) { layer.eachLayer(visit); }
  };
  (window.feature_group || []).forEach(visit);
  let found = null;
  classes[classes.length - 1].eachLayer((cell) => { found = found || (cell.feature && cell); });
  map_div.fitBounds(found.getBounds(), { maxZoom: 9, animate: false });
  const pt = map_div.latLngToContainerPoint(found.getBounds().getCenter());
  const p = found.feature.properties;
  return { x: pt.x, y: pt.y, h3: p.h3, classes: classes.length };
}
"""


def test_incidents_page_draws_its_charts_offline(
    guarded_page: tuple[Page, Guard], server: Server
) -> None:
    page, guard = guarded_page
    page.goto(f"{server.url}/incidents", wait_until="domcontentloaded")
    expect(page.get_by_role("heading", name="Incidents", exact=True)).to_be_visible(timeout=90_000)
    expect(page.locator(".humansec-banner")).to_have_count(2, timeout=90_000)
    # Four plotly charts drawn by plotly.js from Streamlit's own bundle (SVG in the page).
    plots = page.locator(".js-plotly-plot")
    expect(plots).to_have_count(4, timeout=90_000)
    for index in range(4):
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
    expect(plots).to_have_count(4, timeout=90_000)
    map_frame = open_hotspot_map(page)
    before = map_frame.evaluate(HOT_CELLS)
    bar = plots.nth(0).locator("g.barlayer path").first
    expect(bar).to_be_attached(timeout=30_000)
    bar.click(force=True)
    picked = r"\d+ incidents in the selection \(1 bars of the trend chart\)"
    note = page.get_by_text(re.compile(picked))
    expect(note).to_be_visible(timeout=60_000)
    expect(page.locator(".js-plotly-plot")).to_have_count(4, timeout=60_000)
    expect(page.get_by_text("Traceback")).to_have_count(0)
    # The hot-spot layer follows the selection: fewer incidents, other cells.
    map_frame = open_hotspot_map(page)
    map_frame.wait_for_function(
        f"() => ({HOT_CELLS})().total !== {before['total']}", timeout=60_000
    )
    after = map_frame.evaluate(HOT_CELLS)
    assert after["incidents"] < before["incidents"], (before, after)
    # A bar of the Who chart filters the others too. The trend chart is then redrawn for that
    # actor, and the browser clears a redrawn chart's selection: the last selection filters.
    who = page.locator(".js-plotly-plot").nth(3).locator("g.barlayer path").last
    expect(who).to_be_attached(timeout=30_000)
    who.click(force=True)
    actor = r"\d+ incidents in the selection \(1 actors of the Who chart\)"
    expect(page.get_by_text(re.compile(actor))).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Traceback")).to_have_count(0)
    assert guard.blocked == []


def open_hotspot_map(page: Page) -> Frame:
    """The hot-spot map's frame, once its layer is drawn."""
    page.locator(MAP_FRAME).last.wait_for(timeout=90_000)
    page.locator(MAP_FRAME).last.scroll_into_view_if_needed()
    content = frame_of(page, MAP_FRAME)
    content.wait_for_function(f"() => ({HOT_CELLS})().total > 0", timeout=60_000)
    return content


def open_incidents_page(page: Page, server: Server) -> Frame:
    """The Incidents page with its four charts, and its hot-spot map's frame once drawn."""
    page.goto(f"{server.url}/incidents", wait_until="domcontentloaded")
    expect(page.locator(".js-plotly-plot")).to_have_count(4, timeout=90_000)
    return open_hotspot_map(page)


def click_cell(page: Page, point: dict[str, Any]) -> Locator:
    """Click the map at ``point`` (a cell's centre in the frame) and return the page's note
    that the charts are filtered to that cell, once it is shown."""
    box = page.locator(MAP_FRAME).last.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    note = page.get_by_text(re.compile(r"\d+ incidents in the H3 cell \w+ clicked"))
    expect(note).to_be_visible(timeout=60_000)
    assert point["h3"] in note.inner_text()
    return note


def test_the_hotspot_layer_draws_offline_and_a_click_filters_the_charts(
    guarded_page: tuple[Page, Guard], server: Server
) -> None:
    page, guard = guarded_page
    frame = open_incidents_page(page, server)
    drawn = frame.evaluate(HOT_CELLS)
    assert drawn["hot"] > 0, drawn
    legend = "\n".join(frame.locator(".hs-legend").all_inner_texts())
    for name in ("hot 99%", "hot 95%", "hot 90%", "not significant", "cold 99%"):
        assert name in legend
    frame.wait_for_function(BASEMAP_DRAWN)  # the countries, from the app's own files
    # Click the middle of the strongest hot cell.
    point = frame.evaluate(HOT_CELL_POINT)
    note = click_cell(page, point)
    count = int(re.match(r"(\d+)", note.inner_text()).group(1))  # type: ignore[union-attr]
    assert 0 < count <= point["count"]
    expect(page.get_by_text("Traceback")).to_have_count(0)
    assert guard.blocked == [], f"requests that tried to leave the machine: {guard.blocked}"
    assert [f for f in guard.failed if "ERR_ABORTED" not in f] == []
    assert guard.dialogs == []


def test_a_click_on_a_cell_of_any_class_filters_the_charts(
    guarded_page: tuple[Page, Guard], server: Server
) -> None:
    page, guard = guarded_page
    frame = open_incidents_page(page, server)
    frame.wait_for_function(BASEMAP_DRAWN)
    point = frame.evaluate(TOP_CLASS_CELL_POINT)
    assert point["classes"] > 1  # else no class lies under another
    click_cell(page, point)
    expect(page.get_by_text("Traceback")).to_have_count(0)
    assert guard.blocked == [], f"requests that tried to leave the machine: {guard.blocked}"
