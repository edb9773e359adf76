"""Briefing export: PNG, PDF and PPTX of the demo, cold and warm, and the renderer's memory.

Baseline in the same run: the same products of a store with no data (the basemap and the
print furniture only), so the ratios say what the data costs. Target (DESIGN.md section 8):
a PNG of the current view in under 3 s with a warm renderer, PDF and PPTX likewise.

    python -m benchmarks.run export -- --repeats 5
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from humansec.bootstrap import ensure_demo
from humansec.export import Renderer, export_product
from humansec.model import LayerKind, empty_frame
from humansec.settings import Settings
from humansec.store import GeoPackageStore

RESULTS = Path(__file__).resolve().parent / "results" / "export.json"
FORMATS = (("png", "slide"), ("pdf", "a4"), ("pptx", "slide"), ("png", "a3"))


def _chromium_rss_mb() -> float:
    """Resident memory of every Chromium process on the machine, in MB (Linux /proc)."""
    total_kb = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        name = text.split("\n", 1)[0]
        if "chrom" not in name.lower():
            continue
        for line in text.splitlines():
            if line.startswith("VmRSS:"):
                total_kb += int(line.split()[1])
    return total_kb / 1024


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
        before = _chromium_rss_mb()
        with Renderer() as renderer:
            cold = _time(renderer, *demo, settings, fmt="png", size="slide")
            results["cold png slide (browser start)"] = {"seconds": cold}
            peak = _chromium_rss_mb() - before
            for fmt, size in FORMATS:
                for label, (frames, records) in (("baseline", empty), ("demo", demo)):
                    times = [
                        _time(renderer, frames, records, settings, fmt=fmt, size=size)
                        for _ in range(args.repeats)
                    ]
                    peak = max(peak, _chromium_rss_mb() - before)
                    results[f"warm {fmt} {size} {label}"] = {
                        "median_s": statistics.median(times),
                        "min_s": min(times),
                        "max_s": max(times),
                    }
        results["renderer memory"] = {"chromium_rss_mb_peak": round(peak, 1)}
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
