"""Briefing export: PNG, PDF and PPTX of the demo, cold and warm, and the renderer's memory.

Baseline in the same run: the same products of a store with no data (the basemap and the
print furniture only), so the ratios say what the data costs. Target (DESIGN.md section 8):
a PNG of the current view in under 3 s with a warm renderer, PDF and PPTX likewise.

    python -m benchmarks.run export -- --repeats 5
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path

from humansec.bootstrap import ensure_demo
from humansec.export import Renderer, export_product
from humansec.model import LayerKind, empty_frame
from humansec.settings import Settings
from humansec.store import GeoPackageStore

RESULTS = Path(__file__).resolve().parent / "results" / "export.json"
FORMATS = (("png", "slide"), ("pdf", "a4"), ("pptx", "slide"), ("png", "a3"))


def _renderer_memory_mb() -> tuple[float, float]:
    """RSS and PSS of the Chromium processes this benchmark started, in MB (Linux /proc).

    Only descendants of this process count (Playwright's driver starts the browser): the
    machine may run other browsers (CI, other work) whose memory is none of ours. RSS sums
    count the pages Chromium's processes share once per process; PSS divides them.
    """
    parents: dict[int, int] = {}
    chromium: list[int] = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        pid = int(fields["Pid"])
        parents[pid] = int(fields["PPid"])
        if "chrom" in fields["Name"].lower():
            chromium.append(pid)
    me = os.getpid()

    def ours(pid: int) -> bool:
        while pid > 1:
            pid = parents.get(pid, 0)
            if pid == me:
                return True
        return False

    totals = {"Rss:": 0, "Pss:": 0}
    for pid in filter(ours, chromium):
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        for line in rollup.splitlines():
            key = line.split(maxsplit=1)[0] if line else ""
            if key in totals:
                totals[key] += int(line.split()[1])
    return totals["Rss:"] / 1024, totals["Pss:"] / 1024


class _PeakSampler(threading.Thread):
    """Samples ``_renderer_memory_mb`` every quarter second while running: the peak is
    during a render (a 300 dpi page in the compositor), not after it."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = (0.0, 0.0)
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(0.25):
            rss, pss = _renderer_memory_mb()
            self.peak = (max(self.peak[0], rss), max(self.peak[1], pss))

    def stop(self) -> tuple[float, float]:
        self._stop_event.set()
        self.join()
        return self.peak


def _time(renderer: Renderer, frames, records, settings, *, fmt: str, size: str) -> float:
    start = time.perf_counter()
    export_product(frames, records, fmt=fmt, size=size, settings=settings, renderer=renderer)
    return time.perf_counter() - start


def main(argv: list[str]) -> int:
    """Run the export benchmark; print a table and write JSON."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run export --")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder))
        store = GeoPackageStore(settings.store_path)
        ensure_demo(store)
        demo = ({kind: store.read_kind(kind) for kind in LayerKind}, store.catalogue())
        empty = ({kind: empty_frame(kind) for kind in LayerKind}, [])
        results: dict[str, dict[str, object]] = {}
        sampler = _PeakSampler()
        sampler.start()
        with Renderer() as renderer:
            cold = _time(renderer, *demo, settings, fmt="png", size="slide")
            results["cold png slide (browser start)"] = {"seconds": cold}
            for fmt, size in FORMATS:
                for label, (frames, records) in (("baseline", empty), ("demo", demo)):
                    times = [
                        _time(renderer, frames, records, settings, fmt=fmt, size=size)
                        for _ in range(args.repeats)
                    ]
                    results[f"warm {fmt} {size} {label}"] = {
                        "median_s": statistics.median(times),
                        "min_s": min(times),
                        "max_s": max(times),
                    }
            idle = _renderer_memory_mb()  # warm pages back on about:blank
        peak = sampler.stop()
        results["renderer memory"] = {
            "chromium_rss_mb_peak": round(peak[0]),
            "chromium_pss_mb_peak": round(peak[1]),
            "chromium_rss_mb_idle_warm": round(idle[0]),
            "chromium_pss_mb_idle_warm": round(idle[1]),
        }
    print(f"{'measure':40} {'median s':>9} {'min':>6} {'max':>6} {'x baseline':>10}")
    for key, value in results.items():
        if "median_s" in value:
            baseline = results.get(key.replace(" demo", " baseline"), {}).get("median_s")
            ratio = f"x{value['median_s'] / baseline:.2f}" if baseline and "demo" in key else ""
            print(
                f"{key:40} {value['median_s']:9.2f} {value['min_s']:6.2f} {value['max_s']:6.2f}"
                f" {ratio:>10}"
            )
        else:
            print(f"{key:40} {json.dumps(value)}")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))
    print(f"wrote {RESULTS}")
    return 0
