"""Rendered products a staff officer puts up: no cluster bubbles, named conflicts, sources."""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from collections import deque
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from PIL import Image
from pypdf import PdfReader

from humansec.bootstrap import ensure_demo
from humansec.conflicts.describe import describe_conflicts
from humansec.conflicts.inputs import protected_features
from humansec.demo import DEMO_AREA
from humansec.export import SIZES, Renderer, export_product
from humansec.export.html import product_html
from humansec.export.product import prepare
from humansec.mapview.symbols import FOCUS_STYLES
from humansec.model import FocusArea, LayerKind
from humansec.settings import Settings
from humansec.store import GeoPackageStore
from humansec.store.base import LayerRecord
from tests.test_export_product import BBOX, many_points, record

pytestmark = pytest.mark.browser

MOMENT = dt.datetime(2026, 11, 26, 14, 30, tzinfo=dt.UTC)
MGRS_TEXT = re.compile(r"3[45]U [A-Z]{2} \d{5} \d{5}")


@pytest.fixture(scope="module")
def renderer() -> Iterator[Renderer]:
    with Renderer() as running:
        yield running


@pytest.fixture(scope="module")
def store_demo(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[dict[LayerKind, gpd.GeoDataFrame], list[LayerRecord], Settings]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("products"))
    store = GeoPackageStore(settings.store_path)
    ensure_demo(store)
    return {kind: store.read_kind(kind) for kind in LayerKind}, store.catalogue(), settings


def page_text(reader: PdfReader, number: int) -> str:
    """A page's text on one line, ligatures (the "fl" of "conflicts") undone."""
    return " ".join(unicodedata.normalize("NFKC", reader.pages[number].extract_text()).split())


def blobs(png: bytes, colour: str, *, box: tuple[int, int, int, int]) -> int:
    """Connected patches of ``colour`` (within a tolerance) inside ``box`` of the picture."""
    target = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
    with Image.open(io.BytesIO(png)) as image:
        pixels = np.asarray(image.convert("RGB"), dtype=int)
    left, top, right, bottom = box
    mask = (np.abs(pixels[top:bottom, left:right] - target).max(axis=2) < 40)[::2, ::2]
    seen = np.zeros_like(mask)
    count = 0
    for y, x in zip(*np.nonzero(mask), strict=True):
        if seen[y, x]:
            continue
        count += 1
        queue = deque([(y, x)])
        seen[y, x] = True
        while queue:
            cy, cx = queue.popleft()
            for ny, nx in ((cy + 1, cx), (cy - 1, cx), (cy, cx + 1), (cy, cx - 1)):
                inside = 0 <= ny < mask.shape[0] and 0 <= nx < mask.shape[1]
                if inside and mask[ny, nx] and not seen[ny, nx]:
                    seen[ny, nx] = True
                    queue.append((ny, nx))
    return count


def test_png_of_2000_points_shows_each_point_and_no_cluster_bubble(
    renderer: Renderer, tmp_path: Path
) -> None:
    frames = {LayerKind.INCIDENT: many_points(2_000)}
    records = [record(LayerKind.INCIDENT, "points", "Reported incidents")]
    settings = Settings(data_dir=tmp_path)
    png = export_product(
        frames, records, fmt="png", bbox=BBOX, settings=settings, renderer=renderer,
        moment=MOMENT,
    )  # fmt: skip
    assert renderer.last_report.ready == "1" and renderer.last_report.blocked == []
    colour = FOCUS_STYLES[FocusArea.POC].colour  # the points' focus area
    map_box = (40, 200, 1440, 1000)  # inside the map, clear of the side panel and banners
    printed = blobs(png, colour, box=map_box)
    # The same view as interactive HTML clusters them: bubbles, far fewer patches.
    shown, furniture = prepare(frames, records, bbox=BBOX, settings=settings, moment=MOMENT)
    page = SIZES["slide"]
    clustered_html = product_html(shown, furniture, mode="interactive", page_css=page.page_css)
    clustered = blobs(renderer.png(clustered_html, page), colour, box=map_box)
    assert printed > 1_000, printed  # every point drawn (a few touch or sit under others)
    print(f"patches of the incident colour: printed {printed}, clustered {clustered}")
    assert clustered < printed / 3, (clustered, printed)


def test_pdf_conflict_table_names_each_feature_with_its_mgrs(
    renderer: Renderer,
    store_demo: tuple[dict[LayerKind, gpd.GeoDataFrame], list[LayerRecord], Settings],
) -> None:
    frames, records, settings = store_demo
    pdf = export_product(
        frames, records, fmt="pdf", size="a4", bbox=DEMO_AREA, settings=settings,
        renderer=renderer, moment=MOMENT, grid="mgrs",
    )  # fmt: skip
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 2
    annex = page_text(reader, 1)
    _shown, furniture = prepare(frames, records, bbox=DEMO_AREA, settings=settings)
    conflicts = furniture.conflicts
    assert conflicts is not None and len(conflicts) > 5
    expected = describe_conflicts(
        conflicts[list(conflicts.columns[:12])],
        protected_features(frames),
        frames[LayerKind.ACTIVITY],
    )
    for _, row in expected.head(10).iterrows():
        assert f"{row['feature_name']} ({row['feature_id']})" in annex
        assert row["feature_mgrs"] in annex
    assert len(MGRS_TEXT.findall(annex)) == len(conflicts)
    summary = re.search(r"conflicts in view \(([^)]*)\)", annex)
    assert summary is not None
    order = ["critical", "high", "medium", "low"]
    named = [part.split()[1] for part in summary.group(1).split(", ")]
    assert named == sorted(named, key=order.index)
    assert "10 km lines" in page_text(reader, 0)  # the MGRS grid at the scale of the sheet


def test_long_sources_continue_on_the_annex_and_none_is_cut_off(
    renderer: Renderer,
    store_demo: tuple[dict[LayerKind, gpd.GeoDataFrame], list[LayerRecord], Settings],
) -> None:
    frames, _records, settings = store_demo
    incidents = frames[LayerKind.INCIDENT].copy()
    n = 30
    incidents["layer_id"] = [f"layer-{k % n}" for k in range(len(incidents))]
    records = [
        record(LayerKind.INCIDENT, f"layer-{k}", f"Incident report {k:02d}",
               f"Field office {k:02d}, monthly incident reporting of the sector")
        for k in range(n)
    ]  # fmt: skip
    pdf = export_product(
        {LayerKind.INCIDENT: incidents}, records, fmt="pdf", size="a4", bbox=DEMO_AREA,
        settings=settings, renderer=renderer, moment=MOMENT,
    )  # fmt: skip
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 2  # the annex page carries the sources
    first, annex = page_text(reader, 0), page_text(reader, 1)
    hidden = re.search(r"(\d+) more sources on the next page", first)
    assert hidden is not None
    shown_beside = [k for k in range(n) if f"Incident report {k:02d}" in first]
    assert len(shown_beside) + int(hidden.group(1)) == n
    for k in range(n):
        assert f"Incident report {k:02d}: Field office {k:02d}" in annex
