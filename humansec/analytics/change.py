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
import numpy as np
import pandas as pd

from humansec.analytics._common import (
    CellTable,
    bh_fdr,
    cell_frame,
    cells_of,
    check_resolution,
    utc_naive,
)
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
    keep = dates.notna() & cells.notna()
    dates, cells = dates[keep], cells[keep]
    empty = pd.DataFrame({name: pd.Series([], dtype=float) for name in CHANGE_COLUMNS})
    empty["h3"] = empty["h3"].astype(object)
    if dates.empty:
        return cell_frame(empty)
    stop = utc_naive(pd.Series([end])).iloc[0] if end is not None else dates.max()
    split = stop - pd.Timedelta(days=recent_days)
    start = split - pd.Timedelta(days=baseline_days)
    recent = (dates > split) & (dates <= stop)
    baseline = (dates > start) & (dates <= split)
    counts = pd.DataFrame(
        {
            "h3": cells.astype(object).to_numpy(),
            "recent": recent.to_numpy().astype("int64"),
            "baseline": baseline.to_numpy().astype("int64"),
        }
    )
    counts = counts[(counts["recent"] + counts["baseline"]) > 0]
    if counts.empty:
        return cell_frame(empty)
    grouped = counts.groupby("h3", sort=True)[["recent", "baseline"]].sum().reset_index()
    from scipy.stats import binom  # noqa: PLC0415 -- heavy import, only needed here

    share = recent_days / (recent_days + baseline_days)
    r = grouped["recent"].to_numpy()
    n = r + grouped["baseline"].to_numpy()
    grouped["expected"] = grouped["baseline"] * (recent_days / baseline_days)
    with np.errstate(divide="ignore", invalid="ignore"):
        grouped["ratio"] = np.where(
            grouped["expected"] > 0, r / grouped["expected"].to_numpy(), np.inf
        )
    grouped["p_value"] = np.where(r > 0, binom.sf(r - 1, n, share), 1.0)
    grouped["p_fdr"] = bh_fdr(grouped["p_value"].to_numpy())
    grouped = grouped.sort_values(
        ["p_value", "recent", "h3"], ascending=[True, False, True]
    ).reset_index(drop=True)
    return cell_frame(grouped[list(CHANGE_COLUMNS)], table)
