"""Events and fatalities per day, week or month, by focus area or by event type."""

from __future__ import annotations

from collections.abc import Collection
from typing import Literal

import numpy as np
import pandas as pd

from humansec.analytics._common import check_choice, columns
from humansec.analytics.prepared import Prepared, in_trend_at, trend_at

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
    return in_trend_at(Prepared(table), np.arange(len(table)), freq, by, list(picks))
