"""Run the project's benchmarks: ``python -m benchmarks.run [NAME ...] [-- ARGS]``.

With no name every benchmark runs in turn. Arguments after ``--`` go to each benchmark's
``main`` (e.g. ``python -m benchmarks.run map -- --repeats 3``).

To add a benchmark, write a module ``benchmarks/<topic>.py`` with
``main(argv: list[str]) -> int`` and register it in ``BENCHMARKS`` below.
"""

from __future__ import annotations

import argparse
import importlib
import sys

BENCHMARKS: dict[str, tuple[str, str]] = {
    # name: (module, one-line description)
    "map": ("benchmarks.map_load", "commander's map: time to first drawn map, bytes per rerun"),
}


def main(argv: list[str] | None = None) -> int:
    """Run the named benchmarks (all when none is named); return the worst exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    extra: list[str] = []
    if "--" in args:
        cut = args.index("--")
        args, extra = args[:cut], args[cut + 1 :]
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run",
        description="Run humansec benchmarks. Known: "
        + "; ".join(f"{name}: {about}" for name, (_, about) in BENCHMARKS.items()),
    )
    parser.add_argument("names", nargs="*", metavar="NAME", help="benchmarks to run (default all)")
    names = parser.parse_args(args).names or list(BENCHMARKS)
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s) {unknown}; known: {sorted(BENCHMARKS)}")
    worst = 0
    for name in names:
        module = importlib.import_module(BENCHMARKS[name][0])
        print(f"== benchmark {name} ==", flush=True)
        worst = max(worst, int(module.main(extra)))
    return worst


if __name__ == "__main__":
    sys.exit(main())
