"""Commander's map benchmark: time to the first drawn map and bytes sent per rerun.

Three stores are served in turn by a real ``streamlit run app.py`` (``tests.browser.conftest``)
and opened in headless Debian Chromium (Playwright): ``baseline`` (one population point),
``demo`` (the shipped demo) and ``large`` (100,000 synthetic incidents and 50,000 protected
features around the demo's towns). ``floor`` serves ``benchmarks/floor_app.py`` instead: a bare
Streamlit page with one empty offline Leaflet map through streamlit-folium, the floor any such
app pays; the app's first drawn map is reported as a multiple of it, and the Planned
activities page as a multiple of the situation map. See ``benchmarks/README.md``.

``python -m benchmarks.run map -- --repeats 5`` (default 5; ``--scenarios large`` for one).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import streamlit_folium
from playwright.sync_api import Browser, BrowserContext, Frame, Page, WebSocket, sync_playwright
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from humansec.bootstrap import ensure_demo
from humansec.demo import DEMO_AREA, DEMO_CENTER, EXERCISE_START, INCIDENT_START
from humansec.demo.scenario import anchor_places
from humansec.mapview import STREAMLIT_ASSET_PREFIX, MapView, build_base_map, build_data_layers
from humansec.model import (
    CULTURAL_PROTECTION,
    HUMANITARIAN_SITE_CATEGORIES,
    WGS84,
    FocusArea,
    LayerKind,
    conform,
)
from humansec.store import GeoPackageStore, NewLayer
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PROJECT, start_server

RESULTS = Path(__file__).resolve().parent / "results"
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
TARGET_FIRST_MAP_S = 2.0
TARGET_BYTES_PER_RERUN = 5_000_000
SEED = 20261126
LARGE_INCIDENTS = 100_000
LARGE_PROTECTED = {  # 50,000 in all
    LayerKind.POPULATION: 20_000,
    LayerKind.CULTURAL: 15_000,
    LayerKind.HUMANITARIAN_SITE: 15_000,
}
TIMEOUT_MS = 120_000
QUIET_S = 1.5  # runs are over when the server has sent nothing for this long after a finish
SILENT_S = 6.0  # ... or nothing at all for this long (no server run here takes half of that)

# True (and the time, ms since the epoch) once the map frame holds humansec's data layers, all
# of them added to the map, and the countries basemap has been drawn: a layer of more than
# 100 shapes drawn in the basemap's own pane (until 2026-12-04 any layer of more than 100
# shapes counted, so a data layer or the place names could stand in for the countries).
DRAWN = """
() => {
  const groups = window.feature_group;
  if (!groups || !groups.length || typeof map_div === "undefined") { return false; }
  if (!groups.every((group) => map_div.hasLayer(group))) { return false; }
  const basemap = Object.values(map_div._layers).some((layer) => layer.getLayers
    && layer.options && layer.options.renderer
    && layer.options.renderer.options.pane === "hsBasemap" && layer.getLayers().length > 100);
  return basemap ? performance.timeOrigin + performance.now() : false;
}
"""
# The floor page: Leaflet's map exists in the frame and has its size and view.
FLOOR_DRAWN = """
() => (typeof map_div !== "undefined" && map_div._loaded && map_div.getSize().y > 0)
  ? performance.timeOrigin + performance.now() : false
"""
# The same "drawn" condition, watched by the map frame itself at every animation frame from
# its start (an init script): the time of the paint after the first frame in which it holds
# is kept as ``window.__hsDrawnPaint``. Playwright's own polling of the condition starts only
# once it has found the frame and set up its script there, and under load it saw the map
# drawn 0.1-0.5 s after it was (benchmarks/README.md, issue 10, first-paint round).
IN_PAGE_WATCH = """
(() => {
  const drawn = DRAWN_CONDITION;
  const watch = () => {
    let held = false;
    try { held = Boolean(drawn()); } catch (error) { held = false; }
    if (!held) { requestAnimationFrame(watch); return; }
    requestAnimationFrame(() => requestAnimationFrame(() => {
      window.__hsDrawnPaint = performance.timeOrigin + performance.now();
    }));
  };
  const start = setInterval(() => {
    if (location.pathname.includes("/component/")) {
      clearInterval(start);
      requestAnimationFrame(watch);
    }
  }, 5);
})();
"""
FLOOR_SCRIPT = "benchmarks/floor_app.py"
PLANNED_PATH = "/planned_activities"
# Time (ms since the epoch) of the next painted frame after now.
NEXT_PAINT = """
() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(
  () => resolve(performance.timeOrigin + performance.now()))))
"""


# --- stores -------------------------------------------------------------------------------


def _meta(kind: LayerKind, title: str) -> NewLayer:
    return NewLayer(
        kind=kind,
        title=title,
        source="synthetic (humansec benchmark)",
        licence="synthetic, no licence restrictions",
        classification="NATO UNCLASSIFIED",
        exercise=True,
    )


def baseline_store(data_dir: Path) -> None:
    """Write a store holding one population point at the demo centre."""
    frame = gpd.GeoDataFrame(
        {"id": ["p1"], "name": ["Baseline"], "population": [1000]},
        geometry=gpd.points_from_xy([DEMO_CENTER[0]], [DEMO_CENTER[1]]),
        crs=WGS84,
    )
    store = GeoPackageStore(data_dir / "humansec.gpkg")
    store.add_version(conform(frame, LayerKind.POPULATION), _meta(LayerKind.POPULATION, "One"))


def demo_store(data_dir: Path) -> None:
    """Write the shipped demo into a store (as the app does on first start)."""
    ensure_demo(GeoPackageStore(data_dir / "humansec.gpkg"))


def clustered_points(rng: np.random.Generator, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Return ``count`` lon/lat points around the demo towns (weighted by population).

    Each point lies a normal distance (sigma 2 km plus 1 km per 10,000 people, capped at
    8 km) from a town; points outside ``DEMO_AREA`` are clipped to its edge.
    """
    towns = anchor_places(2000)
    lons = np.array([t.lon for t in towns])
    lats = np.array([t.lat for t in towns])
    people = np.array([t.population for t in towns], dtype=float)
    weights = np.sqrt(people) / np.sqrt(people).sum()
    sigma_km = np.minimum(2.0 + people / 10_000, 8.0)
    which = rng.choice(len(towns), size=count, p=weights)
    north_km = rng.normal(0.0, sigma_km[which])
    east_km = rng.normal(0.0, sigma_km[which])
    lat = lats[which] + north_km / 111.32
    lon = lons[which] + east_km / (111.32 * np.cos(np.radians(lats[which])))
    west, south, east, north = DEMO_AREA
    return np.clip(lon, west, east), np.clip(lat, south, north)


def large_frames(seed: int = SEED) -> dict[LayerKind, gpd.GeoDataFrame]:
    """Return the synthetic large scenario: 100k incidents, 50k protected points, conformed."""
    rng = np.random.default_rng(seed)
    out: dict[LayerKind, gpd.GeoDataFrame] = {}

    def frame(kind: LayerKind, count: int, columns: dict[str, Any]) -> gpd.GeoDataFrame:
        lon, lat = clustered_points(rng, count)
        ids = [f"{kind}-{i}" for i in range(count)]
        data = {"id": ids, "name": [f"{kind} {i}" for i in range(count)], **columns}
        raw = gpd.GeoDataFrame(data, geometry=gpd.points_from_xy(lon, lat), crs=WGS84)
        return conform(raw, kind)

    span_s = int((EXERCISE_START - INCIDENT_START).total_seconds())
    n = LARGE_INCIDENTS
    out[LayerKind.INCIDENT] = frame(
        LayerKind.INCIDENT,
        n,
        {
            "date": INCIDENT_START + pd.to_timedelta(rng.integers(0, span_s, n), unit="s"),
            "focus_area": rng.choice([str(a) for a in FocusArea], n),
            "killed": rng.poisson(0.3, n),
            "injured": rng.poisson(0.8, n),
        },
    )
    n = LARGE_PROTECTED[LayerKind.POPULATION]
    out[LayerKind.POPULATION] = frame(
        LayerKind.POPULATION, n, {"population": rng.integers(50, 5000, n)}
    )
    n = LARGE_PROTECTED[LayerKind.CULTURAL]
    out[LayerKind.CULTURAL] = frame(
        LayerKind.CULTURAL, n, {"protection": rng.choice(CULTURAL_PROTECTION, n)}
    )
    n = LARGE_PROTECTED[LayerKind.HUMANITARIAN_SITE]
    out[LayerKind.HUMANITARIAN_SITE] = frame(
        LayerKind.HUMANITARIAN_SITE, n, {"category": rng.choice(HUMANITARIAN_SITE_CATEGORIES, n)}
    )
    return out


def large_store(data_dir: Path) -> None:
    """Write the large scenario into a fresh store."""
    store = GeoPackageStore(data_dir / "humansec.gpkg")
    for kind, frame in large_frames().items():
        store.add_version(frame, _meta(kind, f"Synthetic {kind}"))


def floor_script(folder: Path) -> Path:
    """The floor page in a folder of its own beside ``static/``.

    Streamlit serves ``static/`` from beside the main script, so the page gets a folder with
    a link to the project's ``static/`` (the same vendored Leaflet the app loads).
    """
    home = folder / "floor_app"
    home.mkdir(exist_ok=True)
    script = home / "floor_app.py"
    script.write_text((PROJECT / FLOOR_SCRIPT).read_text(encoding="utf-8"), encoding="utf-8")
    if not (home / "static").exists():
        (home / "static").symlink_to(PROJECT / "static", target_is_directory=True)
    return script


def floor_store(data_dir: Path) -> None:
    """The floor page reads no store: nothing to write."""
    del data_dir


SCENARIOS: dict[str, Callable[[Path], None]] = {
    "floor": floor_store,
    "baseline": baseline_store,
    "demo": demo_store,
    "large": large_store,
}


# --- one page load -------------------------------------------------------------------------


@dataclass
class Traffic:
    """Websocket frames the server sent (arrival time, bytes) and finished HTTP requests."""

    frames: list[tuple[float, int]] = field(default_factory=list)
    finished: list[float] = field(default_factory=list)  # arrival of each script_finished
    socket_opened: float | None = None
    requests: list[Any] = field(default_factory=list)

    def mark(self) -> int:
        """Return a marker for ``since``."""
        return len(self.frames)

    def since(self, marker: int) -> tuple[int, int]:
        """Return (bytes, messages) received after ``marker``."""
        chosen = self.frames[marker:]
        return sum(size for _, size in chosen), len(chosen)


def _watch(page: Page, traffic: Traffic) -> None:
    def on_socket(socket: WebSocket) -> None:
        traffic.socket_opened = time.time()

        def on_frame(payload: str | bytes) -> None:
            now = time.time()
            if isinstance(payload, str):
                traffic.frames.append((now, len(payload.encode())))
                return
            traffic.frames.append((now, len(payload)))
            message = ForwardMsg()
            message.ParseFromString(payload)
            if message.WhichOneof("type") == "script_finished":
                traffic.finished.append(now)

        socket.on("framereceived", on_frame)

    page.on("websocket", on_socket)
    # a bound builtin cannot be a Playwright handler (it sets an attribute on it)
    page.on("requestfinished", lambda request: traffic.requests.append(request))  # noqa: PLW0108


def _wait_quiet(page: Page, traffic: Traffic, marker: int) -> float:
    """Wait for the end of the runs that follow ``marker``; return the last message's time.

    Runs are over when the last message after ``marker`` is a ``script_finished`` and nothing
    came for ``QUIET_S`` after it (a map that reports its view starts another run), or when
    nothing came for ``SILENT_S``.
    """
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        page.wait_for_timeout(50)
        if len(traffic.frames) <= marker or not traffic.finished:
            continue
        last = traffic.frames[-1][0]
        quiet = time.time() - last
        if (traffic.finished[-1] == last and quiet >= QUIET_S) or quiet >= SILENT_S:
            return last
    msg = "the server kept sending (or sent nothing) for two minutes"
    raise TimeoutError(msg)


def _map_frame(page: Page) -> Frame:
    page.locator(MAP_FRAME).last.wait_for(timeout=TIMEOUT_MS)
    handle = page.locator(MAP_FRAME).last.element_handle()
    content = handle.content_frame() if handle else None
    if content is None:
        msg = "the map iframe has no content frame"
        raise RuntimeError(msg)
    return content


def _http_bytes(requests: list[Any], server_url: str) -> dict[str, int]:
    """Sum response body bytes (as transferred, i.e. compressed if it was) per asset group."""
    groups = {"basemap": 0, "leaflet_and_plugins": 0, "streamlit_frontend": 0, "other": 0}
    outside = 0
    for request in requests:
        url: str = request.url
        if not url.startswith(server_url):
            outside += 1
            continue
        size = max(int(request.sizes()["responseBodySize"]), 0)
        if "/static/vendor/basemap" in url:
            groups["basemap"] += size
        elif "/static/vendor/" in url:
            groups["leaflet_and_plugins"] += size
        elif "/static/" in url or "/component/" in url:
            groups["streamlit_frontend"] += size
        else:
            groups["other"] += size
    groups["total"] = sum(groups.values())
    groups["requests_outside_server"] = outside
    return groups


def load_once(
    context: BrowserContext,
    server_url: str,
    *,
    reruns: bool,
    path: str = "",
    drawn: str = DRAWN,
) -> dict[str, Any]:
    """Open ``path`` of the app in a new page of ``context``; measure the first drawn map
    (``drawn`` tells when it is) and, with ``reruns``, three reruns."""
    page = context.new_page()
    page.add_init_script(IN_PAGE_WATCH.replace("DRAWN_CONDITION", drawn.strip()))
    traffic = Traffic()
    _watch(page, traffic)
    wall_start = time.time()
    page.goto(server_url + path, wait_until="commit", timeout=TIMEOUT_MS)
    navigation_start = float(page.evaluate("performance.timeOrigin"))
    frame = _map_frame(page)
    frame.wait_for_function(drawn, timeout=TIMEOUT_MS, polling="raf")
    painted = float(frame.evaluate(NEXT_PAINT))
    first_map_s = (painted - navigation_start) / 1000
    in_page = frame.evaluate("window.__hsDrawnPaint || null")
    before_draw = [t for t, _ in traffic.frames if t * 1000 <= painted]
    result: dict[str, Any] = {
        "first_map_s": first_map_s,
        # the same, seen by the frame itself (None when it missed it, e.g. a swapped frame)
        "first_map_in_page_s": (float(in_page) - navigation_start) / 1000 if in_page else None,
        "wall_first_map_s": painted / 1000 - wall_start,
        # server-side share: from navigation start to the last message before the paint
        "last_message_before_map_s": (before_draw[-1] * 1000 - navigation_start) / 1000
        if before_draw
        else None,
        "socket_opened_s": (traffic.socket_opened or 0) - navigation_start / 1000,
        "dom_content_loaded_s": float(
            page.evaluate("performance.timing.domContentLoadedEventEnd") - navigation_start
        )
        / 1000,
    }
    _wait_quiet(page, traffic, 0)
    result["initial_ws_bytes"], result["initial_ws_messages"] = traffic.since(0)
    result["messages"] = [
        (round(t - navigation_start / 1000, 3), size) for t, size in traffic.frames
    ]
    result["http"] = _http_bytes(traffic.requests, server_url)
    if reruns:
        result["click"] = _rerun(page, traffic, lambda: _click_map(page))
        result["zoom"] = _rerun(
            page, traffic, lambda: frame.locator(".leaflet-control-zoom-in").click()
        )
        result["filter"] = _rerun(
            page, traffic, lambda: page.get_by_text("Incidents as heat map").click()
        )
    page.close()
    return result


def _click_map(page: Page) -> None:
    box = page.locator(MAP_FRAME).last.bounding_box()
    if box is None:
        msg = "the map iframe has no bounding box"
        raise RuntimeError(msg)
    page.mouse.click(box["x"] + 80, box["y"] + box["height"] / 2)
    # the rerun shows the clicked point's MGRS (second metric)
    page.get_by_test_id("stMetricValue").nth(1).wait_for(timeout=TIMEOUT_MS)


def _rerun(page: Page, traffic: Traffic, action: Callable[[], None]) -> dict[str, Any]:
    marker = traffic.mark()
    start = time.time()
    action()
    last = _wait_quiet(page, traffic, marker)
    size, messages = traffic.since(marker)
    return {"ws_bytes": size, "ws_messages": messages, "last_message_s": last - start}


# --- server side, in this process ------------------------------------------------------------


def profile_server(data_dir: Path) -> dict[str, float]:
    """Time what one run of the map fragment does on the server for this store, in seconds.

    Reading the store (cached by the app after the first run), building the data layers for
    the whole data extent (``MapView(None, None)``, as on first load) and turning them into
    the JavaScript streamlit-folium sends (its own private helpers, as ``st_folium`` calls
    them), plus the size of that JavaScript.
    """
    store = GeoPackageStore(data_dir / "humansec.gpkg")
    out: dict[str, float] = {}
    started = time.perf_counter()
    frames = {kind: store.read_kind(kind) for kind in LayerKind}
    out["read_store_s"] = time.perf_counter() - started
    for label, heatmap in (("", False), ("heat_", True)):
        started = time.perf_counter()
        groups = build_data_layers(frames, view=MapView(None, None), heatmap=heatmap)
        out[f"{label}build_data_layers_s"] = time.perf_counter() - started
        base = build_base_map(
            center=(DEMO_CENTER[1], DEMO_CENTER[0]),
            zoom=8,
            asset_prefix=STREAMLIT_ASSET_PREFIX,
            kinds_shown=list(LayerKind),
        )
        started = time.perf_counter()
        script = streamlit_folium._get_map_string(base)
        js = "".join(
            streamlit_folium._get_feature_group_string(group, base, idx)
            for idx, group in enumerate(groups)
        )
        out[f"{label}serialise_s"] = time.perf_counter() - started
        out[f"{label}map_js_bytes"] = len(script.encode())
        out[f"{label}data_layers_js_bytes"] = len(js.encode())
        for group in groups:
            summary = getattr(group, "summary", None)
            if summary is not None:
                out[f"{label}{summary.kind}_drawn_{summary.mode}"] = summary.drawn
    return out


# --- one scenario --------------------------------------------------------------------------


@contextmanager
def _browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def run_scenario(browser: Browser, name: str, folder: Path, repeats: int) -> dict[str, Any]:
    """Write the scenario's store, serve it, and measure ``repeats`` cold and warm loads."""
    data_dir = folder / name
    data_dir.mkdir(parents=True)
    started = time.perf_counter()
    SCENARIOS[name](data_dir)
    write_s = time.perf_counter() - started
    floor = name == "floor"
    server_profile = {} if floor else profile_server(data_dir)
    server = start_server(
        data_dir,
        folder / f"{name}.log",
        script=str(floor_script(folder)) if floor else "app.py",
        extra_env={"PYTHONPATH": str(PROJECT)} if floor else None,
    )
    drawn = FLOOR_DRAWN if floor else DRAWN
    try:
        # The first load after start reads the store into the server's cache: reported apart.
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        server_cold = load_once(context, server.url, reruns=False, drawn=drawn)
        if not floor:  # the planned activities page's first check, cached from then on
            load_once(context, server.url, reruns=False, path=PLANNED_PATH)
        context.close()
        cold, warm, planned = [], [], []
        load: list[float] = []  # the 1-minute load average after each repeat (shared machine)
        for index in range(repeats):
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            cold.append(load_once(context, server.url, reruns=not floor, drawn=drawn))
            warm.append(load_once(context, server.url, reruns=False, drawn=drawn))
            context.close()
            load.append(os.getloadavg()[0])
            line = (
                f"  {name} #{index + 1}: first map {cold[-1]['first_map_s']:.2f} s cold cache, "
                f"{warm[-1]['first_map_s']:.2f} s warm cache (load average {load[-1]:.1f})"
            )
            if not floor:  # a fresh context again: a cold HTTP cache, like ``cold``
                context = browser.new_context(viewport={"width": 1400, "height": 1000})
                planned.append(load_once(context, server.url, reruns=False, path=PLANNED_PATH))
                context.close()
                line += f", planned activities {planned[-1]['first_map_s']:.2f} s cold cache"
            print(line, flush=True)
    finally:
        server.stop()
    return {
        "store_write_s": write_s,
        "server_profile": server_profile,
        "server_cold": server_cold,
        "cold_cache": cold,
        "warm_cache": warm,
        "planned_cold_cache": planned,
        "load_average": load,
        "summary": summarise(cold, warm, planned),
    }


def _stats(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def summarise(
    cold: list[dict[str, Any]],
    warm: list[dict[str, Any]],
    planned: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Median, min and max of each measure over the repeats (the reruns where measured)."""
    out = {
        "first_map_s_cold_cache": _stats([r["first_map_s"] for r in cold]),
        "first_map_s_warm_cache": _stats([r["first_map_s"] for r in warm]),
        "initial_ws_bytes": _stats([r["initial_ws_bytes"] for r in cold]),
        "http_bytes_cold_cache": _stats([r["http"]["total"] for r in cold]),
        "http_bytes_warm_cache": _stats([r["http"]["total"] for r in warm]),
    }
    if planned:
        out["planned_first_map_s_cold_cache"] = _stats([r["first_map_s"] for r in planned])
    if all("click" in r for r in cold):
        for rerun in ("click", "zoom", "filter"):
            out[f"{rerun}_rerun_ws_bytes"] = _stats([r[rerun]["ws_bytes"] for r in cold])
            out[f"{rerun}_rerun_s"] = _stats([r[rerun]["last_message_s"] for r in cold])
    return out


# --- report --------------------------------------------------------------------------------

ROWS = [
    ("first map, cold HTTP cache (s)", "first_map_s_cold_cache", 1.0),
    ("first map, warm HTTP cache (s)", "first_map_s_warm_cache", 1.0),
    ("planned activities, cold cache (s)", "planned_first_map_s_cold_cache", 1.0),
    ("websocket, initial load (MB)", "initial_ws_bytes", 1e-6),
    ("websocket, map click rerun (MB)", "click_rerun_ws_bytes", 1e-6),
    ("websocket, zoom-in rerun (MB)", "zoom_rerun_ws_bytes", 1e-6),
    ("websocket, filter rerun (MB)", "filter_rerun_ws_bytes", 1e-6),
    ("click rerun, last message (s)", "click_rerun_s", 1.0),
    ("zoom-in rerun, last message (s)", "zoom_rerun_s", 1.0),
    ("filter rerun, last message (s)", "filter_rerun_s", 1.0),
    ("HTTP, cold cache (MB)", "http_bytes_cold_cache", 1e-6),
    ("HTTP, warm cache (MB)", "http_bytes_warm_cache", 1e-6),
]


def table(results: dict[str, Any]) -> str:
    """Median [min-max] per scenario, and the median as a ratio to the floor (else baseline)."""
    names = list(results)
    base = results.get("floor") or results.get("baseline")
    base_name = "floor" if "floor" in results else "baseline"
    lines = [f"{'measure':34}" + "".join(f"{name:>26}" for name in names)]
    for title, key, scale in ROWS:
        cells = []
        for name in names:
            s = results[name]["summary"].get(key)
            if s is None:
                cells.append(f"{'-':>26}")
                continue
            cell = f"{s['median'] * scale:.2f} [{s['min'] * scale:.2f}-{s['max'] * scale:.2f}]"
            reference_stats = base["summary"].get(key) if base is not None else None
            if reference_stats is not None and name != base_name:
                reference = reference_stats["median"]
                cell += f" x{s['median'] / reference:.2f}" if reference else " x-"
            cells.append(f"{cell:>26}")
        lines.append(f"{title:34}" + "".join(cells))
    return "\n".join(lines)


FLOOR_TARGETS = {"demo": 1.3, "large": 1.6}
"""First drawn map at most this multiple of the floor page's (DESIGN.md section 8)."""
PLANNED_TARGET = 1.3
"""The Planned activities page at most this multiple of the situation map."""


def floor_verdict(results: dict[str, Any]) -> list[str]:
    """Ratios to the floor (cold and warm HTTP cache) and Planned activities / situation map."""
    lines = []
    floor = results.get("floor")
    for name, result in results.items():
        s = result["summary"]
        target = FLOOR_TARGETS.get(name)
        if floor is not None and target is not None:
            for cache in ("cold", "warm"):
                key = f"first_map_s_{cache}_cache"
                ratio = s[key]["median"] / floor["summary"][key]["median"]
                met = "met" if ratio <= target else "MISSED"
                lines.append(
                    f"{name} / floor, {cache} HTTP cache: {ratio:.2f}x (target {target}x: {met})"
                )
        if "planned_first_map_s_cold_cache" in s:
            ratio = (
                s["planned_first_map_s_cold_cache"]["median"]
                / s["first_map_s_cold_cache"]["median"]
            )
            met = "met" if ratio <= PLANNED_TARGET else "MISSED"
            lines.append(
                f"{name}: planned activities / situation map: {ratio:.2f}x "
                f"(target {PLANNED_TARGET}x: {met})"
            )
    return lines


def verdict(results: dict[str, Any]) -> list[str]:
    """One line per scenario against DESIGN.md section 8."""
    lines = []
    for name, result in results.items():
        s = result["summary"]
        first = s["first_map_s_cold_cache"]["median"]
        worst = max(
            s[key]["max"]
            for key in (
                "initial_ws_bytes",
                "click_rerun_ws_bytes",
                "zoom_rerun_ws_bytes",
                "filter_rerun_ws_bytes",
            )
            if key in s
        )
        lines.append(
            f"{name}: first map {first:.2f} s (target {TARGET_FIRST_MAP_S} s: "
            f"{'met' if first <= TARGET_FIRST_MAP_S else 'MISSED'}); largest websocket burst "
            f"{worst / 1e6:.2f} MB (target 5 MB: "
            f"{'met' if worst <= TARGET_BYTES_PER_RERUN else 'MISSED'})"
        )
    return lines


def main(argv: list[str]) -> int:
    """Run the map benchmark; print a table and write ``results/map_load.json``."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run map --")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--scenarios", nargs="+", choices=list(SCENARIOS), default=list(SCENARIOS))
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"No Chromium at {CHROMIUM}: run `make browser` or set HUMANSEC_CHROMIUM.")
        return 2
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="humansec-bench-") as tmp, _browser() as browser:
        for name in args.scenarios:
            print(f"scenario {name}", flush=True)
            results[name] = run_scenario(browser, name, Path(tmp), args.repeats)
    report = table(results)
    print(report)
    for line in [*verdict(results), *floor_verdict(results)]:
        print(line)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "map_load.json"
    payload = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"platform": platform.platform(), "cpus": _cpus(), "chromium": CHROMIUM},
        "repeats": args.repeats,
        "quiet_s": QUIET_S,
        "results": results,
        "verdict": [*verdict(results), *floor_verdict(results)],
    }
    out.write_text(json.dumps(payload, indent=2, default=str))
    print(f"wrote {out}")
    return 0


def _cpus() -> int | None:
    return os.cpu_count()
