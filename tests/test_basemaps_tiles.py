"""Tile content checks: image magic bytes and declared sizes, vector tiles walked."""

from __future__ import annotations

import gzip
import struct

import pytest

from humansec.basemaps.limits import BasemapLimits
from humansec.basemaps.tiles import check_raster, gunzip, sniff_image, vector_tile
from humansec.errors import IngestError
from tests.basemap_files import mvt, png

LIMITS = BasemapLimits()


def _jpeg(width: int, height: int) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof + b"\xff\xd9"


def _webp_lossless(width: int, height: int) -> bytes:
    bits = (width - 1) | (height - 1) << 14
    body = b"VP8L" + struct.pack("<I", 5) + b"\x2f" + bits.to_bytes(4, "little")
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WEBP" + body


def test_a_png_tile_of_normal_size_passes() -> None:
    check_raster(png(256, 256), "png", LIMITS, "tile")
    check_raster(png(512, 512), "png", LIMITS, "tile")


@pytest.mark.parametrize(
    ("data", "fmt"),
    [(_jpeg(256, 256), "jpg"), (_webp_lossless(256, 256), "webp")],
)
def test_jpeg_and_webp_sizes_are_read(data: bytes, fmt: str) -> None:
    assert sniff_image(data) == fmt
    check_raster(data, fmt, LIMITS, "tile")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("data", "fmt"),
    [
        (png(2048, 16), "png"),
        (_jpeg(256, 30000), "jpg"),
        (_webp_lossless(4000, 4000), "webp"),
    ],
)
def test_a_huge_declared_image_is_refused(data: bytes, fmt: str) -> None:
    with pytest.raises(IngestError, match="declares an image of"):
        check_raster(data, fmt, LIMITS, "tile")  # type: ignore[arg-type]


def test_a_png_header_declaring_100000_pixels_is_refused_without_decoding() -> None:
    header = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR"
    header += struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    with pytest.raises(IngestError, match="100000 x 100000 pixels"):
        check_raster(header, "png", LIMITS, "tile")


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"<script>alert(1)</script>", "not an image"),
        (_jpeg(256, 256), "is a JPG image, but the package says its tiles are PNG"),
        (b"", "not an image"),
    ],
)
def test_a_tile_that_is_not_the_declared_image_is_refused(data: bytes, fragment: str) -> None:
    with pytest.raises(IngestError, match=fragment):
        check_raster(data, "png", LIMITS, "tile")


def test_a_truncated_png_header_is_refused() -> None:
    with pytest.raises(IngestError, match="cut short or damaged"):
        check_raster(png()[:14], "png", LIMITS, "tile")


def test_vector_tiles_raw_and_gzipped_give_the_same_raw_tile_and_layer_names() -> None:
    tile = mvt("Alpha")
    raw, names = vector_tile(tile, LIMITS, "tile")
    assert raw == tile
    assert names == ["water", "roads", "places"]
    assert vector_tile(gzip.compress(tile), LIMITS, "tile") == (tile, names)


@pytest.mark.parametrize("data", [png(), b"\x1a\xff\xff\xff\x0f", b"hello world", b"\x08\x01"])
def test_bytes_that_are_not_a_vector_tile_are_refused(data: bytes) -> None:
    with pytest.raises(IngestError, match="vector tiles"):
        vector_tile(data, LIMITS, "tile")


def test_a_gzip_bomb_is_stopped_at_the_limit() -> None:
    bomb = gzip.compress(bytes(10_000_000))
    assert len(bomb) < 20_000
    with pytest.raises(IngestError, match="decompression bomb"):
        gunzip(bomb, 1_000_000, "tile")
