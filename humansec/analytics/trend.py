"""Events and fatalities per day, week or month, by focus area or by event type."""

from __future__ import annotations

from collections.abc import Collection
from typing import Literal

import numpy as np
import pandas as pd

from humansec.analytics._common import NOT_GIVEN, check_choice, columns, utc_naive
from humansec.analytics.prepared import Prepared, trend_at
from humansec.model import CONFLICT_EVENT, FOCUS_SEPARATOR

Freq = Literal["D", "W", "M"]
By = Literal["focus_area", "event_type"]

FREQS: tuple[str, ...] = ("D", "W", "M")
BYS: tuple[str, ...] = ("focus_area", "event_type")
_FOCUS_COLUMNS = ("focus_areas", "focus_area")
TREND_COLUMNS = ("period", "group", "events", "fatalities")


def trend(incidents: pd.DataFrame, freq: str = "W", by: str = "focus_area") -> pd.DataFrame:
    """Events and fatalities per period (UTC) and group, one row per (period, group) seen.

    ``freq``: ``"D"`` days, ``"W"`` weeks (Monday to Sunday), ``"M"`` calendar months;
    ``period`` is the first day of each. ``by``: ``"focus_area"`` (an incident with several
    focus areas counts under each, so the groups of a period can add up to more than its
    events; one with none under ``"conflict_event"``) or ``"event_type"`` (the source's event
    type, field ``event_type``, or ``type`` in layers without it). Fatalities are the
    ``killed`` field; an event without a figure counts as an event and adds nothing to the
    fatalities (never imputed). An empty event type is ``"(not given)"``. Reads only the
    date, the group and the killed columns.
    """
    check_choice("freq", freq, FREQS)
    check_choice("by", by, BYS)
    group_column = _group_column(incidents, by)
    table = columns(incidents, ("date", group_column, "killed"))
    return trend_at(Prepared(table), np.arange(len(table)), freq, by)


def _group_column(incidents: pd.DataFrame, by: str) -> str:
    if by == "focus_area":
        return next((c for c in _FOCUS_COLUMNS if c in incidents.columns), "focus_areas")
    if "event_type" in incidents.columns and incidents["event_type"].notna().any():
        return "event_type"
    return "type"


def _periods_and_groups(
    table: pd.DataFrame, freq: str, group_column: str
) -> tuple[pd.Series, pd.Categorical[str] | np.ndarray, np.ndarray]:
    """The period of each row, and the groups with the row position each belongs to (an
    incident with several focus areas appears once per focus area)."""
    periods = utc_naive(table["date"]).dt.to_period(freq).dt.start_time
    if group_column not in _FOCUS_COLUMNS:
        plain = table[group_column].astype("string").fillna(NOT_GIVEN).astype(object)
        return periods, plain.to_numpy(), np.arange(len(table))
    codes, uniques = table[group_column].factorize(use_na_sentinel=True)
    names = [[t for t in str(u).split(FOCUS_SEPARATOR) if t] or [CONFLICT_EVENT] for u in uniques]
    names.append([CONFLICT_EVENT])
    categories = sorted({name for row in names for name in row})
    index = {name: i for i, name in enumerate(categories)}
    codes = np.where(codes < 0, len(uniques), codes)
    lengths = np.array([len(n) for n in names], dtype=np.int64)
    grid = np.full((len(names), int(lengths.max())), -1, dtype=np.int64)
    for i, row in enumerate(names):
        grid[i, : len(row)] = [index[name] for name in row]
    row_lengths = lengths[codes]
    positions = np.repeat(np.arange(len(table)), row_lengths)
    starts = np.cumsum(row_lengths) - row_lengths
    offsets = np.arange(len(positions)) - np.repeat(starts, row_lengths)
    group_codes = np.asarray(grid[codes[positions], offsets], dtype=np.int64)
    # pandas-stubs type the categories of from_codes by the codes (int): they are the names.
    groups: pd.Categorical[str] = pd.Categorical.from_codes(  # type: ignore[assignment]
        group_codes, dtype=pd.CategoricalDtype(categories)
    )
    return periods, groups, positions


def in_trend_selection(
    incidents: pd.DataFrame,
    freq: str,
    by: str,
    picks: Collection[tuple[pd.Timestamp, str]],
) -> np.ndarray:
    """Which incidents fall in the picked (period start, group) bars of ``trend(freq, by)``."""
    check_choice("freq", freq, FREQS)
    check_choice("by", by, BYS)
    group_column = _group_column(incidents, by)
    table = columns(incidents, ("date", group_column))
    wanted = [(pd.Timestamp(period), str(group)) for period, group in picks]
    if not wanted or table.empty:
        return np.zeros(len(table), dtype=bool)
    periods, groups, positions = _periods_and_groups(table, freq, group_column)
    keys = pd.MultiIndex.from_arrays(
        [periods.to_numpy()[positions], np.asarray(groups, dtype=object)]
    )
    hit = np.asarray(keys.isin(wanted), dtype=bool)
    out = np.zeros(len(table), dtype=bool)
    out[positions[hit]] = True
    return out
