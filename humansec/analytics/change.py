"""Where incidents are emerging: the last N days per H3 cell against the baseline before them.

Per cell, with ``r`` events in the recent window (``recent_days``) and ``b`` in the baseline
(``baseline_days`` just before it), the one-sided test asks whether the recent rate is higher
than the baseline rate. For two Poisson counts the exact test conditions on ``n = r + b``:
under "same rate", ``r ~ Binomial(n, recent_days / (recent_days + baseline_days))``, and
``p_value = P(R >= r)``. Unlike a test against the baseline's rate taken as known, this does
not call a cell with one recent event and none before a certainty. ``p_fdr`` adjusts for the
many cells (Benjamini-Hochberg); cells are listed by significance, not raw count.
"""

from __future__ import annotations

import geopandas as gpd
import h3
import numpy as np
import pandas as pd

from humansec.analytics._common import (
    CellTable,
    bh_fdr,
    cell_frame,
    cells_of,
    check_resolution,
    rows_frame,
    utc_naive,
)
from humansec.analytics.prepared import stamp_of
from humansec.errors import SchemaError

CHANGE_COLUMNS = ("h3", "recent", "baseline", "expected", "ratio", "p_value", "p_fdr")


def _positive_days(option: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        msg = f"{option}={value!r}: give a whole number of days, 1 or more (e.g. 30)."
        raise SchemaError(msg)
    return int(value)


def change(
    incidents: gpd.GeoDataFrame,
    recent_days: int,
    baseline_days: int,
    *,
    resolution: int = 6,
    end: pd.Timestamp | None = None,
    cells: pd.Series | None = None,
    table: CellTable | None = None,
) -> gpd.GeoDataFrame:
    """Recent against baseline counts per H3 cell, most significant increase first.

    The recent window is the ``recent_days`` up to ``end`` (default: the latest incident's
    time), the baseline the ``baseline_days`` before it. ``expected`` is the baseline count
    scaled to the recent window's length; ``ratio`` is ``recent / expected`` (inf where the
    baseline is 0). Cells with no event in either window are not listed. ``cells`` and
    ``table``: the incidents' H3 cells and a ``CellTable`` of them, when the caller has them.
    """
    recent_days = _positive_days("recent_days", recent_days)
    baseline_days = _positive_days("baseline_days", baseline_days)
    resolution = check_resolution(resolution)
    if "date" not in incidents.columns:
        msg = "The incidents lack a 'date' column; give incidents in the humansec schema."
        raise SchemaError(msg)
    if cells is None:
        cells = cells_of(incidents, resolution)
    dates = utc_naive(incidents["date"])
    keep = (dates.notna() & cells.notna()).to_numpy()
    codes, distinct = pd.factorize(cells[keep].astype(str))
    ints = np.array([h3.str_to_int(str(c)) for c in distinct], dtype=np.uint64)
    if table is None or (table.find(ints) < 0).any():
        table = CellTable(ints)
    rows = table.find(ints)[codes]
    values = dates.to_numpy()[keep]
    unit = str(np.datetime_data(values.dtype)[0]) if len(values) else "ns"
    return change_of_rows(
        values.astype(np.int64), rows, table, recent_days, baseline_days, unit=unit, end=end
    )


def window_counts(
    stamps: np.ndarray,
    units: np.ndarray,
    n_units: int,
    recent_days: int,
    baseline_days: int,
    *,
    unit: str,
    end: pd.Timestamp | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(recent, baseline) event counts of each of ``n_units`` places, given every event's
    time (``stamps``: int64 in ``unit``, UTC wall time, no NaT) and place (``units``: 0..n-1).
    The windows end at ``end`` (default: the latest event)."""
    if not len(stamps):
        return np.zeros(n_units, dtype=np.int64), np.zeros(n_units, dtype=np.int64)
    if end is not None:
        stop = stamp_of(pd.Timestamp(utc_naive(pd.Series([end])).iloc[0]), unit)
    else:
        stop = int(stamps.max())
    day = int(np.timedelta64(1, "D").astype(f"timedelta64[{unit}]").astype(np.int64))
    split = stop - recent_days * day
    start = split - baseline_days * day
    recent = (stamps > split) & (stamps <= stop)
    baseline = (stamps > start) & (stamps <= split)
    return (
        np.bincount(units[recent], minlength=n_units).astype(np.int64),
        np.bincount(units[baseline], minlength=n_units).astype(np.int64),
    )


def change_stats(
    recent: np.ndarray, baseline: np.ndarray, recent_days: int, baseline_days: int
) -> pd.DataFrame:
    """The one-sided Poisson test of every place with an event in either window: columns
    ``unit`` (its position), ``recent``, ``baseline``, ``expected``, ``ratio``, ``p_value``,
    ``p_fdr``; most significant first (then most recent events, then by position)."""
    units = np.flatnonzero((recent + baseline) > 0)
    r, b = recent[units], baseline[units]
    from scipy.stats import binom  # noqa: PLC0415 -- heavy import, only needed here

    share = recent_days / (recent_days + baseline_days)
    expected = b * (recent_days / baseline_days)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(expected > 0, r / np.where(expected > 0, expected, 1.0), np.inf)
    p_value = np.where(r > 0, binom.sf(r - 1, r + b, share), 1.0) if len(units) else r * 1.0
    order = np.lexsort((units, -r, p_value))
    out = pd.DataFrame(
        {
            "unit": units,
            "recent": r.astype("int64"),
            "baseline": b.astype("int64"),
            "expected": expected.astype(float),
            "ratio": ratio.astype(float),
            "p_value": np.asarray(p_value, dtype=float),
            "p_fdr": bh_fdr(np.asarray(p_value, dtype=float)),
        }
    )
    return out.iloc[order].reset_index(drop=True)


def change_of_rows(
    stamps: np.ndarray,
    rows: np.ndarray,
    table: CellTable,
    recent_days: int,
    baseline_days: int,
    *,
    unit: str,
    end: pd.Timestamp | None = None,
) -> gpd.GeoDataFrame:
    """``change`` given each dated, placed incident's time (int64 in ``unit``) and H3 cell
    as a row of ``table``: what the page does per filter state (cells found once)."""
    recent_days = _positive_days("recent_days", recent_days)
    baseline_days = _positive_days("baseline_days", baseline_days)
    recent, baseline = window_counts(
        stamps, rows, len(table.ints), recent_days, baseline_days, unit=unit, end=end
    )
    stats = change_stats(recent, baseline, recent_days, baseline_days)
    if stats.empty:
        empty = pd.DataFrame({name: pd.Series([], dtype=float) for name in CHANGE_COLUMNS})
        empty["h3"] = empty["h3"].astype(object)
        return cell_frame(empty)
    cell_rows = stats["unit"].to_numpy()
    stats.insert(0, "h3", table.names[cell_rows])
    return rows_frame(stats[list(CHANGE_COLUMNS)], table, cell_rows)
