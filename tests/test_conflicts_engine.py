"""find_conflicts: exact thresholds per geometry pairing, containment, antimeridian, time, rules."""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from humansec import find_conflicts, load_rules
from humansec.conflicts.rules import RuleSet, parse_rules
from humansec.errors import SchemaError

GEOD = pyproj.Geod(ellps="WGS84")
D = 1000.0


def fwd(lon: float, lat: float, az: float, dist: float) -> tuple[float, float, float]:
    lon2, lat2, back = GEOD.fwd(lon, lat, az, dist)
    return float(lon2), float(lat2), float(back)


def rules_for(distance: float, *, activity: str = "patrol", feature: str = "cultural") -> RuleSet:
    return parse_rules(
        f'[[rule]]\nactivity = "{activity}"\nfeature = "{feature}"\n'
        f'distance_m = {distance!r}\nseverity = "high"\nrationale = "test"\n'
    )


def acts(*geoms: shapely.Geometry, **cols: object) -> gpd.GeoDataFrame:
    data = {"id": [f"a{k}" for k in range(len(geoms))], "type": "patrol", **cols}
    return gpd.GeoDataFrame(data, geometry=list(geoms), crs="EPSG:4326")


def feats(*geoms: shapely.Geometry, **cols: object) -> gpd.GeoDataFrame:
    data = {"id": [f"f{k}" for k in range(len(geoms))], "kind": "cultural", **cols}
    return gpd.GeoDataFrame(data, geometry=list(geoms), crs="EPSG:4326")


def pair_at(
    kind_a: str, kind_f: str, lon: float, lat: float, az: float
) -> tuple[shapely.Geometry, shapely.Geometry]:
    """An activity around P and a feature around Q, their nearest points P and Q, D apart.

    The activity extends away from Q; the feature's edge through Q is the geodesic
    perpendicular to PQ (tangent to the geodesic circle of radius D about P, Gauss's lemma).
    """
    qlon, qlat, back = fwd(lon, lat, az, D)
    away_p = az + 180.0
    out_q = back + 180.0  # direction at Q away from P
    if kind_a == "point":
        a = shapely.Point(lon, lat)
    elif kind_a == "line":
        a = shapely.LineString([(lon, lat), fwd(lon, lat, away_p, 3000.0)[:2]])
    else:
        a = shapely.Polygon(
            [
                (lon, lat),
                fwd(lon, lat, away_p + 30, 3000.0)[:2],
                fwd(lon, lat, away_p - 30, 3000.0)[:2],
            ]
        )
    e1 = fwd(qlon, qlat, out_q + 90.0, 2000.0)
    e2 = fwd(qlon, qlat, out_q - 90.0, 2000.0)
    if kind_f == "point":
        f = shapely.Point(qlon, qlat)
    elif kind_f == "line":
        f = shapely.LineString([e1[:2], e2[:2]])
    else:
        far2 = fwd(e2[0], e2[1], out_q, 2000.0)
        far1 = fwd(e1[0], e1[1], out_q, 2000.0)
        f = shapely.Polygon([e1[:2], e2[:2], far2[:2], far1[:2]])
    return a, f


KINDS = ("point", "line", "polygon")
PLACES = [
    pytest.param(30.5, 50.4, 37.0, id="kyiv"),
    pytest.param(-70.6, -33.4, 200.0, id="santiago"),
    pytest.param(20.0, 75.0, 300.0, id="svalbard"),
    pytest.param(179.995, 10.0, 90.0, id="antimeridian-east"),
    pytest.param(-179.995, -5.0, 270.0, id="antimeridian-west"),
]


@pytest.mark.parametrize("kind_a", KINDS)
@pytest.mark.parametrize("kind_f", KINDS)
@pytest.mark.parametrize(("lon", "lat", "az"), PLACES)
def test_a_centimetre_inside_and_outside(
    kind_a: str, kind_f: str, lon: float, lat: float, az: float
) -> None:
    a, f = pair_at(kind_a, kind_f, lon, lat, az)
    inside = find_conflicts(acts(a), feats(f), rules_for(D + 0.01))
    assert len(inside) == 1
    assert inside.loc[0, "distance_m"] == pytest.approx(D, abs=1e-3)
    assert inside.loc[0, "threshold_m"] == pytest.approx(D + 0.01)
    outside = find_conflicts(acts(a), feats(f), rules_for(D - 0.01))
    assert outside.empty


@pytest.mark.parametrize(
    ("a", "f"),
    [
        (shapely.box(30, 50, 30.1, 50.1), shapely.Point(30.05, 50.05)),
        (shapely.Point(30.05, 50.05), shapely.box(30, 50, 30.1, 50.1)),
        (
            shapely.LineString([(30, 50), (30.1, 50.1)]),
            shapely.LineString([(30, 50.1), (30.1, 50)]),
        ),
        (shapely.box(30, 50, 30.1, 50.1), shapely.box(30.05, 50.05, 30.2, 50.2)),
        (shapely.box(30, 50, 30.1, 50.1), shapely.box(30.02, 50.02, 30.03, 50.03)),
        (shapely.LineString([(30, 50), (30.1, 50.1)]), shapely.Point(30, 50)),
    ],
    ids=["point-in-area", "area-around-point", "crossing-lines", "overlap", "inside", "touch"],
)
def test_contact_and_containment_are_distance_zero(
    a: shapely.Geometry, f: shapely.Geometry
) -> None:
    got = find_conflicts(acts(a), feats(f), rules_for(0.0))
    assert len(got) == 1
    assert got.loc[0, "distance_m"] == pytest.approx(0.0, abs=1e-6)


def test_a_long_route_uses_geodesic_edges() -> None:
    # a 900 km route; a point 500 m off its geodesic middle is 1-2 km off the lon/lat line
    start, end = (20.0, 45.0), (31.0, 50.0)
    mid = GEOD.npts(*start, *end, 1)[0]
    az_mid = GEOD.inv(mid[0], mid[1], *end)[0]
    p = fwd(mid[0], mid[1], az_mid - 90.0, 500.0)
    route = shapely.LineString([start, end])
    chord = shapely.Point(p[:2]).distance(route)  # degrees: shows the chord is elsewhere
    assert chord > 0.005
    got = find_conflicts(acts(route), feats(shapely.Point(p[:2])), rules_for(500.01))
    assert got.loc[0, "distance_m"] == pytest.approx(500.0, abs=1e-3)
    assert find_conflicts(acts(route), feats(shapely.Point(p[:2])), rules_for(499.99)).empty


def test_precision_widens_and_hazard_radius_replaces_the_rule() -> None:
    a, f = pair_at("point", "point", 30.0, 50.0, 10.0)
    rules = rules_for(D - 5.0)
    assert find_conflicts(acts(a, precision_m=[3.0]), feats(f, precision_m=[1.99]), rules).empty
    got = find_conflicts(acts(a, precision_m=[3.0]), feats(f, precision_m=[2.01]), rules)
    assert got.loc[0, "threshold_m"] == pytest.approx(D + 0.01)
    small = rules_for(10.0)
    assert len(find_conflicts(acts(a, hazard_radius_m=[D + 0.01]), feats(f), small)) == 1
    assert find_conflicts(acts(a, hazard_radius_m=[D - 0.01]), feats(f), small).empty
    assert len(find_conflicts(acts(a, hazard_radius_m=[np.nan]), feats(f), rules_for(D))) == 1


def test_time_windows_that_touch_conflict_and_that_miss_do_not() -> None:
    a, f = pair_at("point", "line", 30.0, 50.0, 10.0)
    activity = acts(a, start=["2026-11-26T10:00:00Z"], end=["2026-11-26T12:00:00Z"])
    rules = rules_for(D + 1.0, feature="humanitarian_movement")

    def movement(start: str | None, end: str | None) -> gpd.GeoDataFrame:
        return feats(f, kind="humanitarian_movement", valid_from=[start], valid_to=[end])

    touch = find_conflicts(activity, movement("2026-11-26T12:00:00Z", None), rules)
    assert touch.loc[0, "time_overlap"] is True
    miss = find_conflicts(activity, movement("2026-11-26T12:00:01Z", "2026-11-27T00:00:00Z"), rules)
    assert miss.empty
    before = find_conflicts(activity, movement(None, "2026-11-26T09:59:59Z"), rules)
    assert before.empty
    untimed = find_conflicts(activity, movement(None, None), rules)
    assert untimed.loc[0, "time_overlap"] is None
    open_activity = find_conflicts(acts(a), movement("2026-11-26T12:00:01Z", None), rules)
    assert open_activity.loc[0, "time_overlap"] is None


def test_category_rules_win_and_rows_are_sorted_and_complete() -> None:
    rules = load_rules()
    a = shapely.Point(30.0, 50.0)
    sites = [fwd(30.0, 50.0, az, 150.0)[:2] for az in (0, 90, 180)]
    features = gpd.GeoDataFrame(
        {
            "id": ["hospital", "warehouse", "dam"],
            "kind": ["humanitarian_site", "humanitarian_site", "infrastructure"],
            "category": ["hospital", "warehouse", "dam"],
            "layer_id": ["L1", "L1", "L2"],
        },
        geometry=[shapely.Point(s) for s in sites],
        crs="EPSG:4326",
    )
    got = find_conflicts(acts(a, type=["checkpoint"]), features, rules)
    by_id = got.set_index("feature_id")
    assert by_id.loc["hospital", "rule"].endswith("[category=hospital]")
    assert by_id.loc["warehouse", "rule"] == "checkpoint -> humanitarian_site"
    assert by_id.loc["hospital", "threshold_m"] > by_id.loc["warehouse", "threshold_m"]
    assert by_id.loc["dam", "feature_layer"] == "L2"
    ranks = got["severity"].map({"critical": 0, "high": 1, "medium": 2, "low": 3}).to_numpy()
    assert (np.diff(ranks) >= 0).all()
    for col in ("activity_id", "feature_kind", "rationale", "feature_category", "time_overlap"):
        assert col in got.columns
    assert "placeholder" in by_id.loc["dam", "rationale"].lower()


def test_a_pair_without_a_rule_is_not_checked() -> None:
    a, f = pair_at("point", "point", 30.0, 50.0, 10.0)
    assert find_conflicts(acts(a, type=["convoy"]), feats(f), rules_for(5000.0)).empty


def test_wrong_crs_and_unknown_kind_are_refused() -> None:
    a, f = pair_at("point", "point", 30.0, 50.0, 10.0)
    with pytest.raises(SchemaError, match="EPSG:4326"):
        find_conflicts(acts(a).to_crs("EPSG:3857"), feats(f), rules_for(1.0))
    with pytest.raises(SchemaError, match="EPSG:4326"):
        find_conflicts(acts(a), feats(f).to_crs("EPSG:32636"), rules_for(1.0))
    with pytest.raises(SchemaError, match="'population'"):
        find_conflicts(acts(a), feats(f, kind="incident"), rules_for(1.0))
    with pytest.raises(SchemaError, match="air_strike"):
        find_conflicts(acts(a, type=["bombing"]), feats(f), rules_for(1.0))


def test_empty_inputs_give_an_empty_table_with_the_columns() -> None:
    a, _ = pair_at("point", "point", 30.0, 50.0, 10.0)
    got = find_conflicts(acts(a), feats(), rules_for(1.0))
    assert got.empty
    assert {"activity_id", "feature_id", "distance_m", "severity"} <= set(got.columns)


def test_golden_random_point_pairs_against_geographiclib() -> None:
    rng = np.random.default_rng(2026)
    n_a, n_f = 40, 3000
    alon, alat = rng.uniform(22, 40, n_a), rng.uniform(44, 52, n_a)
    pick = rng.integers(0, n_a, n_f)
    flon, flat, _ = GEOD.fwd(
        alon[pick], alat[pick], rng.uniform(0, 360, n_f), rng.uniform(0, 6000, n_f)
    )
    got = find_conflicts(
        acts(*shapely.points(alon, alat)), feats(*shapely.points(flon, flat)), rules_for(3000.0)
    )
    ai, fj = np.meshgrid(np.arange(n_a), np.arange(n_f), indexing="ij")
    dist = GEOD.inv(alon[ai.ravel()], alat[ai.ravel()], flon[fj.ravel()], flat[fj.ravel()])[2]
    inside = dist <= 3000.0
    expected = {
        (f"a{i}", f"f{j}"): d
        for i, j, d in zip(ai.ravel()[inside], fj.ravel()[inside], dist[inside], strict=True)
    }
    found = dict(
        zip(zip(got["activity_id"], got["feature_id"], strict=True), got["distance_m"], strict=True)
    )
    assert set(found) == set(expected)
    assert len(expected) > 1000
    worst = max(abs(found[k] - expected[k]) for k in expected)
    assert worst < 1e-6


def brute_point_segment(
    p: tuple[float, float], a: tuple[float, float], b: tuple[float, float]
) -> float:
    """Dense sampling along the geodesic a-b, refined twice around the best sample."""
    start, end, best = a, b, np.inf
    for _ in range(3):
        pts = np.array(GEOD.npts(*start, *end, 300, initial_idx=0, terminus_idx=0))
        d = GEOD.inv(np.full(len(pts), p[0]), np.full(len(pts), p[1]), pts[:, 0], pts[:, 1])[2]
        k = int(np.argmin(d))
        best = min(best, float(d[k]))
        start, end = tuple(pts[max(k - 1, 0)]), tuple(pts[min(k + 1, len(pts) - 1)])
    return best


def test_golden_points_against_routes_and_areas_dense_reference() -> None:
    rng = np.random.default_rng(7)
    route = shapely.LineString([(30.0, 50.0), (30.3, 50.1), (30.5, 49.9)])
    area = shapely.Polygon([(31.0, 50.0), (31.2, 50.0), (31.2, 50.15), (31.0, 50.0)])
    pts = list(
        shapely.points(
            np.concatenate([rng.uniform(29.95, 30.55, 100), rng.uniform(30.95, 31.25, 100)]),
            rng.uniform(49.85, 50.2, 200),
        )
    )
    got = find_conflicts(acts(route, area), feats(*pts), rules_for(2000.0))
    for aid, geom in (("a0", route), ("a1", area)):
        ring = list(geom.exterior.coords if geom.geom_type == "Polygon" else geom.coords)
        ref = {}
        for k, p in enumerate(pts):
            if geom.geom_type == "Polygon" and geom.contains(p):
                ref[f"f{k}"] = 0.0
                continue
            if p.distance(geom) > 0.05:  # degrees: far beyond 2 km
                continue
            ref[f"f{k}"] = min(
                brute_point_segment((p.x, p.y), a, b) for a, b in itertools.pairwise(ring)
            )
        mine = got[got["activity_id"] == aid].set_index("feature_id")["distance_m"]
        assert set(mine.index) == {k for k, v in ref.items() if v <= 2000.0}
        assert len(mine) > 10
        for k, v in mine.items():
            assert v == pytest.approx(ref[k], abs=0.01)


@settings(max_examples=25, deadline=None)
@given(
    lon=st.floats(-180, 180),
    lat=st.floats(-70, 70),
    az=st.floats(0, 360),
    dist=st.floats(1.0, 20_000.0),
    shape=st.sampled_from(["point", "line"]),
)
def test_property_on_threshold_is_flagged_and_a_centimetre_beyond_is_not(
    lon: float, lat: float, az: float, dist: float, shape: str
) -> None:
    qlon, qlat, back = fwd(lon, lat, az, dist)
    if shape == "point":
        f = shapely.Point(qlon, qlat)
    else:
        e1 = fwd(qlon, qlat, back + 90.0, 300.0)
        e2 = fwd(qlon, qlat, back - 90.0, 300.0)
        f = shapely.LineString([e1[:2], e2[:2]])
    on = find_conflicts(acts(shapely.Point(lon, lat)), feats(f), rules_for(dist))
    assert len(on) == 1
    assert on.loc[0, "distance_m"] == pytest.approx(dist, abs=1e-3)
    f_beyond = shapely.Point(fwd(lon, lat, az, dist + 0.01)[:2]) if shape == "point" else f
    rules = rules_for(dist) if shape == "point" else rules_for(dist - 0.01)
    assert find_conflicts(acts(shapely.Point(lon, lat)), feats(f_beyond), rules).empty


def test_activities_keep_their_extra_rows_apart() -> None:
    a0, f0 = pair_at("point", "point", 30.0, 50.0, 10.0)
    a1 = shapely.Point(35.0, 48.0)
    got = find_conflicts(acts(a0, a1), feats(f0), rules_for(D + 1))
    assert list(got["activity_id"]) == ["a0"]
    assert isinstance(got, pd.DataFrame)


def test_across_the_pole() -> None:
    a = shapely.Point(0.0, 89.995)
    f = shapely.Point(180.0, 89.995)  # about 1.1 km away, over the pole
    d = GEOD.inv(0.0, 89.995, 180.0, 89.995)[2]
    got = find_conflicts(acts(a), feats(f), rules_for(d + 0.01))
    assert got.loc[0, "distance_m"] == pytest.approx(d, abs=1e-6)
    assert find_conflicts(acts(a), feats(f), rules_for(d - 0.01)).empty
    route = shapely.LineString([(-90.0, 89.99), (90.0, 89.99)])  # its geodesic crosses the pole
    got = find_conflicts(acts(route), feats(shapely.Point(0.0, 90.0)), rules_for(1.0))
    assert got.loc[0, "distance_m"] == pytest.approx(0.0, abs=1e-3)


def test_pairs_near_their_threshold_get_geographiclib_distances() -> None:
    # on the threshold: the fast formulas are replaced by GeographicLib's own numbers
    lon2, lat2, _ = fwd(30.0, 50.0, 37.0, 1234.5)
    exact = GEOD.inv(30.0, 50.0, lon2, lat2)[2]
    got = find_conflicts(
        acts(shapely.Point(30.0, 50.0)), feats(shapely.Point(lon2, lat2)), rules_for(exact)
    )
    assert got.loc[0, "distance_m"] == exact
    route = shapely.LineString([(30.0, 50.0), (30.05, 50.0)])
    near = find_conflicts(acts(route), feats(shapely.Point(30.02, 50.01)), rules_for(2000.0))
    d = float(near.loc[0, "distance_m"])
    on = find_conflicts(acts(route), feats(shapely.Point(30.02, 50.01)), rules_for(d))
    beyond = find_conflicts(acts(route), feats(shapely.Point(30.02, 50.01)), rules_for(d - 1e-5))
    assert len(on) == 1 and beyond.empty


def test_repeated_texts_are_categorical_and_export_as_text() -> None:
    a, f = pair_at("point", "point", 30.0, 50.0, 10.0)
    got = find_conflicts(acts(a, a), feats(f, f), rules_for(D))
    for col in ("activity_type", "feature_kind", "feature_category", "rule", "rationale"):
        assert isinstance(got[col].dtype, pd.CategoricalDtype)
    assert got["rule"].iloc[0] == "patrol -> cultural"
    assert got["feature_category"].isna().all()
    assert "patrol -> cultural" in got.to_csv(index=False)


@pytest.mark.parametrize("lon", [180.0, -180.0, 179.9999])
def test_a_line_feature_across_the_antimeridian_is_found_from_a_point(lon: float) -> None:
    """A 600 m line drawn from 179.997 to -179.997 (360 degrees wide in degrees) 1 m away."""
    qlon, qlat, back = fwd(lon, 0.0, 0.0, 1.0)
    e1 = fwd(qlon, qlat, back + 90.0, 300.0)
    e2 = fwd(qlon, qlat, back - 90.0, 300.0)
    line = shapely.LineString([e1[:2], e2[:2]])
    assert line.bounds[2] - line.bounds[0] > 359.0
    got = find_conflicts(acts(shapely.Point(lon, 0.0)), feats(line), rules_for(1.0))
    assert len(got) == 1
    assert got.loc[0, "distance_m"] == pytest.approx(1.0, abs=1e-6)
