"""Benchmark: storing a 1M-point shapefile against ``ogr2ogr`` copying it (issue 4, DESIGN 8).

``python -m benchmarks.run ingest [-- --points 1000000 --repeats 3]`` (or
``python -m benchmarks.ingest ...``). It

1. writes a shapefile of N clustered points in a Ukraine-sized area (EPSG:4326, with id, name,
   population and date columns, a .cpg and a .prj) and zips it as an analyst would upload it;
2. times ``ogr2ogr -f GPKG`` copying the unzipped shapefile into a new GeoPackage (Debian's
   ``gdal-bin``, installed here when missing and running as root);
3. times ``humansec.ingest.pipeline.ingest_file`` on the zip into a new store: identify, unpack,
   read, validate, map onto the population kind, store as a layer version in the GeoPackage,
   in the bounded worker process exactly as the CLI and the Data page do it;
4. reports the ratio (target <= 2), the peak RSS of this process (the server's side) during the
   upload, sampled every 20 ms, and the worker's own peak RSS.

Both sides run alternately in the same run, ``--repeats`` times; the best time of each is
compared (the machine is shared). Results go to ``benchmarks/results/ingest.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from humansec.ingest.pipeline import UploadMeta, UploadOptions, ingest_file
from humansec.model import WGS84, LayerKind
from humansec.store import GeoPackageStore

RESULTS = Path(__file__).parent / "results" / "ingest.json"
AREA = (22.0, 44.0, 40.0, 52.5)
SEED = 20261126


def make_points(n: int, seed: int = SEED) -> gpd.GeoDataFrame:
    """N points clustered around 2,000 'towns', with the columns a population layer maps."""
    rng = np.random.default_rng(seed)
    west, south, east, north = AREA
    towns = np.column_stack([rng.uniform(west, east, 2000), rng.uniform(south, north, 2000)])
    which = rng.integers(0, len(towns), n)
    xy = towns[which] + rng.normal(0, 0.05, (n, 2))
    frame = pd.DataFrame(
        {
            "id": np.char.add("p", np.arange(n).astype(str)),
            "name": np.char.add("Settlement ", (which % 997).astype(str)),
            "population": rng.integers(50, 200_000, n),
            "date": pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 300, n), unit="D"),
        }
    )
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=WGS84)


def write_shapefile_zip(frame: gpd.GeoDataFrame, folder: Path) -> tuple[Path, Path]:
    """Write ``frame`` as ``folder/points.shp`` (+ sidecars) and a zip of it; return both."""
    shp = folder / "points.shp"
    pyogrio.write_dataframe(frame, shp, driver="ESRI Shapefile", encoding="UTF-8")
    archive = folder / "points.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
        for part in sorted(folder.glob("points.*")):
            if part.suffix != ".zip":
                out.write(part, f"points/{part.name}")
    return shp, archive


def ensure_ogr2ogr() -> str:
    """Path of ``ogr2ogr``; installs Debian's gdal-bin when missing and running as root."""
    found = shutil.which("ogr2ogr")
    if found:
        return found
    if os.geteuid() != 0:
        msg = "ogr2ogr is not installed and installing it needs root: apt-get install gdal-bin"
        raise RuntimeError(msg)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "install", "-y", "-qq", "gdal-bin"], check=True, env=env)
    found = shutil.which("ogr2ogr")
    if not found:
        msg = "apt-get installed gdal-bin but ogr2ogr is not on PATH"
        raise RuntimeError(msg)
    return found


def rss_mb() -> float:
    """Return the resident set size of this process in MB."""
    with Path("/proc/self/statm").open() as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class PeakRss:
    """Samples this process's resident set size every ``interval`` seconds while active."""

    def __init__(self, interval: float = 0.02) -> None:
        self.interval = interval
        self.peak_mb = 0.0
        self.start_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_mb = max(self.peak_mb, rss_mb())
            time.sleep(self.interval)

    def __enter__(self) -> PeakRss:
        self.start_mb = rss_mb()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def time_ogr2ogr(ogr2ogr: str, shp: Path, out: Path) -> float:
    """Seconds ``ogr2ogr`` takes to copy ``shp`` into a new GeoPackage ``out``."""
    out.unlink(missing_ok=True)
    start = time.perf_counter()
    subprocess.run(
        [ogr2ogr, "-f", "GPKG", str(out), str(shp), "-nln", "points"],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def time_ingest(archive: Path, data_dir: Path) -> tuple[float, float, dict[str, object]]:
    """Seconds and this process's peak RSS growth (MB) while storing ``archive``; the facts."""
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    with PeakRss() as rss:
        start = time.perf_counter()
        inspection, record = ingest_file(
            archive,
            UploadOptions(kind=LayerKind.POPULATION),
            staging_root=data_dir / "staging",
            store_path=data_dir / "humansec.gpkg",
            meta=UploadMeta(
                title="Benchmark points", classification="NATO UNCLASSIFIED", who="bench"
            ),
        )
        seconds = time.perf_counter() - start
    stored = GeoPackageStore(data_dir / "humansec.gpkg").catalogue()
    facts = {
        "features": record["features"],
        "layers_in_store": len(stored),
        "worker_peak_rss_mb": inspection.facts.get("worker_peak_rss_mb"),
        "findings": [f.code for f in inspection.report.findings],
    }
    facts["server_rss_before_mb"] = round(rss.start_mb)
    return seconds, rss.peak_mb - rss.start_mb, facts


def main(argv: list[str]) -> int:
    """Run the benchmark; print a table and write JSON results."""
    parser = argparse.ArgumentParser(prog="benchmarks.ingest")
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    ogr2ogr = ensure_ogr2ogr()
    version = subprocess.run([ogr2ogr, "--version"], capture_output=True, text=True, check=True)
    with tempfile.TemporaryDirectory(prefix="humansec-bench-ingest-") as tmp:
        folder = Path(tmp)
        source = folder / "source"
        source.mkdir()
        t0 = time.perf_counter()
        shp, archive = write_shapefile_zip(make_points(args.points), source)
        shp_mb = sum(p.stat().st_size for p in source.glob("points.*") if p.suffix != ".zip")
        print(
            f"data: {args.points:,} points, shapefile {shp_mb / 2**20:.0f}"
            f" MB, zip {archive.stat().st_size / 2**20:.0f} MB ({time.perf_counter() - t0:.1f} s)",
            flush=True,
        )
        rows = []
        for repeat in range(args.repeats):
            ogr = time_ogr2ogr(ogr2ogr, shp, folder / "ogr.gpkg")
            ours, peak, facts = time_ingest(archive, folder / "store")
            if facts["features"] != args.points:
                print(f"WRONG: stored {facts['features']} of {args.points} features")
                return 1
            rows.append({"ogr2ogr_s": ogr, "humansec_s": ours, "server_peak_rss_mb": peak, **facts})
            print(
                f"repeat {repeat + 1}: ogr2ogr {ogr:.2f} s, humansec {ours:.2f} s "
                f"(x{ours / ogr:.2f}), server RSS +{peak:.0f} MB "
                f"(from {facts['server_rss_before_mb']} MB), worker peak RSS "
                f"{facts['worker_peak_rss_mb']} MB, findings {facts['findings']}",
                flush=True,
            )
    best_ogr = min(r["ogr2ogr_s"] for r in rows)
    best_ours = min(r["humansec_s"] for r in rows)
    summary = {
        "points": args.points,
        "ogr2ogr": version.stdout.strip(),
        "best_ogr2ogr_s": best_ogr,
        "best_humansec_s": best_ours,
        "ratio": best_ours / best_ogr,
        "target_ratio": 2.0,
        "server_peak_rss_growth_mb": max(r["server_peak_rss_mb"] for r in rows),
        "repeats": rows,
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(summary, indent=2, default=str))
    print(
        f"best: ogr2ogr {best_ogr:.2f} s, humansec {best_ours:.2f} s, ratio "
        f"{summary['ratio']:.2f} (target <= 2); server RSS growth during the upload "
        f"{summary['server_peak_rss_growth_mb']:.0f} MB; results in {RESULTS}"
    )
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
