"""What is selected in the Incidents page's charts (``st.plotly_chart(on_select="rerun")``).

A selection in one chart filters the hot-spot map, the change table and the *other* charts;
a chart is not filtered by its own selection (its bars stay in place, so they can be picked
again or added to). The readers turn Streamlit's selection event into plain, hashable values
that the cached analyses take as part of their key.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Literal, NamedTuple

import pandas as pd

from humansec.analytics.charts import VICTIM_AGES, VICTIM_SEXES

TrendPicks = tuple[str, str, tuple[tuple[str, str], ...]]
"""Bars picked in the trend chart: (freq, by, ((period ISO date, group), ...))."""
Chart = Literal["trend", "victims", "actors"]


class Picks(NamedTuple):
    """The bars selected in the charts; an empty part selects nothing (no filter)."""

    trend: TrendPicks | None = None
    victims: tuple[tuple[str, str], ...] = ()
    """(sex, age) bars of the victims chart: the incidents with a victim in one of them."""
    actors: tuple[str, ...] = ()
    """Actor names as the "Who" chart gives them (``"(not given)"`` for none)."""


def combine(
    trend: TrendPicks | None = None,
    victims: tuple[tuple[str, str], ...] = (),
    actors: tuple[str, ...] = (),
) -> Picks | None:
    """The selections of the charts as one filter, or None when nothing is selected (so that
    "nothing selected" has one cache key)."""
    if trend is None and not victims and not actors:
        return None
    return Picks(trend, tuple(victims), tuple(actors))


def without(picks: Picks | None, chart: Chart) -> Picks | None:
    """``picks`` less the selection of ``chart`` itself: what filters that chart."""
    if picks is None:
        return None
    return combine(
        None if chart == "trend" else picks.trend,
        () if chart == "victims" else picks.victims,
        () if chart == "actors" else picks.actors,
    )


def _points(event: object) -> list[Mapping[str, object]]:
    """The selected points of a plotly chart's event (an attribute dict, a dict or None)."""
    selection = getattr(event, "selection", None) or (
        event.get("selection") if isinstance(event, Mapping) else None
    )
    points = (selection or {}).get("points") or []
    return [point for point in points if isinstance(point, Mapping)]


def _curve(point: Mapping[str, object]) -> int | None:
    curve = point.get("curve_number")
    return int(curve) if isinstance(curve, (int, float, str)) and str(curve).isdigit() else None


def trend_picks(event: object, table: pd.DataFrame, freq: str, by: str) -> TrendPicks | None:
    """The bars picked in the trend chart, or None.

    Each trace of ``charts.trend_figure`` is one group, in sorted order, and carries its group
    as ``customdata`` (read first, so that the trace order does not matter); a point's ``x``
    is the period's start.
    """
    groups = sorted(table["group"].astype(str).unique())
    bars: set[tuple[str, str]] = set()
    for point in _points(event):
        x, data, curve = point.get("x"), point.get("customdata"), _curve(point)
        if isinstance(data, list) and data and isinstance(data[0], str):
            group = data[0]
        elif curve is not None and curve < len(groups):
            group = groups[curve]
        else:
            continue
        if x is None:
            continue
        bars.add((pd.Timestamp(str(x)).date().isoformat(), group))
    return (freq, by, tuple(sorted(bars))) if bars else None


def victims_picks(event: object) -> tuple[tuple[str, str], ...]:
    """The (sex, age) bars picked in the victims chart (``charts.victims_figure``: one trace
    per sex, in ``VICTIM_SEXES`` order; a bar's ``y`` is the age group)."""
    bars: set[tuple[str, str]] = set()
    for point in _points(event):
        curve, age = _curve(point), point.get("y")
        if curve is None or curve >= len(VICTIM_SEXES) or age not in VICTIM_AGES:
            continue
        bars.add((VICTIM_SEXES[curve], str(age)))
    return tuple(sorted(bars))


def actors_picks(event: object) -> tuple[str, ...]:
    """The actors picked in the "Who" chart (``charts.actors_figure``: a bar's ``y`` is the
    actor's name, HTML-escaped for plotly, as ``analytics.actors`` gives it)."""
    names = {html.unescape(str(point["y"])) for point in _points(event) if point.get("y")}
    return tuple(sorted(names))
