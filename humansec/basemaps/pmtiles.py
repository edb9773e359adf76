"""PMTiles v3 packages: header, directories and tiles parsed with every offset bounded.

A PMTiles file is a 127-byte header, a root directory, optional JSON metadata, optional leaf
directories and the tile data (https://github.com/protomaps/PMTiles, spec v3). Every section
must lie inside the file and after the header; every directory entry must point inside its
section; directories are unzipped within a bound and nested at most a few levels deep.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from humansec.basemaps.limits import BasemapLimits
from humansec.basemaps.tiles import TileFormat, gunzip, read_varint
from humansec.errors import IngestError

MAGIC = b"PMTiles"
HEADER_BYTES = 127
ROOT_LIMIT = 16_384  # header and root directory lie within the first 16 KiB (spec v3)
_HEADER = struct.Struct("<7sB11Q6B4iB2i")
COMPRESSION_NONE, COMPRESSION_GZIP = 1, 2
_COMPRESSION_NAMES = {0: "unknown", 1: "none", 2: "gzip", 3: "brotli", 4: "zstd"}
TILE_TYPES: dict[int, TileFormat] = {1: "mvt", 2: "png", 3: "jpg", 4: "webp"}
_TILE_TYPE_NAMES = {0: "unknown", 5: "avif"}


@dataclass(frozen=True)
class Section:
    """A byte range of the file."""

    offset: int
    length: int


@dataclass(frozen=True)
class Header:
    """The checked header of a PMTiles v3 file."""

    root: Section
    metadata: Section
    leaves: Section
    data: Section
    addressed_tiles: int
    internal_compression: int
    tile_compression: int
    tile_format: TileFormat
    min_zoom: int
    max_zoom: int
    bounds: tuple[float, float, float, float]


@dataclass(frozen=True)
class Entry:
    """One directory entry: tiles ``tile_id`` .. ``tile_id + run_length - 1`` share the bytes
    at ``offset``/``length`` of the tile data, or (``run_length == 0``) a leaf directory."""

    tile_id: int
    run_length: int
    offset: int
    length: int


def read_header(path: Path, limits: BasemapLimits) -> Header:
    """Parse and check the header of the PMTiles file at ``path``."""
    size = path.stat().st_size
    with path.open("rb") as file:
        raw = file.read(HEADER_BYTES)
    if len(raw) < HEADER_BYTES or not raw.startswith(MAGIC):
        msg = (
            f"{path.name} is cut short: a PMTiles file starts with a {HEADER_BYTES}-byte header "
            f"and this one has {len(raw)} bytes. Copy the file again from its source."
        )
        raise IngestError(msg)
    fields = _HEADER.unpack(raw)
    version = fields[1]
    if version != 3:
        msg = (
            f"{path.name} is PMTiles version {version}; humansec reads version 3. Convert it "
            "with `pmtiles convert OLD.pmtiles NEW.pmtiles`."
        )
        raise IngestError(msg)
    sections = [Section(fields[i], fields[i + 1]) for i in (2, 4, 6, 8)]
    names = ("root directory", "metadata", "leaf directories", "tile data")
    for name, section in zip(names, sections, strict=True):
        _check_section(path, name, section, size)
    root, metadata, leaves, data = sections
    if root.length == 0 or root.offset + root.length > ROOT_LIMIT:
        msg = (
            f"{path.name}: the root directory ({root.length:,} bytes at {root.offset:,}) must "
            f"be present and end within the first {ROOT_LIMIT:,} bytes (PMTiles v3). The file "
            "is damaged: copy or convert it again."
        )
        raise IngestError(msg)
    addressed, internal, compression, tile_type = fields[10], fields[14], fields[15], fields[16]
    min_zoom, max_zoom = fields[17], fields[18]
    for what, value in (("directories", internal), ("tiles", compression)):
        if value not in {COMPRESSION_NONE, COMPRESSION_GZIP}:
            msg = (
                f"{path.name} compresses its {what} with "
                f"{_COMPRESSION_NAMES.get(value, str(value))}; humansec reads gzip or none. "
                "Convert it with `pmtiles convert` (gzip is the default)."
            )
            raise IngestError(msg)
    if tile_type not in TILE_TYPES:
        msg = (
            f"{path.name} holds tiles of type "
            f"{_TILE_TYPE_NAMES.get(tile_type, str(tile_type))}; humansec serves MVT, PNG, "
            "JPEG and WebP tiles."
        )
        raise IngestError(msg)
    if not min_zoom <= max_zoom <= limits.max_zoom:
        msg = (
            f"{path.name} declares zoom levels {min_zoom} to {max_zoom}; they must rise and "
            f"stay at or below {limits.max_zoom}."
        )
        raise IngestError(msg)
    if addressed > limits.max_tiles:
        msg = (
            f"{path.name} declares {addressed:,} tiles, more than the limit of "
            f"{limits.max_tiles:,}. Extract a smaller area (`pmtiles extract --bbox ...`)."
        )
        raise IngestError(msg)
    bounds = tuple(v / 1e7 for v in fields[19:23])
    return Header(
        root, metadata, leaves, data, addressed, internal, compression, TILE_TYPES[tile_type],
        min_zoom, max_zoom, (bounds[0], bounds[1], bounds[2], bounds[3]),
    )  # fmt: skip


def _check_section(path: Path, name: str, section: Section, size: int) -> None:
    if section.length and (section.offset < HEADER_BYTES or section.offset + section.length > size):
        msg = (
            f"{path.name}: its {name} is said to lie at bytes {section.offset:,} to "
            f"{section.offset + section.length:,}, outside the file ({size:,} bytes after a "
            f"{HEADER_BYTES}-byte header). The file is cut short or damaged: copy it again."
        )
        raise IngestError(msg)


def read_metadata(path: Path, header: Header, limits: BasemapLimits) -> dict[str, object]:
    """The JSON metadata of the file (an empty dict when it has none)."""
    if header.metadata.length == 0:
        return {}
    if header.metadata.length > limits.max_metadata_bytes:
        msg = (
            f"{path.name}: its metadata is {header.metadata.length:,} bytes, more than the "
            f"limit of {limits.max_metadata_bytes:,}. Export the basemap again."
        )
        raise IngestError(msg)
    with path.open("rb") as file:
        raw = _read(file, header.metadata)
    if header.internal_compression == COMPRESSION_GZIP:
        raw = gunzip(raw, limits.max_metadata_bytes, f"{path.name}'s metadata")
    try:
        value = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        msg = f"{path.name}: its metadata is not JSON; the file is damaged. Copy it again."
        raise IngestError(msg) from None
    return value if isinstance(value, dict) else {}


def _read(file: BinaryIO, section: Section) -> bytes:
    file.seek(section.offset)
    return file.read(section.length)


def parse_directory(raw: bytes) -> list[Entry]:
    """Decode one (unzipped) directory; ValueError when it is not well formed.

    >>> parse_directory(bytes([1, 0, 1, 5, 1]))
    [Entry(tile_id=0, run_length=1, offset=0, length=5)]
    """
    count, position = read_varint(raw, 0)
    if count > len(raw):  # every entry takes at least four bytes
        msg = "more entries than bytes"
        raise ValueError(msg)
    columns: list[list[int]] = []
    for _ in range(4):
        column = []
        for _ in range(count):
            value, position = read_varint(raw, position)
            column.append(value)
        columns.append(column)
    if position != len(raw):
        msg = "bytes after the entries"
        raise ValueError(msg)
    deltas, runs, lengths, offsets = columns
    entries: list[Entry] = []
    tile_id = 0
    for i in range(count):
        tile_id += deltas[i]
        if offsets[i] == 0 and i > 0:
            offset = entries[-1].offset + entries[-1].length
        else:
            offset = offsets[i] - 1
        if offset < 0:
            msg = "negative offset"
            raise ValueError(msg)
        entries.append(Entry(tile_id, runs[i], offset, lengths[i]))
    return entries


def read_entries(path: Path, header: Header, limits: BasemapLimits) -> Iterator[Entry]:
    """Yield the tile entries of every directory, checked, in directory order."""
    with path.open("rb") as file:
        yield from _walk(file, path, header, limits, header.root, depth=0, seen=[0])


def _walk(
    file: BinaryIO,
    path: Path,
    header: Header,
    limits: BasemapLimits,
    section: Section,
    *,
    depth: int,
    seen: list[int],
) -> Iterator[Entry]:
    if section.length > limits.max_directory_bytes:
        msg = (
            f"{path.name}: a directory of {section.length:,} bytes is beyond the limit of "
            f"{limits.max_directory_bytes:,}. The file is damaged or hostile."
        )
        raise IngestError(msg)
    raw = _read(file, section)
    if header.internal_compression == COMPRESSION_GZIP:
        raw = gunzip(raw, limits.max_directory_bytes, f"{path.name}'s directory")
    try:
        entries = parse_directory(raw)
    except ValueError as error:
        msg = f"{path.name}: a directory cannot be read ({error}); the file is damaged."
        raise IngestError(msg) from None
    for entry in entries:
        if entry.run_length == 0:
            if depth >= limits.max_directory_depth:
                msg = (
                    f"{path.name}: its leaf directories nest more than "
                    f"{limits.max_directory_depth} levels deep. The file is damaged or hostile."
                )
                raise IngestError(msg)
            _check_entry(path, "leaf directory", entry, header.leaves)
            leaf = Section(header.leaves.offset + entry.offset, entry.length)
            yield from _walk(file, path, header, limits, leaf, depth=depth + 1, seen=seen)
            continue
        seen[0] += entry.run_length
        if seen[0] > limits.max_tiles:
            msg = (
                f"{path.name} addresses more than {limits.max_tiles:,} tiles, the limit. "
                "Extract a smaller area (`pmtiles extract --bbox ...`)."
            )
            raise IngestError(msg)
        _check_entry(path, "tile", entry, header.data)
        yield entry


def _check_entry(path: Path, what: str, entry: Entry, section: Section) -> None:
    if entry.length == 0 or entry.offset + entry.length > section.length:
        msg = (
            f"{path.name}: a {what} entry points at bytes {entry.offset:,} to "
            f"{entry.offset + entry.length:,} of a section of {section.length:,} bytes. "
            "The file is damaged or hostile: copy or convert it again."
        )
        raise IngestError(msg)


def read_tiles(
    path: Path, header: Header, limits: BasemapLimits
) -> Iterator[tuple[int, int, int, bytes]]:
    """Yield ``(z, x, y, data)`` of every addressed tile (zipped tiles unzipped)."""
    with path.open("rb") as file:
        for entry in read_entries(path, header, limits):
            if entry.length > limits.max_tile_bytes:
                msg = (
                    f"{path.name} holds a tile of {entry.length:,} bytes; one tile may be at "
                    f"most {limits.max_tile_bytes:,} bytes."
                )
                raise IngestError(msg)
            data = _read(file, Section(header.data.offset + entry.offset, entry.length))
            if header.tile_compression == COMPRESSION_GZIP:
                data = gunzip(data, limits.max_tile_bytes, f"{path.name}: a tile")
            for tile_id in range(entry.tile_id, entry.tile_id + entry.run_length):
                z, x, y = tile_id_to_zxy(tile_id)
                if z > limits.max_zoom:
                    msg = f"{path.name} holds a tile at zoom {z}, above {limits.max_zoom}."
                    raise IngestError(msg)
                yield z, x, y, data


def _rotate(n: int, x: int, y: int, rx: int, ry: int) -> tuple[int, int]:
    if ry == 0:
        if rx == 1:
            x, y = n - 1 - x, n - 1 - y
        x, y = y, x
    return x, y


def tile_id_to_zxy(tile_id: int) -> tuple[int, int, int]:
    """The ``(z, x, y)`` of a PMTiles tile id (Hilbert order within each zoom).

    >>> tile_id_to_zxy(0), tile_id_to_zxy(1), tile_id_to_zxy(4), tile_id_to_zxy(5)
    ((0, 0, 0), (1, 0, 0), (1, 1, 0), (2, 0, 0))
    """
    accumulated = 0
    for z in range(32):
        tiles = 4**z
        if accumulated + tiles > tile_id:
            position = tile_id - accumulated
            x = y = 0
            size = 1
            while size < 2**z:
                rx = 1 & (position // 2)
                ry = 1 & (position ^ rx)
                x, y = _rotate(size, x, y, rx, ry)
                x, y = x + size * rx, y + size * ry
                position //= 4
                size *= 2
            return z, x, y
        accumulated += tiles
    msg = f"tile id {tile_id} is beyond zoom 31"
    raise IngestError(msg)


def zxy_to_tile_id(z: int, x: int, y: int) -> int:
    """The PMTiles tile id of ``(z, x, y)`` (the inverse of ``tile_id_to_zxy``).

    >>> [zxy_to_tile_id(*tile_id_to_zxy(i)) for i in range(30)] == list(range(30))
    True
    """
    d = 0
    size = 2**z // 2
    while size > 0:
        rx = 1 if x & size else 0
        ry = 1 if y & size else 0
        d += size * size * ((3 * rx) ^ ry)
        x, y = _rotate(size, x, y, rx, ry)
        size //= 2
    return int((4**z - 1) // 3 + d)
