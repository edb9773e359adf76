"""What a staff reads on the live map: place names that never overlap, the focus areas in the
legend, APP-6 symbols, and a town that takes the click before the line over it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Frame, Page, expect

from humansec.mapview.symbols import CONFLICT_EVENT_TITLE, SIDC_BY_TYPE
from humansec.model import FOCUS_AREA_TITLES
from tests.browser.conftest import Guard, Server
from tests.browser.test_situation_map import MAP_FRAME, open_map

pytestmark = pytest.mark.browser

SUWALKI = (54.1, 22.93)

# Bounding boxes (in the frame's pixels) of the label texts drawn inside the map's view.
LABEL_RECTS = """
() => {
  const view = map_div.getContainer().getBoundingClientRect();
  return Array.from(document.querySelectorAll(".leaflet-hsLabels-pane .hs-label-text"))
    .map((el) => {
      const r = el.getBoundingClientRect();
      return { text: el.textContent, left: r.left, top: r.top, right: r.right, bottom: r.bottom };
    })
    .filter((r) => r.right > view.left && r.left < view.right
                   && r.bottom > view.top && r.top < view.bottom);
}
"""

# Towns (population points) that a drawn line passes over at their centre; ``clear`` when no
# other point symbol is there and the pixel shows the features' canvas (no control on top).
TOWNS_UNDER_LINES = """
() => {
  const towns = [], lines = [], points = [], symbols = [];
  const visit = (layer, kind) => {
    if (layer.hsKind) { kind = layer.hsKind; }
    if (layer.feature && layer._map) {
      if (layer instanceof L.CircleMarker) {
        (kind === "population" ? towns : points).push(layer);
      } else if (layer instanceof L.Marker) {
        symbols.push(layer);
      } else if (layer instanceof L.Polyline && !(layer instanceof L.Polygon)) {
        lines.push(layer);
      }
    }
    if (layer.eachLayer) { layer.eachLayer((child) => visit(child, kind)); }
  };
  (window.feature_group || []).forEach((group) => visit(group, null));
  const box = map_div.getContainer().getBoundingClientRect();
  const lineDistance = (line, at) => (line.closestLayerPoint(at) || { distance: 1e9 }).distance;
  const found = [];
  for (const town of towns) {
    const at = town._point;
    if (!lines.some((line) => line._containsPoint(at))) { continue; }
    const alone = !points.some((other) => other._containsPoint(at));
    const c = map_div.latLngToContainerPoint(town.getLatLng());
    const x = box.left + c.x, y = box.top + c.y;
    const hit = document.elementFromPoint(x, y);
    const ll = town.getLatLng();
    const near = points.concat(symbols).map((o) => c.distanceTo(
      map_div.latLngToContainerPoint(o.getLatLng())));
    found.push({ name: town.feature.properties.t, x: x, y: y, lat: ll.lat, lng: ll.lng,
                 nearest: Math.min(Infinity, ...near),
                 onLine: Math.min(...lines.map((line) => lineDistance(line, at))),
                 clear: alone && !!hit && hit.tagName === "CANVAS" });
  }
  return found;
}
"""


LABELS_FOR_VIEW = """
(zoom) => {
  const v = map_div._hsLabelView, b = map_div.getBounds();
  return !!v && v.zoom === zoom && map_div.getZoom() === zoom
    && v.bounds[0] <= b.getWest() && v.bounds[1] <= b.getSouth()
    && v.bounds[2] >= b.getEast() && v.bounds[3] >= b.getNorth();
}
"""


def _zoom_to(frame: Frame, lat: float, lon: float, zoom: int) -> None:
    frame.evaluate(f"() => {{ map_div.setView([{lat}, {lon}], {zoom}, {{animate: false}}); }}")
    # The page reruns for the new view: wait for place names placed for this zoom and for an
    # area that holds the whole view.
    frame.wait_for_function(LABELS_FOR_VIEW, arg=zoom, timeout=60_000)
    frame.wait_for_timeout(500)


def _overlaps(rects: list[dict]) -> list[tuple[str, str]]:
    pairs = []
    for i, a in enumerate(rects):
        for b in rects[i + 1 :]:
            if (
                a["left"] < b["right"] - 0.5
                and b["left"] < a["right"] - 0.5
                and a["top"] < b["bottom"] - 0.5
                and b["top"] < a["bottom"] - 0.5
            ):
                pairs.append((a["text"], b["text"]))
    return pairs


def test_place_names_present_and_never_overlapping_at_three_zooms(
    guarded_page: tuple[Page, Guard], server: Server
) -> None:
    page, guard = guarded_page
    frame = open_map(page, server)
    seen = {}
    for zoom in (8, 10, 12):
        _zoom_to(frame, *SUWALKI, zoom)
        rects = frame.evaluate(LABEL_RECTS)
        assert rects, f"no place name in view at zoom {zoom}"
        assert _overlaps(rects) == [], f"labels overlap at zoom {zoom}"
        seen[zoom] = {r["text"] for r in rects}
    assert "Suwałki" in seen[8] and "Suwałki" in seen[10]
    # Labels take no click: the pane lets pointer events through.
    pointer = frame.evaluate("getComputedStyle(map_div.getPane('hsLabels')).pointerEvents")
    assert pointer == "none"
    assert guard.blocked == []


def test_legend_lists_focus_areas_and_activity_symbols(
    guarded_page: tuple[Page, Guard], server: Server
) -> None:
    page, guard = guarded_page
    frame = open_map(page, server)
    legend = "\n".join(frame.locator(".hs-legend").all_inner_texts())
    for title in FOCUS_AREA_TITLES.values():
        assert title in legend
    assert CONFLICT_EVENT_TITLE in legend
    # milsymbol comes after the first paint (the live map loads it then): its symbols follow.
    frame.wait_for_function("typeof ms !== 'undefined'", timeout=30_000)
    # Every APP-6 code is one milsymbol draws, and the legend shows them as images.
    valid = frame.evaluate(
        "(codes) => codes.map((c) => new ms.Symbol(c).isValid())", list(SIDC_BY_TYPE.values())
    )
    assert all(valid), dict(zip(SIDC_BY_TYPE, valid, strict=True))
    images = frame.locator(".hs-legend .hs-ms img")
    expect(images.first).to_be_visible()
    assert images.count() >= len(SIDC_BY_TYPE)
    # The planned activities are drawn as milsymbol icons on the map, none left waiting.
    expect(frame.locator(".leaflet-marker-pane img.hs-milsymbol").first).to_be_attached()
    assert frame.locator(".leaflet-marker-pane .hs-milsymbol-wait").count() == 0
    assert guard.blocked == []


def test_a_click_on_a_town_under_a_line_opens_the_town(
    guarded_page: tuple[Page, Guard], server: Server
) -> None:
    page, guard = guarded_page
    frame = open_map(page, server)
    candidates = frame.evaluate(TOWNS_UNDER_LINES)
    assert candidates, "the demo has towns where convoy routes and power lines start"
    here = []
    # Zoomed in on the town, the line must still cross it and nothing else sit on it: try
    # the towns a line crosses most exactly, farthest from other symbols, first.
    candidates.sort(key=lambda town: (round(town["onLine"]), -town["nearest"]))
    for town in candidates[:8]:
        _zoom_to(frame, town["lat"], town["lng"], 12)
        found = frame.evaluate(TOWNS_UNDER_LINES)
        here = [t for t in found if t["name"] == town["name"] and t["clear"]]
        if here:
            break
    assert here, f"no town under a line is clear of other symbols: {candidates}"
    town = here[0]
    box = page.locator(MAP_FRAME).last.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + here[0]["x"], box["y"] + here[0]["y"])
    popup = frame.locator(".leaflet-popup-content")
    expect(popup.locator(".hs-title")).to_have_text(town["name"], timeout=5_000)
    expect(popup.locator(".hs-kind")).to_have_text("Population centres")
    expect(popup).to_contain_text("MGRS")
    assert "layer_id" not in popup.inner_text()
    assert guard.blocked == []
