"""Files built from rendered pictures and tables: PPTX slide, CSV, XLSX and GeoJSON tables.

Tables carry the marking in a header row (CSV, XLSX) or a top-level ``classification``
member (GeoJSON); CSV and XLSX text cells that a spreadsheet would run are neutralised
(``humansec.tables``), numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Literal

import geopandas as gpd
import pandas as pd

from humansec.errors import ConfigurationError, choices
from humansec.escaping import format_value
from humansec.export.furniture import Furniture, plain_lines
from humansec.tables import neutralise, neutralise_frame

TableFormat = Literal["csv", "xlsx", "geojson"]
TABLE_FORMATS: tuple[str, ...] = ("csv", "xlsx", "geojson")
SLIDE_WIDTH_IN, SLIDE_HEIGHT_IN = 13.333, 7.5  # 16:9


def pptx_bytes(picture_png: bytes, furniture: Furniture) -> bytes:
    """One 16:9 slide: banners and title as text, the map picture, sources in the notes."""
    from pptx import Presentation  # noqa: PLC0415 - only the PPTX export needs it
    from pptx.dml.color import RGBColor  # noqa: PLC0415
    from pptx.enum.text import PP_ALIGN  # noqa: PLC0415
    from pptx.util import Inches, Pt  # noqa: PLC0415

    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(SLIDE_WIDTH_IN), Inches(SLIDE_HEIGHT_IN)
    slide = deck.slides.add_slide(deck.slide_layouts[6])  # blank

    def text_box(text: str, top: float, height: float, size: int, *, bold: bool) -> None:
        box = slide.shapes.add_textbox(Inches(0.2), Inches(top), Inches(12.933), Inches(height))
        frame = box.text_frame
        frame.word_wrap = True
        paragraph = frame.paragraphs[0]
        paragraph.text = text
        paragraph.alignment = PP_ALIGN.CENTER if size <= 14 else PP_ALIGN.LEFT
        paragraph.font.size, paragraph.font.bold = Pt(size), bold
        paragraph.font.color.rgb = RGBColor(0, 0, 0)

    text_box(furniture.banner, 0.02, 0.32, 14, bold=True)
    title = f"{furniture.title}    DTG {furniture.dtg}"
    text_box(title, 0.34, 0.5, 22, bold=True)
    if furniture.subtitle:
        text_box(furniture.subtitle, 0.78, 0.3, 12, bold=False)
    text_box(furniture.banner, SLIDE_HEIGHT_IN - 0.36, 0.32, 14, bold=True)
    top, bottom = 1.1, SLIDE_HEIGHT_IN - 0.4
    height = bottom - top
    width = min(height * 16 / 9, SLIDE_WIDTH_IN - 0.4)
    left = (SLIDE_WIDTH_IN - width) / 2
    slide.shapes.add_picture(
        io.BytesIO(picture_png), Inches(left), Inches(top), Inches(width), Inches(width * 9 / 16)
    )
    slide.notes_slide.notes_text_frame.text = "\n".join(plain_lines(furniture))
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


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
