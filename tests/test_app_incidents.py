"""AppTest of the Incidents page on the demo store."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from humansec import analytics
from humansec.demo import DEMO_DIR, load_demo
from humansec.model import FOCUS_CHOICES, LayerKind
from ui import state

PROJECT = Path(__file__).resolve().parent.parent


@pytest.fixture
def page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    st.cache_resource.clear()
    st.cache_data.clear()
    monkeypatch.setenv("HUMANSEC_DATA_DIR", str(tmp_path))
    monkeypatch.chdir(PROJECT)
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/incidents.py").run()
    return at


def _matching(at: AppTest) -> int:
    for block in [*at.markdown, *at.html]:
        found = re.search(r"(\d+) incidents match the filters", block.value)
        if found:
            return int(found.group(1))
    raise AssertionError("no count of matching incidents")


def test_the_page_draws_every_chart_and_table(page: AppTest) -> None:
    assert not page.exception, page.exception
    assert page.title[0].value == "Incidents"
    demo = load_demo(DEMO_DIR)[LayerKind.INCIDENT]
    assert _matching(page) == len(demo)
    charts = page.get("plotly_chart")
    assert len(charts) == 4  # events, fatalities, victims, who (hot spots: on the map)
    events = json.loads(charts[0].proto.spec)
    names = {trace["name"] for trace in events["data"]}
    assert {"Protection of civilians", "Conflict events (no focus area)"} <= names
    assert events["layout"]["barmode"] == "stack"
    hot, emerging = page.dataframe[0].value, page.dataframe[1].value
    assert {"h3", "count", "gi_z", "p_fdr", "class", "nearest_place", "distance_km"} <= set(hot)
    assert (hot["class"] != "not significant").all() and len(hot) > 0
    assert hot["nearest_place"].str.len().min() > 0
    assert {"recent", "baseline", "p_value", "nearest_place"} <= set(emerging)
    assert emerging["p_value"].is_monotonic_increasing
    # The page's cached, column-light path gives what the core gives on the whole layer.
    direct_change = analytics.change(demo, 14, 60, resolution=6).head(20)
    assert emerging["h3"].tolist() == direct_change["h3"].tolist()
    assert emerging["recent"].tolist() == direct_change["recent"].tolist()
    direct_hot = analytics.hotspots(demo, 6)
    direct_hot = direct_hot[direct_hot["class"] != "not significant"].head(20)
    assert hot["h3"].tolist() == direct_hot["h3"].tolist()
    assert hot["count"].tolist() == direct_hot["count"].tolist()
    labels = [w.label for w in page.sidebar.multiselect]
    assert labels == ["Incident focus areas"]


def test_filters_and_the_map_view_narrow_the_incidents(page: AppTest) -> None:
    demo = load_demo(DEMO_DIR)[LayerKind.INCIDENT]
    page.sidebar.multiselect[0].set_value(["crsv"]).run()
    assert not page.exception, page.exception
    assert _matching(page) == int((demo["focus_area"] == "crsv").sum())
    page.sidebar.multiselect[0].set_value(["conflict_event"]).run()
    assert not page.exception, page.exception
    assert _matching(page) == int(demo["focus_areas"].isna().sum()) > 0
    page.sidebar.multiselect[0].set_value(list(FOCUS_CHOICES)).run()
    bbox = (22.0, 53.5, 23.5, 54.5)
    page.session_state[state.LAST_VIEW] = bbox
    page.sidebar.toggle[0].set_value(True).run()
    assert not page.exception, page.exception
    x, y = demo.geometry.x, demo.geometry.y
    inside = int((x.between(bbox[0], bbox[2]) & y.between(bbox[1], bbox[3])).sum())
    assert 0 < _matching(page) == inside < len(demo)
    page.radio(key=state.INCIDENTS_FREQ).set_value("M").run()
    assert not page.exception, page.exception
    assert len(page.get("plotly_chart")) == 4


def _caption(at: AppTest, pattern: str) -> re.Match[str]:
    for block in [*at.caption, *at.markdown, *at.html]:
        found = re.search(pattern, block.value)
        if found:
            return found
    raise AssertionError(f"no text matching {pattern!r}")


def _inference(at: AppTest) -> str:
    return _caption(at, r"inference: (analytic \(normal\)|\d+ permutations)").group(1)


def test_the_permutation_run_is_on_request(page: AppTest) -> None:
    assert _inference(page) == "analytic (normal)"
    analytic = page.dataframe[0].value
    page.selectbox(key=state.INCIDENTS_PERMUTATIONS).set_value(99).run()
    assert _inference(page) == "analytic (normal)"
    page.button(key=state.INCIDENTS_RUN_PERMUTATIONS).click().run()
    assert not page.exception, page.exception
    assert _inference(page) == "99 permutations"
    permuted = page.dataframe[0].value
    # Permutation p-values are multiples of 1/(99+1), doubled: not the analytic ones.
    assert (
        set(permuted["h3"]) != set(analytic["h3"])
        or not (permuted["p_fdr"].to_numpy() == analytic["p_fdr"].to_numpy()).all()
    )
    page.run()  # a rerun with the same filters keeps the permutation result
    assert _inference(page) == "99 permutations"


def _total(values: object) -> int:
    """The sum of a plotly trace's values (a list, or plotly's base64 typed array)."""
    if isinstance(values, dict):
        import base64  # noqa: PLC0415

        import numpy as np  # noqa: PLC0415

        return int(np.frombuffer(base64.b64decode(values["bdata"]), values["dtype"]).sum())
    return int(sum(values))  # type: ignore[call-overload]


def test_clicking_a_cell_on_the_hotspot_map_filters_the_charts(page: AppTest) -> None:
    import h3  # noqa: PLC0415

    demo = load_demo(DEMO_DIR)[LayerKind.INCIDENT]
    cells = pd.Series([h3.latlng_to_cell(p.y, p.x, 6) for p in demo.geometry])
    busiest = cells.value_counts().index[0]
    lat, lon = h3.cell_to_latlng(busiest)
    page.session_state[state.INCIDENTS_MAP] = {"last_clicked": {"lat": lat, "lng": lon}}
    page.run()
    assert not page.exception, page.exception
    found = _caption(page, r"(\d+) incidents in the H3 cell (\w+) clicked")
    assert found.group(2) == busiest
    assert int(found.group(1)) == int((cells == busiest).sum()) > 1
    events = json.loads(page.get("plotly_chart")[0].proto.spec)
    assert sum(_total(trace["y"]) for trace in events["data"]) == int(found.group(1))
    page.button[0].click().run()  # "Clear the map selection"
    assert not page.exception, page.exception
    events = json.loads(page.get("plotly_chart")[0].proto.spec)
    assert sum(_total(trace["y"]) for trace in events["data"]) == len(demo)


def test_trend_picks_read_the_selection_event() -> None:
    from ui.picks import trend_picks  # noqa: PLC0415

    table = pd.DataFrame(
        {"period": pd.to_datetime(["2026-08-03", "2026-08-03"]), "group": ["poc", "crsv"]}
    )
    event = {"selection": {"points": [{"curve_number": 1, "x": "2026-08-03"},
                                      {"curve_number": 0, "x": "2026-08-03 00:00"}]}}  # fmt: skip
    assert trend_picks(event, table, "W", "focus_area") == (
        "W",
        "focus_area",
        (("2026-08-03", "crsv"), ("2026-08-03", "poc")),
    )
    assert trend_picks({"selection": {"points": []}}, table, "W", "focus_area") is None
    # The group carried as customdata wins over the trace order.
    event = {"selection": {"points": [{"curve_number": 0, "x": "2026-08-03",
                                       "customdata": ["crsv"]}]}}  # fmt: skip
    assert trend_picks(event, table, "W", "focus_area") == (
        "W",
        "focus_area",
        (("2026-08-03", "crsv"),),
    )


def test_victims_and_actors_picks_read_the_selection_events() -> None:
    from ui.picks import Picks, actors_picks, combine, victims_picks, without  # noqa: PLC0415

    event = {"selection": {"points": [{"curve_number": 1, "y": "adult", "x": 3},
                                      {"curve_number": 0, "y": "child", "x": -2},
                                      {"curve_number": 0, "y": "elderly"},
                                      {"curve_number": 5, "y": "child"}]}}  # fmt: skip
    assert victims_picks(event) == (("female", "child"), ("male", "adult"))
    assert victims_picks(None) == victims_picks({"selection": {"points": []}}) == ()
    escaped = "&lt;b&gt;x&lt;/b&gt;"
    points = [{"curve_number": 0, "y": escaped, "x": 2}, {"curve_number": 0, "y": "(not given)"}]
    names = {"selection": {"points": points}}
    assert actors_picks(names) == ("(not given)", "<b>x</b>")  # the names analytics gives
    assert combine() is None and combine(None, (), ()) is None
    picks = combine(("W", "focus_area", (("2026-08-03", "poc"),)), (("male", "adult"),), ("a",))
    assert picks == Picks(
        ("W", "focus_area", (("2026-08-03", "poc"),)), (("male", "adult"),), ("a",)
    )
    assert without(picks, "actors") == Picks(picks.trend, picks.victims, ())
    assert without(picks, "trend") == Picks(None, picks.victims, picks.actors)
    assert without(combine(None, (), ("a",)), "actors") is None


def _select(at: AppTest, key: str, points: list[dict[str, object]]) -> AppTest:
    """Select ``points`` in the plotly chart with ``key`` as the browser does: its selection
    state arrives as the widget's JSON value with the next rerun."""
    chart = next(c for c in at.get("plotly_chart") if c.proto.id.endswith(key))
    widgets = at._tree.get_widget_states()
    state_ = widgets.widgets.add()
    state_.id = chart.proto.id
    selection = {"points": points, "point_indices": list(range(len(points))), "box": [],
                 "lasso": []}  # fmt: skip
    state_.string_value = json.dumps({"selection": selection})  # as the frontend sends it
    return at._run(widgets)


def _chart(at: AppTest, index: int) -> dict[str, object]:
    spec: dict[str, object] = json.loads(at.get("plotly_chart")[index].proto.spec)
    return spec


def test_selecting_an_actor_or_victims_bar_filters_the_other_charts(page: AppTest) -> None:
    demo = load_demo(DEMO_DIR)[LayerKind.INCIDENT]
    who = _chart(page, 3)["data"][0]  # type: ignore[index]
    top = who["y"][-1]  # the most frequent actor: the last bar (drawn bottom up)
    assert top == analytics.actors(demo).loc[0, "actor"]
    _select(page, state.INCIDENTS_ACTORS_CHART, [{"curve_number": 0, "y": top, "x": 1}])
    assert not page.exception, page.exception
    theirs = demo[demo["perpetrator"].str.strip() == top]
    found = _caption(page, r"(\d+) incidents in the selection \(1 actors of the Who chart\)")
    assert int(found.group(1)) == len(theirs) < len(demo)
    events = _chart(page, 0)["data"]
    assert sum(_total(trace["y"]) for trace in events) >= len(theirs)  # type: ignore[union-attr]
    victims = analytics.victims(theirs)
    assert f"{victims.events_without_breakdown} of {len(theirs)} events" in str(
        _chart(page, 2)["layout"]
    )
    # The Who chart itself keeps every actor, so that more can be picked.
    assert _chart(page, 3)["data"][0]["y"] == who["y"]  # type: ignore[index]
    hot = page.dataframe[0].value
    assert hot["count"].sum() <= len(theirs)
    # Adding a victims bar narrows further: the events of that actor with a female child victim.
    _select(page, state.INCIDENTS_VICTIMS_CHART, [{"curve_number": 0, "y": "child", "x": -1}])
    assert not page.exception, page.exception
    both = theirs[theirs["victims_female_child"].fillna(0) > 0]
    found = _caption(
        page, r"(\d+) incidents in the selection \(1 bars of the victims chart, 1 actors"
    )
    assert int(found.group(1)) == len(both) < len(theirs)
    who_now = _chart(page, 3)["data"][0]  # type: ignore[index]
    expected = analytics.actors(demo[demo["victims_female_child"].fillna(0) > 0], top=15)
    assert list(who_now["y"])[::-1] == [html.escape(a) for a in expected["actor"]]
