"""Command line: ``python -m humansec layers`` prints the catalogue as JSON."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from humansec.bootstrap import ensure_demo
from humansec.errors import HumansecError
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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = argparse.ArgumentParser(prog="python -m humansec", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    layers = commands.add_parser("layers", help="print the layer catalogue as JSON")
    layers.add_argument("--all", action="store_true", help="include retired layers")
    layers.add_argument("--demo", action="store_true", help="load the demo into an empty store")
    layers.set_defaults(run=_layers)
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except HumansecError as error:
        print(f"humansec: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
