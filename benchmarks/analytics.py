"""Incidents analytics at 10k, 100k and 1M synthetic ACLED-like incidents, in one run.

For each size (a GeoDataFrame in memory, EPSG:4326, the incident schema; deterministic):

* ``charts_first_s``: one filter change never seen before (a new date range and focus areas):
  select the incidents, the trend table (weekly, by focus area), victims, actors, and the four
  plotly figures serialised to JSON as Streamlit sends them (the page's work, without the
  Streamlit runtime and its cache);
* ``charts_cached_s``: the same filter state again through the page's caches (``ui.analytics``
  functions, ``st.cache_data``/``st.cache_resource`` in memory): what a rerun with unchanged
  filters costs;
* ``cells_s``: the H3 cells (resolution 6) of every incident, computed once per data version;
* ``hotspots_s``: analytic Gi* (``permutations=0``) of the filtered incidents with the cells
  given (as the page does), and ``hotspots_total_s`` including the cell assignment.

Results print as a table and go to ``benchmarks/results/analytics.json``.
``python -m benchmarks.run analytics [-- --sizes 10000 100000 1000000 --repeats 3]``
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from humansec import analytics
from humansec.analytics import charts
from humansec.model import WGS84, FocusArea

RESULTS = Path(__file__).parent / "results" / "analytics.json"
SEED = 20261203
AREA = (22.0, 44.0, 40.0, 52.5)
TYPES = ("shelling", "air strike", "armed clash", "abduction", "sexual violence", "looting")


def synthetic_incidents(n: int, seed: int = SEED) -> gpd.GeoDataFrame:
    """``n`` incidents clustered around 1,500 places over one year, ACLED-like fields."""
    rng = np.random.default_rng(seed)
    west, south, east, north = AREA
    centres = np.column_stack([rng.uniform(west, east, 1500), rng.uniform(south, north, 1500)])
    weight = rng.pareto(1.1, len(centres)) + 1
    place = rng.choice(len(centres), n, p=weight / weight.sum())
    xy = centres[place] + rng.normal(0, 0.05, (n, 2))
    xy = np.round(xy, 4)  # sources give ~10 m: many events share a location
    dates = pd.Timestamp("2025-01-01", tz="UTC") + pd.to_timedelta(
        rng.integers(0, 365 * 24, n), unit="h"
    )
    has_victims = rng.random(n) < 0.6

    def victims(lam: float) -> pd.Series:
        values = pd.Series(rng.poisson(lam, n), dtype="Int64")
        return values.mask(~has_victims)

    frame = pd.DataFrame(
        {
            "id": pd.Series(np.arange(n).astype(str), dtype="string"),
            "date": dates,
            "focus_area": pd.Series(
                rng.choice([str(a) for a in FocusArea], n, p=[0.55, 0.1, 0.08, 0.12, 0.05, 0.1]),
                dtype="string",
            ),
            "type": pd.Series(rng.choice(TYPES, n), dtype="string"),
            "killed": pd.Series(rng.poisson(0.8, n), dtype="Int64"),
            "victims_female_adult": victims(0.4),
            "victims_female_child": victims(0.2),
            "victims_male_adult": victims(0.6),
            "victims_male_child": victims(0.2),
            "victims_unknown": pd.Series(rng.poisson(0.3, n), dtype="Int64"),
            "perpetrator": pd.Series(
                rng.choice([f"armed group {i}" for i in range(40)], n), dtype="string"
            ),
        }
    )
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=WGS84)


def _charts_once(frame: gpd.GeoDataFrame, since: pd.Timestamp, focus: list[str]) -> int:
    chosen = analytics.select(frame, since=since, focus=focus)
    table = analytics.trend(chosen, freq="W", by="focus_area")
    figures = [
        charts.trend_figure(table, "events"),
        charts.trend_figure(table, "fatalities"),
        charts.victims_figure(analytics.victims(chosen)),
        charts.actors_figure(analytics.actors(chosen, top=15)),
    ]
    return sum(len(fig.to_json()) for fig in figures)


def _timed(fn: object, repeats: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()  # type: ignore[operator]
        best = min(best, time.perf_counter() - start)
    return best, result


def run_size(n: int, repeats: int) -> dict[str, object]:
    """Measure one size; return its row."""
    import streamlit as st  # noqa: PLC0415 -- only for the cached (page) path

    from ui import analytics as page  # noqa: PLC0415

    frame = synthetic_incidents(n)
    focus = [str(FocusArea.POC), str(FocusArea.CRSV), str(FocusArea.CAAC)]
    since = pd.Timestamp("2025-03-01", tz="UTC")
    charts_s, _ = _timed(lambda: _charts_once(frame, since, focus), repeats)
    cells_s, cells = _timed(lambda: analytics.cells_of(frame, 6), 1)
    chosen_mask = analytics.select(frame.assign(_row=np.arange(n)), since=since, focus=focus)
    rows = chosen_mask["_row"].to_numpy()
    hot_s, hot = _timed(
        lambda: analytics.hotspots(frame.iloc[rows], 6, cells=cells.iloc[rows]),  # type: ignore[union-attr]
        repeats,
    )
    # The page's cached path: the same filter state a second time costs a cache lookup.
    st.cache_data.clear()
    st.cache_resource.clear()
    versions = (("bench", n),)
    page._incidents = lambda _v: frame  # type: ignore[assignment,misc]
    times = (since, None)

    def cached() -> None:
        page.trend(versions, times, tuple(focus), None, freq="W", by="focus_area")
        page.victims(versions, times, tuple(focus), None)
        page.actors(versions, times, tuple(focus), None)

    cached()
    cached_s, _ = _timed(cached, repeats)
    return {
        "incidents": n,
        "selected": len(rows),
        "charts_first_s": round(charts_s, 4),
        "charts_cached_s": round(cached_s, 5),
        "cells_s": round(cells_s, 3),
        "hotspots_s": round(hot_s, 3),
        "hotspots_total_s": round(hot_s + cells_s, 3),
        "cells": len(hot),  # type: ignore[arg-type]
    }


def main(argv: list[str]) -> int:
    """Run every size; print a table and write the JSON results."""
    parser = argparse.ArgumentParser(prog="benchmarks.analytics")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    import esda.getisord  # noqa: F401, PLC0415 -- imported once before timing (scipy, sklearn)

    analytics.hotspots(synthetic_incidents(50), 6)  # warm-up
    rows = []
    for n in args.sizes:
        row = run_size(n, args.repeats)
        rows.append(row)
        print(json.dumps(row), flush=True)
    table = pd.DataFrame(rows)
    print(table.to_string(index=False))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {"machine": platform.platform(), "repeats": args.repeats, "rows": rows}, indent=2
        )
    )
    print(f"results: {args.out}")
    return 0
