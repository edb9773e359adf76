"""``python -m humansec basemap add|list|retire|restore``: the Basemaps page on the command line."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from humansec.basemaps.catalogue import BasemapCatalogue
from humansec.errors import IngestError
from humansec.settings import load_settings


def register(commands: Any) -> None:  # noqa: ANN401 - argparse's private subparsers type
    """Add the ``basemap`` command to the ``commands`` of the main parser."""
    basemap = commands.add_parser(
        "basemap",
        help="add, list, retire or restore offline basemap packages (MBTiles, PMTiles)",
        description="Basemap packages kept in HUMANSEC_DATA_DIR and served by the app itself.",
    )
    actions = basemap.add_subparsers(dest="basemap_command", required=True)
    add = actions.add_parser(
        "add",
        help="check a package tile by tile, catalogue it with its marking and serve it",
        description="Refused packages leave the catalogue unchanged; the reason goes to stderr.",
    )
    add.add_argument("file", help="the .mbtiles or .pmtiles file")
    add.add_argument("--marking", help="classification (default: the settings' default)")
    add.add_argument("--title", default="", help="title (default: the package's name)")
    add.add_argument("--attribution", default="", help="attribution (default: the package's)")
    add.set_defaults(run=_add)
    listing = actions.add_parser("list", help="print the basemap catalogue as JSON")
    listing.add_argument("--all", action="store_true", help="include retired basemaps")
    listing.set_defaults(run=_list)
    for name in ("retire", "restore"):
        action = actions.add_parser(name, help=f"{name} a basemap by its id")
        action.add_argument("basemap_id")
        action.set_defaults(run=_retire if name == "retire" else _restore)


def _catalogue() -> BasemapCatalogue:
    settings = load_settings()
    return BasemapCatalogue(settings.data_dir, audit_to=settings.audit_location)


def _who() -> str:
    return f"cli:{getpass.getuser()}"


def _add(args: argparse.Namespace) -> int:
    settings = load_settings()
    path = Path(args.file)
    if not path.is_file():
        msg = f"{path} is not a file. Give the path of the .mbtiles or .pmtiles file."
        raise IngestError(msg)
    record = BasemapCatalogue(settings.data_dir, audit_to=settings.audit_location).add(
        path,
        original_name=path.name,
        title=args.title,
        marking=args.marking or settings.default_classification,
        markings=settings.classification_order,
        who=_who(),
        attribution=args.attribution,
    )
    sys.stdout.write(json.dumps(asdict(record), ensure_ascii=False) + "\n")
    return 0


def _list(args: argparse.Namespace) -> int:
    records = _catalogue().records(include_retired=args.all)
    sys.stdout.write(json.dumps([asdict(r) for r in records], ensure_ascii=False, indent=2) + "\n")
    return 0


def _retire(args: argparse.Namespace) -> int:
    _catalogue().set_retired(args.basemap_id, retired=True, who=_who())
    return 0


def _restore(args: argparse.Namespace) -> int:
    record = _catalogue().set_retired(args.basemap_id, retired=False, who=_who())
    _catalogue().ensure_served(record)
    return 0
