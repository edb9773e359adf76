"""The shared layer store: PostgreSQL with PostGIS (DESIGN.md section 6), for a headquarters.

Selected by ``HUMANSEC_STORE_URL=postgresql://user@host:port/db`` (or ``store_url`` in the TOML
settings). Same interface and semantics as the GeoPackage backend:

* every layer version is its own table ``hs_<layer_id>_v<version>_<token>`` with a ``fid``
  (the row's position), the kind's and the upload's columns, and ``geom`` (geometry, SRID 4326)
  with a GiST index; written once, never changed;
* ``hs_catalogue`` is an append-only table of events: ``register`` (one row per version),
  ``retire`` and ``restore``; the state of a layer is derived from its events in order.

Adding a version creates its table, fills it by ``COPY`` (psycopg 3), indexes it, and appends the
catalogue row, all in ONE transaction: a writer killed at any moment leaves nothing behind, and
readers never see a partial layer. Versions are numbered under a per-layer advisory lock, so two
writers racing on one layer get distinct, gap-free versions. Reads stream ``COPY ... TO STDOUT``
(CSV) into pyarrow's parser and shapely's vectorised WKB reader: no Python work per row.

The schema is created and migrated by humansec itself (``MIGRATIONS``, recorded in
``hs_schema_migrations``) when a store is opened, under an advisory lock, so two processes
starting at once do not race. ``hs_audit`` holds the audit trail (see ``humansec.audit``).

A password in the URL never appears in a message: ``redact_url`` removes it.
"""

from __future__ import annotations

import contextlib
import io
import json
import secrets
import threading
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.csv as pa_csv
import shapely
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from humansec.errors import StoreError, choices
from humansec.model import WGS84, LayerKind, conform, parse_kind
from humansec.store.base import (
    BBox,
    LayerRecord,
    LayerState,
    NewLayer,
    ReplayedStore,
    layer_state,
    replay_catalogue,
)
from humansec.store.geopackage import (
    DATETIME_DTYPE,
    MAX_ID_LENGTH,
    TABLE_PREFIX,
    _check_bbox,
    _check_columns,
    _check_layer_id,
    _check_meta,
    _check_time_range,
    _new_layer_id,
)
from humansec.storeurl import check_store_url, is_store_url, redact_url, url_secrets
from humansec.timerange import TimeRange, time_mask

_T = TypeVar("_T")

CATALOGUE_TABLE = "hs_catalogue"
AUDIT_TABLE = "hs_audit"
AUDIT_HEAD_TABLE = "hs_audit_head"
MIGRATIONS_TABLE = "hs_schema_migrations"
MAX_IDENTIFIER_BYTES = 63
"""PostgreSQL truncates longer names; a column name this long is refused."""
_LOCK_NAMESPACE = 0x6873  # "hs": the first key of every advisory lock humansec takes
_MIGRATION_LOCK = 1
_OWN_TABLES = frozenset({CATALOGUE_TABLE, AUDIT_TABLE, AUDIT_HEAD_TABLE, MIGRATIONS_TABLE})
_AUDIT_LOCK = 2
_MAX_IDLE = 8
_READ_CHUNK_ROWS = 65536
_COPY_CHUNK = 1 << 20

MIGRATIONS: tuple[tuple[int, str, str], ...] = (
    (
        1,
        "catalogue of layer versions and the audit trail",
        f"""
        CREATE TABLE {CATALOGUE_TABLE} (
            seq bigserial PRIMARY KEY,
            event text NOT NULL CHECK (event IN ('register', 'retire', 'restore')),
            layer_id text NOT NULL,
            version integer NOT NULL CHECK (version > 0),
            kind text NOT NULL,
            title text NOT NULL,
            source text NOT NULL,
            licence text NOT NULL,
            classification text NOT NULL,
            created_at timestamptz NOT NULL,
            feature_count bigint NOT NULL,
            exercise boolean NOT NULL,
            provenance text NOT NULL,
            table_name text NOT NULL
        );
        COMMENT ON TABLE {CATALOGUE_TABLE} IS 'humansec layer catalogue (append-only)';
        CREATE UNIQUE INDEX {CATALOGUE_TABLE}_version ON {CATALOGUE_TABLE} (layer_id, version)
            WHERE event = 'register';
        CREATE TABLE {AUDIT_TABLE} (
            seq bigint PRIMARY KEY CHECK (seq > 0),
            hash text NOT NULL,
            line text NOT NULL
        );
        COMMENT ON TABLE {AUDIT_TABLE} IS 'humansec audit trail (append-only, hash-chained)';
        CREATE TABLE {AUDIT_HEAD_TABLE} (
            only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
            seq bigint NOT NULL,
            hash text NOT NULL
        );
        """,
    ),
)
"""(number, description, SQL): applied in order, each once, each in the opening transaction."""

# PostgreSQL type of a stored column -> the pyarrow type its CSV text is parsed as.
_ARROW_OF_PG: Mapping[str, pa.DataType] = {
    "text": pa.string(),
    "double precision": pa.float64(),
    "bigint": pa.int64(),
    "boolean": pa.bool_(),
    "timestamp with time zone": pa.int64(),  # sent as microseconds since the epoch
}
__all__ = ["PostGISStore", "is_store_url", "redact_url"]

_PANDAS_OF_ARROW = {
    pa.string(): pd.StringDtype(),
    pa.int64(): pd.Int64Dtype(),
    pa.bool_(): pd.BooleanDtype(),
}


class PostGISStore(ReplayedStore):
    """Layers kept as immutable versions in a PostGIS database.

    Parameters
    ----------
    url
        ``postgresql://user[:password]@host:port/database``; the password can also come from
        ``PGPASSWORD`` or ``~/.pgpass`` as libpq reads them. Opening connects once, creates or
        migrates the schema, and raises ``StoreError`` (naming the URL without its password)
        when the database cannot be reached.

    """

    def __init__(self, url: str) -> None:
        self.url = check_store_url(url)
        self._secrets = url_secrets(url)
        # A small pool: Streamlit runs every rerun in a new thread, so connections are lent
        # per call, not kept per thread. Idle ones close with the store (or its collection).
        self._idle: list[psycopg.Connection[Any]] = []
        self._idle_lock = threading.Lock()
        self._finalizer = weakref.finalize(self, _close_all, self._idle, self._idle_lock)
        self._cached_layers: tuple[tuple[int, int], dict[str, LayerState]] | None = None
        # A lost connection (a failed call or ping) sets ``_lost``; the next call that
        # succeeds counts one reconnection (``reconnections``) and clears it.
        self._lost = False
        self._reconnections = 0
        self._guard("open", self._migrate, retry=False)

    def close(self) -> None:
        """Close the idle connections (the store opens new ones if used again)."""
        _close_all(self._idle, self._idle_lock)

    def __repr__(self) -> str:
        return f"PostGISStore({redact_url(self.url)!r})"

    @property
    def reconnections(self) -> int:
        """How often the database was lost (a restart, a dropped link) and reached again."""
        return self._reconnections

    @property
    def location(self) -> str:
        """The URL without its password: safe for messages, logs and the page."""
        return redact_url(self.url)

    # -- reading ---------------------------------------------------------------------------

    def catalogue_version(self) -> int:
        """A number that grows with every catalogue event (0 for an empty store)."""
        row = self._guard(
            "read the catalogue",
            lambda conn: conn.execute(
                sql.SQL("SELECT coalesce(max(seq), 0) FROM {}").format(
                    sql.Identifier(CATALOGUE_TABLE)
                )
            ).fetchone(),
        )
        return int(row[0]) if row else 0

    def read_layer(
        self,
        layer_id: str,
        *,
        version: int | None = None,
        bbox: BBox | None = None,
        time_range: TimeRange | None = None,
    ) -> gpd.GeoDataFrame:
        """Return the features of one layer version (the latest when ``version`` is None).

        Same contract as ``GeoPackageStore.read_layer``; ``bbox`` keeps the features that
        intersect the box, answered through the table's GiST index.
        """
        layer = layer_state(layer_id, self._layers())
        known = [r.version for r in layer.records]
        if version is None:
            position = len(known) - 1
        elif version in known:
            position = known.index(version)
        else:
            msg = (
                f"Layer {layer_id!r} has no version {version!r}; "
                f"its versions are {', '.join(map(str, known))}."
            )
            raise StoreError(msg)
        record, table = layer.records[position], layer.tables[position]
        window = _check_bbox(bbox) if bbox is not None else None
        if time_range is not None:
            _check_time_range(time_range)
        frame = self._guard(
            f"read layer {layer_id!r} version {record.version}",
            lambda conn: _read_table(conn, table, record.kind, window),
        )
        frame = frame[time_mask(frame, record.kind, time_range).to_numpy()]
        return frame.reset_index(drop=True)

    def orphan_tables(self) -> list[str]:
        """Tables named like the store's that no catalogue row names (none normally: a version
        is written and registered in one transaction)."""
        layers = self._layers()
        named = {t for layer in layers.values() for t in layer.tables}
        rows = self._guard(
            "list the tables",
            lambda conn: conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            ).fetchall(),
        )
        return sorted(
            str(name)
            for (name,) in rows
            if str(name).startswith(TABLE_PREFIX) and name not in _OWN_TABLES and name not in named
        )

    # -- writing ---------------------------------------------------------------------------

    def add_version(
        self, frame: gpd.GeoDataFrame, meta: NewLayer, *, layer_id: str | None = None
    ) -> LayerRecord:
        """Store ``frame`` as a new version of ``layer_id`` (a new layer when None).

        Same contract as ``GeoPackageStore.add_version``.
        """
        kind = parse_kind(str(meta.kind))
        _check_meta(meta)
        conformed = conform(frame, kind)
        _check_columns(conformed)
        _check_identifiers(conformed)
        if layer_id is None:
            layer_id = self._new_id(meta.title)
        else:
            _check_layer_id(layer_id)
        chosen_id = layer_id
        payload = _to_csv(conformed)
        columns = _pg_columns(conformed)

        def write(conn: psycopg.Connection[Any]) -> LayerRecord:
            draft = f"{TABLE_PREFIX}draft_{secrets.token_hex(6)}"
            with conn.transaction():
                _create_and_fill(conn, draft, columns, payload)
                conn.execute(
                    "SELECT pg_advisory_xact_lock(%s, hashtext(%s))",
                    (_LOCK_NAMESPACE, chosen_id),
                )
                rows = conn.execute(
                    sql.SQL(
                        "SELECT kind, version FROM {} WHERE layer_id = %s AND event = 'register' "
                        "ORDER BY version DESC LIMIT 1"
                    ).format(sql.Identifier(CATALOGUE_TABLE)),
                    (chosen_id,),
                ).fetchall()
                if rows and rows[0][0] != str(kind):
                    msg = (
                        f"Layer {chosen_id!r} holds {rows[0][0]} features; a version of kind "
                        f"{kind} cannot be added to it. Add it as a new layer instead."
                    )
                    raise StoreError(msg)
                version = int(rows[0][1]) + 1 if rows else 1
                table = f"{TABLE_PREFIX}{chosen_id}_v{version}_{secrets.token_hex(3)}"
                conn.execute(
                    sql.SQL("ALTER TABLE {} RENAME TO {}").format(
                        sql.Identifier(draft), sql.Identifier(table)
                    )
                )
                conn.execute(
                    sql.SQL("COMMENT ON TABLE {} IS {}").format(
                        sql.Identifier(table),
                        sql.Literal(f"{meta.title} (version {version})"),
                    )
                )
                self._append_event(
                    conn,
                    event="register",
                    layer_id=chosen_id,
                    version=version,
                    kind=str(kind),
                    title=meta.title,
                    source=meta.source,
                    licence=meta.licence,
                    classification=meta.classification,
                    created_at=meta.created_at or datetime.now(UTC),
                    feature_count=len(conformed),
                    exercise=bool(meta.exercise),
                    provenance=json.dumps(dict(meta.provenance), default=str, sort_keys=True),
                    table_name=table,
                )
            layer = layer_state(chosen_id, self._layers(conn))
            return layer.records[layer.tables.index(table)]

        return self._guard(f"write layer {layer_id!r}", write, retry=False)

    def set_retired(self, layer_id: str, *, retired: bool) -> LayerRecord:
        """Retire (hide) or restore a layer; its versions stay stored.

        Retiring a retired layer (or restoring an active one) changes nothing.
        """

        def change(conn: psycopg.Connection[Any]) -> LayerRecord:
            with conn.transaction():
                conn.execute(
                    "SELECT pg_advisory_xact_lock(%s, hashtext(%s))",
                    (_LOCK_NAMESPACE, layer_id),
                )
                layer = layer_state(layer_id, self._layers(conn))
                if layer.retired != retired:
                    current = layer.records[-1]
                    self._append_event(
                        conn,
                        event="retire" if retired else "restore",
                        layer_id=layer_id,
                        version=current.version,
                        kind=str(current.kind),
                        title=current.title,
                        source=current.source,
                        licence=current.licence,
                        classification=current.classification,
                        created_at=datetime.now(UTC),
                        feature_count=current.feature_count,
                        exercise=current.exercise,
                        provenance="{}",
                        table_name=layer.tables[-1],
                    )
            return layer_state(layer_id, self._layers(conn)).records[-1]

        return self._guard(f"retire or restore layer {layer_id!r}", change, retry=False)

    # -- catalogue events (also used by ``store copy``) ------------------------------------

    def events(self) -> list[dict[str, object]]:
        """Every catalogue event, in the order they were appended."""
        return self._guard("read the catalogue", _catalogue_rows)

    # -- the audit trail (``humansec.audit`` calls these for a PostGIS store) ---------------

    def append_audit(
        self, make: Callable[[Mapping[str, object] | None], Mapping[str, object]]
    ) -> dict[str, object]:
        """Append ``make(last entry or None)`` to the audit trail, one writer at a time.

        ``make`` returns the new entry with its ``seq`` and ``hash`` (see ``humansec.audit``).
        """

        def append(conn: psycopg.Connection[Any]) -> dict[str, object]:
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", (_LOCK_NAMESPACE, _AUDIT_LOCK))
                row = conn.execute(
                    sql.SQL("SELECT line FROM {} ORDER BY seq DESC LIMIT 1").format(
                        sql.Identifier(AUDIT_TABLE)
                    )
                ).fetchone()
                entry = dict(make(json.loads(row[0]) if row else None))
                conn.execute(
                    sql.SQL("INSERT INTO {} (seq, hash, line) VALUES (%s, %s, %s)").format(
                        sql.Identifier(AUDIT_TABLE)
                    ),
                    (entry["seq"], entry["hash"], json.dumps(entry, ensure_ascii=False)),
                )
                conn.execute(
                    sql.SQL(
                        "INSERT INTO {} (seq, hash) VALUES (%s, %s) ON CONFLICT (only_row) "
                        "DO UPDATE SET seq = excluded.seq, hash = excluded.hash"
                    ).format(sql.Identifier(AUDIT_HEAD_TABLE)),
                    (entry["seq"], entry["hash"]),
                )
            return entry

        return self._guard("record in the audit trail", append, retry=False)

    def audit_lines(self) -> tuple[list[str], tuple[int, str] | None]:
        """The audit trail's lines (JSON, oldest first) and its head (last seq and hash)."""

        def read(conn: psycopg.Connection[Any]) -> tuple[list[str], tuple[int, str] | None]:
            with conn.transaction():  # one snapshot for the lines and the head
                lines = conn.execute(
                    sql.SQL("SELECT line FROM {} ORDER BY seq").format(sql.Identifier(AUDIT_TABLE))
                ).fetchall()
                head = conn.execute(
                    sql.SQL("SELECT seq, hash FROM {}").format(sql.Identifier(AUDIT_HEAD_TABLE))
                ).fetchone()
            return [str(line) for (line,) in lines], (
                (int(head[0]), str(head[1])) if head else None
            )

        return self._guard("read the audit trail", read)

    def copy_audit_lines(self, lines: Sequence[str]) -> None:
        """Append ``lines`` (a whole trail, already chained) to an EMPTY audit table."""

        def load(conn: psycopg.Connection[Any]) -> None:
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", (_LOCK_NAMESPACE, _AUDIT_LOCK))
                count = conn.execute(
                    sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(AUDIT_TABLE))
                ).fetchone()
                if count and int(count[0]):
                    msg = f"The audit trail of {self.location} is not empty; copy into a new store."
                    raise StoreError(msg)
                last: dict[str, Any] | None = None
                for line in lines:
                    last = json.loads(line)
                    assert last is not None
                    conn.execute(
                        sql.SQL("INSERT INTO {} (seq, hash, line) VALUES (%s, %s, %s)").format(
                            sql.Identifier(AUDIT_TABLE)
                        ),
                        (last["seq"], last["hash"], line),
                    )
                if last is not None:
                    conn.execute(
                        sql.SQL("INSERT INTO {} (seq, hash) VALUES (%s, %s)").format(
                            sql.Identifier(AUDIT_HEAD_TABLE)
                        ),
                        (last["seq"], last["hash"]),
                    )

        self._guard("copy the audit trail", load, retry=False)

    # -- internals -------------------------------------------------------------------------

    def connect(self) -> psycopg.Connection[Any]:
        """Open a new connection (autocommit, UTC, the URL's own options kept)."""
        params = conninfo_to_dict(self.url)
        options = f"{params.get('options') or ''} -c TimeZone=UTC -c DateStyle=ISO".strip()
        params["options"] = options
        params.setdefault("connect_timeout", 10)
        params.setdefault("application_name", "humansec")
        return psycopg.connect(make_conninfo("", **params), autocommit=True)

    @contextlib.contextmanager
    def _borrowed(self, *, check: bool) -> Iterator[psycopg.Connection[Any]]:
        """Lend an idle connection (``check``: after a ping) or a new one; take it back."""
        conn = None
        while conn is None:
            with self._idle_lock:
                candidate = self._idle.pop() if self._idle else None
            if candidate is None:
                conn = self.connect()
            elif not candidate.closed and not candidate.broken:
                if not check:
                    conn = candidate
                    break
                try:
                    candidate.execute("SELECT 1")
                    conn = candidate
                except psycopg.Error:
                    self._lost = True
                    _close_quietly(candidate)
            else:  # an idle connection the server dropped (psycopg saw it go)
                self._lost = True
                _close_quietly(candidate)
        try:
            yield conn
        finally:
            healthy = not conn.closed and not conn.broken
            idle = conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
            with self._idle_lock:
                keep = healthy and idle and len(self._idle) < _MAX_IDLE
                if keep:
                    self._idle.append(conn)
            if not keep:
                _close_quietly(conn)

    def _guard(
        self, what: str, call: Callable[[psycopg.Connection[Any]], _T], *, retry: bool = True
    ) -> _T:
        """Run ``call`` on a pooled connection; a read tries once more after a lost one.

        A write (``retry`` false) gets a connection checked just before, and is never
        repeated. Database errors become ``StoreError`` naming the URL without its password.
        """
        for attempt in (1, 2):
            try:
                with self._borrowed(check=not retry) as conn:
                    result = call(conn)
            except psycopg.OperationalError as error:
                self._lost = True
                _close_all(self._idle, self._idle_lock)  # after a restart, all are stale
                if attempt == 2 or not retry:
                    raise StoreError(self._message(what, error)) from None
            except psycopg.Error as error:
                raise StoreError(self._message(what, error)) from None
            else:
                self._count_reconnection()
                return result
        raise AssertionError  # pragma: no cover (the loop returns or raises)

    def _count_reconnection(self) -> None:
        """After a call that succeeded: if the database had been lost, count it back once."""
        if self._lost:
            with self._idle_lock:
                if self._lost:
                    self._lost = False
                    self._reconnections += 1

    def _message(self, what: str, error: psycopg.Error) -> str:
        detail = str(error).strip() or type(error).__name__
        for secret in self._secrets:
            detail = detail.replace(secret, "***")
        where = redact_url(self.url)
        if isinstance(error, psycopg.OperationalError):
            return (
                f"Cannot {what}: the PostGIS store {where} cannot be reached ({detail}). Check "
                "that PostgreSQL runs there and accepts this user, or unset HUMANSEC_STORE_URL "
                "to use the embedded GeoPackage."
            )
        return f"Cannot {what} in the PostGIS store {where}: {detail}"

    def _migrate(self, conn: psycopg.Connection[Any]) -> None:
        """Create or upgrade the schema: every migration not yet applied, in order, once."""
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", (_LOCK_NAMESPACE, _MIGRATION_LOCK))
            has_postgis = conn.execute(
                "SELECT 1 FROM pg_extension WHERE extname = 'postgis'"
            ).fetchone()
            if not has_postgis:
                try:
                    with conn.transaction():
                        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
                except psycopg.errors.InsufficientPrivilege:
                    msg = (
                        f"The database {redact_url(self.url)} lacks the PostGIS extension and "
                        "this user may not create it: ask its administrator to run "
                        "'CREATE EXTENSION postgis;' in it."
                    )
                    raise StoreError(msg) from None
            conn.execute(
                sql.SQL(
                    "CREATE TABLE IF NOT EXISTS {} (version integer PRIMARY KEY, "
                    "description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
                ).format(sql.Identifier(MIGRATIONS_TABLE))
            )
            applied = {
                int(v)
                for (v,) in conn.execute(
                    sql.SQL("SELECT version FROM {}").format(sql.Identifier(MIGRATIONS_TABLE))
                ).fetchall()
            }
            newest = max(number for number, _, _ in MIGRATIONS)
            if applied and max(applied) > newest:
                msg = (
                    f"The PostGIS store {redact_url(self.url)} has schema version "
                    f"{max(applied)}, newer than this humansec knows ({newest}): upgrade "
                    "humansec on this machine."
                )
                raise StoreError(msg)
            for number, description, statements in MIGRATIONS:
                if number in applied:
                    continue
                conn.execute(statements.encode())
                conn.execute(
                    sql.SQL("INSERT INTO {} (version, description) VALUES (%s, %s)").format(
                        sql.Identifier(MIGRATIONS_TABLE)
                    ),
                    (number, description),
                )

    def schema_version(self) -> int:
        """The newest migration applied to the database."""
        row = self._guard(
            "read the schema version",
            lambda conn: conn.execute(
                sql.SQL("SELECT max(version) FROM {}").format(sql.Identifier(MIGRATIONS_TABLE))
            ).fetchone(),
        )
        return int(row[0]) if row and row[0] is not None else 0

    def _append_event(self, conn: psycopg.Connection[Any], **row: object) -> None:
        names = list(row)
        conn.execute(
            sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
                sql.Identifier(CATALOGUE_TABLE),
                sql.SQL(", ").join(map(sql.Identifier, names)),
                sql.SQL(", ").join(sql.Placeholder() * len(names)),
            ),
            [row[name] for name in names],
        )

    def _layers(self, conn: psycopg.Connection[Any] | None = None) -> dict[str, LayerState]:
        """Every layer's state; outside a write, reused while the catalogue is unchanged.

        The key is the catalogue's (largest seq, row count): a transaction that commits
        late with a smaller seq still changes the count. Rows read after the key are at
        least as new, so a reused state is never older than the key says.
        """
        if conn is not None:
            return replay_catalogue(_catalogue_rows(conn))

        def read(conn: psycopg.Connection[Any]) -> dict[str, LayerState]:
            row = conn.execute(
                sql.SQL("SELECT coalesce(max(seq), 0), count(*) FROM {}").format(
                    sql.Identifier(CATALOGUE_TABLE)
                )
            ).fetchone()
            key = (int(row[0]), int(row[1])) if row else (0, 0)
            cached = self._cached_layers
            if cached is not None and cached[0] == key:
                return cached[1]
            layers = replay_catalogue(_catalogue_rows(conn))
            self._cached_layers = (key, layers)
            return layers

        return self._guard("read the catalogue", read)

    def _new_id(self, title: str) -> str:
        layers = self._layers()
        return _new_layer_id(title, layers)


def _close_quietly(conn: psycopg.Connection[Any]) -> None:
    with contextlib.suppress(psycopg.Error):
        conn.close()


def _close_all(connections: list[psycopg.Connection[Any]], lock: threading.Lock) -> None:
    with lock:
        for conn in connections:
            with contextlib.suppress(psycopg.Error):
                conn.close()
        connections.clear()


def _catalogue_rows(conn: psycopg.Connection[Any]) -> list[dict[str, object]]:
    with conn.cursor(row_factory=psycopg.rows.dict_row) as cursor:
        cursor.execute(
            sql.SQL("SELECT * FROM {} ORDER BY seq").format(sql.Identifier(CATALOGUE_TABLE))
        )
        return list(cursor.fetchall())


def _check_identifiers(frame: gpd.GeoDataFrame) -> None:
    """Refuse column names PostgreSQL would cut short (more than 63 bytes)."""
    long = [
        str(c)
        for c in frame.columns
        if c != frame.geometry.name and len(str(c).encode()) > MAX_IDENTIFIER_BYTES
    ]
    if long:
        msg = (
            f"The columns {choices(long)} have names longer than {MAX_IDENTIFIER_BYTES} bytes, "
            "which PostgreSQL cuts short; rename them."
        )
        raise StoreError(msg)
    assert MAX_ID_LENGTH + 16 < MAX_IDENTIFIER_BYTES  # table names always fit


def _pg_type(series: pd.Series) -> str:
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_integer_dtype(dtype):
        return "bigint"
    if pd.api.types.is_float_dtype(dtype):
        return "double precision"
    if isinstance(dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(dtype):
        return "timestamp with time zone"
    return "text"


def _pg_columns(frame: gpd.GeoDataFrame) -> list[tuple[str, str]]:
    geometry = frame.geometry.name
    return [(str(c), _pg_type(frame[c])) for c in frame.columns if c != geometry]


def _to_csv(frame: gpd.GeoDataFrame) -> bytes:
    """``frame`` as CSV for ``COPY``: fid, the columns, then the geometry as hex EWKB."""
    geometry = frame.geometry.name
    arrays: dict[str, pa.Array] = {"fid": pa.array(np.arange(len(frame), dtype=np.int64))}
    for name, pg_type in _pg_columns(frame):
        series = frame[name]
        if pg_type == "timestamp with time zone":
            stamps = pd.to_datetime(series, utc=True)
            arrays[name] = pa.array(stamps.dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), pa.string())
        elif pg_type == "text":
            text = series.astype("string")
            arrays[name] = pa.array(text.to_numpy(dtype=object, na_value=None), pa.string())
        elif pg_type == "double precision":
            arrays[name] = pa.array(series.to_numpy(dtype="float64"), from_pandas=True)
        else:
            arrays[name] = pa.array(series, from_pandas=True)
    geoms = shapely.set_srid(np.asarray(frame[geometry].array, dtype=object), 4326)
    arrays["geom"] = pa.array(shapely.to_wkb(geoms, hex=True, include_srid=True), pa.string())
    sink = io.BytesIO()
    pa_csv.write_csv(pa.table(arrays), sink, pa_csv.WriteOptions(include_header=False))
    return sink.getvalue()


def _create_and_fill(
    conn: psycopg.Connection[Any], table: str, columns: list[tuple[str, str]], payload: bytes
) -> None:
    definitions: list[sql.Composable] = [sql.SQL("fid bigint PRIMARY KEY")]
    definitions += [sql.SQL("{} {}").format(sql.Identifier(n), sql.SQL(t)) for n, t in columns]
    definitions.append(sql.SQL("geom geometry(Geometry, 4326) NOT NULL"))
    conn.execute(
        sql.SQL("CREATE TABLE {} ({})").format(
            sql.Identifier(table), sql.SQL(", ").join(definitions)
        )
    )
    names = ["fid", *(n for n, _ in columns), "geom"]
    copy_sql = sql.SQL("COPY {} ({}) FROM STDIN WITH (FORMAT csv)").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, names))
    )
    with conn.cursor() as cursor, cursor.copy(copy_sql) as copy:
        view = memoryview(payload)
        for start in range(0, len(payload), _COPY_CHUNK):
            copy.write(view[start : start + _COPY_CHUNK])
    conn.execute(
        sql.SQL("CREATE INDEX {} ON {} USING gist (geom)").format(
            sql.Identifier(f"{table}_geom"), sql.Identifier(table)
        )
    )
    conn.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(table)))


def _table_columns(conn: psycopg.Connection[Any], table: str) -> list[tuple[str, str]]:
    rows = conn.execute(
        "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
        "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
        (sql.Identifier(table).as_string(conn),),
    ).fetchall()
    return [(str(name), str(pg_type)) for name, pg_type in rows]


def _read_table(  # noqa: PLR0912 - one branch per column type
    conn: psycopg.Connection[Any], table: str, kind: LayerKind, bbox: BBox | None
) -> gpd.GeoDataFrame:
    """Read one version table into a typed GeoDataFrame, with no Python work per row.

    The server formats the rows as CSV and joins them, and their WKB, into a few large
    chunks (``_READ_CHUNK_ROWS`` rows each): pyarrow parses the CSV, numpy puts the rows in
    ``fid`` order, shapely reads the WKB, all vectorised. (``COPY ... TO STDOUT`` sends one
    message per row, which costs Python time per row: 2x slower here.)
    """
    columns = [(n, t) for n, t in _table_columns(conn, table) if n not in {"fid", "geom"}]
    fields: list[sql.Composable] = []
    for name, pg_type in columns:
        column = sql.Identifier(name)
        if pg_type == "boolean":
            field = "CASE {c} WHEN true THEN 't' WHEN false THEN 'f' ELSE '' END"
        elif pg_type == "timestamp with time zone":
            field = "coalesce(((extract(epoch FROM {c}) * 1000000)::bigint)::text, '')"
        elif pg_type in {"bigint", "double precision"}:
            field = "coalesce({c}::text, '')"
        else:  # text: quoted, so that NULL (empty) and '' ("") stay apart
            field = (
                "CASE WHEN {c} IS NULL THEN '' "
                """ELSE '"' || replace({c}::text, '"', '""') || '"' END"""
            )
        fields.append(sql.SQL(field).format(c=column))
    where: sql.Composable = sql.SQL("")
    if bbox is not None:
        where = sql.SQL(" WHERE ST_Intersects(geom, ST_MakeEnvelope({}, {}, {}, {}, 4326))").format(
            *map(sql.Literal, bbox)
        )
    # Per chunk: the attributes as CSV lines, the geometries' WKB back to back, each WKB's
    # length (big-endian int4) to cut them apart, and each row's fid (int8): all aggregates
    # of a group see its rows in one order, which the fids then put right (no sort here).
    query = sql.SQL(
        "SELECT convert_to(string_agg(line, E'\\n'), 'UTF8'), string_agg(wkb, ''::bytea), "
        "string_agg(int4send(length(wkb)), ''::bytea), string_agg(int8send(fid), ''::bytea) "
        "FROM (SELECT fid, {line} AS line, ST_AsBinary(geom) AS wkb FROM {table}{where}) AS rows "
        "GROUP BY fid / {rows}"
    ).format(
        line=sql.SQL(" || ',' || ").join(fields) if fields else sql.SQL("''"),
        table=sql.Identifier(table),
        where=where,
        rows=sql.Literal(_READ_CHUNK_ROWS),
    )
    with conn.cursor(binary=True) as cursor:
        chunks = cursor.execute(query).fetchall()
    # Every line ends in a newline: pyarrow refuses an empty last field on an unended line.
    payload = b"".join(bytes(chunk[0]) + b"\n" for chunk in chunks)
    wkb = b"".join(bytes(chunk[1]) for chunk in chunks)
    lengths = np.frombuffer(b"".join(bytes(chunk[2]) for chunk in chunks), dtype=">i4")
    order = np.argsort(np.frombuffer(b"".join(bytes(c[3]) for c in chunks), dtype=">i8"))
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    geometries = pa.LargeBinaryArray.from_buffers(
        pa.large_binary(), len(lengths), [None, pa.py_buffer(offsets), pa.py_buffer(wkb)]
    ).take(pa.array(order))
    names = [name for name, _ in columns]
    types = {name: _ARROW_OF_PG.get(pg_type, pa.string()) for name, pg_type in columns}
    if names and len(lengths):
        table_read = pa_csv.read_csv(
            io.BytesIO(payload),
            read_options=pa_csv.ReadOptions(column_names=names),
            parse_options=pa_csv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(
                column_types=types,
                strings_can_be_null=True,
                quoted_strings_can_be_null=False,
                true_values=["t"],
                false_values=["f"],
            ),
        )
    else:
        table_read = pa.table({n: pa.array([], type=t) for n, t in types.items()})
    if table_read.num_rows != len(lengths):
        msg = f"Table {table} read back {table_read.num_rows} rows for {len(lengths)} geometries."
        raise StoreError(msg)
    table_read = table_read.take(pa.array(order))
    geometry = shapely.from_wkb(geometries.to_numpy(zero_copy_only=False))
    data = table_read.to_pandas(types_mapper=_PANDAS_OF_ARROW.get)
    data.index = pd.RangeIndex(len(geometry))
    for name, pg_type in columns:
        if pg_type == "timestamp with time zone":
            data[name] = pd.to_datetime(data[name].astype("float64"), unit="us", utc=True)
    frame = gpd.GeoDataFrame(data, geometry=gpd.GeoSeries(geometry, crs=WGS84), crs=WGS84)
    frame = conform(frame, kind)
    for name in frame.columns:
        if isinstance(frame[name].dtype, pd.DatetimeTZDtype):
            frame[name] = frame[name].astype(DATETIME_DTYPE)
    return frame
