"""First drawn map of two versions of the app and the floor, interleaved in one run.

On a shared machine the load changes from minute to minute, so scenario-by-scenario runs
(``map_load.py``) compare pages measured at different moments. Here the servers run side by
side and are loaded in turn, round after round (the order rotates each round; one warm-up
round is not counted), each load in a fresh browser context (cold HTTP cache), so that every
version meets the same machine. The versions: ``floor`` (``benchmarks/floor_app.py``),
``before`` (another checkout's ``app.py``, given with ``--before``, with its own built
``static/``) and ``after`` (this checkout). See ``benchmarks/README.md``, issue 10.

    python -m benchmarks.run map_interleaved -- --before /tmp/old/app.py --rounds 5
    python -m benchmarks.run map_interleaved -- --scenario large --rounds 4
    python -m benchmarks.run map_interleaved -- --page situation+planned --rounds 4

``--page situation+planned`` also loads each app's *Planned activities* page in every round
(in the same rotation), for the ratio of the two pages in the same run.

Without ``--before`` only the floor and this checkout are compared.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
from pathlib import Path
from typing import Any

from benchmarks import map_load
from tests.browser.conftest import Server, start_server

OUT = map_load.RESULTS / "map_interleaved.json"


def _servers(folder: Path, scenario: str, before: str | None) -> dict[str, Server]:
    servers: dict[str, Server] = {}
    names = ["floor", *(["before"] if before else []), "after"]
    for name in names:
        data_dir = folder / name
        data_dir.mkdir()
        if name == "floor":
            servers[name] = start_server(
                data_dir,
                folder / "floor.log",
                script=str(map_load.floor_script(folder)),
                extra_env={"PYTHONPATH": str(map_load.PROJECT)},
            )
            continue
        map_load.SCENARIOS[scenario](data_dir)
        script = before if name == "before" and before else "app.py"
        servers[name] = start_server(data_dir, folder / f"{name}.log", script=script)
    return servers


def run(scenario: str, rounds: int, before: str | None, *, planned: bool = False) -> dict[str, Any]:
    """Serve the versions and load each once per round; return times and load averages."""
    folder = Path(tempfile.mkdtemp(prefix="humansec-map-interleaved-"))
    servers = _servers(folder, scenario, before)
    times: dict[str, list[float]] = {name: [] for name in servers}
    loads = [(name, "") for name in servers]
    if planned:
        times |= {f"{name} planned": [] for name in servers if name != "floor"}
        loads += [(f"{name} planned", map_load.PLANNED_PATH) for name in servers if name != "floor"]
    in_page: dict[str, list[float | None]] = {name: [] for name in times}
    load: list[float] = []
    try:
        with map_load._browser() as browser:
            for index in range(rounds + 1):  # round 0 warms the servers' caches up
                shift = index % len(loads)
                for name, path in loads[shift:] + loads[:shift]:
                    server = servers[name.removesuffix(" planned")]
                    drawn = map_load.FLOOR_DRAWN if name == "floor" else map_load.DRAWN
                    context = browser.new_context(viewport={"width": 1400, "height": 1000})
                    result = map_load.load_once(
                        context, server.url, reruns=False, path=path, drawn=drawn
                    )
                    context.close()
                    if index:
                        times[name].append(result["first_map_s"])
                        in_page[name].append(result["first_map_in_page_s"])
                if index:
                    load.append(os.getloadavg()[0])
                    line = ", ".join(
                        f"{name} {times[name][-1]:.2f} s ({_seconds(in_page[name][-1])} in page)"
                        for name in times
                    )
                    print(f"  round {index}: {line} (load average {load[-1]:.1f})", flush=True)
    finally:
        for server in servers.values():
            server.stop()
    median = {name: statistics.median(values) for name, values in times.items()}
    seen = {name: [v for v in values if v is not None] for name, values in in_page.items()}
    median_in_page = {name: statistics.median(v) if v else None for name, v in seen.items()}
    floor_in_page = median_in_page["floor"]
    return {
        "scenario": scenario,
        "before": before,
        "times_s": times,
        "load_average": load,
        "median_s": median,
        "ratio_to_floor": {name: value / median["floor"] for name, value in median.items()},
        # the paint after the first frame in which the map was drawn, seen by the frame itself
        # (``map_load.IN_PAGE_WATCH``)
        "in_page_times_s": in_page,
        "in_page_median_s": median_in_page,
        "in_page_ratio_to_floor": {
            name: value / floor_in_page if value is not None and floor_in_page else None
            for name, value in median_in_page.items()
        },
    }


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def main(argv: list[str]) -> int:
    """Run the interleaved comparison and write ``results/map_interleaved.json``."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run map_interleaved --")
    parser.add_argument("--scenario", choices=["baseline", "demo", "large"], default="demo")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--before", help="app.py of another checkout (with its static/)")
    parser.add_argument("--page", choices=["situation", "situation+planned"], default="situation")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    planned = args.page == "situation+planned"
    results = run(args.scenario, args.rounds, args.before, planned=planned)
    medians = ", ".join(
        f"{name} {value:.2f} s (x{results['ratio_to_floor'][name]:.2f})"
        for name, value in results["median_s"].items()
    )
    print(f"{args.scenario}, median of {args.rounds} rounds: {medians}")
    ratios = results["in_page_ratio_to_floor"]
    in_page = ", ".join(
        f"{name} {_seconds(value)} s (x{_seconds(ratios[name])})"
        for name, value in results["in_page_median_s"].items()
    )
    print(f"  seen by the map frame itself: {in_page}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0
