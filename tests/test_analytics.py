"""humansec.analytics: trend, victims, actors, Gi* hot spots, change, charts."""

from __future__ import annotations

import html
import warnings

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pytest
import shapely
from scipy.stats import binomtest

from humansec import analytics
from humansec.analytics import charts
from humansec.analytics.hotspots import permutation_limit, study_cells
from humansec.demo import DEMO_DIR, load_demo
from humansec.errors import SchemaError
from humansec.mapview.symbols import FOCUS_STYLES
from humansec.model import FOCUS_AREA_TITLES, WGS84, FocusArea, LayerKind, conform, empty_frame


@pytest.fixture(scope="module")
def demo() -> gpd.GeoDataFrame:
    return load_demo(DEMO_DIR)[LayerKind.INCIDENT]


def incidents(points: list[tuple[float, float]], **columns: list[object]) -> gpd.GeoDataFrame:
    """Incidents at (lon, lat) ``points``, conformed to the schema (defaults filled in)."""
    n = len(points)
    data: dict[str, object] = {
        "id": [f"i{i}" for i in range(n)],
        "date": pd.Timestamp("2026-08-01", tz="UTC"),
        "focus_area": "poc",
    }
    data.update(columns)
    frame = gpd.GeoDataFrame(
        pd.DataFrame(data, index=range(n)),
        geometry=[shapely.Point(x, y) for x, y in points],
        crs=WGS84,
    )
    return conform(frame, LayerKind.INCIDENT)


def test_trend_by_month_and_focus_area_matches_plain_pandas(demo: gpd.GeoDataFrame) -> None:
    got = analytics.trend(demo, freq="M", by="focus_area")
    month = demo["date"].dt.strftime("%Y-%m-01")
    focus = demo["focus_area"].fillna("conflict_event")  # no focus area: a conflict event
    plain = demo.assign(month=month, focus_area=focus).groupby(["month", "focus_area"])
    expected = pd.DataFrame(
        {"events": plain.size(), "fatalities": plain["killed"].sum().astype("int64")}
    ).reset_index()
    got_keyed = got.assign(month=got["period"].dt.strftime("%Y-%m-%d"))
    merged = got_keyed.merge(
        expected, left_on=["month", "group"], right_on=["month", "focus_area"], how="outer"
    )
    assert len(merged) == len(expected) == len(got)
    assert (merged["events_x"] == merged["events_y"]).all()
    assert (merged["fatalities_x"] == merged["fatalities_y"]).all()
    assert got["events"].sum() == len(demo)


def test_trend_weeks_start_on_monday_and_days_sum_up(demo: gpd.GeoDataFrame) -> None:
    weeks = analytics.trend(demo, freq="W", by="event_type")
    assert (weeks["period"].dt.day_of_week == 0).all()
    assert weeks["events"].sum() == len(demo)
    days = analytics.trend(demo, freq="D")
    assert days["events"].sum() == len(demo)
    assert days["fatalities"].sum() == demo["killed"].fillna(0).sum()


def test_trend_counts_events_without_fatality_figure_and_groups_empty_fields() -> None:
    frame = incidents(
        [(23.0, 54.0)] * 3,
        date=pd.to_datetime(["2026-08-03", "2026-08-04", "2026-09-01"], utc=True),
        type=["shelling", None, "shelling"],
        killed=[2, None, 5],
    )
    got = analytics.trend(frame, freq="M", by="event_type")
    assert got.to_dict("records") == [
        {"period": pd.Timestamp("2026-08-01"), "group": "(not given)", "events": 1,
         "fatalities": 0},
        {"period": pd.Timestamp("2026-08-01"), "group": "shelling", "events": 1,
         "fatalities": 2},
        {"period": pd.Timestamp("2026-09-01"), "group": "shelling", "events": 1,
         "fatalities": 5},
    ]  # fmt: skip


def test_trend_refuses_unknown_choices_naming_the_valid_ones() -> None:
    frame = empty_frame(LayerKind.INCIDENT)
    with pytest.raises(SchemaError, match="'D', 'M', 'W'"):
        analytics.trend(frame, freq="Y")
    with pytest.raises(SchemaError, match="'event_type', 'focus_area'"):
        analytics.trend(frame, by="actor")
    assert analytics.trend(frame).empty


def test_victims_sum_the_given_figures_and_count_events_with_no_breakdown() -> None:
    frame = incidents(
        [(23.0, 54.0)] * 4,
        victims_female_adult=[1, None, 0, None],
        victims_female_child=[2, None, None, None],
        victims_male_adult=[3, None, None, None],
        victims_male_child=[0, None, None, None],
        victims_unknown=[0, 7, None, None],
    )
    summary = analytics.victims(frame)
    table = summary.table.set_index(["sex", "age"])["victims"]
    assert table[("female", "adult")] == 1
    assert table[("female", "child")] == 2
    assert table[("male", "adult")] == 3
    assert table[("male", "child")] == 0
    assert summary.unknown_victims == 7
    assert summary.events == 4
    # Row 2 gives "0 adult women": a figure. Rows 1 and 3 give no sex/age figure at all.
    assert summary.events_without_breakdown == 2


def test_actors_as_given_most_events_first() -> None:
    frame = incidents(
        [(23.0, 54.0)] * 4,
        perpetrator=["Group A", "group a", "Group A", None],
        killed=[1, 1, 1, 4],
    )
    got = analytics.actors(frame)
    assert got.to_dict("records") == [
        {"actor": "Group A", "events": 2, "fatalities": 2},
        {"actor": "(not given)", "events": 1, "fatalities": 4},
        {"actor": "group a", "events": 1, "fatalities": 1},
    ]


def _cluster(seed: int = 1) -> gpd.GeoDataFrame:
    """40 events in a cell and its neighbours near Suwałki, 60 spread thinly around."""
    rng = np.random.default_rng(seed)
    centre = h3.latlng_to_cell(54.1, 22.93, 6)
    points = []
    for cell in h3.grid_disk(centre, 1):
        lat, lon = h3.cell_to_latlng(cell)
        points += [(lon, lat)] * (10 if cell == centre else 5)
    spread = rng.uniform([21.0, 53.0], [26.0, 56.0], size=(60, 2))
    points += [(float(x), float(y)) for x, y in spread]
    return incidents(points)


def test_a_hand_built_cluster_is_found_hot() -> None:
    cells = analytics.hotspots(_cluster(), resolution=6)
    assert list(cells.columns[:6]) == list(analytics.HOTSPOT_COLUMNS)
    centre = h3.latlng_to_cell(54.1, 22.93, 6)
    row = cells.set_index("h3").loc[centre]
    assert row["count"] == 10
    assert row["class"] == "hot 99%"
    assert row["gi_z"] > 3
    assert cells.iloc[0]["h3"] in set(h3.grid_disk(centre, 1))  # the strongest cell is in it
    assert cells["count"].sum() == 100
    assert (cells["p_fdr"] >= cells["p_value"] - 1e-12).all()
    assert cells.crs == WGS84
    assert set(cells["class"]) <= set(analytics.CLASSES)


def test_gi_star_equals_esda_on_independently_built_weights() -> None:
    from esda.getisord import G_Local  # noqa: PLC0415
    from libpysal.weights import W  # noqa: PLC0415

    frame = _cluster(seed=7)
    got = analytics.hotspots(frame, resolution=6).set_index("h3")
    occupied = pd.Series([h3.latlng_to_cell(p.y, p.x, 6) for p in frame.geometry])
    ids, y = study_cells(occupied)
    members = set(ids)
    neighbours = {c: [n for n in h3.grid_ring(c, 1) if n in members] for c in ids}
    with warnings.catch_warnings():  # the scattered events make islands of cells
        warnings.simplefilter("ignore", UserWarning)
        weights = W(neighbours, id_order=ids, silence_warnings=True)
    with warnings.catch_warnings():  # esda copies the weights (fill_diagonal): same warning
        warnings.simplefilter("ignore", UserWarning)
        reference = G_Local(y, weights, transform="B", permutations=0, star=True)
    z = pd.Series(np.nan_to_num(reference.Zs), index=ids)
    p = pd.Series(np.minimum(1, 2 * reference.p_norm), index=ids).fillna(1.0)
    np.testing.assert_allclose(got.loc[ids, "gi_z"], z, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(got.loc[ids, "p_value"], p, rtol=1e-9, atol=1e-12)

    permuted = analytics.hotspots(frame, resolution=6, permutations=99, seed=3).set_index("h3")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # and the notice of esda's next major release
        reference = G_Local(
            y, weights, transform="B", permutations=99, star=True, seed=3, n_jobs=1,
            keep_simulations=False,
        )  # fmt: skip
    p_sim = pd.Series(np.minimum(1, 2 * reference.p_sim), index=ids)
    np.testing.assert_allclose(permuted.loc[ids, "p_value"], p_sim)
    again = analytics.hotspots(frame, resolution=6, permutations=99, seed=3)
    assert again["p_value"].tolist() == permuted["p_value"].tolist()  # seeded: repeatable


def test_hotspots_of_no_one_and_all_in_one_cell() -> None:
    empty = analytics.hotspots(empty_frame(LayerKind.INCIDENT), resolution=6)
    assert empty.empty
    assert list(empty.columns[:6]) == list(analytics.HOTSPOT_COLUMNS)
    one = analytics.hotspots(incidents([(23.0, 54.0)]), resolution=6)
    assert len(one) == 7  # the cell and its ring
    assert one["count"].sum() == 1
    assert (one["class"] == "not significant").all()  # one event is not a hot spot
    same = analytics.hotspots(incidents([(23.0, 54.0)] * 50), resolution=6)
    assert same["count"].max() == 50
    assert np.isfinite(same["gi_z"]).all()
    assert np.isfinite(same["p_value"]).all()


def test_hotspots_refuse_bad_resolution_and_permutations() -> None:
    frame = incidents([(23.0, 54.0)])
    with pytest.raises(SchemaError, match="0 to 15"):
        analytics.hotspots(frame, resolution=16)
    with pytest.raises(SchemaError, match="999"):
        analytics.hotspots(frame, resolution=6, permutations=-1)
    no_crs = frame.set_crs(None, allow_override=True)
    with pytest.raises(SchemaError, match="EPSG:4326"):
        analytics.hotspots(no_crs, resolution=6)


def test_change_lists_emerging_cells_by_a_one_sided_poisson_test() -> None:
    end = pd.Timestamp("2026-10-31T12:00", tz="UTC")
    a, b = (23.0, 54.0), (24.5, 55.0)  # two cells far apart
    recent = end - pd.Timedelta(days=3)
    old = end - pd.Timedelta(days=40)
    dates = [recent] * 6 + [old] * 2 + [recent] * 2 + [old] * 20
    frame = incidents([a] * 8 + [b] * 22, date=dates)
    got = analytics.change(frame, recent_days=10, baseline_days=50, resolution=6)
    assert list(got.columns[:7]) == list(analytics.CHANGE_COLUMNS)
    first, second = got.iloc[0], got.iloc[1]
    assert first["h3"] == h3.latlng_to_cell(54.0, 23.0, 6)
    assert (first["recent"], first["baseline"]) == (6, 2)
    assert first["expected"] == pytest.approx(2 * 10 / 50)
    share = 10 / 60
    assert first["p_value"] == pytest.approx(binomtest(6, 8, share, "greater").pvalue)
    assert second["p_value"] == pytest.approx(binomtest(2, 22, share, "greater").pvalue)
    assert second["p_value"] > 0.5  # a steady cell is not "emerging"


def test_change_of_nothing_and_bad_windows() -> None:
    assert analytics.change(empty_frame(LayerKind.INCIDENT), 7, 28).empty
    with pytest.raises(SchemaError, match="1 or more"):
        analytics.change(incidents([(23.0, 54.0)]), 0, 28)


def test_select_by_time_area_and_focus(demo: gpd.GeoDataFrame) -> None:
    since = pd.Timestamp("2026-09-01", tz="UTC")
    bbox = (22.0, 53.5, 23.5, 54.5)
    got = analytics.select(demo, since=since, bbox=bbox, focus=["poc", "crsv"])
    x, y = demo.geometry.x, demo.geometry.y
    plain = demo[
        (demo["date"] >= since)
        & x.between(22.0, 23.5)
        & y.between(53.5, 54.5)
        & demo["focus_area"].isin(["poc", "crsv"])
    ]
    assert 0 < len(got) < len(demo)
    assert got["id"].tolist() == plain["id"].tolist()
    with pytest.raises(SchemaError, match="humanitarian_access"):
        analytics.select(demo, focus=["pox"])


def test_charts_are_offline_figures_with_escaped_labels(demo: gpd.GeoDataFrame) -> None:
    frame = incidents([(23.0, 54.0)] * 2, perpetrator=["<b>x</b>", "<b>x</b>"])
    figures = [
        charts.trend_figure(analytics.trend(demo), "events"),
        charts.victims_figure(analytics.victims(demo)),
        charts.actors_figure(analytics.actors(frame)),
        charts.hotspot_figure(analytics.hotspots(_cluster(), 6)),
    ]
    trend = figures[0].to_dict()
    assert {t["name"] for t in trend["data"]} >= {"Protection of civilians"}
    assert sum(int(np.sum(t.y)) for t in figures[0].data) == len(demo)
    actors = figures[2].to_dict()
    assert list(actors["data"][0]["y"]) == [html.escape("<b>x</b>")]
    assert "<b>" not in str(actors)
    for fig in figures:
        kinds = {trace["type"] for trace in fig.to_dict()["data"]}
        assert kinds <= {"bar", "scatter"}  # no geo/map traces (topojson, tiles)
    hot = figures[3].to_dict()
    assert "hot 99%" in {t["name"] for t in hot["data"]}


def test_nearest_place_is_geodesic() -> None:
    from pyproj import Geod  # noqa: PLC0415

    places = gpd.GeoDataFrame(
        {"name": ["Suwałki", "Kaunas"]},
        geometry=[shapely.Point(22.93, 54.1), shapely.Point(23.9, 54.9)],
        crs=WGS84,
    )
    got = analytics.nearest_place(np.array([54.2]), np.array([23.0]), places)
    _, _, metres = Geod(ellps="WGS84").inv(23.0, 54.2, 22.93, 54.1)
    assert got.loc[0, "nearest_place"] == "Suwałki"
    assert got.loc[0, "distance_km"] == pytest.approx(metres / 1000, rel=1e-9)


def test_trend_selection_picks_the_incidents_of_the_chosen_bars(demo: gpd.GeoDataFrame) -> None:
    table = analytics.trend(demo, freq="W", by="event_type")
    bars = table.sort_values("events", ascending=False).head(3)
    picks = list(zip(bars["period"], bars["group"], strict=True))
    inside = analytics.in_trend_selection(demo, "W", "event_type", picks)
    assert inside.sum() == bars["events"].sum()
    week = demo["date"].dt.tz_convert("UTC").dt.tz_localize(None).dt.to_period("W").dt.start_time
    plain = pd.Series(list(zip(week, demo["event_type"].fillna("(not given)"), strict=True)))
    assert (plain.isin(picks).to_numpy() == inside).all()
    assert not analytics.in_trend_selection(demo, "W", "event_type", []).any()


def test_victims_selection_picks_the_events_with_victims_in_the_chosen_bars(
    demo: gpd.GeoDataFrame,
) -> None:
    inside = analytics.in_victims_selection(demo, [("female", "child")])
    plain = demo["victims_female_child"].fillna(0) > 0
    assert 0 < inside.sum() < len(demo)
    assert (plain.to_numpy() == inside).all()
    both = analytics.in_victims_selection(demo, [("female", "child"), ("male", "adult")])
    either = plain | (demo["victims_male_adult"].fillna(0) > 0)
    assert (either.to_numpy() == both).all() and both.sum() > inside.sum()
    # The chosen events hold every victim of that bar: the chart of them shows the same bar.
    chosen = analytics.victims(demo[inside]).table.set_index(["sex", "age"])["victims"]
    whole = analytics.victims(demo).table.set_index(["sex", "age"])["victims"]
    assert chosen[("female", "child")] == whole[("female", "child")]
    assert not analytics.in_victims_selection(demo, []).any()
    with pytest.raises(SchemaError, match="female/child"):
        analytics.in_victims_selection(demo, [("female", "elderly")])


def test_actors_selection_picks_the_events_of_the_chosen_actors() -> None:
    frame = incidents(
        [(23.0, 54.0)] * 4,
        perpetrator=[" group A ", "<b>x</b>", None, "group A"],
        killed=[1, 2, 3, 4],
    )
    table = analytics.actors(frame, top=None)
    assert set(table["actor"]) == {"group A", "<b>x</b>", "(not given)"}
    inside = analytics.in_actors_selection(frame, ["group A", "(not given)"])
    assert inside.tolist() == [True, False, True, True]
    assert analytics.in_actors_selection(frame, ["<b>x</b>"]).tolist() == [
        False,
        True,
        False,
        False,
    ]
    picked = analytics.actors(frame[inside], top=None).set_index("actor")["events"]
    assert picked.to_dict() == {"group A": 2, "(not given)": 1}


def test_hotspot_figure_leaves_out_many_plain_cells() -> None:
    cells = analytics.hotspots(_cluster(), 6)
    plain = int((cells["class"] == "not significant").sum())
    names = {t.name for t in charts.hotspot_figure(cells, max_plain=plain).data}
    assert "not significant" in names
    names = {t.name for t in charts.hotspot_figure(cells, max_plain=plain - 1).data}
    assert "not significant" not in names
    assert "hot 99%" in names


def test_trend_bars_of_a_focus_area_take_the_maps_colour() -> None:
    table = pd.DataFrame(
        {
            "period": pd.to_datetime(["2026-01-01", "2026-01-01"], utc=True),
            "group": ["crsv", "(not given)"],
            "events": [3, 1],
            "fatalities": [0, 0],
        }
    )
    bars = {bar["name"]: bar.get("marker", {}).get("color") for bar in
            charts.trend_figure(table).to_dict()["data"]}  # fmt: skip
    assert bars[FOCUS_AREA_TITLES[FocusArea.CRSV]] == FOCUS_STYLES["crsv"].colour
    assert bars["(not given)"] is None


def _several_areas() -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(
        {
            "id": ["sv-child", "battle", "shelling", "battle-2"],
            "date": ["2026-02-02", "2026-02-03", "2026-03-01", "2026-03-02"],
            "focus_areas": ["crsv;caac", None, "poc", None],
            "event_type": ["Violence against civilians", "Battles", "Explosions", "Battles"],
            "type": ["Sexual violence", "Armed clash", "Shelling", "Armed clash"],
            "killed": [0, 5, 2, None],
        },
        geometry=[shapely.Point(23, 54)] * 4,
        crs=WGS84,
    )
    return conform(frame, LayerKind.INCIDENT)


def test_trend_counts_an_incident_under_each_of_its_focus_areas_and_conflict_events() -> None:
    incidents = _several_areas()
    table = analytics.trend(incidents, freq="M", by="focus_area")
    got = {(p.strftime("%Y-%m"), g): (n, k) for p, g, n, k in table.itertuples(index=False)}
    assert got == {
        ("2026-02", "caac"): (1, 0),
        ("2026-02", "conflict_event"): (1, 5),
        ("2026-02", "crsv"): (1, 0),
        ("2026-03", "conflict_event"): (1, 0),
        ("2026-03", "poc"): (1, 2),
    }
    by_type = analytics.trend(incidents, freq="M", by="event_type")
    assert set(by_type["group"]) == {"Violence against civilians", "Battles", "Explosions"}
    assert by_type["events"].sum() == 4  # by event type each incident counts once
    picked = analytics.in_trend_selection(
        incidents, "M", "focus_area", [(pd.Timestamp("2026-02-01"), "caac")]
    )
    assert picked.tolist() == [True, False, False, False]
    conflict = analytics.in_trend_selection(
        incidents, "M", "focus_area", [(pd.Timestamp("2026-03-01"), "conflict_event")]
    )
    assert conflict.tolist() == [False, False, False, True]
    assert len(analytics.select(incidents, focus=["caac", "conflict_event"])) == 3
    with pytest.raises(SchemaError, match="'conflict_event'"):
        analytics.select(incidents, focus=["battles"])
    assert charts._label("conflict_event") == "Conflict events (no focus area)"


def test_permutation_run_reports_progress_and_matches_a_single_run() -> None:
    frame = _cluster(seed=7)
    calls: list[tuple[int, int]] = []
    with_progress = analytics.hotspots(
        frame, resolution=6, permutations=99, seed=3, progress=lambda d, t: calls.append((d, t))
    )
    plain = analytics.hotspots(frame, resolution=6, permutations=99, seed=3)
    assert with_progress["p_value"].tolist() == plain["p_value"].tolist()
    total = len(plain)
    assert len(calls) > 1  # reported in parts, not once at the end
    assert [t for _, t in calls] == [total] * len(calls)
    done = [d for d, _ in calls]
    assert done == sorted(done) and done[-1] == total and done[0] < total


def test_a_cell_table_changes_nothing_but_the_speed() -> None:
    frame = _cluster(seed=7)
    cells = analytics.cells_of(frame, 6)
    table = analytics.CellTable.around(cells.dropna().unique())
    half = frame.iloc[: len(frame) // 2]  # a subset, as a filter state gives
    for subset in (frame, half):
        plain = analytics.hotspots(subset, 6)
        fast = analytics.hotspots(subset, 6, cells=cells.loc[subset.index], table=table)
        pd.testing.assert_frame_equal(pd.DataFrame(plain), pd.DataFrame(fast))
        assert plain.geometry.equals(fast.geometry)
    permuted = analytics.hotspots(frame, 6, permutations=99, seed=3)
    fast = analytics.hotspots(frame, 6, permutations=99, seed=3, table=table)
    assert permuted["p_value"].tolist() == fast["p_value"].tolist()
    plain_change = analytics.change(frame, 7, 28)
    fast_change = analytics.change(frame, 7, 28, cells=cells, table=table)
    pd.testing.assert_frame_equal(pd.DataFrame(plain_change), pd.DataFrame(fast_change))


def test_cells_of_gives_the_cells_of_h3_itself() -> None:
    """The vectorised placement (h3ronpy) gives what ``h3.latlng_to_cell`` gives, point by
    point, at every resolution, across the globe, the poles and the antimeridian."""
    import h3  # noqa: PLC0415

    rng = np.random.default_rng(5)
    lons = [*rng.uniform(-180, 180, 300).tolist(), 180.0, -180.0, 0.0, 23.0, 23.0]
    lats = [*rng.uniform(-90, 90, 300).tolist(), 0.0, 0.0, 90.0, -90.0, 54.1]
    frame = incidents(list(zip(lons, lats, strict=True)))
    frame.loc[3, "geometry"] = None  # no location: no cell
    for resolution in (0, 6, 15):
        got = analytics.cells_of(frame, resolution)
        assert str(got.dtype) == "string" and got.name == "h3"
        assert pd.isna(got.iloc[3])
        expected = [
            h3.latlng_to_cell(lat, lon, resolution) for lon, lat in zip(lons, lats, strict=True)
        ]
        assert got.drop(index=3).tolist() == expected[:3] + expected[4:]


def test_a_permutation_run_says_when_its_floor_hides_every_cell() -> None:
    # 999 permutations: p >= 2/1000; over 25,000 cells BH keeps a cell at 90 % only from the
    # 500th cell at that floor on, so a strong lone cluster cannot show: the page says so.
    note = permutation_limit(999, 25_000)
    assert note is not None and "0.0020" in note and "at least 500 cells" in note
    assert "(499,999)" in note  # what a lone cell would need, above the 99,999 allowed
    assert permutation_limit(0, 25_000) is None  # the analytic inference has no floor
    assert permutation_limit(9999, 100) is None  # 2e-4 * 100 / 0.1 = 0.2 cells: no floor
    small = permutation_limit(99, 100)  # 0.02 * 100 / 0.1 = 20 cells; 1,999 would do
    assert small is not None and "at least 1,999 permutations" in small
