"""What the live map draws for its first view, measured in the page that draws it.

Place names and the MGRS grid come after the first view has painted, never before; the
light countries are taken from the request the bundle made as it ran; the hexagons of every
kind share one canvas, so that each can be clicked. The map is served by
the test itself (``context.route``): the page, the vendored scripts from ``static/vendor/``
and the countries. The light countries are held back, so the first view cannot paint; until
they come, the name and grid groups are on the map but empty. A product (not live) draws
both at once. Nothing leaves the page.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pytest
import shapely
from playwright.sync_api import Browser, Page, Route

from humansec.demo import DEMO_AREA
from humansec.mapview import MapView, build_base_map, build_data_layers, build_label_group
from humansec.mapview.assets import (
    BASEMAP_PATH,
    COARSE_BASEMAP_PATH,
    MILSYMBOL_JS,
    PACKED_SUFFIX,
    VENDOR_DIR,
)
from humansec.mapview.elements import Legend
from humansec.mapview.grid import grid_group
from humansec.mapview.symbols import DEFAULT_SIDC, UNCHECKED_COLOUR, milsymbol_span
from humansec.model import LayerKind, conform

pytestmark = pytest.mark.browser

ORIGIN = "http://127.0.0.1:9"
"""Never reached: every request to it is answered by the test's route."""
PREFIX = f"{ORIGIN}/vendor/"
PROJECT = Path(__file__).resolve().parents[2]
ZOOM = 8
COARSE = COARSE_BASEMAP_PATH + PACKED_SUFFIX
"""What the live map asks for first: the light countries' gzipped copy (Chromium unpacks it)."""

STATE = """
() => {
  const map = Object.keys(window).filter((k) => k.startsWith("map_"))
    .map((k) => window[k]).find((v) => v instanceof L.Map);
  const groups = Object.keys(window).filter((k) => k.startsWith("feature_group_"))
    .map((k) => window[k]);
  return { groups: groups.length, onMap: groups.every((g) => map.hasLayer(g)),
           names: document.querySelectorAll(".hs-label").length,
           grid: document.querySelectorAll(".hs-mgrs-label").length,
           countries: Object.values(map._layers)
             .some((l) => l.getLayers && l.getLayers().length > 100) };
}
"""


def _map_html(*, live: bool, fit: bool = False, symbol: bool = False) -> str:
    west, south, east, north = DEMO_AREA
    center = ((south + north) / 2, (west + east) / 2)
    view = MapView((west, south, east, north), ZOOM)
    fmap = build_base_map(
        center=center,
        zoom=ZOOM,
        asset_prefix=PREFIX,
        kinds_shown=[LayerKind.POPULATION],
        live=live,
    )
    labels = build_label_group(None, view=view, fit=fit)
    assert labels.labels  # the gazetteer names towns in the demo area
    grid: folium.FeatureGroup = grid_group(view.bounds or DEMO_AREA, ZOOM)
    labels.add_to(fmap)
    grid.add_to(fmap)
    if symbol:  # a legend row with an APP-6 symbol: milsymbol is fetched after the first paint
        Legend(milsymbol_span(DEFAULT_SIDC, UNCHECKED_COLOUR)).add_to(fmap)
    return fmap.get_root().render()


@dataclass
class Served:
    """A page whose requests the test answers: ``pages`` by URL, the rest from
    ``static/vendor/``; the light countries are held in ``held`` until the test fulfils them;
    anything else is refused and listed in ``blocked``."""

    page: Page
    pages: dict[str, str] = field(default_factory=dict)
    held: list[Route] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    asked: list[str] = field(default_factory=list)
    """Every URL asked for, below ``PREFIX`` (without it)."""
    missing: set[str] = field(default_factory=set)
    """Files below ``PREFIX`` answered 404, as by a server whose assets lack them."""

    def route(self, route: Route) -> None:
        url = route.request.url
        self.asked.append(url.removeprefix(PREFIX))
        if url in self.pages:
            route.fulfill(body=self.pages[url], content_type="text/html")
        elif url.removeprefix(PREFIX) in self.missing:
            route.fulfill(status=404, body="not found")
        elif url == PREFIX + COARSE:
            self.held.append(route)
        elif url.startswith(PREFIX) and ".." not in url:
            route.fulfill(path=PROJECT / VENDOR_DIR / url.removeprefix(PREFIX))
        else:
            self.blocked.append(url)
            route.abort()

    def open(self, html: str) -> None:
        url = f"{ORIGIN}/map.html"
        self.pages[url] = html
        self.page.goto(url, wait_until="load")
        self.page.wait_for_function("() => document.querySelector('.leaflet-container')")


@pytest.fixture
def served(browser: Browser) -> Iterator[Served]:
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    served = Served(context.new_page())
    context.route("**/*", served.route)
    yield served
    context.close()
    assert served.blocked == []


def test_names_and_grid_wait_for_the_first_view(served: Served) -> None:
    page, held = served.page, served.held
    served.open(_map_html(live=True))
    page.wait_for_timeout(500)  # time enough to draw them, were they not held
    before = page.evaluate(STATE)
    assert before == {"groups": 2, "onMap": True, "names": 0, "grid": 0, "countries": False}
    assert len(held) == 1
    held[0].fulfill(path=PROJECT / VENDOR_DIR / COARSE)
    page.wait_for_function(
        "() => document.querySelector('.hs-label') && document.querySelector('.hs-mgrs-label')"
    )
    after = page.evaluate(STATE)
    # The light countries were asked for once, by the bundle as it ran (before the map's own
    # script), and the map took that response.
    assert len(held) == 1
    assert page.evaluate("() => window.hsPrefetched && Object.keys(window.hsPrefetched)") == []
    assert after["countries"]
    assert after["names"] > 0
    assert after["grid"] > 0


# The countries the map holds once the detailed ones have replaced the light ones.
SETTLED_COUNTRIES = """
() => {
  const map = Object.values(window).find((v) => v instanceof L.Map);
  return Promise.resolve(map._hsBasemapSettled).then(() => map._hsBasemap
    ? map._hsBasemap.getLayers().length : 0);
}
"""


@pytest.mark.parametrize("unpacks", [True, False], ids=["gzipped", "plain"])
def test_the_live_map_asks_for_gzipped_countries_and_milsymbol_where_it_can_unpack_them(
    served: Served, unpacks: bool
) -> None:
    # Streamlit's server gzips every other static file anew on each request; the copies
    # built gzipped go out as they are, and the browser unpacks them (else asks for the plain).
    if not unpacks:
        served.page.add_init_script("delete window.DecompressionStream;")
    served.open(_map_html(live=True, symbol=True))
    if served.held:  # the light countries: gzipped, held by the route
        served.held[0].fulfill(path=PROJECT / VENDOR_DIR / COARSE)
    detailed = served.page.evaluate(SETTLED_COUNTRIES)
    served.page.locator(".hs-legend .hs-ms img").wait_for(timeout=15_000)  # milsymbol drew it
    fetched = [url for url in served.asked if url.startswith(("basemap/", "milsymbol/"))]
    suffix = PACKED_SUFFIX if unpacks else ""
    assert sorted(fetched) == sorted(
        [COARSE_BASEMAP_PATH + suffix, BASEMAP_PATH + suffix, MILSYMBOL_JS.path + suffix]
    )
    assert fetched.index(COARSE_BASEMAP_PATH + suffix) == 0
    assert detailed > 200  # 1:50m: more countries than the 177 of 1:110m
    assert served.page.evaluate("typeof ms") == "object"


def test_symbols_come_from_the_plain_milsymbol_where_its_gzipped_copy_is_missing(
    served: Served,
) -> None:
    # Assets built before the copy existed (`make setup` not run again): one 404, then the
    # plain file by a script tag, and the symbols are drawn all the same.
    served.missing.add(MILSYMBOL_JS.path + PACKED_SUFFIX)
    served.open(_map_html(live=True, symbol=True))
    if served.held:
        served.held[0].fulfill(path=PROJECT / VENDOR_DIR / COARSE)
    served.page.locator(".hs-legend .hs-ms img").wait_for(timeout=15_000)
    fetched = [url for url in served.asked if url.startswith("milsymbol/")]
    assert fetched == [MILSYMBOL_JS.path + PACKED_SUFFIX, MILSYMBOL_JS.path]


def test_a_product_draws_names_and_grid_at_once(served: Served) -> None:
    served.open(_map_html(live=False))
    state = served.page.evaluate(STATE)
    assert served.held == []  # a product fetches the detailed countries only
    assert state["names"] > 0
    assert state["grid"] > 0


def test_names_to_fit_stay_hidden_until_fitted(served: Served) -> None:
    # Names fitted in the browser (the Planned activities map), added while the map has no
    # size to measure them in: hidden until a fit has placed them, never shown unfitted.
    page = served.page
    served.open(_map_html(live=True, fit=True))
    page.evaluate("() => { document.querySelector('.leaflet-container').style.display = 'none'; }")
    served.held[0].fulfill(path=PROJECT / VENDOR_DIR / COARSE)
    page.wait_for_function("() => document.querySelector('.hs-label')")
    pane = page.locator(".leaflet-hsLabels-pane")
    assert pane.evaluate("(el) => getComputedStyle(el).visibility") == "hidden"
    page.evaluate(
        """() => {
          const el = document.querySelector('.leaflet-container');
          el.style.display = '';
          Object.values(window).find((v) => v instanceof L.Map).panBy([1, 0], {animate: false});
        }"""
    )
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector('.leaflet-hsLabels-pane'))"
        ".visibility === 'visible'"
    )
    shown = page.evaluate(
        "() => Object.values(window).find((v) => v instanceof L.Map)._hsLabelsShown"
    )
    assert shown > 0


def _points_in(
    kind: LayerKind, bounds: tuple[float, float, float, float], n: int
) -> gpd.GeoDataFrame:
    west, south, east, north = bounds
    rng = np.random.default_rng(len(kind.value))
    geometry = gpd.points_from_xy(rng.uniform(west, east, n), rng.uniform(south, north, n))
    rows = {"id": [f"{kind.value}-{i}" for i in range(n)], "name": [f"n{i}" for i in range(n)]}
    if kind == LayerKind.INCIDENT:
        rows |= {"date": ["2026-01-01"] * n, "focus_area": ["poc"] * n}
    if kind == LayerKind.POPULATION:
        rows |= {"population": [100] * n}
    return conform(gpd.GeoDataFrame(rows, geometry=geometry, crs="EPSG:4326"), kind)


# The renderers of the hexagons and of the other shapes, and the container point of a
# hexagon of each kind.
HEXAGONS = """
() => {
  const map = Object.values(window).find((v) => v instanceof L.Map);
  const paths = Object.values(map._layers).filter((l) => l instanceof L.Path && l._renderer
    && l._renderer.options.pane !== "hsBasemap");
  const kinds = {};
  for (const path of paths.filter((l) => l.options.hsAggregate)) {
    let group = null;
    map.eachLayer((g) => { if (g.hsKind && g.hasLayer && g.hasLayer(path)) { group = g; } });
    if (group && !kinds[group.hsKind]) {
      const pt = map.latLngToContainerPoint(path.getBounds().getCenter());
      kinds[group.hsKind] = { x: pt.x, y: pt.y };
    }
  }
  return { renderers: new Set(paths.map((l) => L.stamp(l._renderer))).size,
           hexagons: paths.filter((l) => l.options.hsAggregate).length,
           others: paths.filter((l) => !l.options.hsAggregate).length, kinds: kinds };
}
"""


def test_the_hexagons_of_every_kind_can_be_clicked(served: Served) -> None:
    # Incidents in the west half, towns in the east: hexagons of two kinds side by side, and a
    # convoy route along the south edge. A canvas takes every click over it: with a canvas of
    # their own under the features' canvas (or under another kind's), no hexagon took one.
    west, south, east, north = DEMO_AREA
    middle = (west + east) / 2
    route = gpd.GeoDataFrame(
        {"id": ["m1"], "name": ["Convoy"]},
        geometry=[shapely.LineString([(west, south + 0.05), (east, south + 0.05)])],
        crs="EPSG:4326",
    )
    frames = {
        LayerKind.INCIDENT: _points_in(LayerKind.INCIDENT, (west, south, middle - 0.3, north), 400),
        LayerKind.POPULATION: _points_in(
            LayerKind.POPULATION, (middle + 0.3, south, east, north), 400
        ),
        LayerKind.HUMANITARIAN_MOVEMENT: conform(route, LayerKind.HUMANITARIAN_MOVEMENT),
    }
    fmap = build_base_map(
        center=((south + north) / 2, middle),
        zoom=ZOOM,
        asset_prefix=PREFIX,
        kinds_shown=list(frames),
        live=True,
    )
    groups = build_data_layers(frames, view=MapView(DEMO_AREA, ZOOM), point_limit=50)
    assert [group.summary.mode for group in groups].count("hexagons") == 2
    for group in groups:
        group.add_to(fmap)
    page = served.page
    served.open(fmap.get_root().render())
    served.held[0].fulfill(path=PROJECT / VENDOR_DIR / COARSE)
    drawn = page.evaluate(HEXAGONS)
    assert drawn["renderers"] == 1  # hexagons and the route on one canvas
    assert drawn["hexagons"] > 2
    assert drawn["others"] >= 1
    assert set(drawn["kinds"]) == {"incident", "population"}
    box = page.locator(".leaflet-container").bounding_box()
    assert box is not None
    for kind, title in [("incident", "Incidents"), ("population", "Population centres")]:
        point = drawn["kinds"][kind]
        page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
        # (the last popup fades out for 0.2 s: both are in the page for that long)
        page.locator(".leaflet-popup-content", has_text=title).wait_for(timeout=10_000)
