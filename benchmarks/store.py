"""The PostGIS store against the GeoPackage store, same data, same run (issue 14).

``python -m benchmarks.run store [-- --points 1000000 --readers 16]`` (or
``python -m benchmarks.store ...``) measures, for each backend:

* ``upload_s``: ``add_version`` of an infrastructure layer of N points (seeded);
* ``bbox_read_s``: ``read_layer`` with a box holding about 10 % of them (the map's pattern);
* ``full_read_s``: ``read_layer`` of the whole layer (the check's pattern);

and, for PostGIS only, R threads of this one process each doing the bbox read at once, with
the single-reader time beside it (the target, 16 readers at most 2x one, is about app
processes: threads here share one GIL and 2 cores, so this ratio is an upper bound).
Targets (DESIGN.md section 8): upload at most 1.5x the GeoPackage, bbox read at most 1.2x.
Prints JSON and writes
``benchmarks/results/store.json``. It measures; it does not judge (exit 0).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

import geopandas as gpd
import numpy as np

from humansec.model import WGS84, LayerKind
from humansec.store import GeoPackageStore, LayerStore, NewLayer
from humansec.store.pgcluster import PostGIS
from humansec.store.postgis import PostGISStore

RESULTS = Path(__file__).resolve().parent / "results" / "store.json"
META = NewLayer(LayerKind.INFRASTRUCTURE, "Bench", "benchmark", "none", "NATO UNCLASSIFIED")
BBOX = (22.0, 44.0, 27.7, 46.53)  # about 10 % of the area the points cover: ~100k of 1M


def points(count: int) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(14)
    return gpd.GeoDataFrame(
        {
            "id": np.arange(count).astype(str),
            "category": rng.choice(["power", "water", "dam"], count),
            "precision_m": rng.uniform(1, 100, count),
        },
        geometry=gpd.points_from_xy(rng.uniform(22, 40, count), rng.uniform(44, 52, count)),
        crs=WGS84,
    )


def timed(call):
    start = time.perf_counter()
    result = call()
    return time.perf_counter() - start, result


def measure(store: LayerStore, frame: gpd.GeoDataFrame, repeats: int) -> dict[str, float]:
    upload, record = timed(lambda: store.add_version(frame, META, layer_id="bench"))
    bbox_times, full_times = [], []
    for _ in range(repeats):
        seconds, part = timed(lambda: store.read_layer("bench", bbox=BBOX))
        bbox_times.append(seconds)
        seconds, whole = timed(lambda: store.read_layer("bench"))
        full_times.append(seconds)
    assert len(whole) == record.feature_count == len(frame)
    return {
        "upload_s": round(upload, 3),
        "bbox_read_s": round(min(bbox_times), 3),
        "bbox_features": len(part),
        "full_read_s": round(min(full_times), 3),
    }


def concurrent_reads(store: LayerStore, readers: int) -> dict[str, float]:
    single, _ = timed(lambda: store.read_layer("bench", bbox=BBOX))
    times: list[float] = []
    barrier = threading.Barrier(readers)

    def read() -> None:
        barrier.wait()
        seconds, _ = timed(lambda: store.read_layer("bench", bbox=BBOX))
        times.append(seconds)

    threads = [threading.Thread(target=read) for _ in range(readers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "single_reader_s": round(single, 3),
        "readers": readers,
        "slowest_of_concurrent_s": round(max(times), 3),
        "ratio": round(max(times) / single, 2),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.store")
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--readers", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    frame = points(args.points)
    record: dict[str, object] = {"benchmark": "store", "points": args.points}
    with tempfile.TemporaryDirectory(prefix="humansec-bench-store-") as tmp:
        record["geopackage"] = measure(
            GeoPackageStore(Path(tmp) / "humansec.gpkg"), frame, args.repeats
        )
    with PostGIS.start(shared_buffers="256MB", work_mem="64MB", dbname="store") as pg:
        store = PostGISStore(pg.url())
        record["postgis"] = measure(store, frame, args.repeats)
        record["postgis_concurrent"] = concurrent_reads(store, args.readers)
        record["postgis_version"] = pg.version
        store.close()
    gpkg, postgis = record["geopackage"], record["postgis"]
    assert isinstance(gpkg, dict) and isinstance(postgis, dict)
    keys = ("upload_s", "bbox_read_s", "full_read_s")
    record["ratios"] = {key: round(postgis[key] / gpkg[key], 2) for key in keys}
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(record, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
