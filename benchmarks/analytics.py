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
* ``table_s``: the ``CellTable`` of those cells and their ring (neighbours, centres,
  hexagons), once per data version;
* ``hotspots_s``: analytic Gi* (``permutations=0``) of the filtered incidents with the cells
  and the table given (as the page does per filter state), ``hotspots_no_table_s`` without
  the table, and ``hotspots_total_s`` including the cells and the table.

* ``rerun_*_s``: a filter change through the page's functions (``ui.analytics``, caches
  empty for each of five new focus states, the data version's arrays made before): each
  chart (select, trend (two figures), victims, actors, as plotly JSON), the Gi* cells
  (``hotspots``), their map layer (``layer``) and the change table; medians. ``prepare_s``:
  the once-per-data-version arrays and H3 table;
* ``layer_s``: the hot-spot map layer of those cells (``humansec.mapview.hotspots``: the
  hexagons of the significant cells as the map's JSON), after Gi*.

With ``--page`` each size is also written to a GeoPackage store (``GeoPackageStore``, one
incident layer, in a temporary folder) and the real Incidents page runs on it in Streamlit's
``AppTest`` (the server side of a rerun, no browser):

* ``store_write_s``: adding the layer to the store (once; not a rerun);
* ``app_first_s``: the app's first run (the default page, the situation map: it reads the
  store's layers, cached for the other pages);
* ``page_first_s``: the Incidents page's first run after it (the data version's arrays, H3
  cells and table, every chart, Gi*, the map);
* ``page_direct_s``: the Incidents page opened first, nothing cached (reads the store too);
* ``page_filter_s``: median of the reruns after a focus-area filter change to a state never
  seen (every chart, the hot-spot layer and the change table recomputed), ``page_filter_max_s``
  their maximum;
* ``page_same_s``: median of reruns back to states already seen (the caches answer).

Results print as a table and go to ``benchmarks/results/analytics.json``.
``python -m benchmarks.run analytics [-- --sizes 10000 100000 1000000 --repeats 3 --page]``
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
    table_s, table = _timed(
        lambda: analytics.CellTable.around(cells.dropna().unique()),  # type: ignore[union-attr]
        1,
    )
    plain_s, _ = _timed(
        lambda: analytics.hotspots(frame.iloc[rows], 6, cells=cells.iloc[rows]),  # type: ignore[union-attr]
        repeats,
    )
    hot_s, hot = _timed(
        lambda: analytics.hotspots(
            frame.iloc[rows],
            6,
            cells=cells.iloc[rows],
            table=table,  # type: ignore[union-attr,arg-type]
        ),
        repeats,
    )
    from humansec.mapview.elements import KindLayer  # noqa: PLC0415
    from humansec.mapview.hotspots import hotspot_group  # noqa: PLC0415

    def layer() -> int:
        group = hotspot_group(hot)  # type: ignore[arg-type]
        return sum(len(child.data_json) for child in group._children.values()
                   if isinstance(child, KindLayer))  # fmt: skip

    layer_s, layer_bytes = _timed(layer, repeats)
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
    reruns = _reruns(page, versions, times)
    return {
        "incidents": n,
        "selected": len(rows),
        "charts_first_s": round(charts_s, 4),
        "charts_cached_s": round(cached_s, 5),
        "cells_s": round(cells_s, 3),
        "table_s": round(table_s, 3),
        "hotspots_no_table_s": round(plain_s, 3),
        "hotspots_s": round(hot_s, 3),
        "hotspots_total_s": round(hot_s + cells_s + table_s, 3),
        "layer_s": round(layer_s, 4),
        "layer_bytes": layer_bytes,
        "cells": len(hot),  # type: ignore[arg-type]
        **reruns,
    }


RERUN_PARTS = ("select", "trend", "victims", "actors", "hotspots", "layer", "change")


def _reruns(page: object, versions: object, times: object) -> dict[str, float]:
    """The server work of a filter change through the page's functions (``ui.analytics``,
    caches empty for each new focus state; the data version's arrays and H3 table made
    before, as after the page's first view): each chart as plotly JSON, the Gi* layer and
    its map JSON, the change table. Medians over the ``FOCUS_STATES``; ``prepare_s`` is the
    once-per-data-version part (arrays, H3 cells and table at resolution 6)."""
    from humansec.mapview.elements import KindLayer  # noqa: PLC0415
    from humansec.mapview.hotspots import hotspot_group  # noqa: PLC0415

    p = page
    start = time.perf_counter()
    prepared = p._prepared(versions)  # type: ignore[attr-defined]
    for name in ("stamps", "focus", "killed", "actors", "event_types"):
        getattr(prepared, name)
    p._placed(versions, 6)  # type: ignore[attr-defined]
    prepare_s = time.perf_counter() - start
    hot: list[object] = []

    def layer() -> None:
        group = hotspot_group(hot[-1])  # type: ignore[arg-type]
        sum(len(c.data_json) for c in group._children.values() if isinstance(c, KindLayer))

    timings: dict[str, list[float]] = {part: [] for part in RERUN_PARTS}
    for focus in FOCUS_STATES:
        key = (versions, times, focus, None)
        steps = {
            "select": lambda k=key: p.count(*k),  # type: ignore[attr-defined]
            "trend": lambda k=key: [
                p.trend_figure(
                    *k,
                    freq="W",
                    by="focus_area",
                    cell=None,
                    value=v,  # type: ignore[attr-defined]
                    title=v,
                ).to_json()
                for v in ("events", "fatalities")
            ],
            "victims": lambda k=key: p.victims_figure(*k).to_json(),  # type: ignore[attr-defined]
            "actors": lambda k=key: p.actors_figure(*k).to_json(),  # type: ignore[attr-defined]
            "hotspots": lambda k=key: hot.append(
                p.hotspots(*k, resolution=6, permutations=0)  # type: ignore[attr-defined]
            ),
            "layer": layer,
            "change": lambda k=key: p.change(  # type: ignore[attr-defined]
                *k, resolution=6, recent_days=14, baseline_days=60
            ),
        }
        for part, step in steps.items():
            begin = time.perf_counter()
            step()
            timings[part].append(time.perf_counter() - begin)
    out = {f"rerun_{part}_s": round(float(np.median(t)), 4) for part, t in timings.items()}
    charts_parts = ("select", "trend", "victims", "actors")
    out["rerun_charts_s"] = round(sum(out[f"rerun_{part}_s"] for part in charts_parts), 4)
    out["rerun_hot_layer_s"] = round(out["rerun_hotspots_s"] + out["rerun_layer_s"], 4)
    out["prepare_s"] = round(prepare_s, 3)
    return out


FOCUS_STATES: tuple[tuple[str, ...], ...] = (
    ("poc", "crsv", "caac"),
    ("poc",),
    ("crsv", "thb", "caac", "cpp"),
    ("poc", "humanitarian_access"),
    ("thb", "cpp", "humanitarian_access"),
)


def run_page(n: int, repeats: int) -> dict[str, object]:
    """The Incidents page on a GeoPackage store of ``n`` incidents (AppTest, server side)."""
    import os  # noqa: PLC0415
    import tempfile  # noqa: PLC0415

    import streamlit as st  # noqa: PLC0415
    from streamlit.testing.v1 import AppTest  # noqa: PLC0415

    from humansec.model import LayerKind, conform  # noqa: PLC0415
    from humansec.store import GeoPackageStore, NewLayer  # noqa: PLC0415
    from ui import state  # noqa: PLC0415

    project = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory(prefix="humansec-bench-") as folder:
        frame = conform(synthetic_incidents(n), LayerKind.INCIDENT)
        store = GeoPackageStore(Path(folder) / "humansec.gpkg")
        start = time.perf_counter()
        store.add_version(frame, NewLayer(LayerKind.INCIDENT, "Synthetic ACLED-like", "bench",
                                          "-", "NATO UNCLASSIFIED"))  # fmt: skip
        write_s = time.perf_counter() - start
        del frame
        st.cache_data.clear()
        st.cache_resource.clear()
        os.environ["HUMANSEC_DATA_DIR"] = folder
        cwd = Path.cwd()
        os.chdir(project)
        try:
            at = AppTest.from_file(str(project / "app.py"), default_timeout=900)
            start = time.perf_counter()
            at.run()
            app_first_s = time.perf_counter() - start
            start = time.perf_counter()
            at.switch_page("pages/incidents.py").run()
            first_s = time.perf_counter() - start
            if at.exception:
                raise RuntimeError(str(at.exception))
            new_s, same_s = [], []
            for round_ in range(repeats):
                for focus in FOCUS_STATES:
                    widget = at.multiselect(key=state.FILTER_FOCUS).set_value(list(focus))
                    start = time.perf_counter()
                    widget.run()
                    (new_s if round_ == 0 else same_s).append(time.perf_counter() - start)
                    if at.exception:
                        raise RuntimeError(str(at.exception))
            # A new data version opened straight on the Incidents page (nothing cached).
            st.cache_data.clear()
            st.cache_resource.clear()
            direct = AppTest.from_file(str(project / "app.py"), default_timeout=900)
            direct.switch_page("pages/incidents.py")
            start = time.perf_counter()
            direct.run()
            direct_s = time.perf_counter() - start
            if direct.exception:
                raise RuntimeError(str(direct.exception))
        finally:
            os.chdir(cwd)
    return {
        "incidents": n,
        "store_write_s": round(write_s, 2),
        "app_first_s": round(app_first_s, 2),
        "page_first_s": round(first_s, 2),
        "page_direct_s": round(direct_s, 2),
        "page_filter_s": round(float(np.median(new_s)), 3),
        "page_filter_max_s": round(max(new_s), 3),
        "page_same_s": round(float(np.median(same_s)), 3) if same_s else None,
    }


def main(argv: list[str]) -> int:
    """Run every size; print a table and write the JSON results."""
    parser = argparse.ArgumentParser(prog="benchmarks.analytics")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--page", action="store_true", help="also the page on a store")
    args = parser.parse_args(argv)
    import esda.getisord  # noqa: F401, PLC0415 -- imported once before timing (scipy, sklearn)

    analytics.hotspots(synthetic_incidents(50), 6)  # warm-up
    rows = []
    for n in args.sizes:
        row = run_size(n, args.repeats)
        if args.page:
            row.update(run_page(n, max(2, args.repeats)))
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
