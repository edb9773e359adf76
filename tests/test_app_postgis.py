"""The app on a PostGIS store shared with other processes (issue 14): a version another process
adds shows on the next rerun; a PostgreSQL restart (or an outage) while a session is open is
said once on the page, without a traceback, and the page works again."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from streamlit.testing.v1 import AppTest

from humansec.model import LayerKind
from humansec.store import NewLayer
from humansec.store.pgcluster import PostGIS
from humansec.store.postgis import PostGISStore
from tests.test_app import PROJECT, situation_counts, start
from ui.connection import RECONNECTED


@pytest.fixture
def other_process(postgis_url: str) -> Iterator[PostGISStore]:
    """The store as another app process on the same database sees it."""
    store = PostGISStore(postgis_url)
    yield store
    store.close()


@pytest.fixture
def app_on_postgis(tmp_path, postgis_url, monkeypatch) -> AppTest:
    monkeypatch.setenv("HUMANSEC_STORE_URL", postgis_url)
    at = start(tmp_path / "data", monkeypatch)
    assert not at.exception, at.exception
    return at


def _pg_ctl(cluster: PostGIS, *args: str) -> None:
    # -l: a started server must not hold pg_ctl's output open.
    log = str(cluster.directory / "server.log")
    pg_ctl = str(cluster.bindir / "pg_ctl")
    cluster._as_pg(pg_ctl, "-D", str(cluster.datadir), "-w", "-l", log, *args)


def _notices(at: AppTest) -> int:
    return sum(RECONNECTED in str(m.value) for m in at.markdown)


def test_a_version_added_by_another_process_shows_on_the_next_rerun(app_on_postgis, other_process):
    at = app_on_postgis
    stored = situation_counts(at).loc["Incidents", "features stored"]
    (incidents,) = [r for r in other_process.catalogue() if r.kind == LayerKind.INCIDENT]
    assert stored == incidents.feature_count > 10
    fewer = other_process.read_layer(incidents.layer_id).head(10)
    meta = NewLayer(LayerKind.INCIDENT, incidents.title, "test", "none", incidents.classification)
    other_process.add_version(fewer, meta, layer_id=incidents.layer_id)
    at.run()
    assert not at.exception, at.exception
    assert situation_counts(at).loc["Incidents", "features stored"] == 10


def test_a_postgresql_restart_is_said_once_and_the_page_works(app_on_postgis, postgis_cluster):
    at = app_on_postgis
    before = situation_counts(at)
    assert _notices(at) == 0
    _pg_ctl(postgis_cluster, "-m", "fast", "restart")
    at.run()
    assert not at.exception, at.exception
    assert _notices(at) == 1
    assert situation_counts(at).equals(before)
    at.run()  # said once: not again on the next rerun
    assert not at.exception, at.exception
    assert _notices(at) == 0
    assert situation_counts(at).equals(before)


def test_an_outage_is_said_while_it_lasts_and_the_return_once(app_on_postgis, postgis_cluster):
    at = app_on_postgis
    _pg_ctl(postgis_cluster, "-m", "fast", "stop")
    try:
        # A page opened during the outage (a new session of the same app process) says so.
        during = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=60)
        during.run()
        assert not during.exception, during.exception
        shown = " ".join(str(m.value) for m in during.markdown)
        assert "cannot be reached" in shown
        assert "postgresql://postgres@127.0.0.1" in shown
        assert _notices(during) == 0
    finally:
        _pg_ctl(postgis_cluster, "start")
    at.run()  # the session open before the outage: told once, and the page works
    assert not at.exception, at.exception
    assert _notices(at) == 1
    assert situation_counts(at).loc["Incidents", "features stored"] > 10
    at.run()
    assert _notices(at) == 0
    after = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=60)
    after.run()  # a session opened after it has nothing to be told
    assert not after.exception, after.exception
    assert _notices(after) == 0
