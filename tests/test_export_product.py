"""What a printed product shows, checked on its HTML: no clusters, status colours, sources in
view, named conflicts (the pictures themselves: test_export_products_render.py).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from humansec.bootstrap import ensure_demo
from humansec.demo import DEMO_AREA, DEMO_DIR, load_demo
from humansec.export import export_product
from humansec.export.html import product_html
from humansec.export.product import prepare
from humansec.mapview import STATUS_COLOURS
from humansec.model import LayerKind
from humansec.settings import Settings
from humansec.store import GeoPackageStore
from humansec.store.base import LayerRecord

MOMENT = dt.datetime(2026, 11, 26, 14, 30, tzinfo=dt.UTC)
CLUSTERED = re.compile(r'"cluster":\s*true')
BBOX = (22.5, 54.0, 23.5, 54.5)


def record(kind: LayerKind, layer_id: str, title: str, source: str = "survey") -> LayerRecord:
    return LayerRecord(
        layer_id=layer_id, version=1, kind=kind, title=title, source=source,
        licence="CC BY 4.0", classification="NATO UNCLASSIFIED", created_at=MOMENT,
        feature_count=1,
    )  # fmt: skip


def many_points(n: int = 2_000, *, seed: int = 1) -> gpd.GeoDataFrame:
    """``n`` incidents on a jittered grid filling ``BBOX``, one layer."""
    rng = np.random.default_rng(seed)
    columns = int(np.ceil(np.sqrt(n * 1.6)))
    rows = int(np.ceil(n / columns))
    west, south, east, north = BBOX
    xs = np.linspace(west + 0.01, east - 0.01, columns)
    ys = np.linspace(south + 0.01, north - 0.01, rows)
    grid = np.array([(x, y) for y in ys for x in xs])[:n]
    grid += rng.uniform(-0.002, 0.002, grid.shape)
    return gpd.GeoDataFrame(
        {
            "id": [f"i{k}" for k in range(n)],
            "layer_id": "points",
            "date": pd.Timestamp("2026-11-25", tz="UTC"),
            "focus_area": "poc",
        },
        geometry=shapely.points(grid),
        crs="EPSG:4326",
    )


@pytest.fixture(scope="module")
def demo() -> dict[LayerKind, gpd.GeoDataFrame]:
    frames = load_demo(DEMO_DIR)
    return {kind: frame.assign(layer_id=f"demo-{kind}") for kind, frame in frames.items()}


def test_printed_products_never_cluster_the_points(tmp_path: Path) -> None:
    frames = {LayerKind.INCIDENT: many_points()}
    records = [record(LayerKind.INCIDENT, "points", "Reported incidents")]
    settings = Settings(data_dir=tmp_path)
    shown, furniture = prepare(frames, records, bbox=BBOX, settings=settings, moment=MOMENT)
    printed = product_html(shown, furniture, mode="print")
    assert not CLUSTERED.search(printed)
    assert '"zoomAnimation": false' in printed and '"fadeAnimation": false' in printed
    # the interactive HTML may cluster: the check above can fail
    assert CLUSTERED.search(product_html(shown, furniture, mode="interactive"))


def test_too_many_points_are_counted_in_hexagons_with_a_note(tmp_path: Path) -> None:
    frames = {LayerKind.INCIDENT: many_points()}
    records = [record(LayerKind.INCIDENT, "points", "Reported incidents")]
    shown, furniture = prepare(
        frames, records, bbox=BBOX, settings=Settings(data_dir=tmp_path), moment=MOMENT
    )
    html = product_html(shown, furniture, mode="print", point_limit=500)
    assert "Incidents: 2,000 features in view, more than 500, so counted in" in html


def test_activities_are_drawn_in_their_status_colour(
    demo: dict[LayerKind, gpd.GeoDataFrame],
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path)
    records = [record(kind, f"demo-{kind}", str(kind)) for kind in demo]
    shown, furniture = prepare(demo, records, bbox=DEMO_AREA, settings=settings, moment=MOMENT)
    statuses = set(shown[LayerKind.ACTIVITY]["status"])
    assert {"red", "green"} <= statuses
    html = product_html(shown, furniture, mode="print")
    for status in statuses:
        assert f'"fillColor":"{STATUS_COLOURS[status]}"' in html
    assert "Planned activity status" in html  # in the legend beside the map


def test_sources_list_only_the_layers_in_view(
    demo: dict[LayerKind, gpd.GeoDataFrame],
    tmp_path: Path,
) -> None:
    far = demo[LayerKind.CULTURAL].head(3).copy()
    far["layer_id"] = "far"
    far["geometry"] = shapely.points([(10.0, 50.0), (10.1, 50.1), (10.2, 50.0)])
    frames = {
        LayerKind.CULTURAL: pd.concat([demo[LayerKind.CULTURAL], far], ignore_index=True),
        LayerKind.INCIDENT: demo[LayerKind.INCIDENT],
    }
    frames = {k: gpd.GeoDataFrame(f, crs="EPSG:4326") for k, f in frames.items()}
    records = [
        record(LayerKind.CULTURAL, f"demo-{LayerKind.CULTURAL}", "Suwałki heritage", "Survey A"),
        record(LayerKind.CULTURAL, "far", "Hessen heritage", "Survey B"),
        record(LayerKind.INCIDENT, f"demo-{LayerKind.INCIDENT}", "Suwałki incidents", "Survey C"),
    ]
    settings = Settings(data_dir=tmp_path)

    def sources(bbox: tuple[float, float, float, float]) -> str:
        html = export_product(frames, records, fmt="html", bbox=bbox, settings=settings)
        return html.decode("utf-8").split('<ul class="hsx-sources">', 1)[1].split("</ul>", 1)[0]

    near = sources(DEMO_AREA)
    assert "Suwałki heritage" in near and "Suwałki incidents" in near
    assert "Hessen heritage" not in near
    far_only = sources((9.9, 49.9, 10.3, 50.2))
    assert "Hessen heritage" in far_only and "Suwałki" not in far_only
    both = export_product(frames, records, fmt="html", bbox=(9.0, 49.0, 25.0, 56.0),
                          settings=settings).decode("utf-8")  # fmt: skip
    assert "NATO UNCLASSIFIED" in both and "Hessen heritage" in both


def test_demo_layers_carry_no_developer_text(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    store = GeoPackageStore(settings.store_path)
    ensure_demo(store)
    frames = {kind: store.read_kind(kind) for kind in LayerKind}
    html = export_product(frames, store.catalogue(), fmt="html", bbox=DEMO_AREA, settings=settings)
    text = html.decode("utf-8")
    assert "scripts/" not in text and "build_demo" not in text
    assert "Exercise scenario (humansec demo)" in text


def test_conflict_tables_name_the_features_in_words(
    demo: dict[LayerKind, gpd.GeoDataFrame],
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path)
    records = [record(kind, f"demo-{kind}", str(kind)) for kind in demo]
    csv_text = export_product(
        demo, records, fmt="csv", bbox=DEMO_AREA, settings=settings, moment=MOMENT
    ).decode("utf-8-sig")
    header = csv_text.splitlines()[1]
    for heading in ("Protected feature", "Feature kind", "Category", "Latitude", "MGRS"):
        assert f'"{heading}"' in header
    assert '"Raczki hillfort"' in csv_text and '"Cultural property"' in csv_text
    geojson = export_product(demo, records, fmt="geojson", bbox=DEMO_AREA, settings=settings)
    assert b'"feature_name": "Raczki hillfort"' in geojson
    assert re.search(rb'"feature_mgrs": "34U FE \d{5} \d{5}"', geojson)


def test_severities_are_summarised_worst_first(
    demo: dict[LayerKind, gpd.GeoDataFrame],
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path)
    records = [record(kind, f"demo-{kind}", str(kind)) for kind in demo]
    _shown, furniture = prepare(demo, records, bbox=DEMO_AREA, settings=settings)
    html = product_html(*prepare(demo, records, bbox=DEMO_AREA, settings=settings))
    summary = re.search(r"conflicts in view \(([^)]*)\)", html)
    assert summary is not None
    named = [part.split()[1] for part in summary.group(1).split(", ")]
    order = ["critical", "high", "medium", "low"]
    assert named == sorted(named, key=order.index) and len(named) >= 3
    assert furniture.conflicts is not None and len(set(furniture.conflicts["severity"])) >= 3


def test_describe_keeps_the_conflict_rows(
    demo: dict[LayerKind, gpd.GeoDataFrame],
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path)
    records = [record(kind, f"demo-{kind}", str(kind)) for kind in demo]
    _shown, furniture = prepare(demo, records, bbox=DEMO_AREA, settings=settings)
    conflicts = furniture.conflicts
    assert conflicts is not None and len(conflicts) > 5
    assert conflicts["feature_name"].notna().all()
    assert conflicts["feature_mgrs"].str.match(r"^3[45]U [A-Z]{2} \d{5} \d{5}$").all()
