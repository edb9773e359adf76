"""Many app processes reading one PostGIS at once: a map rerun's reads, 1 reader against 16.

``python -m benchmarks.run store_readers [-- --readers 16 --points 200000 --reruns 5]`` (or
``python -m benchmarks.store_readers ...``).

The store holds the demo layers (``humansec.bootstrap.ensure_demo``) and a population layer of
``--points`` seeded points. A map rerun, as the map reads, is: the catalogue, then every active
layer's latest version in the view's box (``VIEW``: about 10 % of the big layer, all of the
demo's area). Each reader is a separate process with its own ``PostGISStore`` (an app process):
it reads once to warm up, waits for the others, then times ``--reruns`` reruns.

Reported: the median (and slowest) rerun of 1 reader alone, and of 16 at once; ``ratio`` is the
16-reader median over the 1-reader median (target: at most 2, issue 14), the reruns per second
served in each case, the CPU seconds per rerun in the readers and in the server (its processes'
``/proc`` times), ``cores_for_2x`` (the cores 16 readers' CPU needs to meet the target, from
one reader's CPU per rerun and time), the CPU count and the load average before and after.
Prints JSON and writes ``benchmarks/results/store_readers.json``. It measures; it does not
judge (exit 0).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import statistics
import sys
import time
from multiprocessing.synchronize import Barrier
from pathlib import Path

import geopandas as gpd
import numpy as np

from humansec.bootstrap import ensure_demo
from humansec.model import WGS84, LayerKind, conform
from humansec.store import BBox, NewLayer
from humansec.store.pgcluster import PostGIS
from humansec.store.postgis import PostGISStore

RESULTS = Path(__file__).resolve().parent / "results" / "store_readers.json"
VIEW: BBox = (19.0, 44.0, 40.0, 55.0)
"""West, south, east, north: the demo's whole area and about 10 % of the big layer's points."""
BIG_AREA = (-5.0, 30.0, 65.0, 63.0)  # the big layer's points: VIEW is 10 % of this area


def population(count: int) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(14)
    west, south, east, north = BIG_AREA
    frame = gpd.GeoDataFrame(
        {
            "id": np.arange(count).astype(str),
            "name": np.char.add("place ", np.arange(count).astype(str)),
            "population": rng.integers(10, 100_000, count),
        },
        geometry=gpd.points_from_xy(
            rng.uniform(west, east, count), rng.uniform(south, north, count)
        ),
        crs=WGS84,
    )
    return conform(frame, LayerKind.POPULATION)


def map_rerun(store: PostGISStore) -> int:
    """The store reads of one map rerun; return the features read."""
    features = 0
    for record in store.catalogue():
        frame = store.read_layer(record.layer_id, version=record.version, bbox=VIEW)
        features += len(frame)
    return features


def reader(url: str, reruns: int, barriers: tuple[Barrier, Barrier], results: mp.Queue) -> None:
    store = PostGISStore(url)
    expected = map_rerun(store)  # warm up: imports, connection, catalogue
    barriers[0].wait()
    times = []
    cpu = time.process_time()
    for _ in range(reruns):
        start = time.perf_counter()
        features = map_rerun(store)
        times.append(time.perf_counter() - start)
        assert features == expected
    results.put((times, expected, time.process_time() - cpu))
    barriers[1].wait()  # the connections stay open until the server's CPU time is read
    store.close()


def server_cpu_s(pg: PostGIS) -> float:
    """CPU seconds used so far by the server's processes (the postmaster's children)."""
    postmaster = (pg.datadir / "postmaster.pid").read_text().split()[0]
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if fields[1] == postmaster:  # ppid; utime and stime are fields 14 and 15 of stat
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def run_readers(pg: PostGIS, readers: int, reruns: int) -> dict[str, float]:
    context = mp.get_context("spawn")  # fresh processes, as app processes are
    barriers = (context.Barrier(readers + 1), context.Barrier(readers + 1))
    results: mp.Queue = context.Queue()
    processes = [
        context.Process(target=reader, args=(pg.url(), reruns, barriers, results))
        for _ in range(readers)
    ]
    for process in processes:
        process.start()
    barriers[0].wait()  # every reader warmed up: go
    start, server_start = time.perf_counter(), server_cpu_s(pg)
    collected = [results.get(timeout=3600) for _ in processes]
    wall, server = time.perf_counter() - start, server_cpu_s(pg) - server_start
    barriers[1].wait()
    for process in processes:
        process.join()
    times = [t for per_reader, _, _ in collected for t in per_reader]
    client = sum(cpu for _, _, cpu in collected)
    return {
        "readers": readers,
        "reruns_each": reruns,
        "features_per_rerun": collected[0][1],
        "median_rerun_s": round(statistics.median(times), 3),
        "slowest_rerun_s": round(max(times), 3),
        "reruns_per_s": round(len(times) / wall, 2),
        "client_cpu_per_rerun_s": round(client / len(times), 3),
        "server_cpu_per_rerun_s": round(server / len(times), 3),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.store_readers")
    parser.add_argument("--points", type=int, default=200_000)
    parser.add_argument("--readers", type=int, default=16)
    parser.add_argument("--reruns", type=int, default=5)
    args = parser.parse_args(argv)
    record: dict[str, object] = {
        "benchmark": "store_readers",
        "points": args.points,
        "cpus": os.cpu_count(),
        "load_before": [round(x, 2) for x in os.getloadavg()],
    }
    with PostGIS.start(shared_buffers="256MB", work_mem="64MB", dbname="readers") as pg:
        store = PostGISStore(pg.url())
        ensure_demo(store)
        meta = NewLayer(
            LayerKind.POPULATION, "Bench places", "benchmark", "none", "NATO UNCLASSIFIED"
        )
        store.add_version(population(args.points), meta, layer_id="bench_places")
        record["layers"] = len(store.catalogue())
        store.close()
        one = run_readers(pg, 1, args.reruns)
        many = run_readers(pg, args.readers, args.reruns)
        record["postgis_version"] = pg.version
    record["one_reader"] = one
    record["many_readers"] = many
    record["ratio"] = round(many["median_rerun_s"] / one["median_rerun_s"], 2)
    # The cores that 16 readers' CPU needs to finish each rerun within 2x one reader's time
    # (the target), from one reader's CPU per rerun (client and server).
    cpu = one["client_cpu_per_rerun_s"] + one["server_cpu_per_rerun_s"]
    record["cores_for_2x"] = round(args.readers * cpu / (2 * one["median_rerun_s"]), 1)
    record["load_after"] = [round(x, 2) for x in os.getloadavg()]
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(record, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
