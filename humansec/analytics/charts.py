"""plotly figures of the analyses (drawn in the browser by Streamlit's own plotly.js).

No figure here needs anything from the network: no geo traces (they fetch topojson), no tile
maps, no LaTeX (MathJax). Every text from the data goes into traces and hover text, which
plotly.js inserts as text, not HTML... except that plotly treats a few tags (<b>, <br>, <a>)
in labels as markup, so every label from the data is HTML-escaped first.
"""

from __future__ import annotations

import html

import geopandas as gpd
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import shapely

from humansec.analytics.hotspots import CLASSES
from humansec.analytics.victims import VictimSummary
from humansec.mapview.symbols import FOCUS_STYLES
from humansec.model import FOCUS_CHOICE_TITLES

CLASS_COLOURS: dict[str, str] = {
    "hot 99%": "#b2182b",
    "hot 95%": "#ef8a62",
    "hot 90%": "#fddbc7",
    "not significant": "#e0e0e0",
    "cold 90%": "#d1e5f0",
    "cold 95%": "#67a9cf",
    "cold 99%": "#2166ac",
}
VICTIM_SEXES: tuple[str, ...] = ("female", "male")
"""The traces of ``victims_figure``, in order (a selection names its trace by number)."""
VICTIM_AGES: tuple[str, ...] = ("child", "adult")
"""The bars of each trace of ``victims_figure`` (their ``y``)."""
_SEX_STYLE = {"female": (-1, "#8e44ad"), "male": (1, "#16a085")}
_LAYOUT = {"margin": {"l": 40, "r": 10, "t": 40, "b": 40}, "height": 360}


def _label(value: object) -> str:
    text = str(value)
    text = FOCUS_CHOICE_TITLES.get(text, text)
    return html.escape(text)


def trend_figure(table: pd.DataFrame, value: str = "events", title: str = "") -> go.Figure:
    """Stacked bars of ``value`` (``events`` or ``fatalities``) per period, one trace a group."""
    fig = go.Figure()
    for group, rows in table.groupby("group", sort=True):
        fig.add_trace(
            go.Bar(
                x=rows["period"],
                y=rows[value],
                name=_label(group),
                # The map's colour for a focus area, so a chart and the map read alike.
                marker_color=FOCUS_STYLES[str(group)].colour
                if str(group) in FOCUS_STYLES
                else None,
                customdata=np.array([[str(group)]] * len(rows), dtype=object),
                hovertemplate="%{x|%Y-%m-%d}: %{y}<extra>%{fullData.name}</extra>",
            )
        )
    fig.update_layout(
        barmode="stack",
        title=html.escape(title or value.capitalize()),
        yaxis_title=value,
        legend_title_text="",
        **_LAYOUT,
    )
    return fig


def victims_figure(summary: VictimSummary) -> go.Figure:
    """A population pyramid of the victims: female to the left, male to the right."""
    table = summary.table
    ages = list(VICTIM_AGES)
    fig = go.Figure()
    for sex in VICTIM_SEXES:
        sign, colour = _SEX_STYLE[sex]
        rows = table[table["sex"] == sex].set_index("age").reindex(ages)
        counts = rows["victims"].fillna(0).astype(int).to_numpy()
        fig.add_trace(
            go.Bar(
                y=ages,
                x=sign * counts,
                orientation="h",
                name=sex,
                marker_color=colour,
                customdata=counts,
                hovertemplate=f"{sex}, %{{y}}: %{{customdata}}<extra></extra>",
            )
        )
    fig.update_layout(
        barmode="relative",
        bargap=0.1,
        title=(
            f"Victims by sex and age · {summary.unknown_victims} of unknown sex/age · "
            f"{summary.events_without_breakdown} of {summary.events} events with no breakdown"
        ),
        xaxis_title="victims (female left, male right)",
        **_LAYOUT,
    )
    return fig


def actors_figure(table: pd.DataFrame) -> go.Figure:
    """Horizontal bars of events per actor, as named by the source."""
    rows = table.iloc[::-1]
    fig = go.Figure(
        go.Bar(
            y=[html.escape(str(name)) for name in rows["actor"]],
            x=rows["events"],
            orientation="h",
            customdata=rows["fatalities"],
            hovertemplate="%{y}: %{x} events, %{customdata} killed<extra></extra>",
        )
    )
    fig.update_layout(title="Who: actors as given by the source", xaxis_title="events", **_LAYOUT)
    return fig


def hotspot_figure(cells: gpd.GeoDataFrame, max_plain: int = 5000) -> go.Figure:
    """The H3 cells drawn as filled hexagons on plain lon/lat axes (no tiles, no topojson).

    The "not significant" cells are drawn only when there are at most ``max_plain`` of them
    (beyond that they would make the figure megabytes large for little information).
    """
    fig = go.Figure()
    for name in CLASSES:
        rows = cells[cells["class"] == name]
        if rows.empty or (name == "not significant" and len(rows) > max_plain):
            continue
        xs: list[float | None] = []
        ys: list[float | None] = []
        for geom in rows.geometry:
            ring = shapely.get_coordinates(geom.exterior)
            xs.extend([*ring[:, 0].tolist(), None])
            ys.extend([*ring[:, 1].tolist(), None])
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                fill="toself",
                fillcolor=CLASS_COLOURS[name],
                line={"color": "#666", "width": 0.5},
                name=name,
                hoverinfo="name",
            )
        )
    fig.update_layout(title="Hot and cold spots (Gi*, H3 cells)", xaxis_title="longitude",
                      yaxis_title="latitude", **_LAYOUT)  # fmt: skip
    fig.update_yaxes(scaleanchor="x", scaleratio=1.6)
    return fig
