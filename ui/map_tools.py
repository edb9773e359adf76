"""The live map's tools as page pieces: framing, date window and time slider, MGRS grid,
measurements, and placing a planned activity by a click."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import folium
import geopandas as gpd
import streamlit as st

from humansec.coords import to_mgrs
from humansec.errors import HumansecError
from humansec.mapview.aggregate import Bounds
from humansec.mapview.framing import fill_viewport_css
from humansec.mapview.grid import grid_group
from humansec.measure import measure_drawings
from humansec.model import LayerKind
from humansec.settings import Settings
from humansec.timeline import (
    PLAY_SPANS,
    days_to_range,
    default_window,
    newest_incident,
    next_cursor,
    play_window,
)
from humansec.timerange import TimeRange
from ui import state, text, widgets

PLAY_SECONDS = 2.5
"""Time between two steps of the player (a step redraws the whole page)."""
COORDINATE_DECIMALS = 6


def fill_viewport() -> None:
    """Make the page's map as high as the window below a compact header (a style-only
    ``st.html``: it takes no room and needs no HTML-in-markdown parser)."""
    st.html(
        "<style>"
        '[data-testid="stMainBlockContainer"]{padding-top:2.6rem;padding-bottom:1rem}'
        '[data-testid="stMainBlockContainer"] h1{font-size:1.5rem;padding:0 0 .2rem 0}'
        f"{fill_viewport_css()}</style>"
    )


def date_filter(
    frames: Mapping[LayerKind, gpd.GeoDataFrame],
    times: TimeRange,
    settings: Settings,
    *,
    draw: bool = True,
) -> TimeRange | None:
    """The date range (recent by default) and the time slider; the time range to show.

    With ``draw=False`` nothing is drawn: the range the inputs start with (ui/map_filters.py).
    """
    today = dt.datetime.now(dt.UTC).date()
    window = default_window(times, newest_incident(frames), days=settings.default_days, today=today)
    if window is None or times.start is None or times.end is None:
        return None
    first, last = window
    if not draw:
        return days_to_range(first, last)
    chosen = st.date_input(
        "Date range",
        value=(first, last),
        min_value=min(first, times.start.date()) - dt.timedelta(days=365),
        max_value=max(last, times.end.date()) + dt.timedelta(days=365),
        key=state.FILTER_DATES,
        help=(
            f"At first the {settings.default_days} days up to the newest incident, and what is "
            "planned after it (setting default_days). Incidents by date; sites, movements and "
            "activities whose time window overlaps."
        ),
    )
    if not isinstance(chosen, tuple) or len(chosen) != 2:  # the user is still picking the end
        return None
    range_first, range_last = chosen
    if not st.toggle(
        "Step through time", key=state.TIME_STEP, help="A time slider; Play steps it."
    ):
        return days_to_range(range_first, range_last)
    return _time_slider(range_first, range_last)


def _time_slider(first: dt.date, last: dt.date) -> TimeRange:
    span = st.select_slider(
        "Days shown at once",
        options=PLAY_SPANS,
        value=7,
        key=state.TIME_SPAN,
    )
    cursor = st.session_state.get(state.TIME_CURSOR)
    if not isinstance(cursor, dt.date) or not first <= cursor <= last:
        st.session_state[state.TIME_CURSOR] = min(first + dt.timedelta(days=span - 1), last)
    if st.session_state.pop(state.TIME_ADVANCE, False):
        step = next_cursor(
            st.session_state[state.TIME_CURSOR], first=first, last=last, step_days=span
        )
        if step is None:
            st.session_state[state.TIME_PLAY] = False
        else:
            st.session_state[state.TIME_CURSOR] = step
    if first == last:
        cursor = first
    else:
        cursor = st.slider(
            "Up to",
            min_value=first,
            max_value=last,
            step=dt.timedelta(days=1),
            format="D MMM YYYY",
            key=state.TIME_CURSOR,
        )
    window = play_window(cursor, span_days=span)
    st.caption(f"Showing {window.start:%d %b %Y} to {window.end:%d %b %Y}.")
    if st.toggle("Play", key=state.TIME_PLAY):
        st.session_state[state.TIME_TICK_ARMED] = False
        _player()
    return window


@st.fragment(run_every=PLAY_SECONDS)
def _player() -> None:
    """Every ``PLAY_SECONDS``: ask for the next step and redraw the page (not on its first call)."""
    if not st.session_state.get(state.TIME_PLAY):
        return
    if st.session_state.get(state.TIME_TICK_ARMED):
        st.session_state[state.TIME_ADVANCE] = True
        st.rerun(scope="app")
    st.session_state[state.TIME_TICK_ARMED] = True


@st.cache_data(max_entries=64, show_spinner=False)
def grid_layer(bounds: Bounds, zoom: float) -> folium.FeatureGroup:
    """The MGRS grid layer of a (tile-snapped) view."""
    return grid_group(bounds, zoom)


def show_measurements(result: Mapping[str, object] | None) -> None:
    """The geodesic length or area of every shape drawn with the measure tool."""
    drawings = (result or {}).get("all_drawings")
    try:
        found = measure_drawings(drawings if isinstance(drawings, list) else None)
    except HumansecError as error:
        text.show(error)
        return
    if found:
        st.markdown(
            "**Measured (geodesic, WGS84):** "
            + "; ".join(f"{i}. {m.describe()}" for i, m in enumerate(found, start=1))
        )
    else:
        st.caption("Measure: draw a line or a polygon with the tools at the top left of the map.")


def click_to_place(
    result: Mapping[str, object] | None, *, activity_type: str
) -> dict[str, object] | None:
    """Show the clicked point and offer to place a point activity there; the new row if asked."""
    widgets.clicked_point(result)
    clicked = (result or {}).get("last_clicked")
    if not isinstance(clicked, Mapping):
        return None
    lat = round(float(clicked["lat"]), COORDINATE_DECIMALS)
    lon = round(float(clicked["lng"]), COORDINATE_DECIMALS)
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    ident = left.text_input(
        f"Id of the activity to add at the clicked point (type {activity_type}, as chosen "
        "under Draw on the map)",
        key=state.PLAN_CLICK_ID,
    )
    if not right.button("Add activity here", key=state.PLAN_CLICK_ADD):
        return None
    return {
        "id": ident.strip() or f"click-{to_mgrs(lat, lon).replace(' ', '')}",
        "type": activity_type,
        "lat": lat,
        "lon": lon,
    }
