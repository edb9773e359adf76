"""A throwaway PostGIS server on 127.0.0.1 for the tests and the benchmarks (not the app).

``ensure_postgis()`` installs Debian's ``postgresql`` and ``postgis`` packages when the PostGIS
extension is missing (needs root and the Debian mirror); ``PostGIS`` creates a cluster in a
temporary directory with ``initdb``, starts it with ``pg_ctl`` as the ``postgres`` user on a free
port listening on 127.0.0.1 only (no Unix socket outside the temp dir), and removes it all on
``stop()``. ``pg_ctl`` refuses to run as root, hence ``runuser``; only ``initdb``, ``pg_ctl`` and
``createdb`` are run. Use it as a context manager so the server stops on error too::

    with PostGIS.start() as pg, pg.connect() as conn:
        conn.execute("SELECT postgis_full_version()")
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Self

import psycopg

from humansec.errors import StoreError

PG_USER = "postgres"
_PACKAGES = ("postgresql", "postgis", "postgresql-postgis")  # the last: the extension


def _pg_bindir() -> Path:
    """The bin directory of the newest installed PostgreSQL (Debian layout)."""
    root = Path("/usr/lib/postgresql")
    versions = sorted(
        (p for p in root.glob("*") if (p / "bin" / "pg_ctl").exists()),
        key=lambda p: int(p.name) if p.name.isdigit() else 0,
    )
    if not versions:
        msg = "No PostgreSQL found under /usr/lib/postgresql; run ensure_postgis() first."
        raise StoreError(msg)
    return versions[-1] / "bin"


def _postgis_installed() -> bool:
    root = Path("/usr/share/postgresql")
    return any(root.glob("*/extension/postgis.control"))


def ensure_postgis() -> str:
    """Install PostgreSQL and PostGIS from Debian's packages if missing; say what was done."""
    if Path("/usr/lib/postgresql").exists() and _postgis_installed():
        return "already installed"
    if os.geteuid() != 0:
        msg = "PostGIS is not installed and installing it needs root: apt-get install postgis"
        raise StoreError(msg)
    policy = subprocess.run(
        ["apt-cache", "policy", *_PACKAGES], capture_output=True, text=True, check=False
    )
    if "Candidate: (none)" in policy.stdout or not policy.stdout.strip():
        subprocess.run(["apt-get", "update", "-qq"], check=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "install", "-y", "-qq", *_PACKAGES], check=True, env=env)
    if not _postgis_installed():
        msg = "apt-get installed postgis but no postgis.control was found"
        raise StoreError(msg)
    return "installed " + " ".join(_PACKAGES)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostGIS:
    """A running throwaway cluster; ``stop()`` (or leaving the ``with`` block) removes it."""

    def __init__(self, directory: Path, port: int, bindir: Path, dbname: str = "bench") -> None:
        self.directory = directory
        self.port = port
        self.bindir = bindir
        self.dbname = dbname
        self.version = ""

    @property
    def datadir(self) -> Path:
        return self.directory / "data"

    @property
    def conninfo(self) -> str:
        """The libpq connection string of the database made at start."""
        return f"host=127.0.0.1 port={self.port} user={PG_USER} dbname={self.dbname}"

    def url(self, dbname: str | None = None) -> str:
        """``postgresql://`` URL of ``dbname`` (default: the database made at start)."""
        return f"postgresql://{PG_USER}@127.0.0.1:{self.port}/{dbname or self.dbname}"

    def create_database(self, dbname: str, *, template: str | None = None) -> str:
        """Create database ``dbname`` (a copy of ``template`` if given); return its URL."""
        args = [str(self.bindir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port)]
        args += ["-U", PG_USER, *(["-T", template] if template else []), dbname]
        self._as_pg(*args)
        return self.url(dbname)

    def _as_pg(self, *args: str) -> subprocess.CompletedProcess[str]:
        cmd = list(args)
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", PG_USER, "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, check=True)

    @classmethod
    def start(
        cls,
        *,
        shared_buffers: str = "1GB",
        work_mem: str = "256MB",
        maintenance_work_mem: str = "512MB",
        dbname: str = "bench",
        install: bool = True,
        **settings: str,
    ) -> PostGIS:
        """Create, configure and start a cluster, create database ``dbname`` with PostGIS.

        With ``install`` false, a machine without PostGIS raises ``StoreError`` instead of
        trying ``apt-get``.
        """
        if install:
            ensure_postgis()
        elif not _postgis_installed():
            msg = "PostgreSQL/PostGIS is not installed (apt-get install postgresql postgis)"
            raise StoreError(msg)
        bindir = _pg_bindir()
        directory = Path(tempfile.mkdtemp(prefix="humansec-postgis-"))
        if os.geteuid() == 0:
            entry = pwd.getpwnam(PG_USER)
            os.chown(directory, entry.pw_uid, entry.pw_gid)
        pg = cls(directory, _free_port(), bindir, dbname)
        try:
            pg._as_pg(
                str(bindir / "initdb"),
                "-D",
                str(pg.datadir),
                "-U",
                PG_USER,
                "--auth=trust",
                "--encoding=UTF8",
                "--no-sync",
            )
            conf = {
                "listen_addresses": "'127.0.0.1'",
                "port": str(pg.port),
                "unix_socket_directories": f"'{directory}'",
                "shared_buffers": f"'{shared_buffers}'",
                "work_mem": f"'{work_mem}'",
                "maintenance_work_mem": f"'{maintenance_work_mem}'",
                "fsync": "off",
                "synchronous_commit": "off",
                "full_page_writes": "off",
                **settings,
            }
            with (pg.datadir / "postgresql.conf").open("a") as out:
                out.writelines(f"{k} = {v}\n" for k, v in conf.items())
            pg._as_pg(
                str(bindir / "pg_ctl"),
                "-D",
                str(pg.datadir),
                "-l",
                str(directory / "server.log"),
                "-w",
                "-t",
                "60",
                "start",
            )
            pg._as_pg(
                str(bindir / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(pg.port),
                "-U",
                PG_USER,
                dbname,
            )
            with pg.connect() as conn:
                conn.execute("CREATE EXTENSION postgis")
                row = conn.execute("SELECT version(), postgis_full_version()").fetchone()
                pg.version = f"{row[0]} | {row[1]}" if row else ""
        except BaseException:
            pg.stop()
            raise
        return pg

    def connect(self) -> psycopg.Connection[tuple[object, ...]]:
        """A psycopg 3 connection in autocommit mode."""
        return psycopg.connect(self.conninfo, autocommit=True)

    def stop(self) -> None:
        """Stop the server (fast shutdown) and delete the cluster directory."""
        if (self.datadir / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.CalledProcessError):
                self._as_pg(
                    str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "fast", "stop"
                )
        shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
