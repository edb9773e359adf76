"""MBTiles: opened read-only with no code from the file; header and tiles checked."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from humansec.basemaps import mbtiles
from humansec.basemaps.limits import BasemapLimits
from humansec.errors import IngestError
from tests.basemap_files import png, write_mbtiles

LIMITS = BasemapLimits()
TILES = {(0, 0, 0): png(), (1, 0, 0): png(), (1, 1, 1): png()}


def test_header_and_tiles_in_xyz_rows(tmp_path: Path) -> None:
    path = write_mbtiles(tmp_path / "a.mbtiles", TILES, metadata={"format": "png", "name": "A"})
    header = mbtiles.read_header(path, LIMITS)
    assert header.tile_format == "png"
    assert header.tile_count == 3
    assert header.metadata["name"] == "A"
    got = {(z, x, y): data for z, x, y, data in mbtiles.read_tiles(path, LIMITS)}
    assert got == TILES  # (1, 1, 1) is stored as TMS row 0 and comes back as XYZ y 1


def test_the_file_is_neither_written_nor_locked(tmp_path: Path) -> None:
    path = write_mbtiles(tmp_path / "a.mbtiles", TILES)
    before = path.read_bytes()
    with mbtiles.connect(path) as connection:
        with pytest.raises(sqlite3.DatabaseError):
            connection.execute("DELETE FROM metadata")
        with pytest.raises(sqlite3.DatabaseError):
            connection.execute("ATTACH DATABASE ':memory:' AS other")
    assert path.read_bytes() == before


def test_only_the_basemap_tables_can_be_read(tmp_path: Path) -> None:
    path = write_mbtiles(
        tmp_path / "a.mbtiles",
        TILES,
        extra_sql=["CREATE TABLE secrets (x)", "INSERT INTO secrets VALUES (1)"],
    )
    with mbtiles.connect(path) as connection:
        assert connection.execute("SELECT count(*) FROM tiles").fetchone() == (3,)
        with pytest.raises(sqlite3.DatabaseError, match="prohibited"):
            connection.execute("SELECT * FROM secrets").fetchall()
        with pytest.raises(sqlite3.DatabaseError, match="not authorized"):
            connection.execute("SELECT load_extension('x')").fetchall()


def test_format_comes_from_the_first_tile_when_metadata_has_none(tmp_path: Path) -> None:
    path = write_mbtiles(tmp_path / "a.mbtiles", TILES, metadata={"name": "old"})
    assert mbtiles.read_header(path, LIMITS).tile_format == "png"


@pytest.mark.parametrize(
    ("extra_sql", "fragment"),
    [
        (["CREATE TRIGGER wipe AFTER INSERT ON tiles BEGIN DELETE FROM metadata; END"],
         "trigger wipe"),
        (["CREATE VIEW v AS SELECT load_extension('/tmp/evil')"], "view v"),
    ],
)  # fmt: skip
def test_triggers_and_views_are_refused(
    tmp_path: Path, extra_sql: list[str], fragment: str
) -> None:
    path = write_mbtiles(tmp_path / "a.mbtiles", TILES, extra_sql=extra_sql)
    with pytest.raises(IngestError, match=fragment):
        mbtiles.read_header(path, LIMITS)


def test_a_deduplicated_mbtiles_with_a_tiles_view_is_refused_with_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "dedup.mbtiles"
    connection = sqlite3.connect(path)
    connection.executescript(
        "CREATE TABLE metadata (name, value); CREATE TABLE map (zoom_level, tile_column, "
        "tile_row, tile_id); CREATE TABLE images (tile_id, tile_data); CREATE VIEW tiles AS "
        "SELECT zoom_level, tile_column, tile_row, tile_data FROM map JOIN images USING (tile_id);"
    )
    connection.close()
    with pytest.raises(IngestError, match="without deduplication"):
        mbtiles.read_header(path, LIMITS)


@pytest.mark.parametrize(
    ("tiles", "metadata", "limits", "fragment"),
    [
        (TILES, {"format": "tiff"}, LIMITS, "format 'tiff'"),
        (TILES, {"format": "png"}, BasemapLimits(max_tiles=2), "3 tiles, more than the limit"),
        ({}, {"format": "png"}, LIMITS, "holds no tiles"),
        ({(0, 0, 0): b"not a tile"}, {"name": "x"}, LIMITS, "first tile is not a PNG"),
    ],
)
def test_headers_that_cannot_be_served_are_refused(
    tmp_path: Path, tiles: dict, metadata: dict, limits: BasemapLimits, fragment: str
) -> None:
    path = write_mbtiles(tmp_path / "a.mbtiles", tiles, metadata=metadata)
    with pytest.raises(IngestError, match=fragment):
        mbtiles.read_header(path, limits)


def test_an_sqlite_database_without_the_tables_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.mbtiles"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE notes (x)")
    connection.close()
    with pytest.raises(IngestError, match="not an MBTiles file: it has no table metadata or tiles"):
        mbtiles.read_header(path, LIMITS)


def test_a_tile_outside_the_grid_or_too_large_is_refused(tmp_path: Path) -> None:
    path = write_mbtiles(tmp_path / "a.mbtiles", {(1, 5, 0): png()})
    with pytest.raises(IngestError, match="outside the tile grid"):
        list(mbtiles.read_tiles(path, LIMITS))
    path = write_mbtiles(tmp_path / "b.mbtiles", {(0, 0, 0): png()})
    with pytest.raises(IngestError, match="one tile may be at most 100 bytes"):
        list(mbtiles.read_tiles(path, BasemapLimits(max_tile_bytes=100)))


def test_a_damaged_database_is_refused_with_a_message(tmp_path: Path) -> None:
    path = write_mbtiles(tmp_path / "a.mbtiles", TILES)
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # the schema page
    path.write_bytes(bytes(data))
    with pytest.raises(IngestError, match="damaged or cut short"):
        mbtiles.read_header(path, LIMITS)
