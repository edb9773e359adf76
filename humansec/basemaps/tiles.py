"""What one tile must be: an image of the package's format, or a Mapbox Vector Tile.

Each raster tile is identified from its first bytes (PNG, JPEG, WebP) and the size its header
declares is bounded, so a tile that would unpack into a huge image in the browser is refused.
A vector tile is raw or gzip-compressed protobuf whose top level holds only MVT layers; it is
unzipped within a bound and walked field by field.
"""

from __future__ import annotations

import struct
import zlib
from typing import Literal

from humansec.basemaps.limits import BasemapLimits
from humansec.errors import IngestError

TileFormat = Literal["png", "jpg", "webp", "mvt"]
RASTER_FORMATS: tuple[TileFormat, ...] = ("png", "jpg", "webp")
SUFFIXES: dict[TileFormat, str] = {"png": "png", "jpg": "jpg", "webp": "webp", "mvt": "mvt"}

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
GZIP_MAGIC = b"\x1f\x8b"
_JPEG_FRAMES = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_MVT_LAYERS = 3  # Tile.layers
_MVT_LAYER_NAME = 1  # Layer.name
_MAX_LAYER_NAMES = 200


def sniff_image(data: bytes) -> TileFormat | None:
    """The image format ``data`` starts with, or None.

    >>> sniff_image(b"\\x89PNG\\r\\n\\x1a\\n..."), sniff_image(b"GIF89a")
    ('png', None)
    """
    if data.startswith(PNG_MAGIC):
        return "png"
    if data.startswith(JPEG_MAGIC):
        return "jpg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def check_raster(data: bytes, fmt: TileFormat, limits: BasemapLimits, where: str) -> None:
    """Refuse ``data`` unless it is a ``fmt`` image of at most ``max_tile_pixels`` a side."""
    found = sniff_image(data)
    if found != fmt:
        what = f"a {found.upper()} image" if found else f"not an image (starts {data[:8]!r})"
        msg = (
            f"{where} is {what}, but the package says its tiles are {fmt.upper()}. "
            "The package is damaged or not what it says: export it again from its source."
        )
        raise IngestError(msg)
    width, height = _dimensions(data, fmt, where)
    if not (0 < width <= limits.max_tile_pixels and 0 < height <= limits.max_tile_pixels):
        msg = (
            f"{where} declares an image of {width} x {height} pixels; tiles may be at most "
            f"{limits.max_tile_pixels} pixels a side (they are normally 256 or 512). "
            "Export the package again with standard tile sizes."
        )
        raise IngestError(msg)


def _dimensions(data: bytes, fmt: TileFormat, where: str) -> tuple[int, int]:
    try:
        if fmt == "png":
            return _png_size(data)
        if fmt == "jpg":
            return _jpeg_size(data)
        return _webp_size(data)
    except (struct.error, IndexError, ValueError):
        msg = (
            f"{where}: the {fmt.upper()} header is cut short or damaged; export the package again."
        )
        raise IngestError(msg) from None


def _png_size(data: bytes) -> tuple[int, int]:
    if data[12:16] != b"IHDR":
        msg = "no IHDR"
        raise ValueError(msg)
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def _jpeg_size(data: bytes) -> tuple[int, int]:
    position = 2
    while position + 9 <= len(data):
        if data[position] != 0xFF:
            msg = "not a marker"
            raise ValueError(msg)
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker in _JPEG_FRAMES:
            height, width = struct.unpack(">HH", data[position + 5 : position + 9])
            return int(width), int(height)
        if marker in {0xD8, 0x01} or 0xD0 <= marker <= 0xD7:  # no length field
            position += 2
            continue
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        position += 2 + length
    msg = "no frame header"
    raise ValueError(msg)


def _webp_size(data: bytes) -> tuple[int, int]:
    chunk = data[12:16]
    if chunk == b"VP8 ":
        if data[23:26] != b"\x9d\x01\x2a":
            msg = "no VP8 start code"
            raise ValueError(msg)
        width, height = struct.unpack("<HH", data[26:30])
        return int(width & 0x3FFF), int(height & 0x3FFF)
    if chunk == b"VP8L":
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X":
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    msg = "unknown WebP chunk"
    raise ValueError(msg)


def gunzip(data: bytes, max_bytes: int, where: str) -> bytes:
    """``data`` unzipped (gzip or zlib), refusing output beyond ``max_bytes``."""
    inflater = zlib.decompressobj(wbits=47)  # 32 + 15: gzip or zlib header, detected
    try:
        out = inflater.decompress(data, max_bytes + 1)
    except zlib.error:
        msg = f"{where} is compressed but damaged (gzip could not read it); export it again."
        raise IngestError(msg) from None
    if len(out) > max_bytes or inflater.unconsumed_tail:
        msg = (
            f"{where} unzips to more than {max_bytes:,} bytes, beyond the limit for one tile or "
            "directory; the package may be a decompression bomb. It is refused."
        )
        raise IngestError(msg)
    return out


def vector_tile(data: bytes, limits: BasemapLimits, where: str) -> tuple[bytes, list[str]]:
    """Return the raw (unzipped) MVT of ``data`` and the names of its layers.

    ``data`` is raw protobuf or gzip-compressed protobuf; anything else is refused.
    """
    raw = gunzip(data, limits.max_tile_bytes, where) if data.startswith(GZIP_MAGIC) else data
    names: list[str] = []
    try:
        for number, value in _fields(raw):
            if number != _MVT_LAYERS or not isinstance(value, bytes):
                msg = f"field {number}"
                raise ValueError(msg)
            name = _layer_name(value)
            if len(names) < _MAX_LAYER_NAMES and name not in names:
                names.append(name)
    except (ValueError, UnicodeDecodeError):
        found = sniff_image(data)
        what = f"a {found.upper()} image" if found else "not a Mapbox Vector Tile"
        msg = (
            f"{where} is {what}, but the package says its tiles are vector tiles (MVT). "
            "The package is damaged or not what it says: export it again from its source."
        )
        raise IngestError(msg) from None
    return raw, names


def _layer_name(layer: bytes) -> str:
    name = None
    for number, value in _fields(layer):
        if number == _MVT_LAYER_NAME and isinstance(value, bytes):
            name = value.decode("utf-8")
    if not name:
        msg = "layer without a name"
        raise ValueError(msg)
    return name


def _fields(buffer: bytes) -> list[tuple[int, int | bytes]]:
    """The top-level fields of a protobuf message; ValueError when it is not well formed."""
    fields: list[tuple[int, int | bytes]] = []
    position = 0
    while position < len(buffer):
        key, position = _varint(buffer, position)
        number, wire = key >> 3, key & 7
        if number == 0:
            msg = "field 0"
            raise ValueError(msg)
        value: int | bytes
        if wire == 0:
            value, position = _varint(buffer, position)
        elif wire == 2:
            length, position = _varint(buffer, position)
            if position + length > len(buffer):
                msg = "length beyond the message"
                raise ValueError(msg)
            value, position = buffer[position : position + length], position + length
        elif wire in {1, 5}:
            size = 8 if wire == 1 else 4
            if position + size > len(buffer):
                msg = "fixed field beyond the message"
                raise ValueError(msg)
            value, position = (
                int.from_bytes(buffer[position : position + size], "little"),
                (position + size),
            )
        else:
            msg = f"wire type {wire}"
            raise ValueError(msg)
        fields.append((number, value))
    return fields


def _varint(buffer: bytes, position: int) -> tuple[int, int]:
    """Read a protobuf/PMTiles varint at ``position``; return it and the next position."""
    result = shift = 0
    while True:
        if position >= len(buffer) or shift > 63:
            msg = "varint cut short"
            raise ValueError(msg)
        byte = buffer[position]
        position += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, position
        shift += 7


read_varint = _varint
