"""Incidents: trend, victims by sex and age, who, hot spots and change (issue 12)."""

from __future__ import annotations

import streamlit as st

from humansec.analytics.hotspots import permutation_limit
from humansec.errors import HumansecError
from ui import analytics, filters, frame, incidents_map, picks, resources, state, text

frame.require_router()

st.title("Incidents")
data_versions = resources.versions()
extent = resources.extent(data_versions)

with st.sidebar:
    st.subheader("Filters")
    time_range = filters.date_range(extent.times)
    focus = [str(area) for area in filters.focus_areas()]
    in_view = st.toggle(
        "Only what is in the map view",
        key=state.INCIDENTS_IN_VIEW,
        help="Only the incidents inside the area the situation map showed last.",
    )

bbox = st.session_state.get(state.LAST_VIEW) if in_view else None
if in_view and bbox is None:
    text.show("The situation map has not shown a view yet: all areas are included.", "info")
times = (time_range.start, time_range.end) if time_range else (None, None)
n = analytics.count(data_versions, times, focus, bbox)
text.show(f"{n} incidents match the filters.", "caption")
# A click on the hot-spot map (below) filters every chart to that cell.
cell = incidents_map.clicked_cell(int(st.session_state.get(state.INCIDENTS_RESOLUTION, 6)))
if cell is not None:
    n_cell = analytics.count(data_versions, times, focus, bbox, None, cell=cell)
    text.show(
        f"{n_cell} incidents in the H3 cell {cell[1]} clicked on the hot-spot map: the charts "
        "and the change table show only them (click the cell again, or the button, to clear).",
        "info",
    )
    st.button("Clear the map selection", on_click=incidents_map.clear_cell)
config = {"displaylogo": False, "modeBarButtonsToRemove": ["toImage"]}

st.subheader("Trend")
left, right = st.columns(2)
freq = left.radio(
    "Period", ["D", "W", "M"], index=1, horizontal=True, key=state.INCIDENTS_FREQ,
    format_func={"D": "day", "W": "week", "M": "month"}.__getitem__,
)  # fmt: skip
by = right.radio(
    "Stacked by", ["focus_area", "event_type"], horizontal=True, key=state.INCIDENTS_BY,
    format_func={"focus_area": "focus area", "event_type": "event type"}.__getitem__,
)  # fmt: skip
# A selection in one chart filters the others (not itself), the hot-spot map and the tables.
# The victims and actors charts come later on the page: their selections of the last run.
chosen_victims = picks.victims_picks(st.session_state.get(state.INCIDENTS_VICTIMS_CHART))
chosen_actors = picks.actors_picks(st.session_state.get(state.INCIDENTS_ACTORS_CHART))
others = picks.combine(None, chosen_victims, chosen_actors)
trend = analytics.trend(data_versions, times, tuple(focus), bbox, freq=freq, by=by, cell=cell,
                        picks=others)  # fmt: skip
events_title = "Events (select bars to filter the other charts and the map)"
picked = left.plotly_chart(
    analytics.trend_figure(data_versions, times, tuple(focus), bbox, freq=freq, by=by,
                           cell=cell, value="events", title=events_title, picks=others),
    config=config, key=state.INCIDENTS_TREND_CHART, on_select="rerun",
    selection_mode=("points", "box"),
)  # fmt: skip
right.plotly_chart(
    analytics.trend_figure(data_versions, times, tuple(focus), bbox, freq=freq, by=by,
                           cell=cell, value="fatalities", title="Fatalities", picks=others),
    config=config,
)  # fmt: skip
chosen = picks.combine(picks.trend_picks(picked, trend, freq, by), chosen_victims, chosen_actors)
if chosen is not None:
    n_picked = analytics.count(data_versions, times, focus, bbox, chosen, cell=cell)
    parts = [
        f"{len(chosen.trend[2])} bars of the trend chart" if chosen.trend else "",
        f"{len(chosen.victims)} bars of the victims chart" if chosen.victims else "",
        f"{len(chosen.actors)} actors of the Who chart" if chosen.actors else "",
    ]
    text.show(
        f"{n_picked} incidents in the selection ({', '.join(p for p in parts if p)}): the "
        "other charts, the hot-spot map and the tables below show only them (double-click a "
        "chart to clear its selection).",
        "info",
    )

left, right = st.columns(2)
with left:
    st.subheader("Victims by sex and age")
    for_victims = picks.without(chosen, "victims")
    summary = analytics.victims(data_versions, times, tuple(focus), bbox, for_victims, cell=cell)
    st.plotly_chart(
        analytics.victims_figure(data_versions, times, tuple(focus), bbox, for_victims,
                                 cell=cell),
        config=config, key=state.INCIDENTS_VICTIMS_CHART, on_select="rerun",
        selection_mode=("points", "box"),
    )  # fmt: skip
    st.metric("Events with no sex/age breakdown", f"{summary.events_without_breakdown}")
    text.show(
        "Counted as the sources give them; nothing is estimated. Events without any "
        "sex/age figure are a gap in the reporting (gender perspective), shown as such. "
        "Select bars to see the events with victims in them.",
        "caption",
    )
with right:
    st.subheader("Who")
    st.plotly_chart(
        analytics.actors_figure(data_versions, times, tuple(focus), bbox,
                                picks.without(chosen, "actors"), cell=cell),
        config=config, key=state.INCIDENTS_ACTORS_CHART, on_select="rerun",
        selection_mode=("points", "box"),
    )  # fmt: skip

st.subheader("Hot spots (Getis-Ord Gi*)")
left, right = st.columns(2)
resolution = left.slider(
    "H3 resolution", 3, 9, 6, key=state.INCIDENTS_RESOLUTION,
    help="6: cells of about 36 km²; each step down is 7 times larger.",
)  # fmt: skip
permutations = right.selectbox(
    "Permutations (on request)", [99, 999, 9999], index=1, key=state.INCIDENTS_PERMUTATIONS,
    help="The map shows the analytic (normal) inference at once; a permutation run replaces "
    "it for these filters when asked.",
)  # fmt: skip
run_key = (data_versions, times, tuple(focus), bbox, resolution, permutations, chosen)
try:
    run = right.button("Run the permutation test", key=state.INCIDENTS_RUN_PERMUTATIONS)
    cells, used = incidents_map.hotspot_cells(run_key, run=run)
    significant = cells[cells["class"] != "not significant"]
    inference = "analytic (normal)" if used == 0 else f"{used} permutations"
    st.caption(
        f"{len(significant)} of {len(cells)} cells significant (FDR-corrected; inference: "
        f"{inference}). Click a cell to filter the charts to it."
    )
    limit = permutation_limit(used, len(cells))
    if limit is not None:
        text.show(limit, "warning")
    if cells.empty:
        text.show("No incidents to map with these filters.", "info")
    else:
        incidents_map.hotspot_map(cells, cell, (*run_key[:5], used, chosen))
    st.dataframe(
        analytics.with_nearest_place(data_versions, significant.head(20)).drop(
            columns=["lat", "lon"]
        ),
        hide_index=True,
        key="incidents_hotspot_table",
    )

    st.subheader("Change")
    left, right = st.columns(2)
    recent = int(left.number_input("Recent days", 1, 3650, 14, key=state.INCIDENTS_RECENT))
    baseline = int(right.number_input("Baseline days", 1, 3650, 60, key=state.INCIDENTS_BASELINE))
    area_titles = dict(analytics.area_layers())
    per = st.selectbox(
        "Per", ["h3", *area_titles], key=state.INCIDENTS_CHANGE_PER,
        format_func=lambda o: f"H3 cell (resolution {resolution})" if o == "h3" else area_titles[o],
        help="H3 cells, or the areas of a reference-area layer (an incident counts in the "
        "area it lies in).",
    ) if area_titles else "h3"  # fmt: skip
    if per == "h3":
        emerging = analytics.change(
            data_versions, times, tuple(focus), bbox, resolution=resolution,
            recent_days=recent, baseline_days=baseline, picks=chosen, cell=cell,
        )  # fmt: skip
        table = analytics.with_nearest_place(data_versions, emerging.head(20))
        table = table.drop(columns=["lat", "lon"])
    else:
        table = analytics.area_change(
            data_versions, times, tuple(focus), bbox, layer_id=per, recent_days=recent,
            baseline_days=baseline, picks=chosen, cell=cell,
        ).head(20).drop(columns="geometry")  # fmt: skip
    st.dataframe(table, hide_index=True, key="incidents_change_table")
except HumansecError as error:
    text.show(error)
