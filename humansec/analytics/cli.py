"""``python -m humansec incidents summary|hotspots|change``: analyses of the store's incidents."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from humansec.analytics.areas import area_change
from humansec.analytics.change import change
from humansec.analytics.hotspots import MAX_PERMUTATIONS, hotspots, permutation_limit
from humansec.analytics.select import select
from humansec.analytics.trend import trend
from humansec.errors import SchemaError, choices
from humansec.model import FOCUS_CHOICES, LayerKind
from humansec.tables import to_csv_bytes

if TYPE_CHECKING:
    from humansec.store import LayerStore

PERIODS = {"day": "D", "week": "W", "month": "M"}
GROUPS = ("focus_area", "event_type")
SUMMARY_SUFFIXES = (".csv",)
HOTSPOT_SUFFIXES = (".csv", ".geojson")


def _date(text: str) -> pd.Timestamp:
    try:
        return pd.Timestamp(text)
    except ValueError:
        msg = f"{text!r} is not a date; write it as YYYY-MM-DD (UTC), e.g. 2026-08-01."
        raise argparse.ArgumentTypeError(msg) from None


def _focus(text: str) -> list[str]:
    areas = [part.strip() for part in text.split(",") if part.strip()]
    valid = list(FOCUS_CHOICES)
    unknown = [area for area in areas if area not in valid]
    if unknown or not areas:
        msg = f"--focus {text!r}: name focus areas from {choices(valid)}, comma-separated."
        raise argparse.ArgumentTypeError(msg)
    return areas


def parse_by(text: str) -> tuple[str, str | None]:
    """``month,focus_area`` as (period freq, group or None); bad parts name the choices."""
    parts = [part.strip() for part in text.split(",") if part.strip()]
    periods = [part for part in parts if part in PERIODS]
    groups = [part for part in parts if part in GROUPS]
    unknown = [part for part in parts if part not in PERIODS and part not in GROUPS]
    if unknown or len(periods) != 1 or len(groups) > 1:
        msg = (
            f"--by {text!r}: give one period from {choices(PERIODS)} and optionally one "
            f"group from {choices(GROUPS)}, comma-separated, e.g. month,focus_area."
        )
        raise SchemaError(msg)
    return PERIODS[periods[0]], (groups[0] if groups else None)


def add_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    bbox: Callable[[str], tuple[float, float, float, float]],
) -> None:
    """Add ``incidents summary`` and ``incidents hotspots`` to the command line; ``bbox``
    parses ``--bbox`` (the same as the other commands')."""
    incidents = commands.add_parser(
        "incidents",
        help="analyse the store's incidents: counts per period and group, Gi* hot spots",
        description="Analyses over the incident layers of the store at HUMANSEC_DATA_DIR.",
    )
    actions = incidents.add_subparsers(dest="action", required=True)
    for name, helptext in (
        ("summary", "events and fatalities per period and group, as CSV"),
        ("hotspots", "Getis-Ord Gi* hot and cold spots on H3 cells, as CSV or GeoJSON"),
        ("change", "the last N days against the baseline before them, per H3 cell or per "
         "area of a reference-area layer (one-sided Poisson test), as CSV or GeoJSON"),
    ):  # fmt: skip
        sub = actions.add_parser(name, help=helptext, description=helptext)
        sub.add_argument("--since", type=_date, help="first date (UTC), YYYY-MM-DD")
        sub.add_argument("--until", type=_date, help="last date (UTC, whole day), YYYY-MM-DD")
        sub.add_argument("--bbox", type=bbox, help="W,S,E,N in degrees")
        sub.add_argument(
            "--focus", type=_focus, help=f"focus areas, comma-separated: {','.join(FOCUS_CHOICES)}"
        )
        if name == "summary":
            sub.add_argument(
                "--by",
                default="month,focus_area",
                help="one period (day, week, month) and optionally one group "
                "(focus_area, event_type); default month,focus_area",
            )
            sub.add_argument("--out", required=True, help="OUT.csv")
            sub.set_defaults(run=run_summary)
        elif name == "change":
            sub.add_argument("--recent-days", type=int, default=14, help="N (default 14)")
            sub.add_argument("--baseline-days", type=int, default=60, help="default 60")
            sub.add_argument(
                "--resolution", type=int, default=6, help="H3 resolution 0..15 (default 6)"
            )
            sub.add_argument(
                "--areas", help="id of a reference-area layer: per area instead of per H3 cell"
            )
            sub.add_argument("--out", required=True, help="OUT.csv or OUT.geojson")
            sub.set_defaults(run=run_change)
        else:
            sub.add_argument(
                "--resolution", type=int, default=6, help="H3 resolution 0..15 (default 6)"
            )
            sub.add_argument(
                "--permutations",
                type=int,
                default=0,
                help="0: analytic (normal) inference (default); e.g. 999: permutation inference",
            )
            sub.add_argument("--seed", type=int, default=0, help="seed of the permutations")
            sub.add_argument("--out", required=True, help="OUT.csv or OUT.geojson")
            sub.set_defaults(run=run_hotspots)


def _say(result: dict[str, object]) -> None:
    """The one JSON line a command prints on success."""
    sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")


def _check_out(out: Path, suffixes: tuple[str, ...]) -> None:
    if out.suffix.lower() not in suffixes:
        msg = f"--out {out.name}: the output must end in {choices(suffixes)}."
        raise SchemaError(msg)


def _store() -> LayerStore:
    from humansec.bootstrap import ensure_demo  # noqa: PLC0415
    from humansec.settings import load_settings  # noqa: PLC0415
    from humansec.store import open_store  # noqa: PLC0415

    store = open_store(load_settings())
    ensure_demo(store)
    return store


def _incidents(args: argparse.Namespace, store: LayerStore | None = None) -> pd.DataFrame:
    store = _store() if store is None else store
    until = args.until
    if until is not None and until == until.normalize():  # a day: up to its end
        until = until + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)
    selected: pd.DataFrame = select(
        store.read_kind(LayerKind.INCIDENT),
        since=args.since,
        until=until,
        bbox=args.bbox,
        focus=args.focus,
    )
    return selected


def run_summary(args: argparse.Namespace) -> int:
    """Write events and fatalities per period (and group) as CSV."""
    out = Path(args.out)
    _check_out(out, SUMMARY_SUFFIXES)
    freq, group = parse_by(args.by)
    incidents = _incidents(args)
    table = trend(incidents, freq=freq, by=group or "focus_area")
    if group is None:
        table = table.groupby("period", as_index=False)[["events", "fatalities"]].sum()
    else:
        table = table.rename(columns={"group": group})
    table["period"] = pd.to_datetime(table["period"]).dt.strftime("%Y-%m-%d")
    out.write_bytes(to_csv_bytes(table))
    _say({"out": str(out), "incidents": len(incidents), "rows": len(table)})
    return 0


def run_hotspots(args: argparse.Namespace) -> int:
    """Write the Gi* cells as CSV (with centres) or GeoJSON (hexagons)."""
    out = Path(args.out)
    _check_out(out, HOTSPOT_SUFFIXES)
    if not 0 <= args.permutations <= MAX_PERMUTATIONS:
        msg = f"--permutations {args.permutations}: give 0 (analytic) or up to 99999, e.g. 999."
        raise SchemaError(msg)
    incidents = _incidents(args)
    cells = hotspots(incidents, args.resolution, args.permutations, args.seed)
    _write_cells(out, cells)
    counts = cells["class"].value_counts().to_dict()
    report: dict[str, object] = {
        "out": str(out),
        "incidents": len(incidents),
        "cells": len(cells),
        "classes": {str(k): int(v) for k, v in counts.items()},
    }
    limit = permutation_limit(args.permutations, len(cells))
    if limit is not None:
        report["note"] = limit
    _say(report)
    return 0


def _write_cells(out: Path, frame: gpd.GeoDataFrame) -> None:
    if out.suffix.lower() == ".csv":
        out.write_bytes(to_csv_bytes(pd.DataFrame(frame.drop(columns="geometry"))))
    else:
        out.write_text(frame.to_json(na="null", drop_id=True), encoding="utf-8")


def run_change(args: argparse.Namespace) -> int:
    """Write the change per H3 cell or per area (most significant increase first)."""
    out = Path(args.out)
    _check_out(out, HOTSPOT_SUFFIXES)
    store = _store()
    areas = None
    if args.areas is not None:
        layers = [r.layer_id for r in store.catalogue() if r.kind is LayerKind.AREA]
        if args.areas not in layers:
            msg = (
                f"--areas {args.areas!r} is not a reference-area layer of the store; "
                f"choose one of {choices(layers) if layers else '(none: add an area layer)'}."
            )
            raise SchemaError(msg)
        areas = store.read_layer(args.areas)
    incidents = _incidents(args, store)
    if areas is None:
        table = change(incidents, args.recent_days, args.baseline_days, resolution=args.resolution)
    else:
        table = area_change(incidents, areas, args.recent_days, args.baseline_days)
    _write_cells(out, table)
    emerging = int((table["p_fdr"] <= 0.05).sum()) if len(table) else 0
    _say({"out": str(out), "incidents": len(incidents), "rows": len(table),
          "emerging_fdr_5pct": emerging})  # fmt: skip
    return 0
