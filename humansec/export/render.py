"""Headless Chromium (Playwright) turning a product's HTML into PNG or PDF, offline.

One browser is launched on first use and kept warm. Playwright's synchronous API belongs to
the thread that started it, so every call runs on one worker thread owned by the renderer:
a Streamlit server may share one ``Renderer`` between sessions (``st.cache_resource``).

Every request the page makes is aborted and recorded (the HTML is self-contained; only
``data:``, ``blob:`` and ``about:`` URLs, which never leave the browser, are let through).
Every dialog (``alert`` and friends) is dismissed and recorded: no script from feature data
may run, and a product whose page opened a dialog is refused.
"""

from __future__ import annotations

import io
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


def chromium_path() -> str:
    """The Chromium executable: ``HUMANSEC_CHROMIUM`` or Debian's ``/usr/bin/chromium``."""
    return os.environ.get("HUMANSEC_CHROMIUM", DEFAULT_CHROMIUM)


def browser_available(executable: str | None = None) -> bool:
    """True when a Chromium executable exists (PNG, PDF and PPTX need it; HTML does not)."""
    return Path(executable or chromium_path()).is_file()


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
        if not browser_available(self.executable):
            msg = (
                f"No Chromium at {self.executable}: install Debian's chromium package "
                "(`make browser`) or set HUMANSEC_CHROMIUM. HTML and table exports still work."
            )
            raise ConfigurationError(msg)
        from playwright.sync_api import sync_playwright  # noqa: PLC0415 - heavy, only here

        if self._playwright is None:
            self._playwright = sync_playwright().start()
        self._browser = self._playwright.chromium.launch(
            executable_path=self.executable, args=list(CHROMIUM_ARGS)
        )
        return self._browser

    def warm_up(self) -> None:
        """Launch the browser now (the first render otherwise pays for it)."""
        self._run(self._ensure_browser)

    def close(self) -> None:
        """Close the browser and stop the worker thread."""

        def stop() -> None:
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

    def _render(self, source: str, size: PageSize, kind: Literal["png", "pdf", "report"]) -> Any:  # noqa: ANN401
        browser = self._ensure_browser()
        report = RenderReport()
        self.last_report = report
        context = browser.new_context(
            viewport={"width": size.css_width, "height": size.css_height},
            device_scale_factor=size.scale,
            java_script_enabled=True,
            accept_downloads=False,
            service_workers="block",
        )
        own_url = source if kind == "report" else None

        def route(route: Any) -> None:  # noqa: ANN401 - Playwright's Route
            url = route.request.url
            if url.startswith(LOCAL_SCHEMES) or url == own_url:
                route.continue_()
            else:
                report.blocked.append(url)
                route.abort()

        try:
            context.route("**/*", route)
            page = context.new_page()

            def on_dialog(dialog: Any) -> None:  # noqa: ANN401 - Playwright's Dialog
                report.dialogs.append(str(dialog.message))
                dialog.dismiss()

            page.on("dialog", on_dialog)
            if own_url is not None:
                page.goto(own_url, wait_until="load")
            else:
                page.set_content(source, wait_until="load")
            page.wait_for_function(
                "document.documentElement.getAttribute('data-hsx-ready')",
                timeout=READY_TIMEOUT_MS,
            )
            report.ready = str(
                page.evaluate("document.documentElement.getAttribute('data-hsx-ready')")
            )
            if report.dialogs:
                msg = (
                    "The page opened a dialog while rendering, so script from the data ran; "
                    "the export is refused. Report this as a security fault."
                )
                raise RenderError(msg)
            if kind == "report":
                return report
            if kind == "pdf":
                width, height = size.pdf_size or ("", "")
                return page.pdf(
                    width=width, height=height, print_background=True, prefer_css_page_size=True
                )
            return _exact_size(page.screenshot(type="png"), size.pixels)
        finally:
            context.close()


def _paper_sizes() -> list[str]:
    return [name for name, size in SIZES.items() if size.pdf_size is not None]


def _exact_size(png: bytes, pixels: tuple[int, int]) -> bytes:
    """Crop the screenshot to the exact pixel size (the CSS layout is rounded up)."""
    from PIL import Image  # noqa: PLC0415 - only PNG needs Pillow

    with Image.open(io.BytesIO(png)) as image:
        if image.size == pixels:
            return png
        cropped = image.crop((0, 0, *pixels))
        out = io.BytesIO()
        cropped.save(out, format="PNG")
        return out.getvalue()
