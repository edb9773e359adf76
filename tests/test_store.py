"""Tests for humansec.store: every test using ``store`` runs against both backends (a real
GeoPackage in tmp_path and a real PostGIS database, see conftest.py); ``gpkg_store`` tests are
about the file itself. PostGIS-only behaviour is in test_store_postgis.py."""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal

from humansec.errors import SchemaError, StoreError
from humansec.model import WGS84, LayerKind, conform
from humansec.settings import Settings
from humansec.store import GeoPackageStore, LayerStore, NewLayer, TimeRange, open_store
from humansec.store.geopackage import CATALOGUE_TABLE, DATETIME_DTYPE

UTC = "UTC"
MARKING = "NATO UNCLASSIFIED"


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz=UTC)


def meta(kind: LayerKind, title: str = "Test layer", **extra: object) -> NewLayer:
    return NewLayer(kind, title, "unit test", "CC-BY-4.0", MARKING, **extra)  # type: ignore[arg-type]


def sites() -> gpd.GeoDataFrame:
    """Four humanitarian sites with every field type, nulls included, points and a polygon.

    Validity: a [Jan 1, Jan 10], b [Jan 5, open), c (open, Jan 3], d [Feb 1, Feb 5] (2026).
    """
    return gpd.GeoDataFrame(
        {
            "id": ["a", "b", "c", "d"],
            "name": ["Clinic A", None, "Ecole c", "Warehouse <d>"],
            "precision_m": [10.0, np.nan, 0.5, 100.0],
            "organisation": ["MSF", "ICRC", None, "WFP"],
            "category": ["clinic", "school", "idp_site", "warehouse"],
            "notified": pd.array([True, None, False, True], dtype="boolean"),
            "valid_from": ["2026-01-01T00:00Z", "2026-01-05T12:30Z", None, "2026-02-01T00:00Z"],
            "valid_to": ["2026-01-10T00:00Z", None, "2026-01-03T00:00Z", "2026-02-05T00:00Z"],
            "beds": pd.array([5, None, 7, 0], dtype="Int64"),
            "open": pd.array([None, True, False, True], dtype="boolean"),
        },
        geometry=[
            shapely.Point(30.5, 50.4),
            shapely.Point(36.2, 49.9),
            shapely.box(24.0, 48.0, 24.1, 48.1),
            shapely.Point(30.7, 46.5),
        ],
        crs=WGS84,
    )


def dams(ids: tuple[str, ...] = ("d1", "d2")) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": list(ids), "category": ["dam"] * len(ids)},
        geometry=[shapely.Point(30 + i, 50) for i in range(len(ids))],
        crs=WGS84,
    )


def reopen(store: LayerStore) -> LayerStore:
    """A second store object on the same file or database."""
    if isinstance(store, GeoPackageStore):
        return GeoPackageStore(store.path)
    from humansec.store.postgis import PostGISStore  # noqa: PLC0415

    assert isinstance(store, PostGISStore)
    return PostGISStore(store.url)


def expected(frame: gpd.GeoDataFrame, kind: LayerKind) -> gpd.GeoDataFrame:
    """What reading ``frame`` back must give: conformed, datetimes in the store's unit."""
    out = conform(frame, kind)
    for column in out.columns:
        if isinstance(out[column].dtype, pd.DatetimeTZDtype):
            out[column] = out[column].astype(DATETIME_DTYPE)
    if out.geometry.name != "geometry":
        out = out.rename_geometry("geometry")
    return out.reset_index(drop=True)


# -- opening ------------------------------------------------------------------------------


def test_new_store_is_empty(store):
    assert store.is_empty()
    assert store.catalogue(include_retired=True) == []
    assert store.orphan_tables() == []  # type: ignore[attr-defined]


def test_new_geopackage_store_creates_nothing_until_written(gpkg_store, store_path):
    assert gpkg_store.is_empty()
    assert not store_path.parent.exists()


def test_open_store_uses_the_settings_path(tmp_path):
    settings = Settings(data_dir=tmp_path / "d")
    store = open_store(settings)
    assert isinstance(store, GeoPackageStore)
    assert store.path == tmp_path / "d" / "humansec.gpkg"


@pytest.mark.parametrize(
    "content",
    [b"id,lat,lon\n1,2,3\n", b'{"type": "FeatureCollection", "features": []}', b""],
    ids=["csv", "geojson", "empty"],
)
def test_a_file_that_is_not_a_geopackage_is_refused(tmp_path, content):
    path = tmp_path / "humansec.gpkg"
    path.write_bytes(content)
    with pytest.raises(StoreError, match="not a GeoPackage"):
        GeoPackageStore(path)


def test_a_folder_is_refused(tmp_path):
    with pytest.raises(StoreError, match="folder"):
        GeoPackageStore(tmp_path)


def test_a_geopackage_without_catalogue_is_an_empty_store(tmp_path):
    path = tmp_path / "other.gpkg"
    pyogrio.write_dataframe(dams(), path, layer="roads", driver="GPKG")
    store = GeoPackageStore(path)
    assert store.is_empty()
    assert store.orphan_tables() == []  # a foreign table is not the store's orphan


# -- adding and reading ---------------------------------------------------------------------


def test_add_version_registers_metadata(store):
    before = dt.datetime.now(dt.UTC)
    record = store.add_version(
        sites(),
        meta(
            LayerKind.HUMANITARIAN_SITE,
            "Sites",
            exercise=True,
            provenance={"file": "sites.csv", "rows": 4},
        ),
        layer_id="sites",
    )
    assert record.layer_id == "sites"
    assert record.version == 1
    assert record.kind is LayerKind.HUMANITARIAN_SITE
    assert (record.title, record.source, record.licence) == ("Sites", "unit test", "CC-BY-4.0")
    assert record.classification == MARKING
    assert record.feature_count == 4
    assert record.exercise is True
    assert record.retired is False
    assert dict(record.provenance) == {"file": "sites.csv", "rows": 4}
    assert record.created_at.tzinfo is not None
    assert record.created_at >= before - dt.timedelta(seconds=1)
    assert store.catalogue() == [record]
    assert not store.is_empty()


def test_round_trip_keeps_values_and_dtypes(store):
    store.add_version(sites(), meta(LayerKind.HUMANITARIAN_SITE), layer_id="sites")
    read = store.read_layer("sites")
    want = expected(sites(), LayerKind.HUMANITARIAN_SITE)
    assert isinstance(read.index, pd.RangeIndex)
    assert read.crs == WGS84
    assert read.geometry.name == "geometry"
    assert dict(read.dtypes.astype(str)) == {
        "id": "string",
        "name": "string",
        "precision_m": "float64",
        "organisation": "string",
        "category": "string",
        "notified": "boolean",
        "valid_from": DATETIME_DTYPE,
        "valid_to": DATETIME_DTYPE,
        "beds": "Int64",  # extra columns keep their nullable integers and booleans
        "open": "boolean",
        "geometry": "geometry",
    }
    assert_geodataframe_equal(read, want, check_like=False)
    assert read.geom_type.tolist() == ["Point", "Point", "Polygon", "Point"]


def test_round_trip_of_every_kind_keeps_the_schema(store):
    incidents = gpd.GeoDataFrame(
        {
            "id": ["i1", "i2"],
            "date": ["2026-03-01T08:15:00.250Z", "2026-03-02"],
            "focus_area": ["crsv", "poc"],
            "killed": [None, 3],
            "verification": ["verified", None],
        },
        geometry=[shapely.Point(30, 50), shapely.Point(31, 51)],
        crs=WGS84,
    )
    store.add_version(incidents, meta(LayerKind.INCIDENT), layer_id="incidents")
    read = store.read_layer("incidents")
    assert_geodataframe_equal(read, expected(incidents, LayerKind.INCIDENT))
    assert read["killed"].dtype == "Int64"
    assert read["killed"].isna().tolist() == [True, False]
    assert read["date"].iloc[0] == ts("2026-03-01T08:15:00.250")


def test_empty_frame_is_stored_and_read(store):
    empty = sites().iloc[:0]
    record = store.add_version(empty, meta(LayerKind.HUMANITARIAN_SITE), layer_id="none")
    assert record.feature_count == 0
    read = store.read_layer("none")
    assert len(read) == 0
    assert read["valid_from"].dtype == DATETIME_DTYPE
    assert read["notified"].dtype == "boolean"
    assert len(store.read_layer("none", bbox=(0, 0, 1, 1), time_range=TimeRange(ts("2026")))) == 0


def test_layer_is_a_real_geopackage_table_with_spatial_index(gpkg_store, store_path):
    gpkg_store.add_version(dams(), meta(LayerKind.INFRASTRUCTURE), layer_id="dams")
    tables = pyogrio.list_layers(store_path)[:, 0].tolist()
    assert CATALOGUE_TABLE in tables
    (table,) = [t for t in tables if t.startswith("hs_dams_v1_")]
    rtree = pyogrio.read_dataframe(store_path, sql=f"SELECT count(*) AS n FROM rtree_{table}_geom")
    assert rtree["n"].tolist() == [2]
    assert pyogrio.read_info(store_path, layer=table)["crs"] == "EPSG:4326"


def test_nonconforming_frame_is_refused_and_nothing_is_stored(store):
    with pytest.raises(SchemaError, match="category"):
        store.add_version(dams().drop(columns="category"), meta(LayerKind.INFRASTRUCTURE))
    assert store.is_empty()


@pytest.mark.parametrize("column", ["fid", "GEOM", "layer_id"])
def test_reserved_column_names_are_refused(store, column):
    frame = dams().assign(**{column: 1})
    with pytest.raises(SchemaError, match="reserved"):
        store.add_version(frame, meta(LayerKind.INFRASTRUCTURE))


def test_columns_differing_only_in_case_are_refused(store):
    frame = dams().assign(Name=["x", "y"])
    with pytest.raises(SchemaError, match="upper/lower case"):
        store.add_version(frame, meta(LayerKind.INFRASTRUCTURE))


@pytest.mark.parametrize("marking", ["", "   "])
def test_empty_classification_is_refused(store, marking):
    blank = NewLayer(LayerKind.INFRASTRUCTURE, "Dams", "s", "l", marking)
    with pytest.raises(StoreError, match="classification"):
        store.add_version(dams(), blank)
    assert store.is_empty()


def test_geometry_column_with_another_name_is_stored(store):
    frame = dams().rename_geometry("geom_wgs84")
    store.add_version(frame, meta(LayerKind.INFRASTRUCTURE), layer_id="dams")
    read = store.read_layer("dams")
    assert read.geometry.name == "geometry"
    assert read.geometry.equals(dams().geometry)


# -- versions and ids -----------------------------------------------------------------------


def test_versions_accumulate_and_old_versions_stay_readable(store):
    first = store.add_version(dams(("d1", "d2")), meta(LayerKind.INFRASTRUCTURE), layer_id="dams")
    second = store.add_version(
        dams(("d1", "d2", "d3")), meta(LayerKind.INFRASTRUCTURE, "Dams v2"), layer_id="dams"
    )
    assert second.version == 2
    assert store.catalogue() == [second]
    assert store.versions("dams") == [first, second]
    assert store.read_layer("dams")["id"].tolist() == ["d1", "d2", "d3"]
    assert store.read_layer("dams", version=1)["id"].tolist() == ["d1", "d2"]
    # A second store object on the same file or database sees the same state.
    assert reopen(store).versions("dams") == [first, second]


def test_unknown_version_lists_the_known_ones(store):
    store.add_version(dams(), meta(LayerKind.INFRASTRUCTURE), layer_id="dams")
    store.add_version(dams(), meta(LayerKind.INFRASTRUCTURE), layer_id="dams")
    with pytest.raises(StoreError, match=r"no version 3; its versions are 1, 2"):
        store.read_layer("dams", version=3)


def test_unknown_layer_lists_the_known_ones(store):
    with pytest.raises(StoreError, match="none yet"):
        store.read_layer("dams")
    store.add_version(dams(), meta(LayerKind.INFRASTRUCTURE), layer_id="dams")
    store.add_version(sites(), meta(LayerKind.HUMANITARIAN_SITE), layer_id="sites")
    for call in (store.read_layer, store.versions):
        with pytest.raises(StoreError, match=r"no layer 'roads'; known layers: 'dams', 'sites'"):
            call("roads")
    with pytest.raises(StoreError, match="'dams', 'sites'"):
        store.set_retired("roads", retired=True)


def test_a_version_of_another_kind_is_refused(store):
    store.add_version(dams(), meta(LayerKind.INFRASTRUCTURE), layer_id="dams")
    with pytest.raises(StoreError, match="holds infrastructure features"):
        store.add_version(sites(), meta(LayerKind.HUMANITARIAN_SITE), layer_id="dams")
    assert [r.version for r in store.versions("dams")] == [1]


def test_generated_ids_are_readable_slugs_and_unique(store):
    a = store.add_version(dams(), meta(LayerKind.INFRASTRUCTURE, "Barrages du Dniepr (2026)!"))
    b = store.add_version(dams(), meta(LayerKind.INFRASTRUCTURE, "Barrages du Dniepr (2026)!"))
    c = store.add_version(dams(), meta(LayerKind.INFRASTRUCTURE, "Кyiv ☢"))
    assert a.layer_id.startswith("barrages_du_dniepr_2026_")
    assert a.layer_id != b.layer_id
    assert c.layer_id.startswith("yiv_")  # Cyrillic letters have no ASCII form; the rest stays
    for record in (a, b, c):
        assert record.version == 1
        assert len(record.layer_id) <= 40
        assert all(ch.islower() or ch.isdigit() or ch == "_" for ch in record.layer_id)


def test_untranslatable_title_falls_back_to_layer(store):
    record = store.add_version(dams(), meta(LayerKind.INFRASTRUCTURE, "Київ"))
    assert record.layer_id.startswith("layer_")


def test_a_long_title_gives_an_id_within_the_limit(store):
    record = store.add_version(dams(), meta(LayerKind.INFRASTRUCTURE, "word " * 30))
    assert len(record.layer_id) <= 40


@pytest.mark.parametrize("bad_id", ["Dams", "dams-2", "", "dams v2", "a" * 41, "hôpital"])
def test_invalid_layer_ids_are_refused(store, bad_id):
    with pytest.raises(StoreError, match="lowercase letters, digits and underscores"):
        store.add_version(dams(), meta(LayerKind.INFRASTRUCTURE), layer_id=bad_id)
    assert store.is_empty()


# -- retiring -------------------------------------------------------------------------------


def test_retire_and_restore(store):
    store.add_version(dams(), meta(LayerKind.INFRASTRUCTURE), layer_id="dams")
    store.add_version(sites(), meta(LayerKind.HUMANITARIAN_SITE), layer_id="sites")
    retired = store.set_retired("dams", retired=True)
    assert retired.retired is True
    assert retired.version == 1
    assert [r.layer_id for r in store.catalogue()] == ["sites"]
    assert [(r.layer_id, r.retired) for r in store.catalogue(include_retired=True)] == [
        ("dams", True),
        ("sites", False),
    ]
    assert all(r.retired for r in store.versions("dams"))
    # Retired layers keep their data but drop out of read_kind.
    assert len(store.read_layer("dams")) == 2
    assert len(store.read_kind(LayerKind.INFRASTRUCTURE)) == 0
    # Retiring twice changes nothing; restoring brings it back.
    assert store.set_retired("dams", retired=True) == retired
    restored = store.set_retired("dams", retired=False)
    assert restored.retired is False
    assert [r.layer_id for r in store.catalogue()] == ["dams", "sites"]
    assert len(store.read_kind(LayerKind.INFRASTRUCTURE)) == 2


def test_a_new_version_of_a_retired_layer_stays_retired(store):
    store.add_version(dams(), meta(LayerKind.INFRASTRUCTURE), layer_id="dams")
    store.set_retired("dams", retired=True)
    record = store.add_version(dams(("x",)), meta(LayerKind.INFRASTRUCTURE), layer_id="dams")
    assert (record.version, record.retired) == (2, True)
    assert store.catalogue() == []


def test_read_kind_concatenates_active_layers_of_the_kind(store):
    store.add_version(dams(("a1", "a2")), meta(LayerKind.INFRASTRUCTURE), layer_id="north")
    store.add_version(dams(("b1",)), meta(LayerKind.INFRASTRUCTURE), layer_id="south")
    store.add_version(sites(), meta(LayerKind.HUMANITARIAN_SITE), layer_id="sites")
    frame = store.read_kind(LayerKind.INFRASTRUCTURE)
    assert frame["layer_id"].tolist() == ["north", "north", "south"]
    assert frame["id"].tolist() == ["a1", "a2", "b1"]
    assert frame.crs == WGS84
    assert isinstance(frame.index, pd.RangeIndex)
    assert len(store.read_kind(LayerKind.CULTURAL)) == 0


# -- filters --------------------------------------------------------------------------------


def test_bbox_keeps_features_that_touch_the_box(store):
    store.add_version(sites(), meta(LayerKind.HUMANITARIAN_SITE), layer_id="sites")
    # West of Kyiv to east of Kharkiv, north of Odesa: a and b; the polygon c straddles 24.05.
    assert store.read_layer("sites", bbox=(30.0, 49.0, 37.0, 51.0))["id"].tolist() == ["a", "b"]
    assert store.read_layer("sites", bbox=(24.05, 48.05, 25.0, 49.0))["id"].tolist() == ["c"]
    assert len(store.read_layer("sites", bbox=(0.0, 0.0, 1.0, 1.0))) == 0
    inside = store.read_layer("sites", bbox=(-180, -90, 180, 90))
    assert isinstance(inside.index, pd.RangeIndex)
    assert len(inside) == 4


@pytest.mark.parametrize(
    "bbox",
    [(37.0, 49.0, 30.0, 51.0), (30.0, 51.0, 37.0, 49.0), (0, 0, 1, float("nan")), (0, 0, 181, 1)],
)
def test_invalid_bbox_is_refused(store, bbox):
    store.add_version(sites(), meta(LayerKind.HUMANITARIAN_SITE), layer_id="sites")
    with pytest.raises(StoreError, match="bbox"):
        store.read_layer("sites", bbox=bbox)


@pytest.mark.parametrize(
    ("start", "end", "ids"),
    [
        ("2026-01-10", "2026-01-20", ["a", "b"]),  # a ends on the closed bound
        ("2026-02-06", None, ["b"]),  # open end: b never ends
        (None, "2026-01-04", ["a", "c"]),  # open start: c never started
        ("2026-01-03", "2026-01-03", ["a", "c"]),  # one instant, on c's end
        (None, None, ["a", "b", "c", "d"]),
        ("2025-01-01", "2025-12-31", ["c"]),  # only the open-started c
    ],
)
def test_time_range_keeps_overlapping_intervals(store, start, end, ids):
    store.add_version(sites(), meta(LayerKind.HUMANITARIAN_SITE), layer_id="sites")
    window = TimeRange(ts(start) if start else None, ts(end) if end else None)
    read = store.read_layer("sites", time_range=window)
    assert read["id"].tolist() == ids
    assert isinstance(read.index, pd.RangeIndex)


def test_time_range_on_single_date_kinds_and_kinds_without_time(store):
    incidents = gpd.GeoDataFrame(
        {"id": ["i1", "i2"], "date": ["2026-03-01", "2026-03-05"], "focus_area": ["poc"] * 2},
        geometry=[shapely.Point(30, 50), shapely.Point(31, 50)],
        crs=WGS84,
    )
    store.add_version(incidents, meta(LayerKind.INCIDENT), layer_id="incidents")
    store.add_version(dams(), meta(LayerKind.INFRASTRUCTURE), layer_id="dams")
    window = TimeRange(ts("2026-03-02"), ts("2026-03-05"))
    assert store.read_layer("incidents", time_range=window)["id"].tolist() == ["i2"]
    assert len(store.read_layer("dams", time_range=window)) == 2
    both = store.read_layer("incidents", bbox=(30.5, 49, 32, 51), time_range=TimeRange(ts("2026")))
    assert both["id"].tolist() == ["i2"]


def test_time_range_in_another_timezone_is_converted(store):
    store.add_version(sites(), meta(LayerKind.HUMANITARIAN_SITE), layer_id="sites")
    # 2026-01-10T01:00+02:00 is 2026-01-09T23:00Z, inside a's validity.
    window = TimeRange(pd.Timestamp("2026-01-10T01:00+02:00"), None)
    assert store.read_layer("sites", time_range=window)["id"].tolist() == ["a", "b", "d"]


@pytest.mark.parametrize(
    ("window", "match"),
    [
        (TimeRange(pd.Timestamp("2026-01-01"), None), "timezone-aware"),
        (TimeRange(None, "2026-01-01"), "timezone-aware"),  # type: ignore[arg-type]
        (TimeRange(ts("2026-02-01"), ts("2026-01-01")), "swap"),
    ],
)
def test_invalid_time_range_is_refused(store, window, match):
    store.add_version(sites(), meta(LayerKind.HUMANITARIAN_SITE), layer_id="sites")
    with pytest.raises(StoreError, match=match):
        store.read_layer("sites", time_range=window)


# -- crash safety ---------------------------------------------------------------------------

WRITER = Path(__file__).with_name("_store_writer.py")
BIG = 100_000


def _table_appeared(path: Path, known: set[str]) -> bool:
    try:
        return bool(set(pyogrio.list_layers(path)[:, 0]) - known)
    except pyogrio.errors.DataSourceError:
        return False  # the writer holds the lock at this instant


def _kill_writer(
    args: list[str], store_path: Path, known: set[str], journal: Path, moment: str
) -> bool:
    """Start the writer, SIGKILL it at ``moment``; return whether its journal was left behind."""
    root = str(Path(__file__).resolve().parent.parent)
    with subprocess.Popen(
        args, stdout=subprocess.PIPE, text=True, env={"PYTHONPATH": root}
    ) as writer:
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "start"
        if moment == "mid_write":
            # The journal appears when a transaction of the writer starts: kill at once.
            deadline = time.monotonic() + 20
            while not journal.exists() and time.monotonic() < deadline:
                time.sleep(0.001)
        elif moment == "table_visible":
            deadline = time.monotonic() + 20
            while not _table_appeared(store_path, known) and time.monotonic() < deadline:
                time.sleep(0.005)
        else:
            assert writer.stdout.readline().strip() == "written"
        writer.send_signal(signal.SIGKILL)
        writer.wait()
    assert writer.returncode == -signal.SIGKILL, "the writer finished before it was killed"
    return journal.exists()


@pytest.mark.parametrize("moment", ["mid_write", "table_visible", "before_register"])
def test_a_killed_writer_leaves_the_last_good_version(gpkg_store, store_path, moment):
    gpkg_store.add_version(dams(("d1", "d2")), meta(LayerKind.INFRASTRUCTURE), layer_id="dams")
    before = gpkg_store.read_layer("dams")
    known = set(pyogrio.list_layers(store_path)[:, 0])
    journal = store_path.with_name(store_path.name + "-journal")
    args = [sys.executable, str(WRITER), str(store_path), "dams", str(BIG)]
    if moment == "before_register":
        args.append("pause_before_register")
    # The writer's transactions can be short (GDAL writes through Arrow): a kill that lands
    # between two of them is still a valid crash, but not the moment this case is about, so
    # that case tries again (each try leaves at most an orphan table behind).
    for _attempt in range(5):
        in_transaction = _kill_writer(args, store_path, known, journal, moment)
        if moment != "mid_write" or in_transaction:
            break
    if moment == "mid_write":
        assert in_transaction, "the writer was never killed inside its transaction"

    reopened = GeoPackageStore(store_path)
    assert [(r.layer_id, r.version) for r in reopened.catalogue()] == [("dams", 1)]
    assert [r.version for r in reopened.versions("dams")] == [1]
    assert_geodataframe_equal(reopened.read_layer("dams"), before)
    if moment == "before_register":
        (orphan,) = reopened.orphan_tables()
        assert orphan.startswith("hs_dams_v2_")
    after = reopened.add_version(dams(("d9",)), meta(LayerKind.INFRASTRUCTURE), layer_id="dams")
    assert after.version == 2
    assert reopened.read_layer("dams")["id"].tolist() == ["d9"]
    assert_geodataframe_equal(reopened.read_layer("dams", version=1), before)


def test_concurrent_writers_get_distinct_gap_free_versions(store):
    # Two processes race to create the file (or open the database) and then to add versions
    # to one layer.
    root = str(Path(__file__).resolve().parent.parent)
    location = str(store.path) if isinstance(store, GeoPackageStore) else store.url
    args = [sys.executable, str(WRITER), location, "shared", "5", "repeat=4"]
    writers = [subprocess.Popen(args, env={"PYTHONPATH": root}) for _ in range(2)]
    assert [w.wait(timeout=60) for w in writers] == [0, 0]
    store = reopen(store)
    assert [r.version for r in store.versions("shared")] == list(range(1, 9))
    assert store.orphan_tables() == []
    assert all(len(store.read_layer("shared", version=v)) == 5 for v in range(1, 9))
