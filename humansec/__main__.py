"""Command line.

``python -m humansec layers`` prints the catalogue as JSON; ``python -m humansec check``
runs the conflict check of planned activities against protected features.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import pandas as pd

from humansec.bootstrap import ensure_demo
from humansec.conflicts import find_conflicts, load_rules, summarise
from humansec.conflicts.inputs import (
    OUTPUT_SUFFIXES,
    protected_features,
    read_vector,
    write_conflicts,
)
from humansec.errors import HumansecError, SchemaError, choices
from humansec.model import PROTECTED_KINDS, WGS84, LayerKind
from humansec.settings import load_settings
from humansec.store import open_store


def _layers(args: argparse.Namespace) -> int:
    store = open_store(load_settings())
    if args.demo:
        ensure_demo(store)
    rows = [
        {
            "layer": record.layer_id,
            "version": record.version,
            "kind": str(record.kind),
            "title": record.title,
            "features": record.feature_count,
            "classification": record.classification,
            "exercise": record.exercise,
            "retired": record.retired,
            "created_at": record.created_at.isoformat(),
            "source": record.source,
            "licence": record.licence,
        }
        for record in store.catalogue(include_retired=args.all)
    ]
    print(json.dumps(rows, ensure_ascii=False, indent=2))
    return 0


def _check(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.suffix.lower() not in OUTPUT_SUFFIXES:
        msg = f"--out {out.name}: the output must end in {choices(OUTPUT_SUFFIXES)}."
        raise SchemaError(msg)
    rules = load_rules(Path(args.rules) if args.rules else load_settings().rules_path)
    activities = read_vector(Path(args.activities), layer=args.activities_layer)
    if args.features:
        features = gpd.GeoDataFrame(
            pd.concat([read_vector(Path(p)) for p in args.features], ignore_index=True),
            crs=WGS84,
        )
    else:
        store = open_store(load_settings())
        ensure_demo(store)
        features = protected_features({kind: store.read_kind(kind) for kind in PROTECTED_KINDS})
        if features.empty:
            msg = "The store holds no protected layers; add some, or name files with --features."
            raise SchemaError(msg)
    conflicts = find_conflicts(activities, features, rules)
    write_conflicts(conflicts, features, out)
    population = features[features["kind"] == str(LayerKind.POPULATION)]
    if population.empty or "population" not in population:
        population = None  # no population figures: the estimate stays empty
    summary = summarise(activities, conflicts, population, rules=rules)
    print(
        json.dumps(
            {
                "out": str(out),
                "activities": len(activities),
                "features": len(features),
                "conflicts": len(conflicts),
                "status": summary["status"].value_counts().to_dict(),
            }
        )
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = argparse.ArgumentParser(prog="python -m humansec", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    layers = commands.add_parser("layers", help="print the layer catalogue as JSON")
    layers.add_argument("--all", action="store_true", help="include retired layers")
    layers.add_argument("--demo", action="store_true", help="load the demo into an empty store")
    layers.set_defaults(run=_layers)
    check = commands.add_parser(
        "check",
        help="flag planned activities too close to protected features",
        description="Write every (activity, feature) pair that breaks a stand-off rule.",
    )
    check.add_argument("--activities", required=True, help="vector file of planned activities")
    check.add_argument("--activities-layer", help="layer of a multi-layer activities file")
    check.add_argument(
        "--features",
        action="append",
        help="vector file of protected features (repeatable); default: the store's layers",
    )
    check.add_argument(
        "--rules", help="stand-off rules (TOML); default: HUMANSEC_RULES or geodata/rules.toml"
    )
    check.add_argument("--out", required=True, help="OUT.csv or OUT.geojson")
    check.set_defaults(run=_check)
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except HumansecError as error:
        print(f"humansec: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
