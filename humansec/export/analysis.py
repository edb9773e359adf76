"""The incident analyses in a briefing product: trend, victims and hot spots, drawn offline.

The figures are the Incidents page's (``humansec.analytics.charts``), computed from the
incidents the product shows (in its area, after its filters), so the product's marking covers
them. plotly's own static export (kaleido) needs a Chrome of its own; instead the figures are
drawn by plotly.js (the copy inside the ``plotly`` package, inlined into the page: nothing is
fetched) in the same headless Chromium that draws the map, on a page with the same banners,
title and DTG, and
* PDF: that page is added after the map's pages (``pypdf``);
* PPTX: its picture becomes a slide after the map's, with the banners as text.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from functools import cache

import geopandas as gpd
import plotly.graph_objects as go

from humansec import analytics
from humansec.analytics import charts
from humansec.errors import ConfigurationError, choices
from humansec.escaping import escape_text
from humansec.export.furniture import (
    FURNITURE_CSS,
    Furniture,
    banner_html,
    header_html,
    plain_lines,
)
from humansec.export.render import SIZES, PageSize, Renderer

ANALYSES: tuple[str, ...] = ("trend", "victims", "hotspots")
"""What a product can add after the map: the weekly trend by focus area, victims by sex and
age, and the Gi* hot-spot map (H3 resolution 6, analytic inference)."""
HOTSPOT_RESOLUTION = 6

CHARTS_CSS = """
body.hsx-charts { margin: 0; width: var(--hsx-w); height: var(--hsx-h); display: grid;
  grid-template-rows: auto auto 1fr auto; font-family: sans-serif; overflow: hidden; }
.hsx-figures { display: grid; grid-template-columns: repeat(var(--hsx-cols), 1fr);
  min-height: 0; padding: 4px; gap: 4px; }
.hsx-figure { min-width: 0; min-height: 0; }
.hsx-charts-note { font-size: 10px; padding: 0 8px 2px 8px; color: #333; }
"""


def check_analyses(names: Sequence[str]) -> tuple[str, ...]:
    """The analyses asked for, in ``ANALYSES`` order; an unknown name lists the valid ones."""
    unknown = [name for name in names if name not in ANALYSES]
    if unknown:
        msg = f"Unknown analysis {choices(unknown)}; choose from {choices(ANALYSES)}."
        raise ConfigurationError(msg)
    return tuple(name for name in ANALYSES if name in names)


def figures(incidents: gpd.GeoDataFrame | None, names: Sequence[str]) -> list[go.Figure]:
    """The plotly figures of ``names`` for ``incidents`` (the product's, in view)."""
    names = check_analyses(names)
    if incidents is None:
        msg = "The incident charts need the Incidents layer: add it to the layers shown."
        raise ConfigurationError(msg)
    out = []
    for name in names:
        if name == "trend":
            table = analytics.trend(incidents, freq="W", by="focus_area")
            out.append(charts.trend_figure(table, "events", "Events per week by focus area"))
        elif name == "victims":
            out.append(charts.victims_figure(analytics.victims(incidents)))
        else:
            cells = analytics.hotspots(incidents, HOTSPOT_RESOLUTION)
            out.append(charts.hotspot_figure(cells))
    return out


@cache
def _plotly_js() -> str:
    import plotly.offline  # noqa: PLC0415 -- reads the bundled plotly.min.js once

    code = str(plotly.offline.get_plotlyjs())
    return code.replace("</script", "<\\/script")


def _script_json(value: object) -> str:
    """JSON safe inside a <script> element (no closing tag, no comment opener)."""
    text = json.dumps(value, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def charts_html(figs: Sequence[go.Figure], furniture: Furniture, size: PageSize) -> str:
    """One page (``size``) of ``figs`` side by side with the product's banners and header.

    Signals ``data-hsx-ready="charts"`` on the root element once plotly.js has drawn them.
    """
    specs = [json.loads(fig.to_json()) for fig in figs]
    for spec in specs:
        layout = spec.setdefault("layout", {})
        layout.pop("height", None)
        layout["autosize"] = True
    note = escape_text(
        f"{furniture.title}: incidents in the area and period of the map. Counted as the "
        "sources give them (nothing imputed); hot spots: Getis-Ord Gi* on H3 cells, "
        "FDR-corrected."
    )
    divs = "".join(f'<div class="hsx-figure" id="hsx-figure-{i}"></div>' for i in range(len(specs)))
    script = (
        "(function(){var specs=" + _script_json(specs) + ";"
        "var cfg={staticPlot:true,displayModeBar:false,typesetMath:false};"
        "var jobs=specs.map(function(s,i){var el=document.getElementById('hsx-figure-'+i);"
        "s.layout.width=el.clientWidth;s.layout.height=el.clientHeight;"
        "return Plotly.newPlot(el,s.data,s.layout,cfg);});"
        "Promise.all(jobs).then(function(){document.documentElement.setAttribute("
        "'data-hsx-ready','charts');});})();"
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape_text(furniture.banner)} | {escape_text(furniture.title)}</title>"
        f"<style>{FURNITURE_CSS}{size.page_css}{CHARTS_CSS}"
        f":root {{ --hsx-cols: {max(1, len(specs))}; }}</style>"
        f"<script>{_plotly_js()}</script></head>"
        f'<body class="hsx-charts">{banner_html(furniture, "top")}{header_html(furniture)}'
        f'<div class="hsx-figures">{divs}</div>'
        f"{banner_html(furniture, 'bottom')}"
        f'<div class="hsx-charts-note">{note}</div>'
        f"<script>{script}</script></body></html>"
    )


def add_to_pdf(
    pdf: bytes, renderer: Renderer, figs: Sequence[go.Figure], furniture: Furniture,
    size: PageSize,
) -> bytes:  # fmt: skip
    """``pdf`` with one more page: ``figs`` drawn at ``size`` (a paper size)."""
    from pypdf import PdfReader, PdfWriter  # noqa: PLC0415 -- only this export needs it

    page = renderer.pdf(charts_html(figs, furniture, size), size)
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(pdf)))
    writer.append(PdfReader(io.BytesIO(page)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def add_to_pptx(
    pptx: bytes, renderer: Renderer, figs: Sequence[go.Figure], furniture: Furniture
) -> bytes:
    """``pptx`` with one more slide (after the map's): the picture of ``figs``."""
    from pptx import Presentation  # noqa: PLC0415 - only the PPTX export needs it
    from pptx.enum.text import PP_ALIGN  # noqa: PLC0415
    from pptx.util import Emu, Pt  # noqa: PLC0415

    picture = renderer.png(charts_html(figs, furniture, SIZES["slide"]), SIZES["slide"])
    deck = Presentation(io.BytesIO(pptx))
    slide = deck.slides.add_slide(deck.slide_layouts[6])  # blank
    # The picture carries the banners; the slide repeats them as text (searchable, as the
    # map's slide does) above and below it.
    width, height = int(deck.slide_width or 0), int(deck.slide_height or 0)
    band = int(Pt(22))
    for top in (0, height - band):
        box = slide.shapes.add_textbox(Emu(0), Emu(top), Emu(width), Emu(band))
        frame = box.text_frame
        frame.text = furniture.banner
        frame.paragraphs[0].runs[0].font.size = Pt(12)
        frame.paragraphs[0].runs[0].font.bold = True
        frame.paragraphs[0].alignment = PP_ALIGN.CENTER
    picture_height = height - 2 * band
    picture_width = min(width, picture_height * 16 // 9)
    slide.shapes.add_picture(
        io.BytesIO(picture), Emu((width - picture_width) // 2), Emu(band),
        Emu(picture_width), Emu(picture_width * 9 // 16),
    )  # fmt: skip
    slide.notes_slide.notes_text_frame.text = "\n".join(plain_lines(furniture))
    # Put the charts right after the map's slide (before a conflicts slide, if any).
    ids = deck.slides._sldIdLst  # python-pptx has no public way to reorder slides
    ids.insert(1, ids[-1])
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()
