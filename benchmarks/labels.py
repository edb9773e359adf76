"""Place names and popups of the live map: what one view costs on the server.

``python -m benchmarks.run labels``: the gazetteer's first load per extract, the label
placement (``build_label_group``) of the demo's population places plus the gazetteer at five
zooms, and the build of one layer of 5,000 incidents with readable popups (lat/lon, MGRS).
Best of ``--repeats`` runs; results in ``benchmarks/results/labels.json``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import geopandas as gpd
import numpy as np

from humansec import gazetteer
from humansec.demo.build import build_demo
from humansec.mapview import MapView, build_data_layers, build_label_group
from humansec.model import FocusArea, LayerKind, conform

RESULTS = Path(__file__).resolve().parent / "results" / "labels.json"
VIEWS = (
    (4, (-10.0, 35.0, 40.0, 60.0)),
    (6, (16.9, 50.6, 28.1, 56.2)),
    (8, (21.1, 53.4, 25.3, 55.2)),
    (10, (22.5, 53.9, 23.4, 54.3)),
    (12, (22.8, 54.0, 23.0, 54.15)),
)


def _best(repeats: int, run: object) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def _incidents(n: int) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(20261126)
    frame = gpd.GeoDataFrame(
        {
            "id": [f"e{i}" for i in range(n)],
            "name": [f"Incident {i}" for i in range(n)],
            "date": ["2026-11-20T10:00Z"] * n,
            "focus_area": rng.choice([str(area) for area in FocusArea], n),
            "killed": rng.integers(0, 5, n),
            "precision_m": 100.0,
        },
        geometry=gpd.points_from_xy(rng.uniform(22, 24, n), rng.uniform(53.5, 54.5, n)),
        crs="EPSG:4326",
    )
    return conform(frame, LayerKind.INCIDENT)


def main(argv: list[str]) -> int:
    """Measure and print the results (JSON), also written to ``RESULTS``."""
    parser = argparse.ArgumentParser(prog="labels")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    results: dict[str, object] = {}
    for extract in gazetteer.EXTRACTS:
        start = time.perf_counter()
        gazetteer.load_places(extract)
        results[f"gazetteer first load, {extract}+ people (s)"] = round(
            time.perf_counter() - start, 3
        )
    population = build_demo()[LayerKind.POPULATION]
    for zoom, bounds in VIEWS:
        view = MapView(bounds, zoom)
        labels = len(build_label_group(population, view=view).labels)
        seconds = _best(args.repeats, lambda view=view: build_label_group(population, view=view))
        results[f"labels zoom {zoom} ({labels} placed) (ms)"] = round(seconds * 1000, 1)
    incidents = {LayerKind.INCIDENT: _incidents(5000)}
    view = MapView((21.9, 53.4, 24.1, 54.6), 9)
    seconds = _best(args.repeats, lambda: build_data_layers(incidents, view=view))
    results["5,000 incidents with popups, one layer (ms)"] = round(seconds * 1000, 1)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(json.dumps(results, indent=2))
    return 0
