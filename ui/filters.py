"""The sidebar filters the situation map and the Incidents page share (same widget keys)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from humansec.model import FOCUS_CHOICE_TITLES, FOCUS_CHOICES
from humansec.store import TimeRange
from ui import state


def date_range(extent: TimeRange) -> TimeRange | None:
    """The "Date range" input over the data's time extent; None while it is incomplete."""
    if extent.start is None or extent.end is None:
        return None
    first, last = extent.start.date(), extent.end.date()
    chosen = st.date_input(
        "Date range",
        value=(first, last),
        min_value=first - dt.timedelta(days=365),
        max_value=last + dt.timedelta(days=365),
        key=state.FILTER_DATES,
        help="Incidents by date; sites, movements and activities whose time window overlaps.",
    )
    if not isinstance(chosen, tuple) or len(chosen) != 2:  # the user is still picking the end
        return None
    start = pd.Timestamp(chosen[0], tz="UTC")
    end = pd.Timestamp(chosen[1], tz="UTC") + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)
    return TimeRange(start, end)


def focus_areas(*, draw: bool = True) -> list[str]:
    """The "Incident focus areas" multiselect: the six focus areas and the conflict events
    (incidents with none), all by default. An incident with several focus areas shows when
    any of them is chosen. With ``draw=False``: all, without drawing the multiselect."""
    if not draw:
        return [str(choice) for choice in FOCUS_CHOICES]
    return [
        str(choice)
        for choice in st.multiselect(
            "Incident focus areas",
            options=list(FOCUS_CHOICES),
            default=list(FOCUS_CHOICES),
            format_func=FOCUS_CHOICE_TITLES.__getitem__,
            key=state.FILTER_FOCUS,
            help="Conflict events: battles, shelling, protests, ... with no focus area. An "
            "incident with several focus areas shows when any of them is chosen.",
        )
    ]
