"""Benchmark: exposure of hazard areas over a population grid, against ``rasterstats`` (issue 13).

``python -m benchmarks.run exposure [-- --cells 20000 --areas 10000]`` (or ``python -m
benchmarks.exposure ...``). It

1. generates a population grid of ``--cells`` x ``--cells`` float32 cells of 3 arc-seconds
   (about 90 m, WorldPop's size) in EPSG:4326, written as a tiled (512 x 512), DEFLATE-compressed
   GeoTIFF in a temporary folder, with about 3 % nodata cells (seeded);
2. generates ``--areas`` planned activities at random inside the grid with hazard radii of
   500-3000 m (``hazard_radius_m``), and their hazard areas (``hazard_areas``, the same polygons
   for every method);
3. times, each in a fresh subprocess (wall and CPU time, peak RSS from ``getrusage``):
   ``humansec.exposure(activities, rules, [RasterSource])`` (hazard areas included),
   ``rasterstats.zonal_stats(polygons, grid, stats="sum")`` (cell centres inside; the baseline),
   and ``exactextract.exact_extract(grid, polygons, "sum")`` run directly (the reference sums);
   imports are done before the clocks start;
4. compares humansec's sums with exactextract's (largest relative difference over areas with
   more than 1 person, and the difference of the totals) and reports rasterstats' difference
   for information (it counts whole cells whose centre is inside).

It measures, it does not judge: the table on stdout and JSON in
``benchmarks/results/exposure.json`` give the ratio humansec / rasterstats (target <= 0.2), the
peak memory (target < 1.5 GB) and the sum differences (target within 0.5 %). The grid is deleted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

RESULTS = Path(__file__).resolve().parent / "results" / "exposure.json"
CELL = 1 / 1200  # 3 arc-seconds
WEST, NORTH = 20.0, 56.0
SEED = 20261203
NODATA = -99999.0
RULES_TOML = """
[[rule]]
activity = "patrol"
feature = "population"
distance_m = 1000.0
severity = "medium"
rationale = "benchmark"
"""
METHODS = ("humansec", "rasterstats", "exactextract")


def write_grid(path: Path, cells: int, seed: int) -> None:
    """A ``cells`` x ``cells`` population grid: clustered people, ~3 % nodata, 512-cell tiles."""
    import rasterio  # noqa: PLC0415
    from affine import Affine  # noqa: PLC0415
    from rasterio.windows import Window  # noqa: PLC0415

    rng = np.random.default_rng(seed)
    profile = {
        "driver": "GTiff", "width": cells, "height": cells, "count": 1, "dtype": "float32",
        "crs": "EPSG:4326", "transform": Affine(CELL, 0, WEST, 0, -CELL, NORTH),
        "nodata": NODATA, "tiled": True, "blockxsize": 512, "blockysize": 512,
        "compress": "deflate", "predictor": 3, "BIGTIFF": "IF_SAFER",
    }  # fmt: skip
    # A coarse field of "towns" (one value per 64 x 64 block) times cell noise, in 0.01 steps.
    coarse = rng.gamma(0.6, 8.0, size=(cells // 64 + 1, cells // 64 + 1)).astype(np.float32)
    with rasterio.open(path, "w", **profile) as ds:
        for row in range(0, cells, 512):
            rows = min(512, cells - row)
            town = np.repeat(
                np.repeat(coarse[row // 64 : row // 64 + rows // 64 + 2], 64, 0), 64, 1
            )
            town = town[:rows, :cells]
            noise = rng.random((rows, cells), dtype=np.float32)
            values = np.round(town * noise * 2, 2).astype(np.float32)
            values[noise < 0.03] = NODATA
            ds.write(values, 1, window=Window(0, row, cells, rows))


def activities(cells: int, n: int, seed: int) -> gpd.GeoDataFrame:
    """``n`` patrols at random inside the grid (3 km from its edges), radii 500-3000 m."""
    rng = np.random.default_rng(seed + 1)
    span = cells * CELL
    margin = 0.05
    lon = WEST + margin + rng.random(n) * (span - 2 * margin)
    lat = NORTH - margin - rng.random(n) * (span - 2 * margin)
    return gpd.GeoDataFrame(
        {
            "id": [f"a{i}" for i in range(n)],
            "type": "patrol",
            "hazard_radius_m": rng.uniform(500, 3000, n),
        },
        geometry=shapely.points(lon, lat),
        crs="EPSG:4326",
    )


def _worker(method: str, folder: Path) -> None:
    """Run one method on the data in ``folder``; write its sums and measures there."""
    grid = folder / "grid.tif"
    acts = gpd.read_parquet(folder / "activities.parquet")
    zones = gpd.read_parquet(folder / "zones.parquet")
    # Imports first (not timed): each method is measured on its work, not on loading Python.
    import rasterio  # noqa: PLC0415, F401
    from exactextract import exact_extract  # noqa: PLC0415
    from rasterstats import zonal_stats  # noqa: PLC0415

    from humansec import exposure  # noqa: PLC0415
    from humansec.conflicts import parse_rules  # noqa: PLC0415
    from humansec.population.bands import parse_band_role  # noqa: PLC0415
    from humansec.population.exposure import RasterSource  # noqa: PLC0415

    start, cpu = time.perf_counter(), time.process_time()
    if method == "humansec":
        source = RasterSource("grid", [(parse_band_role("total"), grid, 1, None)])
        table = exposure(acts, parse_rules(RULES_TOML), [source])
        sums = table["population"].to_numpy(dtype=float)
    elif method == "rasterstats":
        stats = zonal_stats(list(zones.geometry), str(grid), stats=["sum"], nodata=NODATA)
        sums = np.array([s["sum"] or 0.0 for s in stats], dtype=float)
    else:
        result = exact_extract(str(grid), zones, "sum", output="pandas")
        sums = result["sum"].to_numpy(dtype=float)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    np.save(folder / f"{method}.npy", sums)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB
    measures = {"wall_s": wall, "cpu_s": cpu, "peak_rss_bytes": peak}
    (folder / f"{method}.json").write_text(json.dumps(measures))


def _run(method: str, folder: Path) -> dict[str, float]:
    subprocess.run(
        [sys.executable, "-m", "benchmarks.exposure", "--worker", method, str(folder)],
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    return dict(json.loads((folder / f"{method}.json").read_text()))


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; see the module docstring. Returns 0 (it measures, it does not judge)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.exposure")
    parser.add_argument("--cells", type=int, default=20_000, help="grid side in cells")
    parser.add_argument("--areas", type=int, default=10_000, help="hazard areas")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--methods", default=",".join(METHODS), help=f"comma-separated from {','.join(METHODS)}"
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        _worker(args.worker[0], Path(args.worker[1]))
        return 0
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    unknown = set(methods) - set(METHODS)
    if unknown:
        parser.error(f"unknown method(s) {sorted(unknown)}; known: {', '.join(METHODS)}")
    from humansec.conflicts import parse_rules  # noqa: PLC0415
    from humansec.population.exposure import hazard_areas  # noqa: PLC0415

    record: dict[str, object] = {
        "benchmark": "exposure",
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "cells": args.cells,
        "areas": args.areas,
        "seed": args.seed,
    }
    with tempfile.TemporaryDirectory(prefix="humansec-exposure-") as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        write_grid(folder / "grid.tif", args.cells, args.seed)
        record["grid_write_s"] = time.perf_counter() - start
        record["grid_bytes"] = (folder / "grid.tif").stat().st_size
        acts = activities(args.cells, args.areas, args.seed)
        acts.to_parquet(folder / "activities.parquet")
        zones = gpd.GeoDataFrame(geometry=hazard_areas(acts, parse_rules(RULES_TOML)).to_numpy(),
                                 crs="EPSG:4326")  # fmt: skip
        zones.to_parquet(folder / "zones.parquet")
        print(
            f"grid {args.cells} x {args.cells} ({record['grid_bytes'] / 1e6:.0f} MB, written in "
            f"{record['grid_write_s']:.0f} s), {args.areas} hazard areas",
            flush=True,
        )
        runs = {}
        for method in methods:
            runs[method] = _run(method, folder)
            m = runs[method]
            print(
                f"{method:>13}: wall {m['wall_s']:8.1f} s  cpu {m['cpu_s']:8.1f} s  "
                f"peak {m['peak_rss_bytes'] / 2**20:7.0f} MiB",
                flush=True,
            )
        sums = {m: np.load(folder / f"{m}.npy") for m in methods}
    record["runs"] = runs
    if "humansec" in runs and "rasterstats" in runs:
        for clock in ("wall_s", "cpu_s"):
            ratio = runs["humansec"][clock] / runs["rasterstats"][clock]
            record[f"ratio_{clock}"] = ratio
            print(f"humansec / rasterstats ({clock[:-2]}): {ratio:.3f} (target <= 0.2)")
    if "exactextract" in sums:
        ref = sums["exactextract"]
        big = ref > 1
        for method in ("humansec", "rasterstats"):
            if method not in sums:
                continue
            rel = np.abs(sums[method][big] - ref[big]) / ref[big]
            total = abs(sums[method].sum() - ref.sum()) / max(ref.sum(), 1e-12)
            record[f"{method}_vs_exactextract"] = {
                "max_rel": float(rel.max()) if rel.size else 0.0,
                "median_rel": float(np.median(rel)) if rel.size else 0.0,
                "total_rel": float(total),
            }
            print(
                f"{method} vs exactextract: largest relative difference "
                f"{record[f'{method}_vs_exactextract']['max_rel']:.2e}, "  # type: ignore[index]
                f"total {total:.2e} (target <= 5e-3 for humansec)"
            )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(record, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
