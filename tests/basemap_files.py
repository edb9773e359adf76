"""Small MBTiles and PMTiles packages built by hand for the basemap tests (not a test module).

PNG tiles are written with zlib and struct, vector tiles (MVT) are protobuf encoded field by
field, PMTiles files follow the v3 spec (header, root directory, metadata, tile data). Nothing
here comes from a file on disk, so the tests run on any machine.
"""

from __future__ import annotations

import gzip
import json
import math
import sqlite3
import struct
import zlib
from collections.abc import Iterable, Mapping
from pathlib import Path

from humansec.basemaps.pmtiles import zxy_to_tile_id

Tiles = Mapping[tuple[int, int, int], bytes]
"""``(z, x, y) -> bytes`` with ``y`` counted from the north (XYZ)."""


def png(
    width: int = 256, height: int = 256, colour: tuple[int, int, int] = (200, 60, 160)
) -> bytes:
    """An RGB PNG filled with ``colour`` and a dark 6-pixel frame (visible tile edges)."""
    frame = bytes((40, 40, 40))
    fill = bytes(colour)
    rows = []
    for row in range(height):
        edge = row < 6 or row >= height - 6
        line = frame * width if edge else frame * 6 + fill * (width - 12) + frame * 6
        rows.append(b"\x00" + line[: width * 3])
    raw = b"".join(rows)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


# --- Mapbox Vector Tiles -----------------------------------------------------------------


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _field(number: int, payload: bytes | int) -> bytes:
    if isinstance(payload, int):
        return _varint(number << 3) + _varint(payload)
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _zigzag(value: int) -> int:
    return (value << 1) ^ (value >> 31)


def _geometry(kind: int, points: list[tuple[int, int]]) -> list[int]:
    commands: list[int] = []
    x = y = 0
    for index, (px, py) in enumerate(points):
        if index == 0:
            commands.append(1 | 1 << 3)  # MoveTo, 1
        elif index == 1:
            commands.append(2 | (len(points) - 1) << 3)  # LineTo, n-1
        commands += [_zigzag(px - x), _zigzag(py - y)]
        x, y = px, py
    if kind == 3:
        commands.append(7 | 1 << 3)  # ClosePath
    return commands


def _feature(kind: int, points: list[tuple[int, int]], tags: list[int]) -> bytes:
    packed_tags = b"".join(_varint(t) for t in tags)
    packed = b"".join(_varint(c) for c in _geometry(kind, points))
    return (_field(2, packed_tags) if tags else b"") + _field(3, kind) + _field(4, packed)


def mvt(name: str = "Testville") -> bytes:
    """A vector tile: a water polygon over the tile, a road across it, a named place."""
    extent = 4096
    water = _field(1, b"water") + _field(
        2, _feature(3, [(256, 256), (3840, 256), (3840, 3840), (256, 3840)], [])
    )
    roads = _field(1, b"roads") + _field(2, _feature(2, [(0, 2048), (4096, 2048)], []))
    place = (
        _field(1, b"places")
        + _field(2, _feature(1, [(2048, 2048)], [0, 0]))
        + _field(3, b"name")
        + _field(4, _field(1, name.encode()))
    )
    layers = [water, roads, place]
    return b"".join(_field(3, layer + _field(5, extent) + _field(15, 2)) for layer in layers)


# --- tiles over an area ------------------------------------------------------------------


def tile_range(
    bounds: tuple[float, float, float, float], zooms: Iterable[int]
) -> list[tuple[int, int, int]]:
    """Every ``(z, x, y)`` covering ``bounds`` (west, south, east, north) at ``zooms``."""
    west, south, east, north = bounds
    out = []
    for z in zooms:
        n = 2**z

        def tx(lon: float, n: int = n) -> int:
            return min(n - 1, int((lon + 180) / 360 * n))

        def ty(lat: float, n: int = n) -> int:
            rad = math.radians(lat)
            return min(n - 1, int((1 - math.asinh(math.tan(rad)) / math.pi) / 2 * n))

        for x in range(tx(west), tx(east) + 1):
            for y in range(ty(north), ty(south) + 1):
                out.append((z, x, y))
    return out


# --- containers --------------------------------------------------------------------------


def write_mbtiles(
    path: Path,
    tiles: Tiles,
    *,
    metadata: Mapping[str, str] | None = None,
    extra_sql: Iterable[str] = (),
) -> Path:
    """An MBTiles file with ``tiles`` (stored in TMS rows, as the spec says)."""
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
    connection.execute(
        "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, "
        "tile_data BLOB)"
    )
    connection.executemany(
        "INSERT INTO metadata VALUES (?, ?)",
        list((metadata or {"name": "Test", "format": "png"}).items()),
    )
    connection.executemany(
        "INSERT INTO tiles VALUES (?, ?, ?, ?)",
        [(z, x, 2**z - 1 - y, data) for (z, x, y), data in tiles.items()],
    )
    for statement in extra_sql:
        connection.execute(statement)
    connection.commit()
    connection.close()
    return path


def _directory(entries: list[tuple[int, int, int, int]]) -> bytes:
    """Encode ``(tile_id, run_length, offset, length)`` entries as a PMTiles directory."""
    out = _varint(len(entries))
    previous = 0
    for tile_id, *_ in entries:
        out += _varint(tile_id - previous)
        previous = tile_id
    out += b"".join(_varint(e[1]) for e in entries)
    out += b"".join(_varint(e[3]) for e in entries)
    out += b"".join(_varint(e[2] + 1) for e in entries)
    return out


PM_TILE_TYPES = {"mvt": 1, "png": 2, "jpg": 3, "webp": 4}


def write_pmtiles(
    path: Path,
    tiles: Tiles,
    *,
    tile_type: str = "png",
    gzip_tiles: bool = False,
    metadata: Mapping[str, object] | None = None,
    bounds: tuple[float, float, float, float] = (-180.0, -85.0, 180.0, 85.0),
    header_overrides: Mapping[int, int] | None = None,
    leaf_size: int = 0,
) -> Path:
    """A PMTiles v3 file: gzip directories and metadata, tiles as given (or gzip).

    With ``leaf_size`` (or a root directory too large for the first 16 KiB) the entries go to
    leaf directories of that many entries, and the root points at them.
    """
    ordered = sorted((zxy_to_tile_id(*key), data) for key, data in tiles.items())
    blobs = [gzip.compress(d) if gzip_tiles else d for _, d in ordered]
    entries, offset = [], 0
    for (tile_id, _), blob in zip(ordered, blobs, strict=True):
        entries.append((tile_id, 1, offset, len(blob)))
        offset += len(blob)
    root = gzip.compress(_directory(entries))
    leaves = b""
    if leaf_size or len(root) > 16_000:  # the root must fit in the first 16 KiB: use leaves
        pointers = []
        for start in range(0, len(entries), leaf_size or 4096):
            chunk = entries[start : start + (leaf_size or 4096)]
            leaf = gzip.compress(_directory(chunk))
            pointers.append((chunk[0][0], 0, len(leaves), len(leaf)))
            leaves += leaf
        root = gzip.compress(_directory(pointers))
    meta = gzip.compress(json.dumps(metadata or {"name": "Test PMTiles"}).encode())
    data = b"".join(blobs)
    zooms = [key[0] for key in tiles]
    root_offset = 127
    meta_offset = root_offset + len(root)
    leaf_offset = meta_offset + len(meta)
    data_offset = leaf_offset + len(leaves)
    values = [
        b"PMTiles", 3,
        root_offset, len(root), meta_offset, len(meta), leaf_offset, len(leaves), data_offset,
        len(data),
        len(entries), len(entries), len(entries),
        1, 2, 2 if gzip_tiles else 1, PM_TILE_TYPES[tile_type], min(zooms), max(zooms),
        *(round(v * 1e7) for v in bounds), min(zooms), 0, 0,
    ]  # fmt: skip
    for index, value in (header_overrides or {}).items():
        values[index] = value
    header = struct.pack("<7sB11Q6B4iB2i", *values)
    path.write_bytes(header + root + meta + leaves + data)
    return path


# Around the demo scenario (Suwałki gap), so that the browser test's first view shows it.
DEMO_BOUNDS = (21.5, 53.0, 25.0, 55.5)


def demo_raster_tiles(zooms: Iterable[int] = range(5, 11)) -> dict[tuple[int, int, int], bytes]:
    """PNG tiles over the demo area; neighbouring tiles alternate colours."""
    colours = ((200, 60, 160), (60, 160, 200))
    return {
        key: png(colour=colours[(key[1] + key[2]) % 2]) for key in tile_range(DEMO_BOUNDS, zooms)
    }


def demo_vector_tiles(zooms: Iterable[int] = range(5, 11)) -> dict[tuple[int, int, int], bytes]:
    """Vector tiles over the demo area."""
    return {key: mvt(f"Place {key[0]}/{key[1]}/{key[2]}") for key in tile_range(DEMO_BOUNDS, zooms)}
