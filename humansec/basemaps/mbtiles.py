"""MBTiles (SQLite) packages, read without letting the file run anything.

The database is opened read-only and immutable through a ``file:`` URI, extension loading is
off, ``trusted_schema`` is off, and an authorizer lets statements read only the ``metadata``
and ``tiles`` tables (and the schema) and call only a few built-in functions. A package whose
schema holds any trigger or view is refused before any table is read: in an MBTiles file they
serve no purpose a basemap needs, and SQL there is code the file brings with it.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from humansec.basemaps.limits import BasemapLimits
from humansec.basemaps.tiles import TileFormat, sniff_image
from humansec.errors import IngestError

SQLITE_MAGIC = b"SQLite format 3\x00"
FORMATS: dict[str, TileFormat] = {
    "png": "png",
    "jpg": "jpg",
    "jpeg": "jpg",
    "webp": "webp",
    "pbf": "mvt",
    "mvt": "mvt",
}
_READABLE = frozenset({"sqlite_master", "sqlite_schema", "metadata", "tiles"})
_FUNCTIONS = frozenset({"count", "length", "min", "max", "typeof"})
_MAX_METADATA_ROWS = 1000


@dataclass(frozen=True)
class Header:
    """What an MBTiles file says about itself, checked."""

    metadata: dict[str, str]
    tile_format: TileFormat
    tile_count: int


def _authorize(action: int, arg1: str | None, arg2: str | None, *_: object) -> int:
    if action == sqlite3.SQLITE_SELECT:
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_READ and (arg1 or "").lower() in _READABLE:
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() in _FUNCTIONS:
        return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY


@contextlib.contextmanager
def connect(path: Path) -> Iterator[sqlite3.Connection]:
    """Open ``path`` read-only, immutable, without extensions; only reads are authorised."""
    uri = f"file:{quote(str(path.resolve()))}?mode=ro&immutable=1"
    try:
        connection = sqlite3.connect(uri, uri=True, isolation_level=None)
    except sqlite3.Error as error:
        raise _unreadable(path, error) from None
    try:
        if hasattr(connection, "enable_load_extension"):
            connection.enable_load_extension(False)
        connection.execute("PRAGMA trusted_schema = OFF")
        connection.execute("PRAGMA query_only = ON")
        connection.set_authorizer(_authorize)
        yield connection
    finally:
        connection.close()


def _unreadable(path: Path, error: Exception) -> IngestError:
    return IngestError(
        f"{path.name} starts like an SQLite database but SQLite cannot read it ({error}). "
        "The MBTiles file is damaged or cut short: copy it again from its source."
    )


def read_header(path: Path, limits: BasemapLimits) -> Header:
    """Check the schema and metadata of the MBTiles file at ``path``; return what it says."""
    with connect(path) as connection:
        try:
            return _header(connection, path, limits)
        except sqlite3.Error as error:
            raise _unreadable(path, error) from None


def _header(connection: sqlite3.Connection, path: Path, limits: BasemapLimits) -> Header:
    schema = connection.execute("SELECT type, name FROM sqlite_master").fetchall()
    code = sorted(f"{kind} {name}" for kind, name in schema if kind in {"trigger", "view"})
    if code:
        msg = (
            f"{path.name} holds SQL that would run when it is read ({', '.join(code)}). An "
            "MBTiles basemap needs only the tables metadata and tiles: export it again as a "
            "plain MBTiles file (e.g. with gdal_translate or mb-util, without deduplication)."
        )
        raise IngestError(msg)
    tables = {name.lower() for kind, name in schema if kind == "table"}
    missing = {"metadata", "tiles"} - tables
    if missing:
        msg = (
            f"{path.name} is an SQLite database but not an MBTiles file: it has no table "
            f"{' or '.join(sorted(missing))}. Choose the .mbtiles file of the basemap."
        )
        raise IngestError(msg)
    metadata = _metadata(connection, path, limits)
    (count,) = connection.execute("SELECT count(*) FROM tiles").fetchone()
    if count == 0:
        msg = f"{path.name} holds no tiles; export the basemap again with its tiles."
        raise IngestError(msg)
    if count > limits.max_tiles:
        msg = (
            f"{path.name} holds {count:,} tiles, more than the limit of {limits.max_tiles:,}. "
            "Export a smaller area or fewer zoom levels."
        )
        raise IngestError(msg)
    return Header(metadata, _tile_format(connection, metadata, path), int(count))


def _metadata(connection: sqlite3.Connection, path: Path, limits: BasemapLimits) -> dict[str, str]:
    (rows, size) = connection.execute(
        "SELECT count(*), max(length(name) + length(value)) FROM metadata"
    ).fetchone()
    if rows > _MAX_METADATA_ROWS or (size or 0) > limits.max_metadata_bytes:
        msg = (
            f"{path.name}: the metadata table is too large ({rows:,} rows, up to "
            f"{size or 0:,} bytes in one); an MBTiles file holds a few short entries. "
            "Export the basemap again."
        )
        raise IngestError(msg)
    return {
        str(name): str(value)
        for name, value in connection.execute("SELECT name, value FROM metadata")
        if name is not None and value is not None
    }


def _tile_format(
    connection: sqlite3.Connection, metadata: dict[str, str], path: Path
) -> TileFormat:
    declared = metadata.get("format", "").strip().lower()
    if declared:
        if declared not in FORMATS:
            msg = (
                f"{path.name} declares tiles of format {declared!r}; humansec serves "
                "png, jpg, webp and pbf (vector) tiles."
            )
            raise IngestError(msg)
        return FORMATS[declared]
    # MBTiles 1.0 had no format entry: the first tile says what the tiles are.
    row = connection.execute("SELECT tile_data FROM tiles LIMIT 1").fetchone()
    first = row[0] if row and isinstance(row[0], bytes) else b""
    found = sniff_image(first[:16])
    if found is None:
        msg = (
            f"{path.name} does not say what format its tiles are (no 'format' in its "
            "metadata) and its first tile is not a PNG, JPEG or WebP image. Add the format "
            "entry, or export the basemap again."
        )
        raise IngestError(msg)
    return found


def read_tiles(path: Path, limits: BasemapLimits) -> Iterator[tuple[int, int, int, bytes]]:
    """Yield ``(z, x, y, data)`` of every tile, ``y`` counted from the north (XYZ, not TMS).

    The coordinates and the stored size are checked here; the content by the caller.
    """
    with connect(path) as connection:
        try:
            yield from _tiles(connection, path, limits)
        except sqlite3.Error as error:
            raise _unreadable(path, error) from None


def _tiles(
    connection: sqlite3.Connection, path: Path, limits: BasemapLimits
) -> Iterator[tuple[int, int, int, bytes]]:
    (largest,) = connection.execute("SELECT max(length(tile_data)) FROM tiles").fetchone()
    if (largest or 0) > limits.max_tile_bytes:
        msg = (
            f"{path.name} holds a tile of {largest:,} bytes; one tile may be at most "
            f"{limits.max_tile_bytes:,} bytes. Export the basemap again with normal tiles."
        )
        raise IngestError(msg)
    rows = connection.execute("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles")
    for z, x, row, data in rows:
        if not all(isinstance(v, int) for v in (z, x, row)) or not isinstance(data, bytes):
            msg = (
                f"{path.name} holds a tile whose zoom, column or row is not a whole number "
                f"or whose data is not binary ({z!r}, {x!r}, {row!r}). Export it again."
            )
            raise IngestError(msg)
        if not 0 <= z <= limits.max_zoom or not (0 <= x < 2**z and 0 <= row < 2**z):
            msg = (
                f"{path.name} holds a tile at zoom {z}, column {x}, row {row}, outside the "
                f"tile grid (zoom 0 to {limits.max_zoom}, columns and rows 0 to 2^zoom - 1)."
            )
            raise IngestError(msg)
        yield z, x, 2**z - 1 - row, data
