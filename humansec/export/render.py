"""Headless Chromium (Playwright) turning a product's HTML into PNG or PDF, offline.

One browser is launched on first use and kept warm, with one warm page per product size
(its viewport and device scale): an export goes to ``about:blank`` (a new document and
window, nothing left of the last product), sets the product's HTML, waits for the page's
own "drawn" signal and captures it. Playwright's synchronous API belongs to the thread that
started it, so every call runs on one worker thread owned by the renderer: a Streamlit
server may share one ``Renderer`` between sessions (``st.cache_resource``).

PNG is captured through the DevTools protocol, clipped to the exact pixel size and encoded
by Chromium for speed (``optimizeForSpeed``: a faster zlib level, the same pixels); no
Python re-encoding. PDF is Chromium's vector print of the page, text kept as text.

Every request the page makes is aborted and recorded (the HTML is self-contained; only
``data:``, ``blob:`` and ``about:`` URLs, which never leave the browser, are let through).
Every dialog (``alert`` and friends) is dismissed and recorded: no script from feature data
may run, and a product whose page opened a dialog is refused.
"""

from __future__ import annotations

import base64
import contextlib
import importlib.util
import math
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

from humansec.errors import ConfigurationError, HumansecError

DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)
READY_TIMEOUT_MS = 20_000
LOCAL_SCHEMES = ("data:", "blob:", "about:")
T = TypeVar("T")


class RenderError(HumansecError):
    """The renderer could not produce the product, or the page did what it must not."""


@dataclass(frozen=True)
class PageSize:
    """A product size: the CSS layout size, the device scale and the exact output size."""

    name: str
    css_width: int
    css_height: int
    scale: float
    pixels: tuple[int, int]
    pdf_size: tuple[str, str] | None = None
    """Paper width and height for PDF (None: no PDF at this size)."""

    @property
    def page_css(self) -> str:
        """CSS giving the layout its size (``--hsx-w``/``--hsx-h``) and the printed page."""
        if self.pdf_size is None:
            width, height = f"{self.css_width}px", f"{self.css_height}px"
        else:
            width, height = self.pdf_size
        return (
            f":root {{ --hsx-w: {width}; --hsx-h: {height}; }}"
            f"@page {{ size: {width} {height}; margin: 0; }}"
        )


def _print_size(name: str, width_mm: int, height_mm: int, dpi: int = 300) -> PageSize:
    css = (math.ceil(width_mm / 25.4 * 96), math.ceil(height_mm / 25.4 * 96))
    pixels = (round(width_mm / 25.4 * dpi), round(height_mm / 25.4 * dpi))
    return PageSize(name, *css, dpi / 96, pixels, (f"{width_mm}mm", f"{height_mm}mm"))


SIZES: dict[str, PageSize] = {
    "slide": PageSize("slide", 1280, 720, 1.5, (1920, 1080)),
    "a4": _print_size("a4", 297, 210),
    "a3": _print_size("a3", 420, 297),
}
"""Slide (16:9, 1920x1080) and A4/A3 landscape at 300 dpi (PDF at the paper size)."""


@dataclass
class RenderReport:
    """What the last page did: requests aborted, dialogs opened, whether the map loaded."""

    blocked: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    ready: str = ""


@dataclass
class _Slot:
    """A warm page of one size: its context (routes), page (dialogs) and DevTools session."""

    context: Any
    page: Any
    cdp: Any
    report: RenderReport = field(default_factory=RenderReport)


def chromium_path() -> str:
    """The Chromium executable: ``HUMANSEC_CHROMIUM`` or Debian's ``/usr/bin/chromium``."""
    return os.environ.get("HUMANSEC_CHROMIUM", DEFAULT_CHROMIUM)


def unavailable_reason(executable: str | None = None) -> str | None:
    """Why PNG, PDF and PPTX cannot be drawn on this machine, in one line; None when they can.

    They need Playwright (a run-time requirement) and a Chromium executable; HTML and tables
    need neither.

    >>> unavailable_reason("/nonexistent/chromium")  # doctest: +ELLIPSIS
    'PNG, PDF and PowerPoint need headless Chromium, which is not at /nonexistent/chromium: ...'
    """
    path = executable or chromium_path()
    if importlib.util.find_spec("playwright") is None:
        return (
            "PNG, PDF and PowerPoint need the Python package playwright, which is not installed: "
            "run `make setup` (or `pip install -r requirements.txt`). "
            "Offline HTML and tables still work."
        )
    if not Path(path).is_file():
        return (
            f"PNG, PDF and PowerPoint need headless Chromium, which is not at {path}: ask the "
            "administrator to run `sudo apt-get install chromium` (or set HUMANSEC_CHROMIUM). "
            "Offline HTML and tables still work."
        )
    return None


def browser_available(executable: str | None = None) -> bool:
    """True when PNG, PDF and PPTX can be drawn here (see :func:`unavailable_reason`)."""
    return unavailable_reason(executable) is None


class Renderer:
    """A warm headless Chromium. Use as a context manager, or call ``close()``.

    >>> with Renderer() as renderer:  # doctest: +SKIP
    ...     png = renderer.png(html, SIZES["slide"])
    """

    def __init__(self, *, executable: str | None = None) -> None:
        self.executable = executable or chromium_path()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="humansec-render")
        self._lock = threading.Lock()
        self._playwright: Any = None
        self._browser: Any = None
        self._slots: dict[tuple[int, int, float], _Slot] = {}
        self.last_report = RenderReport()

    def __enter__(self) -> Renderer:
        """Start nothing yet: the browser starts on the first render."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Close the browser."""
        self.close()

    def _run(self, job: Callable[[], T]) -> T:
        with self._lock:
            return self._pool.submit(job).result()

    def _ensure_browser(self) -> Any:  # noqa: ANN401 - Playwright's Browser
        if self._browser is not None and self._browser.is_connected():
            return self._browser
        reason = unavailable_reason(self.executable)
        if reason is not None:
            raise ConfigurationError(reason)
        from playwright.sync_api import sync_playwright  # noqa: PLC0415 - heavy, only here

        if self._playwright is None:
            self._playwright = sync_playwright().start()
        self._browser = self._playwright.chromium.launch(
            executable_path=self.executable, args=list(CHROMIUM_ARGS)
        )
        return self._browser

    def warm_up(self, size: PageSize | None = None) -> None:
        """Launch the browser and open the page of ``size`` (default the slide) now."""
        self._run(lambda: self._slot(size or SIZES["slide"]))

    def close(self) -> None:
        """Close the browser and stop the worker thread."""

        def stop() -> None:
            self._slots.clear()
            if self._browser is not None:
                self._browser.close()
            if self._playwright is not None:
                self._playwright.stop()
            self._browser = self._playwright = None

        self._run(stop)
        self._pool.shutdown(wait=True)

    def png(self, html: str, size: PageSize) -> bytes:
        """Render ``html`` (self-contained) to a PNG of exactly ``size.pixels``."""
        return bytes(self._run(lambda: self._render(html, size, "png")))

    def pdf(self, html: str, size: PageSize) -> bytes:
        """Render ``html`` (self-contained) to a PDF of ``size``'s paper, text kept as text."""
        if size.pdf_size is None:
            msg = f"PDF needs a paper size; choose one of {', '.join(_paper_sizes())}."
            raise ConfigurationError(msg)
        return bytes(self._run(lambda: self._render(html, size, "pdf")))

    def open_file(self, path: Path, size: PageSize) -> RenderReport:
        """Open an HTML file from disk (as a person would) and report what the page did."""
        url = path.resolve().as_uri()
        report = self._run(lambda: self._render(url, size, "report"))
        if not isinstance(report, RenderReport):  # pragma: no cover
            raise TypeError(type(report))
        return report

    def _new_context(
        self, size: PageSize, report_of: Callable[[], RenderReport], own_url: str | None = None
    ) -> Any:  # noqa: ANN401 - BrowserContext
        context = self._ensure_browser().new_context(
            viewport={"width": size.css_width, "height": size.css_height},
            device_scale_factor=size.scale,
            java_script_enabled=True,
            accept_downloads=False,
            service_workers="block",
        )

        def route(route: Any) -> None:  # noqa: ANN401 - Playwright's Route
            url = route.request.url
            if url.startswith(LOCAL_SCHEMES) or url == own_url:
                route.continue_()
            else:
                report_of().blocked.append(url)
                route.abort()

        context.route("**/*", route)
        return context

    @staticmethod
    def _watch_dialogs(page: Any, report_of: Callable[[], RenderReport]) -> None:  # noqa: ANN401
        def on_dialog(dialog: Any) -> None:  # noqa: ANN401 - Playwright's Dialog
            report_of().dialogs.append(str(dialog.message))
            dialog.dismiss()

        page.on("dialog", on_dialog)

    def _slot(self, size: PageSize) -> _Slot:
        """The warm page of ``size`` (made on first use; dropped when the browser went)."""
        browser = self._ensure_browser()
        key = (size.css_width, size.css_height, size.scale)
        slot = self._slots.get(key)
        if slot is not None and slot.context.browser is browser and not slot.page.is_closed():
            return slot
        holder: list[_Slot] = []
        context = self._new_context(size, lambda: holder[0].report)
        try:
            page = context.new_page()
            slot = _Slot(context, page, context.new_cdp_session(page))
        except Exception:
            context.close()
            raise
        holder.append(slot)
        self._watch_dialogs(page, lambda: holder[0].report)
        self._slots[key] = slot
        return slot

    def _discard(self, size: PageSize) -> None:
        slot = self._slots.pop((size.css_width, size.css_height, size.scale), None)
        if slot is not None:
            with contextlib.suppress(Exception):  # the browser may be gone already
                slot.context.close()

    def _render(self, source: str, size: PageSize, kind: Literal["png", "pdf", "report"]) -> Any:  # noqa: ANN401
        report = RenderReport()
        self.last_report = report
        if kind == "report":
            return self._report(source, size, report)
        slot = self._slot(size)
        slot.report = report
        try:
            slot.page.goto("about:blank")  # a new document and window for every product
            slot.page.set_content(source, wait_until="load")
            self._wait_ready(slot.page, report)
            if kind == "pdf":
                width, height = size.pdf_size or ("", "")
                return slot.page.pdf(
                    width=width, height=height, print_background=True, prefer_css_page_size=True
                )
            return _capture_png(slot.cdp, size)
        except BaseException:
            self._discard(size)  # the next product starts on a new page
            raise
        finally:
            if (size.css_width, size.css_height, size.scale) in self._slots:
                slot.page.goto("about:blank")  # free the product's memory while idle

    def _report(self, url: str, size: PageSize, report: RenderReport) -> RenderReport:
        """Open ``url`` (a file) in a page of its own and say what it did."""
        context = self._new_context(size, lambda: report, own_url=url)
        try:
            page = context.new_page()
            self._watch_dialogs(page, lambda: report)
            page.goto(url, wait_until="load")
            self._wait_ready(page, report)
            return report
        finally:
            context.close()

    @staticmethod
    def _wait_ready(page: Any, report: RenderReport) -> None:  # noqa: ANN401 - Playwright's Page
        """Wait for the page's "drawn" signal (``data-hsx-ready``); refuse a page with a dialog."""
        handle = page.wait_for_function(
            "document.documentElement.getAttribute('data-hsx-ready')",
            timeout=READY_TIMEOUT_MS,
        )
        report.ready = str(handle.json_value())
        if report.dialogs:
            msg = (
                "The page opened a dialog while rendering, so script from the data ran; "
                "the export is refused. Report this as a security fault."
            )
            raise RenderError(msg)


def _capture_png(cdp: Any, size: PageSize) -> bytes:  # noqa: ANN401 - Playwright's CDPSession
    """The viewport as a PNG of exactly ``size.pixels``, encoded by Chromium for speed.

    The CSS layout is rounded up to whole pixels; the clip (in CSS pixels, scaled by the
    device scale) cuts it to the exact output size, so nothing is re-encoded in Python.
    """
    width, height = size.pixels
    shot = cdp.send(
        "Page.captureScreenshot",
        {
            "format": "png",
            "optimizeForSpeed": True,
            "fromSurface": True,
            "captureBeyondViewport": False,
            "clip": {
                "x": 0,
                "y": 0,
                "width": width / size.scale,
                "height": height / size.scale,
                "scale": size.scale,
            },
        },
    )
    return base64.b64decode(shot["data"])


def _paper_sizes() -> list[str]:
    return [name for name, size in SIZES.items() if size.pdf_size is not None]
