"""Files built from rendered pictures and tables: PPTX slide, CSV, XLSX and GeoJSON tables.

Tables carry the marking in a header row (CSV, XLSX) or a top-level ``classification``
member (GeoJSON); CSV and XLSX text cells that a spreadsheet would run are neutralised
(``humansec.tables``), numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any, Literal

import geopandas as gpd
import pandas as pd

from humansec.errors import ConfigurationError, choices
from humansec.escaping import format_value
from humansec.export.furniture import Furniture, conflict_rows, conflicts_summary, plain_lines
from humansec.tables import neutralise, neutralise_frame

TableFormat = Literal["csv", "xlsx", "geojson"]
TABLE_FORMATS: tuple[str, ...] = ("csv", "xlsx", "geojson")
SLIDE_WIDTH_IN, SLIDE_HEIGHT_IN = 13.333, 7.5  # 16:9


def pptx_bytes(picture_png: bytes, furniture: Furniture) -> bytes:
    """A 16:9 slide: banners and title as text, the map picture, sources and conflicts in the
    notes; when there are conflicts in view, a second slide lists them (``_conflicts_slide``).
    """
    from pptx import Presentation  # noqa: PLC0415 - only the PPTX export needs it
    from pptx.util import Inches  # noqa: PLC0415

    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(SLIDE_WIDTH_IN), Inches(SLIDE_HEIGHT_IN)
    slide = deck.slides.add_slide(deck.slide_layouts[6])  # blank

    _text(slide, furniture.banner, (0.02, 0.32), 14, bold=True)
    _text(slide, f"{furniture.title}    DTG {furniture.dtg}", (0.34, 0.5), 22, bold=True)
    if furniture.subtitle:
        _text(slide, furniture.subtitle, (0.78, 0.3), 12, bold=False)
    _text(slide, furniture.banner, (SLIDE_HEIGHT_IN - 0.36, 0.32), 14, bold=True)
    top, bottom = 1.1, SLIDE_HEIGHT_IN - 0.4
    height = bottom - top
    width = min(height * 16 / 9, SLIDE_WIDTH_IN - 0.4)
    left = (SLIDE_WIDTH_IN - width) / 2
    slide.shapes.add_picture(
        io.BytesIO(picture_png), Inches(left), Inches(top), Inches(width), Inches(width * 9 / 16)
    )
    slide.notes_slide.notes_text_frame.text = "\n".join(plain_lines(furniture))
    if furniture.conflicts is not None and not furniture.conflicts.empty:
        _conflicts_slide(deck, furniture)
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


PPTX_CONFLICT_ROWS = 14
"""Conflicts listed on the slide after the map; the full list goes into the tables."""


def _conflicts_slide(deck: Any, furniture: Furniture) -> None:  # noqa: ANN401 - a Presentation
    """A second slide: the conflicts in view, each feature named with its MGRS, and banners."""
    from pptx.util import Inches, Pt  # noqa: PLC0415 - only the PPTX export needs it

    conflicts = furniture.conflicts
    if conflicts is None:  # pragma: no cover - the caller checks
        return
    slide = deck.slides.add_slide(deck.slide_layouts[6])
    _text(slide, furniture.banner, (0.02, 0.32), 14, bold=True)
    _text(slide, f"Conflicts in view: {furniture.title}", (0.34, 0.5), 22, bold=True)
    _text(
        slide, f"DTG {furniture.dtg} · {conflicts_summary(conflicts)}", (0.8, 0.3), 12, bold=False
    )
    _text(slide, furniture.banner, (SLIDE_HEIGHT_IN - 0.36, 0.32), 14, bold=True)
    rows = conflict_rows(conflicts, limit=PPTX_CONFLICT_ROWS)
    shape = slide.shapes.add_table(
        len(rows), len(rows[0]), Inches(0.2), Inches(1.2), Inches(12.933), Inches(0.3 * len(rows))
    )
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            cell = shape.table.cell(r, c)
            cell.text = value
            for paragraph in cell.text_frame.paragraphs:
                paragraph.font.size = Pt(10)
                paragraph.font.bold = r == 0
    more = len(conflicts) - PPTX_CONFLICT_ROWS
    if more > 0:
        note = f"{more:,} more conflicts are in the conflict table export."
        _text(slide, note, (SLIDE_HEIGHT_IN - 0.75, 0.3), 11, bold=False)


def _text(slide: Any, text: str, where: tuple[float, float], size: int, *, bold: bool) -> None:  # noqa: ANN401
    """A full-width text box at ``where`` (top, height in inches)."""
    from pptx.dml.color import RGBColor  # noqa: PLC0415
    from pptx.enum.text import PP_ALIGN  # noqa: PLC0415
    from pptx.util import Inches, Pt  # noqa: PLC0415

    top, height = where
    box = slide.shapes.add_textbox(Inches(0.2), Inches(top), Inches(12.933), Inches(height))
    box.text_frame.word_wrap = True
    paragraph = box.text_frame.paragraphs[0]
    paragraph.text = text
    paragraph.alignment = PP_ALIGN.CENTER if size <= 14 else PP_ALIGN.LEFT
    paragraph.font.size, paragraph.font.bold = Pt(size), bold
    paragraph.font.color.rgb = RGBColor(0, 0, 0)


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop the geometry; write timestamps as ISO text; keep numbers and booleans."""
    table = pd.DataFrame(frame.drop(columns=[c for c in frame.columns if _is_geometry(frame, c)]))
    for column in table.columns:
        if pd.api.types.is_datetime64_any_dtype(table[column]):
            table[column] = table[column].map(format_value)
    return table


def _is_geometry(frame: pd.DataFrame, column: object) -> bool:
    return isinstance(frame, gpd.GeoDataFrame) and isinstance(frame[column], gpd.GeoSeries)


def table_bytes(frame: pd.DataFrame, *, fmt: str, banner: str, sheet: str = "table") -> bytes:
    """``frame`` as CSV, XLSX or GeoJSON bytes, carrying the marking ``banner``.

    CSV: first row the banner, then the header and the rows, then the banner again. XLSX:
    the same on one sheet. GeoJSON (``frame`` a GeoDataFrame in EPSG:4326): a
    FeatureCollection with a ``classification`` member.
    """
    if fmt not in TABLE_FORMATS:
        msg = f"Unknown table format {fmt!r}; choose one of {choices(TABLE_FORMATS)}."
        raise ConfigurationError(msg)
    if fmt == "geojson":
        return _geojson(frame, banner)
    table = neutralise_frame(_plain(frame))
    marking = str(neutralise(banner))
    if fmt == "csv":
        # Every text cell quoted: a carriage return inside a cell must not end the row.
        quoting: Literal[0, 1, 2, 3] = csv.QUOTE_NONNUMERIC
        banner_row = pd.DataFrame([[marking]]).to_csv(header=False, index=False, quoting=quoting)
        buffer = io.StringIO()
        buffer.write(banner_row)
        table.to_csv(buffer, index=False, quoting=quoting)
        buffer.write(banner_row)
        return buffer.getvalue().encode("utf-8-sig")
    return _xlsx(table, marking, sheet)


def _xlsx(table: pd.DataFrame, marking: str, sheet: str) -> bytes:
    from openpyxl import Workbook  # noqa: PLC0415 - only the XLSX export needs it
    from openpyxl.styles import Font  # noqa: PLC0415

    book = Workbook()
    ws = book.active
    if ws is None:  # pragma: no cover - a new workbook always has a sheet
        ws = book.create_sheet()
    ws.title = sheet[:31]
    ws.append([marking])
    ws.append([str(name) for name in table.columns])
    for row in table.itertuples(index=False):
        ws.append([_cell(value) for value in row])
    ws.append([marking])
    for row_number in (1, 2, ws.max_row):
        for cell in ws[row_number]:
            cell.font = Font(bold=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value: object) -> object:
    """A value openpyxl writes as it is: numbers and booleans native, missing empty, text."""
    if value is None or (not isinstance(value, str) and format_value(value) == ""):
        return None
    if isinstance(value, bool | int | float):
        return value
    if hasattr(value, "item"):  # numpy scalar
        return value.item()
    text = str(value)
    return neutralise(text) if text.startswith("=") else text


def _geojson(frame: pd.DataFrame, banner: str) -> bytes:
    if not isinstance(frame, gpd.GeoDataFrame):
        msg = "GeoJSON needs a table with geometries (a GeoDataFrame); choose csv or xlsx."
        raise ConfigurationError(msg)
    if frame.crs is None or frame.crs.to_epsg() != 4326:
        msg = f"GeoJSON is written in WGS84 (EPSG:4326); the table is in {frame.crs!s}."
        raise ConfigurationError(msg)
    plain = _plain(frame)
    out = gpd.GeoDataFrame(plain, geometry=frame.geometry.to_numpy(), crs=frame.crs)
    collection = json.loads(out.to_json(na="null", drop_id=True))
    collection = {"type": "FeatureCollection", "classification": banner, **collection}
    return json.dumps(collection, ensure_ascii=False).encode("utf-8")
