"""Run the project's benchmarks: ``python -m benchmarks.run [NAME ...] [-- ARGS]``.

With no name every benchmark runs in turn. Arguments after ``--`` go to each benchmark's
``main`` (e.g. ``python -m benchmarks.run map -- --repeats 3``).

A benchmark is any module ``benchmarks/<name>.py`` with ``main(argv: list[str]) -> int``: it is
found by its file name, nothing to register. ``ALIASES`` gives short names to some.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from pathlib import Path

ALIASES: dict[str, str] = {"map": "map_load"}
NOT_BENCHMARKS = {"run", "data", "postgis"}  # the runner and shared helpers


def available() -> list[str]:
    """Module names of the benchmarks in this folder (sorted)."""
    folder = str(Path(__file__).resolve().parent)
    return sorted(
        info.name
        for info in pkgutil.iter_modules([folder])
        if not info.ispkg and info.name not in NOT_BENCHMARKS and not info.name.startswith("_")
    )


def main(argv: list[str] | None = None) -> int:
    """Run the named benchmarks (all when none is named); return the worst exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    extra: list[str] = []
    if "--" in args:
        cut = args.index("--")
        args, extra = args[:cut], args[cut + 1 :]
    known = available()
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run",
        description=f"Run humansec benchmarks. Known: {', '.join(known)} (aliases {ALIASES}).",
    )
    parser.add_argument("names", nargs="*", metavar="NAME", help="benchmarks to run (default all)")
    names = [ALIASES.get(name, name) for name in parser.parse_args(args).names] or known
    unknown = [name for name in names if name not in known]
    if unknown:
        parser.error(f"unknown benchmark(s) {unknown}; known: {known}, aliases {ALIASES}")
    worst = 0
    for name in names:
        module = importlib.import_module(f"benchmarks.{name}")
        if not hasattr(module, "main"):
            continue
        print(f"== benchmark {name} ==", flush=True)
        worst = max(worst, int(module.main(extra)))
    return worst


if __name__ == "__main__":
    sys.exit(main())
