"""Events and fatalities per day, week or month, by focus area or by event type."""

from __future__ import annotations

from collections.abc import Collection
from typing import Literal

import numpy as np
import pandas as pd

from humansec.analytics._common import NOT_GIVEN, check_choice, columns, utc_naive

Freq = Literal["D", "W", "M"]
By = Literal["focus_area", "event_type"]

FREQS: tuple[str, ...] = ("D", "W", "M")
BYS: tuple[str, ...] = ("focus_area", "event_type")
_COLUMN_OF_BY = {"focus_area": "focus_area", "event_type": "type"}
TREND_COLUMNS = ("period", "group", "events", "fatalities")


def trend(incidents: pd.DataFrame, freq: str = "W", by: str = "focus_area") -> pd.DataFrame:
    """Events and fatalities per period (UTC) and group, one row per (period, group) seen.

    ``freq``: ``"D"`` days, ``"W"`` weeks (Monday to Sunday), ``"M"`` calendar months;
    ``period`` is the first day of each. ``by``: ``"focus_area"`` or ``"event_type"`` (the
    source's event type, field ``type``). Fatalities are the ``killed`` field; an event
    without a figure counts as an event and adds nothing to the fatalities (never imputed).
    An empty group is ``"(not given)"``. Reads only the date, the group and the killed columns.
    """
    check_choice("freq", freq, FREQS)
    check_choice("by", by, BYS)
    group_column = _COLUMN_OF_BY[by]
    table = columns(incidents, ("date", group_column, "killed"))
    table = table[table["date"].notna()]
    if table.empty:
        return pd.DataFrame(
            {
                "period": pd.Series([], dtype="datetime64[ns]"),
                "group": pd.Series([], dtype=object),
                "events": pd.Series([], dtype="int64"),
                "fatalities": pd.Series([], dtype="int64"),
            }
        )
    periods, groups = _periods_and_groups(table, freq, group_column)
    killed = pd.to_numeric(table["killed"], errors="coerce").fillna(0).astype("int64")
    frame = pd.DataFrame({"period": periods.to_numpy(), "group": groups.to_numpy(),
                          "killed": killed.to_numpy()})  # fmt: skip
    out = (
        frame.groupby(["period", "group"], sort=True)
        .agg(events=("killed", "size"), fatalities=("killed", "sum"))
        .reset_index()
    )
    out["events"] = out["events"].astype("int64")
    out["fatalities"] = out["fatalities"].astype("int64")
    return out


def _periods_and_groups(
    table: pd.DataFrame, freq: str, group_column: str
) -> tuple[pd.Series, pd.Series]:
    periods = utc_naive(table["date"]).dt.to_period(freq).dt.start_time
    groups = table[group_column].astype("string").fillna(NOT_GIVEN).astype(object)
    return periods, groups


def in_trend_selection(
    incidents: pd.DataFrame,
    freq: str,
    by: str,
    picks: Collection[tuple[pd.Timestamp, str]],
) -> np.ndarray:
    """Which incidents fall in the picked (period start, group) bars of ``trend(freq, by)``."""
    check_choice("freq", freq, FREQS)
    check_choice("by", by, BYS)
    group_column = _COLUMN_OF_BY[by]
    table = columns(incidents, ("date", group_column))
    periods, groups = _periods_and_groups(table, freq, group_column)
    wanted = [(pd.Timestamp(period), str(group)) for period, group in picks]
    if not wanted or table.empty:
        return np.zeros(len(table), dtype=bool)
    keys = pd.MultiIndex.from_arrays([periods.to_numpy(), groups.to_numpy()])
    return np.asarray(keys.isin(wanted), dtype=bool)
