"""The export end to end in headless Chromium: one warm renderer for the module."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from pptx import Presentation
from pypdf import PdfReader

from humansec.bootstrap import ensure_demo
from humansec.demo import HOSTILE_INCIDENTS
from humansec.escaping import escape_text
from humansec.export import NAMESPACE_URLS, SIZES, Renderer, export_product
from humansec.export.render import RenderError
from humansec.mapview import external_urls
from humansec.mapview.elements import script_json
from humansec.model import LayerKind
from humansec.settings import Settings
from humansec.store import GeoPackageStore

pytestmark = pytest.mark.browser

MOMENT = dt.datetime(2026, 11, 26, 14, 30, tzinfo=dt.UTC)
BANNER = "EXERCISE - NATO RESTRICTED - EXERCISE"


@pytest.fixture(scope="module")
def renderer() -> Iterator[Renderer]:
    with Renderer() as running:
        yield running


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, list, Settings]:
    folder = tmp_path_factory.mktemp("export")
    settings = Settings(data_dir=folder)
    store = GeoPackageStore(settings.store_path)
    ensure_demo(store)
    frames = {kind: store.read_kind(kind) for kind in LayerKind}
    return frames, store.catalogue(), settings


def export(demo: tuple, fmt: str, renderer: Renderer | None, **options: object) -> bytes:
    frames, records, settings = demo
    return export_product(
        frames, records, fmt=fmt, title="Suwałki gap <b>brief</b>", settings=settings,
        renderer=renderer, classification="NATO RESTRICTED", moment=MOMENT, **options,
    )  # fmt: skip


def assert_clean(renderer: Renderer) -> None:
    assert renderer.last_report.blocked == []
    assert renderer.last_report.dialogs == []
    assert renderer.last_report.ready == "1"  # the basemap was drawn


def test_png_slide_has_the_size_and_is_not_blank(demo: tuple, renderer: Renderer) -> None:
    png = export(demo, "png", renderer, size="slide")
    assert_clean(renderer)
    with Image.open(io.BytesIO(png)) as image:
        assert image.size == (1920, 1080)
        pixels = np.asarray(image.convert("L"), dtype=float)
    assert pixels.std() > 20  # map, symbols and text, not a blank page
    map_area = pixels[200:900, 100:1300]
    assert len(np.unique(map_area)) > 50


def test_pdf_text_holds_banners_title_dtg_and_sources(demo: tuple, renderer: Renderer) -> None:
    pdf = export(demo, "pdf", renderer, size="a4")
    assert_clean(renderer)
    reader = PdfReader(io.BytesIO(pdf))
    first = reader.pages[0]
    assert round(float(first.mediabox.width)) == 842  # A4 landscape, points
    assert round(float(first.mediabox.height)) == 595
    text = first.extract_text()
    assert text.count(BANNER) == 2
    assert "Suwałki gap <b>brief</b>" in text
    assert "261430Z NOV 26" in text
    assert "Legend" in text and "Sources" in text and "GeoNames" in text
    if len(reader.pages) > 1:  # the conflicts annex carries the banners too
        assert reader.pages[1].extract_text().count(BANNER) == 2
        assert len(reader.pages) == 2


def test_pptx_slide_holds_picture_title_and_banners(demo: tuple, renderer: Renderer) -> None:
    deck = Presentation(io.BytesIO(export(demo, "pptx", renderer)))
    assert_clean(renderer)
    slide = deck.slides[0]
    texts = [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]
    assert texts.count(BANNER) == 2
    assert any("Suwałki gap <b>brief</b>" in text for text in texts)
    pictures = [shape for shape in slide.shapes if shape.shape_type == 13]
    assert len(pictures) == 1
    with Image.open(io.BytesIO(pictures[0].image.blob)) as image:
        assert image.size == (1920, 1080)
    assert "Sources:" in slide.notes_slide.notes_text_frame.text


def test_html_works_from_disk_with_nothing_fetched_and_no_script_from_data(
    demo: tuple, renderer: Renderer, tmp_path: Path
) -> None:
    html = export(demo, "html", None).decode("utf-8")
    assert external_urls(html, allowed=NAMESPACE_URLS) == []
    assert html.count(BANNER) >= 2
    for name, _perpetrator in HOSTILE_INCIDENTS:  # escaped, then made safe for <script>
        assert script_json(escape_text(name)).strip('"') in html
    assert "<img src=x onerror" not in html
    assert "</script><script>alert(2)" not in html
    path = tmp_path / "product.html"
    path.write_text(html, encoding="utf-8")
    report = renderer.open_file(path, SIZES["slide"])
    assert report.blocked == []
    assert report.dialogs == []
    assert report.ready == "1"


def test_hostile_names_render_as_text(demo: tuple, renderer: Renderer) -> None:
    frames, records, settings = demo
    incidents = frames[LayerKind.INCIDENT]
    hostile = incidents[incidents["name"].isin([n for n, _ in HOSTILE_INCIDENTS])]
    assert len(hostile) == len(HOSTILE_INCIDENTS)
    png = export_product(
        {LayerKind.INCIDENT: hostile}, records, fmt="png", title=HOSTILE_INCIDENTS[0][0],
        settings=settings, renderer=renderer, moment=MOMENT,
    )  # fmt: skip
    assert_clean(renderer)  # a dialog would have raised RenderError
    assert png.startswith(b"\x89PNG")


def _page(size: str, script: str) -> str:
    """A tiny product page of ``size`` that runs ``script`` and then signals "drawn"."""
    return (
        f"<html><head><style>{SIZES[size].page_css} html, body {{ margin: 0; }}"
        " body { height: 100vh; background: linear-gradient(90deg, #000, #fff); }</style>"
        f"</head><body><script>{script}</script></body></html>"
    )


@pytest.mark.parametrize(("size", "pixels"), [("a4", (3508, 2480)), ("a3", (4961, 3508))])
def test_print_png_has_the_exact_300_dpi_pixels(
    renderer: Renderer, size: str, pixels: tuple[int, int]
) -> None:
    ready = "document.documentElement.setAttribute('data-hsx-ready', '1');"
    png = renderer.png(_page(size, ready), SIZES[size])
    with Image.open(io.BytesIO(png)) as image:
        assert image.size == pixels
        row = np.asarray(image.convert("L"))[pixels[1] // 2]
    assert row[10] < 20 and row[-10] > 235  # the page drawn to its right edge, not cropped


def test_warm_page_starts_every_product_in_a_new_window(renderer: Renderer) -> None:
    leak = "window.hsxLeak = 'left over';"
    probe = "document.documentElement.setAttribute('data-hsx-ready', String(window.hsxLeak));"
    renderer.png(_page("slide", leak + probe), SIZES["slide"])
    assert renderer.last_report.ready == "left over"
    renderer.png(_page("slide", probe), SIZES["slide"])
    assert renderer.last_report.ready == "undefined"  # nothing of the last product's script


def test_dialog_on_a_warm_page_is_refused_and_the_next_product_renders(
    renderer: Renderer,
) -> None:
    ready = "document.documentElement.setAttribute('data-hsx-ready', '1');"
    with pytest.raises(RenderError, match="dialog"):
        renderer.png(_page("slide", "alert('from the data');" + ready), SIZES["slide"])
    assert renderer.last_report.dialogs == ["from the data"]
    png = renderer.png(_page("slide", ready), SIZES["slide"])
    assert png.startswith(b"\x89PNG")
    assert renderer.last_report.dialogs == []
