"""What a commander sees: the demo map drawn offline, clicks, and hostile names shown as text."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Frame, Page, expect

from humansec.coords import from_mgrs
from humansec.demo import HOSTILE_INCIDENTS
from humansec.escaping import escape_text
from tests.browser.conftest import Guard, Server, frame_of, start_server

pytestmark = pytest.mark.browser

MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
# The countries basemap (a layer of more than 100 shapes) has been fetched and drawn.
BASEMAP_DRAWN = (
    "() => Object.values(map_div._layers).some(l => l.getLayers && l.getLayers().length > 100)"
)

# Counts the features drawn by humansec's layers, following clusters, per layer title.
COUNT_DRAWN = """
() => {
  const counts = {};
  const groups = window.feature_group || [];
  const visit = (layer, title) => {
    if (layer.feature) { counts[title] = (counts[title] || 0) + 1; }
    if (layer.eachLayer) { layer.eachLayer((child) => visit(child, title)); }
    if (layer.getAllChildMarkers) { /* MarkerClusterGroup.eachLayer already covers these */ }
  };
  groups.forEach((group, index) => visit(group, group.options && group.options.name || index));
  return counts;
}
"""

# Opens, for every drawn feature whose tooltip holds `needle`, the popup its layer binds (the
# same content function a click calls; clustered markers are not clickable until zoomed in),
# and returns the popups' text and HTML as the browser shows them.
OPEN_POPUPS = """
(needle) => {
  const shown = [];
  const visit = (layer, owner) => {
    if (layer.getPopup && layer.getPopup()) { owner = layer; }
    const p = layer.feature && layer.feature.properties;
    if (p && typeof p.t === "string" && p.t.includes(needle) && owner) {
      const latlng = layer.getLatLng ? layer.getLatLng() : layer.getBounds().getCenter();
      const content = owner.getPopup().getContent();
      const opened = L.popup()
        .setLatLng(latlng)
        .setContent(typeof content === "function" ? content(layer) : content)
        .openOn(map_div);
      const popup = opened.getElement().querySelector(".leaflet-popup-content");
      shown.push({ text: popup.innerText, html: popup.innerHTML });
      map_div.closePopup(opened);
    }
    if (layer.eachLayer) { layer.eachLayer((child) => visit(child, owner)); }
  };
  (window.feature_group || []).forEach((group) => visit(group, null));
  return shown;
}
"""


def open_map(page: Page, server: Server) -> Frame:
    """Open the app and wait until the map frame has drawn humansec's data layers."""
    page.goto(server.url, wait_until="domcontentloaded")
    page.locator(MAP_FRAME).last.wait_for(timeout=60_000)
    frame = page.frame_locator(MAP_FRAME).last
    expect(frame.locator(".leaflet-container")).to_be_visible(timeout=60_000)
    expect(frame.locator(".hs-legend").first).to_be_visible(timeout=30_000)
    content = frame_of(page, MAP_FRAME)
    content.wait_for_function("(window.feature_group || []).length > 0", timeout=30_000)
    return content


def test_map_draws_demo_offline(guarded_page: tuple[Page, Guard], server: Server) -> None:
    page, guard = guarded_page
    frame = open_map(page, server)
    counts = frame.evaluate(COUNT_DRAWN)
    drawn = sum(counts.values())
    assert drawn > 500, counts  # 64 places, 40 cultural sites, ..., 478 incidents
    legend = "\n".join(frame.locator(".hs-legend").all_inner_texts())
    for title in (
        "Population centres",
        "Cultural property",
        "Humanitarian sites",
        "Humanitarian movements",
        "Critical infrastructure",
        "Incidents",
        # Planned activities are drawn by the status of their conflict check.
        "Activity status",
        "Red: critical or high conflict",
        "Amber: medium or low conflict",
        "Green: no conflict",
    ):
        assert title in legend
    # The countries basemap came from the app's own static files and was drawn.
    frame.wait_for_function(BASEMAP_DRAWN)
    assert guard.blocked == [], f"requests that tried to leave the machine: {guard.blocked}"
    assert [f for f in guard.failed if "ERR_ABORTED" not in f] == []
    assert guard.dialogs == []


# Run in the page before it loads: when an element matching SELECTOR first appears, note what
# the map's frame had drawn by then, and keep the frame and its layers to compare with later.
WATCH_UNTIL = """
(() => {
  if (window.top !== window) { return; }
  new MutationObserver((_, observer) => {
    if (!document.querySelector(SELECTOR)) {
      return;
    }
    observer.disconnect();
    const frame = document.querySelector('iframe[title="streamlit_folium.st_folium"]');
    const map = frame && frame.contentWindow;
    const layers = (map && map.map_div && Object.values(map.map_div._layers)) || [];
    window.__hsAtFilters = {
      frame: frame,
      groups: map && map.feature_group,
      layers: ((map && map.feature_group) || []).length,
      basemap: layers.some((l) => l.getLayers && l.getLayers().length > 100),
    };
  }).observe(document, { subtree: true, childList: true });
})();
"""


def watch_until(selector: str) -> str:
    """``WATCH_UNTIL`` for ``selector``: its results in ``window.__hsAtFilters``."""
    return WATCH_UNTIL.replace("SELECTOR", json.dumps(selector))


def drawn_before_and_not_again(page: Page) -> None:
    """Assert that when the watched element appeared the map had drawn its basemap and its
    layers, and that the same frame still holds the same layers (nothing drawn again)."""
    seen = page.evaluate("({layers: __hsAtFilters.layers, basemap: __hsAtFilters.basemap})")
    assert seen == {"layers": seen["layers"], "basemap": True} and seen["layers"] > 0, seen
    page.wait_for_timeout(1_500)  # time for a redraw, if one were coming
    same = page.evaluate(
        """() => {
          const frame = document.querySelector('iframe[title="streamlit_folium.st_folium"]');
          return frame === window.__hsAtFilters.frame
            && frame.contentWindow.feature_group === window.__hsAtFilters.groups;
        }"""
    )
    assert same


def test_the_map_comes_before_its_filters_and_is_not_drawn_again(
    guarded_page: tuple[Page, Guard], server: Server
) -> None:
    page, guard = guarded_page
    page.add_init_script(watch_until('[data-testid="stSidebar"] [data-testid="stMultiSelect"]'))
    open_map(page, server)
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text("Incident focus areas")).to_be_visible(timeout=30_000)
    # The filters came once the map had drawn its basemap and its layers, and drawing them
    # drew nothing again.
    drawn_before_and_not_again(page)
    # The filters work: the heat map takes the incidents' place in the legend.
    sidebar.get_by_text("Incidents as heat map").click()
    legend = page.frame_locator(MAP_FRAME).last.locator(".hs-legend")
    expect(legend.get_by_text("Incidents (heat map)")).to_be_visible(timeout=30_000)
    assert page.get_by_test_id("stException").count() == 0
    assert guard.blocked == []


def test_click_shows_mgrs(guarded_page: tuple[Page, Guard], server: Server) -> None:
    page, guard = guarded_page
    open_map(page, server)
    box = page.locator(MAP_FRAME).last.bounding_box()
    assert box is not None
    # Click near the top-left, away from the legend and the layer control.
    page.mouse.click(box["x"] + 80, box["y"] + box["height"] / 2)
    mgrs_value = page.get_by_test_id("stMetricValue").nth(1)
    expect(mgrs_value).to_have_text(
        re.compile(r"^\d{1,2}[C-X] [A-Z]{2} \d{5} \d{5}$"), timeout=30_000
    )
    latlon_text = page.get_by_test_id("stMetricValue").nth(0).inner_text()
    match = re.fullmatch(r"([\d.]+)° ([NS]), ([\d.]+)° ([EW])", latlon_text.strip())
    assert match, latlon_text
    lat = float(match[1]) * (1 if match[2] == "N" else -1)
    lon = float(match[3]) * (1 if match[4] == "E" else -1)
    mgrs_lat, mgrs_lon = from_mgrs(mgrs_value.inner_text())
    assert abs(mgrs_lat - lat) < 2e-5 and abs(mgrs_lon - lon) < 2e-5
    assert guard.blocked == []


def test_hostile_names_render_as_text(guarded_page: tuple[Page, Guard], server: Server) -> None:
    page, guard = guarded_page
    frame = open_map(page, server)
    hostile = ["<img src=x onerror=alert(1)>", "`${alert(1)}`", "C:\\data\\2019"]
    assert all(any(name in row[0] for row in HOSTILE_INCIDENTS) for name in hostile)
    for name in hostile:
        needle = escape_text(name)
        popups = frame.evaluate(OPEN_POPUPS, needle)
        assert popups, f"no drawn feature carries {name!r}"
        assert any(name in popup["text"] for popup in popups), (name, popups)
        for popup in popups:
            assert "<img" not in popup["html"]
    page.wait_for_timeout(500)
    assert guard.dialogs == [], f"script from feature data ran: {guard.dialogs}"
    assert guard.blocked == []


def test_the_countries_and_milsymbol_are_served_as_built_gzipped(
    guarded_page: tuple[Page, Guard], server: Server
) -> None:
    # Streamlit's server gzips other static files anew on each request, on its event loop; the
    # gzipped copies of what the map's runtime fetches go out as they are and it unpacks them.
    page, guard = guarded_page
    answers: dict[str, dict[str, str]] = {}
    page.on(
        "response",
        lambda response: (
            answers.__setitem__(response.url.rsplit("/", 1)[-1], response.headers)
            if "/vendor/basemap/" in response.url or "/vendor/milsymbol/" in response.url
            else None
        ),
    )
    frame = open_map(page, server)
    frame.wait_for_function(
        "() => map_div._hsBasemap && map_div._hsBasemap.getLayers().length > 200",
        timeout=30_000,
    )  # the detailed countries, unpacked and drawn
    # the demo's planned activities, drawn by milsymbol once it is unpacked and run
    frame.locator(".leaflet-marker-pane img.hs-milsymbol").first.wait_for(
        state="attached", timeout=30_000
    )
    assert set(answers) == {"countries-110m.geojson.gz", "countries.geojson.gz", "milsymbol.js.gz"}
    for headers in answers.values():
        assert headers["content-type"] == "application/gzip"
        assert "content-encoding" not in headers
    assert guard.blocked == []


def test_map_assets_load_behind_a_base_url_path(browser, tmp_path) -> None:
    # Behind a reverse proxy at /humansec/: the map's assets are addressed relative to its
    # frame, so they still come from the app's own static files.
    running = start_server(tmp_path / "data", tmp_path / "streamlit.log", base_path="humansec")
    try:
        context = browser.new_context()
        page = context.new_page()
        failed: list[str] = []
        page.on("requestfailed", lambda request: failed.append(request.url))
        responses: list[tuple[str, int]] = []
        page.on("response", lambda response: responses.append((response.url, response.status)))
        frame = open_map(page, running)
        frame.wait_for_function(BASEMAP_DRAWN)
        vendor = [(u, s) for u, s in responses if "/app/static/vendor/" in u]
        assert vendor, "no map asset was requested"
        assert all(u.startswith(f"{running.url}/app/static/vendor/") for u, _ in vendor)
        assert all(status in {200, 304} for _, status in vendor), vendor
        assert failed == []
        context.close()
    finally:
        running.stop()
