"""A canary server on 127.0.0.1: exporting data that points at it must never reach it.

Feature names, fields and the layer's catalogue text carry ``<img src>``, ``<script src>``,
``<iframe src>`` and a CSS ``url()`` aimed at the canary, next to the demo's hostile names.
PNG and HTML are exported (the HTML also opened from disk): the canary must receive no
request and no dialog may open.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from humansec.demo import HOSTILE_INCIDENTS
from humansec.escaping import escape_text
from humansec.export import SIZES, Renderer, export_product
from humansec.mapview.elements import script_json
from humansec.model import WGS84, LayerKind, conform
from humansec.settings import Settings
from humansec.store import GeoPackageStore, NewLayer
from tests.canary import Canary

pytestmark = pytest.mark.browser

MOMENT = dt.datetime(2026, 11, 26, 14, 30, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def canary() -> Iterator[Canary]:
    running = Canary()
    running.thread.start()
    try:
        yield running
    finally:
        running.server.shutdown()
        running.server.server_close()


@pytest.fixture(scope="module")
def layers(
    canary: Canary, tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict[LayerKind, gpd.GeoDataFrame], list, Settings]:
    """Incidents whose names and fields point at the canary, plus the demo's hostile names."""
    payloads = canary.payloads()
    names = [*payloads, *(name for name, _ in HOSTILE_INCIDENTS)]
    others = [perpetrator for _, perpetrator in HOSTILE_INCIDENTS]
    fields = [*payloads, *others]
    frame = conform(
        gpd.GeoDataFrame(
            {
                "id": [f"i{n}" for n in range(len(names))],
                "name": names,
                "date": ["2026-11-20T10:00:00Z"] * len(names),
                "focus_area": ["poc"] * len(names),
                "type": fields,
                "perpetrator": list(reversed(fields)),
            },
            geometry=[shapely.Point(22.5 + n * 0.02, 54.1) for n in range(len(names))],
            crs=WGS84,
        ),
        LayerKind.INCIDENT,
    )
    settings = Settings(data_dir=tmp_path_factory.mktemp("canary"))
    store = GeoPackageStore(settings.store_path)
    store.add_version(
        frame,
        NewLayer(LayerKind.INCIDENT, payloads[0], payloads[1], payloads[2], "NATO RESTRICTED"),
    )
    return {LayerKind.INCIDENT: store.read_kind(LayerKind.INCIDENT)}, store.catalogue(), settings


def export(layers: tuple, fmt: str, renderer: Renderer | None, title: str) -> bytes:
    frames, records, settings = layers
    return export_product(
        frames, records, fmt=fmt, title=title, subtitle=title, settings=settings,
        renderer=renderer, moment=MOMENT, bbox=(22.3, 53.9, 22.9, 54.3),
    )  # fmt: skip


def test_exports_never_reach_the_canary(canary: Canary, layers: tuple, tmp_path: Path) -> None:
    import urllib.request  # noqa: PLC0415 - only to prove the canary listens

    with urllib.request.urlopen(canary.url + "/alive", timeout=5) as answer:
        assert answer.status == 200
    assert canary.requests == ["/alive"]
    canary.requests.clear()
    title = canary.payloads()[3]
    with Renderer() as renderer:
        png = export(layers, "png", renderer, title)
        assert png.startswith(b"\x89PNG")
        assert renderer.last_report.blocked == []  # nothing even tried to leave the page
        assert renderer.last_report.dialogs == []
        assert renderer.last_report.ready == "1"
        html = export(layers, "html", None, title).decode("utf-8")
        path = tmp_path / "product.html"
        path.write_text(html, encoding="utf-8")
        report = renderer.open_file(path, SIZES["slide"])
    assert report.dialogs == []
    assert report.ready == "1"
    assert report.blocked == []
    for payload in canary.payloads():  # the data is in the product, as inert text
        assert script_json(escape_text(payload)).strip('"') in html
    assert canary.requests == []
