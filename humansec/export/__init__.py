"""The briefing officer's export: the map as PNG, PDF, PPTX and offline HTML, and tables.

``export_product`` is the one call a page or the CLI makes; a ``Renderer`` (headless
Chromium, kept warm) draws PNG, PDF and PPTX pictures from the same self-contained HTML
that the HTML export writes.
"""

from __future__ import annotations

from humansec.export.dtg import format_dtg, now_dtg
from humansec.export.formats import TABLE_FORMATS, pptx_bytes, table_bytes
from humansec.export.furniture import Furniture, Source, make_furniture, product_marking
from humansec.export.html import NAMESPACE_URLS, product_html
from humansec.export.mgrs_grid import GRIDS, MgrsGrid, mgrs_grid
from humansec.export.product import (
    DEFAULT_TITLE,
    PRODUCT_FORMATS,
    TABLES,
    conflict_table,
    conflicts_in_view,
    export_product,
    layer_table,
    layers_table,
    parse_kinds,
    prepare,
)
from humansec.export.render import (
    SIZES,
    PageSize,
    Renderer,
    RenderError,
    RenderReport,
    browser_available,
    unavailable_reason,
)

__all__ = [
    "DEFAULT_TITLE",
    "GRIDS",
    "NAMESPACE_URLS",
    "PRODUCT_FORMATS",
    "SIZES",
    "TABLES",
    "TABLE_FORMATS",
    "Furniture",
    "MgrsGrid",
    "PageSize",
    "RenderError",
    "RenderReport",
    "Renderer",
    "Source",
    "browser_available",
    "conflict_table",
    "conflicts_in_view",
    "export_product",
    "format_dtg",
    "layer_table",
    "layers_table",
    "make_furniture",
    "mgrs_grid",
    "now_dtg",
    "parse_kinds",
    "pptx_bytes",
    "prepare",
    "product_html",
    "product_marking",
    "table_bytes",
    "unavailable_reason",
]
