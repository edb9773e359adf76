"""Benchmark: storing a population grid and drawing it for map views (issue 13, section 2).

``python -m benchmarks.run grids [-- --size 5000]`` (or ``python -m benchmarks.grids ...``).
It

1. writes an N x N float32 GeoTIFF (deflate, striped as many exports are) of people per cell
   around Kyiv, 0.001 degrees a cell, a quarter of it nodata, in a temporary folder;
2. times ``humansec.ingest.raster.ingest_grid`` on it into a new store: identify, check the
   header in the bounded worker, write the Cloud-Optimized GeoTIFF (with overviews), catalogue;
3. times ``grid_breaks`` and ``render_band`` for three views: the whole grid, a quarter of it,
   and a window of 1/50 of its width (the map's image is at most 768 px wide).

Results go to ``benchmarks/results/grids.json``.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import rasterio
from rasterio.transform import from_origin

from humansec.ingest.pipeline import UploadMeta
from humansec.ingest.raster import ingest_grid
from humansec.mapview.raster_overlay import grid_breaks, render_band
from humansec.population.rasters import raster_bands
from humansec.store import GeoPackageStore

RESULTS = Path(__file__).parent / "results" / "grids.json"
WEST, NORTH, CELL = 28.0, 52.0, 0.001


def write_grid(path: Path, size: int) -> None:
    """A smooth field of people per cell with a nodata quarter, written in strips of rows."""
    with rasterio.open(
        path, "w", driver="GTiff", width=size, height=size, count=1, dtype="float32",
        crs="EPSG:4326", transform=from_origin(WEST, NORTH, CELL, CELL), nodata=-1.0,
        compress="deflate",
    ) as out:  # fmt: skip
        columns = np.arange(size, dtype="float32")
        step = 256
        for top in range(0, size, step):
            rows = np.arange(top, min(size, top + step), dtype="float32")[:, None]
            block = 50 + 40 * np.sin(rows / 97.0) * np.cos(columns / 131.0)
            if top < size // 2:
                block[:, : size // 2] = -1.0
            out.write(block.astype("float32")[None], window=((top, top + len(rows)), (0, size)))


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print and save the results."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=5000, help="cells on a side (default 5000)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        grid = work / "grid.tif"
        write_grid(grid, args.size)
        data_dir = work / "data"
        meta = UploadMeta(title="bench", classification="NATO UNCLASSIFIED", who="bench")
        started = time.perf_counter()
        result = ingest_grid(
            grid, [], staging_root=data_dir / "staging", store_path=data_dir,
            data_dir=data_dir, meta=meta,
        )  # fmt: skip
        ingest_s = time.perf_counter() - started
        store = GeoPackageStore(data_dir / "humansec.gpkg")
        layer = str(result.record["layer_id"])
        (band,) = raster_bands(store.read_layer(layer).assign(layer_id=layer), data_dir)
        started = time.perf_counter()
        breaks = grid_breaks(band)
        breaks_s = time.perf_counter() - started
        span = args.size * CELL
        views = {
            "whole": (WEST, NORTH - span, WEST + span, NORTH),
            "quarter": (WEST + span / 2, NORTH - span, WEST + span, NORTH - span / 2),
            "zoomed": (WEST + span / 2, NORTH - span / 2 - span / 50, WEST + span / 2 + span / 50,
                       NORTH - span / 2),
        }  # fmt: skip
        render_s = {}
        for name, view in views.items():
            started = time.perf_counter()
            image = render_band(band, view, breaks=breaks)
            render_s[name] = round(time.perf_counter() - started, 3)
            assert image is not None
        report = {
            "cells": args.size * args.size,
            "upload_mb": round(grid.stat().st_size / 2**20, 1),
            "cog_mb": round(band.path.stat().st_size / 2**20, 1),
            "ingest_s": round(ingest_s, 2),
            "breaks_s": round(breaks_s, 3),
            "render_s": render_s,
        }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
