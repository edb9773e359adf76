"""The Planned activities map names the towns like the situation map: never overlapping, at
the zoom it opens at and after the planner zooms out or in."""

from __future__ import annotations

import itertools

import pytest
import shapely
from playwright.sync_api import Frame, Page, expect

from humansec.gazetteer import places_in
from humansec.mapview.aggregate import widen
from humansec.model import LayerKind
from humansec.settings import Settings
from humansec.store import GeoPackageStore
from tests.browser.conftest import Guard, Server
from tests.browser.test_situation_map import MAP_FRAME

pytestmark = pytest.mark.browser

# The names drawn (not hidden by the browser's fit) inside the map, and the map's view.
DRAWN = """
() => {
  const view = map_div.getContainer().getBoundingClientRect(), b = map_div.getBounds();
  const shown = Array.from(document.querySelectorAll(".leaflet-hsLabels-pane .hs-label"))
    .filter((el) => getComputedStyle(el).visibility !== "hidden")
    .map((el) => { const r = el.querySelector(".hs-label-text").getBoundingClientRect();
      const at = map_div.containerPointToLatLng(
        [r.left - view.left, (r.top + r.bottom) / 2 - view.top]);
      return { text: el.textContent, left: r.left, top: r.top, right: r.right,
               bottom: r.bottom, lon: at.lng, lat: at.lat }; });
  const controls = Array.from(document.querySelectorAll(".leaflet-control"))
    .map((el) => el.getBoundingClientRect()).filter((r) => r.width > 0 && r.height > 0)
    .map((r) => ({ text: "control", left: r.left, top: r.top, right: r.right,
                   bottom: r.bottom }));
  return { shown: shown, controls: controls, zoom: map_div.getZoom(),
           placed: map_div._hsLabelView.zoom, inside: shown.every((r) => r.left >= view.left
             && r.right <= view.right && r.top >= view.top && r.bottom <= view.bottom),
           bounds: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()] };
}
"""
FITTED = """() => !!map_div._hsLabelView && map_div._hsLabelsFitZoom === map_div.getZoom()
  && map_div._hsLabelsShown > 0"""


def _overlapping(rects: list[dict]) -> list[tuple[str, str]]:
    return [
        (a["text"], b["text"])
        for a, b in itertools.combinations(rects, 2)
        if a["left"] < b["right"] - 0.5
        and b["left"] < a["right"] - 0.5
        and a["top"] < b["bottom"] - 0.5
        and b["top"] < a["bottom"] - 0.5
    ]


def _within(rects: list[dict], bounds: list[float]) -> list[dict]:
    west, south, east, north = bounds
    return [r for r in rects if west <= r["lon"] <= east and south <= r["lat"] <= north]


def _drawn(frame: Frame) -> dict:
    frame.wait_for_function(FITTED, timeout=30_000)
    drawn = frame.evaluate(DRAWN)
    assert _overlapping(drawn["shown"]) == []
    assert _overlapping(drawn["shown"] + drawn["controls"]) == _overlapping(drawn["controls"])
    assert drawn["inside"]
    return drawn


def test_planned_activities_map_names_the_towns_without_overlap(
    guarded_page: tuple[Page, Guard], server: Server
) -> None:
    page, guard = guarded_page
    page.goto(f"{server.url}/planned_activities", wait_until="domcontentloaded")
    expect(page.get_by_role("heading", name="Planned activities")).to_be_visible(timeout=60_000)
    page.locator(MAP_FRAME).last.wait_for(timeout=60_000)
    handle = page.locator(MAP_FRAME).last.element_handle()
    frame = handle.content_frame() if handle else None
    assert frame is not None
    home = _drawn(frame)
    texts = [r["text"] for r in home["shown"]]
    assert len(texts) >= 5, texts
    # The names come from the store's population places (the largest in view first) and the
    # gazetteer.
    store = GeoPackageStore(Settings(data_dir=server.data_dir).store_path)
    population = store.read_kind(LayerKind.POPULATION)
    inner = shapely.box(*widen(tuple(home["bounds"]), -0.1))
    in_view = population[population.geometry.representative_point().within(inner)]
    biggest = in_view.sort_values("population", ascending=False)["name"].iloc[0]
    assert biggest in texts
    gazetteer = places_in(widen(tuple(home["bounds"]), 0.5), zoom=home["placed"]).names
    assert set(texts) <= set(population["name"].dropna()) | set(gazetteer)
    # Zoomed out, the names are fitted again: fewer in the same area, still apart. Zoomed in:
    # the names shown before in the smaller area are still shown (but for a few a larger
    # place, hidden before by a control or the map's edge, may now cover).
    for step in (-1, 2):
        command = f"map_div.setZoom(map_div.getZoom() + {step}, {{animate: false}});"
        frame.evaluate(f"() => {{ {command} }}")
        now = _drawn(frame)
        if step < 0:
            before, after = (len(_within(d["shown"], home["bounds"])) for d in (home, now))
            assert after < before, (before, after)
        else:
            inner = list(widen(tuple(now["bounds"]), -0.15))
            kept = {r["text"] for r in _within(home["shown"], inner)}
            lost = kept - {r["text"] for r in now["shown"]}
            assert len(kept) >= 5 and len(lost) <= len(kept) // 5, (kept, lost)
    assert guard.blocked == []
