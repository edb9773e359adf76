"""Shared fixtures: small and generic. Module-specific data lives in each test module.

``store`` is parametrised over both backends: the embedded GeoPackage, and PostGIS in a
throwaway cluster started once per session (``humansec.store.pgcluster``). Where PostgreSQL and
PostGIS are not installed, the PostGIS cases are skipped with that reason (``-ra`` lists it);
with ``HUMANSEC_REQUIRE_POSTGIS=1`` (CI) they fail instead.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from humansec.errors import HumansecError
from humansec.store import GeoPackageStore, LayerStore
from humansec.store.pgcluster import PostGIS
from humansec.store.postgis import PostGISStore

TEMPLATE_DB = "humansec_template"
_schema_numbers = itertools.count(1)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Remove every HUMANSEC_* variable from the environment for the test."""
    for name in list(os.environ):
        if name.startswith("HUMANSEC_"):
            monkeypatch.delenv(name)


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    """Path of a GeoPackage store in a folder that does not exist yet."""
    return tmp_path / "data" / "humansec.gpkg"


@pytest.fixture(scope="session")
def postgis_cluster() -> Iterator[PostGIS]:
    """A throwaway PostgreSQL + PostGIS cluster on 127.0.0.1, for the whole session.

    Each test gets its own schema in its database (``postgis_url``).
    """
    try:
        cluster = PostGIS.start(
            shared_buffers="128MB",
            work_mem="16MB",
            maintenance_work_mem="64MB",
            dbname=TEMPLATE_DB,
            install=False,
            max_connections="200",
        )
    except (HumansecError, OSError, subprocess.CalledProcessError) as error:
        detail = getattr(error, "stderr", "") or ""
        reason = f"PostGIS tests need PostgreSQL and PostGIS here: {error} {detail}".strip()
        if os.environ.get("HUMANSEC_REQUIRE_POSTGIS") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def postgis_url(postgis_cluster: PostGIS) -> Iterator[str]:
    """URL of an empty schema of its own (a database is 100x slower to make); dropped after.

    The URL sets the schema through libpq's ``options`` (``-csearch_path=...``), as a
    deployment that keeps humansec in a schema of a shared database would.
    """
    name = f"hs_test_{os.getpid()}_{next(_schema_numbers)}"
    with postgis_cluster.connect() as conn:
        conn.execute(f'CREATE SCHEMA "{name}"')
    yield f"{postgis_cluster.url()}?options=-csearch_path%3D{name},public"
    with postgis_cluster.connect() as conn, contextlib.suppress(psycopg.Error):
        conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


@pytest.fixture(params=["geopackage", "postgis"])
def store(request: pytest.FixtureRequest, store_path: Path) -> Iterator[LayerStore]:
    """An empty layer store: a GeoPackage in ``tmp_path``, then a PostGIS database."""
    if request.param == "geopackage":
        yield GeoPackageStore(store_path)
        return
    postgis = PostGISStore(request.getfixturevalue("postgis_url"))
    yield postgis
    postgis.close()


@pytest.fixture
def gpkg_store(store_path: Path) -> GeoPackageStore:
    """An empty GeoPackage layer store in ``tmp_path`` (for what only the file has)."""
    return GeoPackageStore(store_path)
