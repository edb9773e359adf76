"""``python -m humansec exposure``: people in each planned activity's hazard area (issue 13)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from humansec.errors import SchemaError, choices
from humansec.tables import to_csv_bytes

EXPOSURE_SUFFIXES = (".csv",)


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``exposure`` to the command line."""
    sub = commands.add_parser(
        "exposure",
        help="people inside each planned activity's hazard area, per population source",
        description="For each planned activity, the people inside its hazard area (the "
        "geodesic buffer of the conflict check) from every population source of the store at "
        "HUMANSEC_DATA_DIR (population points and polygons, reference areas, population "
        "rasters): one row per activity and source, as CSV.",
    )
    sub.add_argument("--activities", required=True, help="planned activities (any vector file)")
    sub.add_argument("--activities-layer", help="layer of a multi-layer activities file")
    sub.add_argument("--rules", help="rules file (default: the active rules)")
    sub.add_argument("--out", required=True, help="OUT.csv")
    sub.set_defaults(run=_exposure)


def _exposure(args: argparse.Namespace) -> int:
    # Imported here: the other commands do not need the exposure machinery.
    from humansec.bootstrap import ensure_demo  # noqa: PLC0415
    from humansec.conflicts import load_rules  # noqa: PLC0415
    from humansec.conflicts.inputs import read_vector  # noqa: PLC0415
    from humansec.conflicts.rule_versions import active_rules_path  # noqa: PLC0415
    from humansec.population.exposure import exposure  # noqa: PLC0415
    from humansec.population.sources import population_sources  # noqa: PLC0415
    from humansec.settings import load_settings  # noqa: PLC0415
    from humansec.store import open_store  # noqa: PLC0415

    out = Path(args.out)
    if out.suffix.lower() not in EXPOSURE_SUFFIXES:
        msg = f"--out {out.name}: the output must end in {choices(EXPOSURE_SUFFIXES)}."
        raise SchemaError(msg)
    activities_path = Path(args.activities)
    if not activities_path.is_file():
        msg = f"--activities {activities_path}: no such file; give the planned activities file."
        raise SchemaError(msg)
    settings = load_settings()
    rules = load_rules(Path(args.rules) if args.rules else active_rules_path(settings))
    activities = read_vector(activities_path, layer=args.activities_layer)
    store = open_store(settings)
    ensure_demo(store)
    sources = population_sources(store, settings.data_dir)
    table = exposure(activities, rules, sources)
    out.write_bytes(to_csv_bytes(table))
    said = {
        "out": str(out),
        "activities": len(activities),
        "sources": [s.layer for s in sources],
        "rows": len(table),
    }
    sys.stdout.write(json.dumps(said, ensure_ascii=False) + "\n")
    return 0
