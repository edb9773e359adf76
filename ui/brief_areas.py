"""The Briefing page's choice of how a product draws the reference areas."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from humansec.mapview.choropleth import MEASURES, filter_words
from humansec.model import LayerKind
from humansec.store import TimeRange
from ui import state

OUTLINES = "outlines"


def area_measure(kinds: Sequence[LayerKind], *, disabled: bool) -> str | None:
    """What shades the reference areas in a map product (None: their outlines), asked when
    the areas are among the layers; the situation map's last choice first."""
    if LayerKind.AREA not in kinds:
        return None
    options = [*MEASURES, OUTLINES]
    last = st.session_state.get(state.LAST_AREA_MEASURE)
    chosen = st.selectbox(
        "Reference areas shaded by",
        options,
        index=options.index(last) if last in options else 0,
        format_func=lambda key: MEASURES.get(key, "Nothing (outlines only)"),
        key=state.BRIEF_AREAS,
        disabled=disabled,
        help="As on the situation map. The incident rate counts the incidents in the product.",
    )
    return None if chosen == OUTLINES else chosen


def filters_in_words(time_range: TimeRange | None, focus_areas: Sequence[str]) -> str:
    """The situation map's filters as the incident rate's legend says them."""
    start, end = (time_range.start, time_range.end) if time_range else (None, None)
    return filter_words(start, end, focus_areas)
