"""What only the PostGIS store has: selection by URL, migrations, GiST index, one-transaction
writes under SIGKILL, credentials kept out of messages, reconnecting, the audit table, and
``store copy`` both ways. The shared behaviour is in test_store.py (run on both backends)."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import psycopg
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal

from humansec import audit
from humansec.__main__ import main
from humansec.errors import ConfigurationError, StoreError
from humansec.model import WGS84, LayerKind
from humansec.settings import Settings, load_settings, settings_rows
from humansec.store import GeoPackageStore, open_store, open_store_at
from humansec.store.copy import copy_store, frame_digest
from humansec.store.postgis import MIGRATIONS, MIGRATIONS_TABLE, PostGISStore
from humansec.storeurl import redact_url
from tests.test_store import dams, meta, sites

WRITER = Path(__file__).with_name("_store_writer.py")
ROOT = str(Path(__file__).resolve().parent.parent)


@pytest.fixture
def pg(postgis_url):
    store = PostGISStore(postgis_url)
    yield store
    store.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- choosing the backend ---------------------------------------------------------------------


def test_store_url_selects_postgis_and_unset_keeps_the_geopackage(tmp_path, postgis_url):
    environ = {"HUMANSEC_DATA_DIR": str(tmp_path), "HUMANSEC_STORE_URL": postgis_url}
    store = open_store(load_settings(environ))
    assert isinstance(store, PostGISStore)
    store.close()
    assert isinstance(
        open_store(load_settings({"HUMANSEC_DATA_DIR": str(tmp_path)})), GeoPackageStore
    )
    toml = tmp_path / "humansec.toml"
    toml.write_text(f'store_url = "{postgis_url}"\n', encoding="utf-8")
    assert load_settings({}, config_file=toml).store_url == postgis_url
    assert load_settings({}, config_file=toml).audit_location == postgis_url


@pytest.mark.parametrize("url", ["mysql://db/x", "postgresql://db.hq:5432", "postgresql://h:no/x"])
def test_a_store_url_that_is_not_postgresql_is_refused(url):
    with pytest.raises(ConfigurationError, match="must be a PostgreSQL URL"):
        Settings(store_url=url)


def test_the_settings_page_shows_the_url_without_its_password():
    rows = settings_rows(Settings(store_url="postgresql://hs:s3cret@db.hq:5432/humansec"))
    (row,) = [r for r in rows if r["setting"] == "store_url"]
    assert row == {
        "setting": "store_url",
        "value": "postgresql://hs:***@db.hq:5432/humansec",
        "environment variable": "HUMANSEC_STORE_URL",
    }
    assert "s3cret" not in json.dumps(rows)


def test_an_unreachable_database_names_the_url_without_its_password(capsys, monkeypatch):
    url = f"postgresql://hs:s3cret@127.0.0.1:{_free_port()}/humansec"
    with pytest.raises(StoreError) as caught:
        PostGISStore(url)
    message = str(caught.value)
    assert "cannot be reached" in message
    assert redact_url(url) in message
    assert "s3cret" not in message
    # The command line says the same, once, without a traceback.
    monkeypatch.setenv("HUMANSEC_STORE_URL", url)
    assert main(["layers"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("humansec: Cannot open: the PostGIS store postgresql://hs:***@")
    assert "s3cret" not in err
    assert "Traceback" not in err


# -- schema and migrations ----------------------------------------------------------------------


def test_migrations_run_once_even_from_several_processes_at_once(postgis_url):
    errors: list[BaseException] = []
    stores: list[PostGISStore] = []

    def open_one() -> None:
        try:
            stores.append(PostGISStore(postgis_url))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with psycopg.connect(postgis_url) as conn:
        rows = conn.execute(f"SELECT version FROM {MIGRATIONS_TABLE} ORDER BY version").fetchall()
    assert [r[0] for r in rows] == [number for number, _, _ in MIGRATIONS]
    assert stores[0].schema_version() == MIGRATIONS[-1][0]
    for store in stores:
        store.close()


def test_a_schema_newer_than_the_code_is_refused(pg, postgis_url):
    with psycopg.connect(postgis_url, autocommit=True) as conn:
        conn.execute(f"INSERT INTO {MIGRATIONS_TABLE} (version, description) VALUES (999, 'x')")
    with pytest.raises(StoreError, match="schema version 999, newer than this humansec"):
        PostGISStore(postgis_url)


def test_every_version_is_a_table_with_a_gist_index(pg, postgis_url):
    pg.add_version(sites(), meta(LayerKind.HUMANITARIAN_SITE), layer_id="sites")
    with psycopg.connect(postgis_url) as conn:
        (table,) = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
            "AND tablename LIKE 'hs_sites_v1_%'"
        ).fetchone()
        indexes = conn.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = %s", (table,)
        ).fetchall()
        srid = conn.execute(f"SELECT DISTINCT ST_SRID(geom) FROM {table}").fetchall()
        conn.execute("SET enable_seqscan = off")
        plan = conn.execute(
            f"EXPLAIN SELECT fid FROM {table} "
            "WHERE ST_Intersects(geom, ST_MakeEnvelope(30, 49, 37, 51, 4326))"
        ).fetchall()
    assert any("USING gist (geom)" in row[0] for row in indexes)
    assert srid == [(4326,)]
    assert "_geom" in " ".join(row[0] for row in plan)  # the bbox read goes through the index


def test_long_column_names_are_refused_before_anything_is_written(pg):
    frame = dams().assign(**{"x" * 64: 1})
    with pytest.raises(StoreError, match="longer than 63 bytes"):
        pg.add_version(frame, meta(LayerKind.INFRASTRUCTURE), layer_id="dams")
    assert pg.is_empty()


def test_text_with_quotes_commas_newlines_and_empty_strings_round_trips(pg):
    frame = gpd.GeoDataFrame(
        {
            "id": ["a", "b", "c"],
            "category": ["dam", "dam", "dam"],
            "note": ['say "hi", then\nleave', "", None],
            "count": [1.5, -0.0, float("nan")],  # the very last field empty
        },
        geometry=[shapely.Point(30, 50), shapely.Point(31, 50), shapely.Point(32, 50)],
        crs=WGS84,
    )
    pg.add_version(frame, meta(LayerKind.INFRASTRUCTURE), layer_id="dams")
    read = pg.read_layer("dams")
    assert read["note"].tolist()[:2] == ['say "hi", then\nleave', ""]
    assert read["note"].isna().tolist() == [False, False, True]
    assert read["count"].isna().tolist() == [False, False, True]


# -- crashes, concurrency, connections -------------------------------------------------------


def _writer(url: str, count: int, *extra: str) -> subprocess.Popen[str]:
    args = [sys.executable, str(WRITER), url, "dams", str(count), *extra]
    return subprocess.Popen(args, stdout=subprocess.PIPE, text=True, env={"PYTHONPATH": ROOT})


def _copy_running(url: str) -> bool:
    with psycopg.connect(url, autocommit=True) as conn:
        return bool(
            conn.execute(
                "SELECT 1 FROM pg_stat_activity WHERE application_name = 'humansec' "
                "AND query LIKE 'COPY %%FROM STDIN%%' AND state = 'active'"
            ).fetchone()
        )


@pytest.mark.parametrize("moment", ["mid_copy", "before_register"])
def test_a_writer_killed_mid_copy_or_mid_catalogue_leaves_no_trace(pg, postgis_url, moment):
    first = pg.add_version(dams(("d1", "d2")), meta(LayerKind.INFRASTRUCTURE), layer_id="dams")
    before = pg.read_layer("dams")
    extra = ("pause_before_register",) if moment == "before_register" else ()
    with _writer(postgis_url, 100_000, *extra) as writer:
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "start"
        if moment == "mid_copy":
            deadline = time.monotonic() + 30
            while not _copy_running(postgis_url) and time.monotonic() < deadline:
                time.sleep(0.002)
            assert _copy_running(postgis_url), "the writer's COPY was never seen running"
        else:
            assert writer.stdout.readline().strip() == "written"
        writer.send_signal(signal.SIGKILL)
        writer.wait()
    assert writer.returncode == -signal.SIGKILL
    reopened = PostGISStore(postgis_url)
    try:
        assert reopened.versions("dams") == [first]
        assert reopened.orphan_tables() == []  # the transaction took its table with it
        assert_geodataframe_equal(reopened.read_layer("dams"), before)
        after = reopened.add_version(dams(("d9",)), meta(LayerKind.INFRASTRUCTURE), layer_id="dams")
        assert after.version == 2
    finally:
        reopened.close()


def test_readers_never_see_a_partial_version_while_writers_add(pg, postgis_url):
    pg.add_version(dams(("d1",)), meta(LayerKind.INFRASTRUCTURE), layer_id="dams")
    with _writer(postgis_url, 20_000, "repeat=3") as writer:
        seen = set()
        while writer.poll() is None:
            for record in pg.versions("dams"):
                frame = pg.read_layer("dams", version=record.version)
                assert len(frame) == record.feature_count
                seen.add(record.version)
        assert writer.wait() == 0
    assert [r.version for r in pg.versions("dams")] == [1, 2, 3, 4]
    assert pg.catalogue_version() == 4


def test_a_lost_connection_is_reopened_on_the_next_call(pg, postgis_url):
    pg.add_version(dams(), meta(LayerKind.INFRASTRUCTURE), layer_id="dams")
    with psycopg.connect(postgis_url, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE application_name = 'humansec' AND pid <> pg_backend_pid()"
        )
    assert pg.read_layer("dams")["id"].tolist() == ["d1", "d2"]


def test_calls_from_many_threads_share_a_few_connections(pg, postgis_url):
    # Streamlit runs every rerun in a new thread: connections must not pile up per thread.
    pg.add_version(dams(), meta(LayerKind.INFRASTRUCTURE), layer_id="dams")
    for _ in range(20):
        thread = threading.Thread(target=lambda: pg.read_layer("dams"))
        thread.start()
        thread.join()
    with psycopg.connect(postgis_url, autocommit=True) as admin:
        (count,) = admin.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'humansec'"
        ).fetchone()
    assert 1 <= count <= 2


def test_the_catalogue_is_reread_when_another_process_changes_it(pg, postgis_url):
    pg.add_version(dams(), meta(LayerKind.INFRASTRUCTURE), layer_id="dams")
    assert [r.version for r in pg.catalogue()] == [1]
    other = PostGISStore(postgis_url)  # another app process
    try:
        other.add_version(dams(("x",)), meta(LayerKind.INFRASTRUCTURE), layer_id="dams")
        other.set_retired("dams", retired=True)
    finally:
        other.close()
    assert pg.catalogue() == []
    assert [(r.version, r.retired) for r in pg.versions("dams")] == [(1, True), (2, True)]


# -- audit trail -----------------------------------------------------------------------------


def test_the_audit_trail_is_a_hash_chained_table(pg, postgis_url):
    for number in range(3):
        audit.record(postgis_url, action="export", who="ann", what={"n": number}, marking="NU")
    events = audit.read(postgis_url)
    assert [e["seq"] for e in events] == [1, 2, 3]
    assert events[1]["prev"] == events[0]["hash"]
    assert audit.verify(postgis_url).ok
    with psycopg.connect(postgis_url, autocommit=True) as conn:
        conn.execute(
            "UPDATE hs_audit SET line = replace(line, '\"n\": 1', '\"n\": 7') WHERE seq = 2"
        )
    verdict = audit.verify(postgis_url)
    assert (verdict.ok, verdict.first_bad) == (False, 2)
    with psycopg.connect(postgis_url, autocommit=True) as conn:
        conn.execute("DELETE FROM hs_audit WHERE seq >= 2")
    verdict = audit.verify(postgis_url)
    assert (verdict.ok, verdict.first_bad) == (False, 2)  # the head still says 3


# -- store copy ------------------------------------------------------------------------------


def _filled(location: str | Path) -> None:
    store = open_store_at(location)
    store.add_version(dams(("d1", "d2")), meta(LayerKind.INFRASTRUCTURE), layer_id="dams")
    store.add_version(dams(("d1", "d2", "d3")), meta(LayerKind.INFRASTRUCTURE), layer_id="dams")
    store.add_version(
        sites(), meta(LayerKind.HUMANITARIAN_SITE, provenance={"file": "s.csv"}), layer_id="sites"
    )
    store.set_retired("dams", retired=True)
    store.set_retired("dams", retired=False)
    store.set_retired("sites", retired=True)
    folder = location if isinstance(location, str) else Path(location).parent
    for number in range(2):
        audit.record(folder, action="upload", who="ann", what={"n": number}, marking="NU")


def test_store_copy_moves_everything_both_ways_and_checks_it(tmp_path, postgis_url, capsys):
    source = tmp_path / "from"
    _filled(source / "humansec.gpkg")
    assert main(["store", "copy", "--from", str(source), "--to", postgis_url]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report == {
        "layers": 2,
        "versions": 3,
        "features": 9,
        "retired": 1,
        "audit_entries": 2,
        "checked": True,
    }
    copied = PostGISStore(postgis_url)
    original = GeoPackageStore(source / "humansec.gpkg")
    try:
        assert copied.versions("dams") == original.versions("dams")
        assert copied.catalogue(include_retired=True) == original.catalogue(include_retired=True)
        assert_geodataframe_equal(copied.read_layer("sites"), original.read_layer("sites"))
        assert audit.read(postgis_url) == audit.read(source)
        # And back into a new folder: the same again.
        back = tmp_path / "back"
        assert copy_store(postgis_url, str(back)).as_dict() == report
        assert audit.verify(back).ok
        returned = GeoPackageStore(back / "humansec.gpkg")
        for version in (1, 2):
            assert frame_digest(returned.read_layer("dams", version=version)) == frame_digest(
                original.read_layer("dams", version=version)
            )
    finally:
        copied.close()


def test_store_copy_refuses_a_target_that_is_not_empty(tmp_path, postgis_url):
    _filled(postgis_url)
    source = tmp_path / "from"
    _filled(source / "humansec.gpkg")
    with pytest.raises(StoreError, match="not empty"):
        copy_store(str(source), postgis_url)


def test_frame_digest_sees_a_changed_value():
    frame = dams(("a", "b"))
    changed = frame.copy()
    changed.loc[1, "id"] = "c"
    moved = frame.copy()
    moved.geometry = [shapely.Point(30, 50), shapely.Point(31, 50.000001)]
    digests = {frame_digest(f) for f in (frame, changed, moved)}
    assert len(digests) == 3
    assert frame_digest(frame) == frame_digest(dams(("a", "b")))
    assert np.isfinite(len(frame))


# -- the upload path into PostGIS --------------------------------------------------------------


def test_an_upload_goes_into_postgis_and_its_audit_table_without_the_password_on_disk(
    tmp_path, postgis_url, monkeypatch, capsys
):
    from tests.test_ingest_pipeline import towns_geojson  # noqa: PLC0415

    url = postgis_url.replace("postgres@", "postgres:s3cret@")  # the cluster trusts; never sent
    upload = tmp_path / "towns.geojson"
    upload.write_bytes(towns_geojson(5))
    monkeypatch.setenv("HUMANSEC_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HUMANSEC_STORE_URL", url)
    monkeypatch.setattr("humansec.ingest.pipeline.discard", lambda workdir: None)  # keep job
    assert main(["ingest", str(upload), "--kind", "population", "--name", "Towns"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["features"] == 5
    store = PostGISStore(url)
    try:
        (record,) = store.catalogue()
        assert record.title == "Towns"
        assert len(store.read_layer(record.layer_id)) == 5
    finally:
        store.close()
    (entry,) = audit.read(url)
    assert entry["action"] == "upload"
    assert entry["what"]["layer_id"] == record.layer_id  # type: ignore[index]
    assert audit.verify(url).ok
    assert not (tmp_path / "data" / audit.AUDIT_FILE).exists()  # not in the folder
    # Nothing written on this machine holds the password (job files, logs, the store folder).
    (job,) = (tmp_path / "data").rglob("job.json")
    assert json.loads(job.read_text())["store_path"] == redact_url(url)
    for path in (tmp_path / "data").rglob("*"):
        if path.is_file():
            assert b"s3cret" not in path.read_bytes(), path


# -- the app on PostGIS -----------------------------------------------------------------------


def test_the_app_runs_on_postgis_with_the_demo_loaded_into_it(tmp_path, postgis_url, monkeypatch):
    from tests.test_app import start  # noqa: PLC0415

    monkeypatch.setenv("HUMANSEC_STORE_URL", postgis_url)
    at = start(tmp_path / "data", monkeypatch)
    assert not at.exception
    store = PostGISStore(postgis_url)
    try:
        kinds = {str(record.kind) for record in store.catalogue()}
    finally:
        store.close()
    assert {"incident", "activity"} <= kinds  # the demo went into PostGIS
    assert not (tmp_path / "data" / "humansec.gpkg").exists()


def test_the_app_says_once_that_the_database_cannot_be_reached(tmp_path, monkeypatch):
    from tests.test_app import start  # noqa: PLC0415

    url = f"postgresql://hs:s3cret@127.0.0.1:{_free_port()}/humansec"
    monkeypatch.setenv("HUMANSEC_STORE_URL", url)
    at = start(tmp_path / "data", monkeypatch)
    assert not at.exception
    shown = " ".join(str(m.value) for m in at.markdown)
    assert "cannot be reached" in shown
    assert "postgresql://hs:***@127.0.0.1" in shown
    assert "s3cret" not in shown


def test_a_postgresql_restart_under_an_open_store_is_survived(pg, postgis_cluster):
    pg.add_version(dams(), meta(LayerKind.INFRASTRUCTURE), layer_id="dams")
    assert len(pg.read_layer("dams")) == 2  # a pooled connection is open now
    assert pg.reconnections == 0
    postgis_cluster._as_pg(  # -l: the restarted server must not hold pg_ctl's output open
        str(postgis_cluster.bindir / "pg_ctl"), "-D", str(postgis_cluster.datadir), "-w",
        "-l", str(postgis_cluster.directory / "server.log"), "-m", "fast", "restart",
    )  # fmt: skip
    assert pg.read_layer("dams")["id"].tolist() == ["d1", "d2"]
    assert pg.reconnections == 1  # counted once, for the page to say so once
    record = pg.add_version(dams(("d3",)), meta(LayerKind.INFRASTRUCTURE), layer_id="dams")
    assert record.version == 2
    assert pg.reconnections == 1


def test_checking_the_layer_an_upload_adds_to_reuses_one_store(pg, postgis_url, postgis_cluster):
    from humansec.access import actions  # noqa: PLC0415

    pg.add_version(dams(), meta(LayerKind.INFRASTRUCTURE), layer_id="dams")
    settings = Settings(store_url=postgis_url)

    def sessions() -> int:
        with postgis_cluster.connect() as admin:
            row = admin.execute(
                "SELECT sessions FROM pg_stat_database WHERE datname = current_database()"
            ).fetchone()
        assert row is not None
        return int(row[0])

    actions._latest(settings, "dams")  # opens the store once, and keeps it
    before = sessions()
    for _ in range(10):
        assert actions._latest(settings, "dams").version == 1
    pg.add_version(dams(("d3",)), meta(LayerKind.INFRASTRUCTURE), layer_id="dams")
    assert actions._latest(settings, "dams").version == 2  # kept, yet never stale
    assert sessions() - before <= 2  # the admin's own connections only, not one per call
