"""A real `streamlit run` on 127.0.0.1 and headless Debian Chromium driven by Playwright.

Every request the browser makes is routed through ``guard``: requests to the app's own
address go through, anything else is aborted and recorded, so a test can assert that nothing
left the machine.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Frame, Page, Playwright, Route, sync_playwright

from humansec.export.render import CHROMIUM_ARGS as RENDERER_CHROMIUM_ARGS
from humansec.export.render import chromium_path

PROJECT = Path(__file__).resolve().parents[2]
# The same Chromium and flags as the export renderer: its own background traffic (updates,
# sync, ...) is switched off, so the test sees only what the page asks for.
CHROMIUM = chromium_path()
CHROMIUM_ARGS = list(RENDERER_CHROMIUM_ARGS)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A running app: its URL and its data folder."""

    url: str
    data_dir: Path
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        """Stop the server and wait for it."""
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # a browser still holds a websocket open
            self.process.kill()
            self.process.wait(timeout=10)


def start_server(
    data_dir: Path,
    log: Path,
    *,
    extra_env: dict[str, str] | None = None,
    base_path: str = "",
    script: str = "app.py",
    port: int | None = None,
    launcher: Path | None = None,
) -> Server:
    """Start `streamlit run app.py` on a free loopback port and wait until it is healthy.

    ``base_path`` serves the app below a URL path, as behind a reverse proxy; ``script``
    (relative to the project) runs another script instead (the benchmarks' floor page);
    ``launcher`` is a Python script that takes Streamlit's command line in place of
    ``-m streamlit`` (``widened_rerun_window.py``).
    """
    port = port or _free_port()
    env = {**os.environ, "HUMANSEC_DATA_DIR": str(data_dir), **(extra_env or {})}
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [
                sys.executable,
                *([str(launcher)] if launcher else ["-m", "streamlit"]),
                "run",
                script,
                "--server.address",
                "127.0.0.1",
                "--server.port",
                str(port),
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
                "--server.baseUrlPath",
                base_path,
            ],
            cwd=PROJECT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}" + (f"/{base_path}" if base_path else "")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"streamlit exited early:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return Server(url, data_dir, process, log)
        except OSError:
            time.sleep(0.3)
    process.kill()
    pytest.fail(f"streamlit did not become healthy within 60 s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("browser")
    running = start_server(folder / "data", folder / "streamlit.log")
    yield running
    running.stop()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"No Chromium at {CHROMIUM}: run `make browser` (Debian's chromium) or set "
            "HUMANSEC_CHROMIUM."
        )
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield launched
    launched.close()


@dataclass
class Guard:
    """What the page asked for that was not on the app's own address, and every dialog."""

    blocked: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


@contextmanager
def guarded(browser: Browser, *allowed: str) -> Iterator[tuple[Page, Guard]]:
    """A page in a fresh context that reaches only the ``allowed`` addresses (and data:,
    blob:, about:); everything else is aborted and listed in the guard."""
    guard = Guard()
    context = browser.new_context(viewport={"width": 1400, "height": 1000})

    def route(route: Route) -> None:
        url = route.request.url
        if url.startswith((*allowed, "data:", "blob:", "about:")):
            route.continue_()
        else:
            guard.blocked.append(url)
            route.abort()

    context.route("**/*", route)
    try:
        yield context.new_page(), guard
    finally:
        context.close()


@pytest.fixture
def guarded_page(browser: Browser, server: Server) -> Iterator[tuple[Page, Guard]]:
    with guarded(browser, server.url) as (page, guard):
        page.on("dialog", lambda dialog: (guard.dialogs.append(dialog.message), dialog.dismiss()))
        page.on(
            "requestfailed",
            lambda request: guard.failed.append(f"{request.url} {request.failure}"),
        )
        yield page, guard


def frame_of(page: Page, selector: str, timeout_ms: int = 30_000) -> Frame:
    """The document of the last iframe matching ``selector``. While Streamlit swaps a
    component's iframe (after a rerun) the element can be there without its document for a
    moment (a CI run once failed on that), so look again until it has one."""
    for _ in range(max(1, timeout_ms // 250)):
        handle = page.locator(selector).last.element_handle(timeout=timeout_ms)
        frame = handle.content_frame() if handle is not None else None
        if frame is not None:
            return frame
        page.wait_for_timeout(250)
    raise AssertionError(f"{selector} had no document after {timeout_ms} ms")


def open_then(page: Page, server: Server, link: str, timeout_ms: int = 60_000) -> None:
    """Open the app (through the router) and, once the situation map has drawn its filters,
    click the navigation link ``link``.

    The filters come with a run the page asks for on the map's first report: tests of other
    pages start from a page at rest, and the clicks made in that moment are tested on their
    own (``test_page_change_during_rerun.py``; the map's own guard:
    ``test_map_page_change.py``).
    """
    page.goto(server.url, wait_until="domcontentloaded")
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Incidents as heat map").wait_for(timeout=timeout_ms)
    page.get_by_role("link", name=link).click()
