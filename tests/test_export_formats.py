from __future__ import annotations

import csv
import datetime as dt
import io
import json

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from openpyxl import load_workbook
from PIL import Image
from pptx import Presentation

from humansec.errors import ConfigurationError
from humansec.export.formats import pptx_bytes, table_bytes
from humansec.export.furniture import Furniture, Source
from humansec.model import LayerKind

BANNER = "NATO RESTRICTED"
HOSTILE = ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\tcmd", "\rcmd", "plain"]


def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {"name": HOSTILE, "distance_m": [1.5, -2.0, 3, 4, 5, 6, 7], "count": range(7)}
    )


def test_csv_neutralises_formulas_keeps_numbers_and_carries_the_marking() -> None:
    text = table_bytes(frame(), fmt="csv", banner=BANNER).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == [BANNER] and rows[-1] == [BANNER]
    assert rows[1] == ["name", "distance_m", "count"]
    names = [row[0] for row in rows[2:-1]]
    assert names == ["'" + v for v in HOSTILE[:6]] + ["plain"]
    assert [row[1] for row in rows[2:4]] == ["1.5", "-2.0"]  # numbers are not quoted away


def test_xlsx_neutralises_formulas_keeps_numbers_and_carries_the_marking() -> None:
    book = load_workbook(io.BytesIO(table_bytes(frame(), fmt="xlsx", banner=BANNER)))
    sheet = book.active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == BANNER and rows[-1][0] == BANNER
    assert rows[1] == ("name", "distance_m", "count")
    names = [row[0] for row in rows[2:-1]]
    assert names[:6] == ["'" + v for v in HOSTILE[:6]]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert rows[3][1] == -2.0 and isinstance(rows[3][2], int)


def test_geojson_carries_the_marking_and_the_geometry() -> None:
    layer = gpd.GeoDataFrame(
        {"id": ["a"], "when": [pd.Timestamp("2026-11-26T14:30Z")]},
        geometry=[shapely.Point(22.5, 54.1)],
        crs="EPSG:4326",
    )
    data = json.loads(table_bytes(layer, fmt="geojson", banner=BANNER))
    assert data["classification"] == BANNER
    assert data["features"][0]["geometry"]["coordinates"] == [22.5, 54.1]
    assert data["features"][0]["properties"]["when"] == "2026-11-26T14:30:00Z"


def test_unknown_table_format_lists_the_choices() -> None:
    with pytest.raises(ConfigurationError, match="'xlsx'"):
        table_bytes(frame(), fmt="ods", banner=BANNER)


def test_pptx_holds_picture_title_banners_and_notes() -> None:
    image = io.BytesIO()
    Image.new("RGB", (160, 90), (30, 120, 200)).save(image, format="PNG")
    furniture = Furniture(
        title="Suwałki <gap>", subtitle="", marking=BANNER, exercise=True,
        dtg="261430Z NOV 26", kinds=(LayerKind.CULTURAL,),
        sources=(Source("Sites", "UNESCO", "CC BY", BANNER),),
        bounds=(22, 53.8, 24, 54.6),
        conflicts=pd.DataFrame({"activity_id": ["a1"], "feature_kind": ["cultural"],
                                "feature_id": ["c1"], "feature_name": ["St Anne"],
                                "feature_mgrs": ["34U FE 26199 96369"], "distance_m": [10.0],
                                "severity": ["critical"]}),
    )  # fmt: skip
    deck = Presentation(io.BytesIO(pptx_bytes(image.getvalue(), furniture)))
    assert len(deck.slides) == 2  # the map, then the conflicts in view
    assert (
        deck.slide_width * 9 == deck.slide_height * 16
        or abs(deck.slide_width / deck.slide_height - 16 / 9) < 0.001
    )
    slide = deck.slides[0]
    texts = [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]
    banner = "EXERCISE - NATO RESTRICTED - EXERCISE"
    assert texts.count(banner) == 2
    assert any("Suwałki <gap>" in t and "261430Z NOV 26" in t for t in texts)
    assert sum(shape.shape_type == 13 for shape in slide.shapes) == 1  # one picture
    notes = slide.notes_slide.notes_text_frame.text
    assert "Sites: UNESCO (CC BY)" in notes
    assert "critical: a1 -> Cultural property St Anne (c1) at 34U FE 26199 96369, 10 m" in notes
    second = deck.slides[1]
    texts = [shape.text_frame.text for shape in second.shapes if shape.has_text_frame]
    assert texts.count(banner) == 2
    table = next(shape.table for shape in second.shapes if shape.has_table)
    cells = [[cell.text for cell in row.cells] for row in table.rows]
    assert cells[0][:3] == ["Severity", "Activity", "Protected feature"]
    assert cells[1][:3] == ["critical", "a1", "St Anne (c1)"]
    assert "34U FE 26199 96369" in cells[1]
    assert dt.datetime.now(dt.UTC)  # the deck opened again
