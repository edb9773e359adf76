"""PMTiles v3: header, directories and tiles parsed with every offset bounded."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import pytest

from humansec.basemaps import pmtiles
from humansec.basemaps.limits import BasemapLimits
from humansec.errors import IngestError
from tests.basemap_files import _directory, mvt, png, write_pmtiles

LIMITS = BasemapLimits()
TILES = {(0, 0, 0): png(), (1, 0, 1): png(colour=(1, 2, 3)), (2, 3, 1): png()}


@pytest.mark.parametrize(
    ("z", "x", "y", "tile_id"),
    # The values of the PMTiles reference implementation's own tests.
    [(0, 0, 0, 0), (1, 0, 0, 1), (1, 0, 1, 2), (1, 1, 1, 3), (1, 1, 0, 4), (2, 0, 0, 5)],
)
def test_tile_ids_follow_the_reference(z: int, x: int, y: int, tile_id: int) -> None:
    assert pmtiles.zxy_to_tile_id(z, x, y) == tile_id
    assert pmtiles.tile_id_to_zxy(tile_id) == (z, x, y)


def test_tile_ids_round_trip_over_whole_zoom_levels() -> None:
    for z in range(6):
        ids = {pmtiles.zxy_to_tile_id(z, x, y) for x in range(2**z) for y in range(2**z)}
        assert ids == set(range((4**z - 1) // 3, (4 ** (z + 1) - 1) // 3))
        assert all(pmtiles.zxy_to_tile_id(*pmtiles.tile_id_to_zxy(i)) == i for i in ids)


def test_raster_tiles_come_back_where_they_were_written(tmp_path: Path) -> None:
    path = write_pmtiles(tmp_path / "a.pmtiles", TILES, metadata={"name": "A", "attribution": "me"})
    header = pmtiles.read_header(path, LIMITS)
    assert (header.tile_format, header.min_zoom, header.max_zoom) == ("png", 0, 2)
    assert pmtiles.read_metadata(path, header, LIMITS) == {"name": "A", "attribution": "me"}
    got = {(z, x, y): data for z, x, y, data in pmtiles.read_tiles(path, header, LIMITS)}
    assert got == TILES


def test_tiles_listed_in_leaf_directories_are_found(tmp_path: Path) -> None:
    tiles = {(3, x, y): png(colour=(x, y, 0)) for x in range(8) for y in range(8)}
    path = write_pmtiles(tmp_path / "leaves.pmtiles", tiles, leaf_size=10)
    header = pmtiles.read_header(path, LIMITS)
    assert header.leaves.length > 0
    got = {(z, x, y): data for z, x, y, data in pmtiles.read_tiles(path, header, LIMITS)}
    assert got == tiles


def test_gzipped_vector_tiles_come_back_unzipped(tmp_path: Path) -> None:
    tiles = {(3, 4, 2): mvt("A"), (3, 4, 3): mvt("B")}
    path = write_pmtiles(tmp_path / "v.pmtiles", tiles, tile_type="mvt", gzip_tiles=True)
    header = pmtiles.read_header(path, LIMITS)
    got = {(z, x, y): data for z, x, y, data in pmtiles.read_tiles(path, header, LIMITS)}
    assert got == tiles


def test_a_run_of_tiles_sharing_bytes_gives_each_tile(tmp_path: Path) -> None:
    path = write_pmtiles(tmp_path / "a.pmtiles", {(1, 0, 0): png()})
    data = bytearray(path.read_bytes())
    header = pmtiles.read_header(path, LIMITS)
    root = gzip.compress(_directory([(1, 4, 0, header.data.length)]))
    assert len(root) <= header.metadata.offset - header.root.offset  # fits where the old one was
    data[127 : 127 + len(root)] = root
    data[16:24] = struct.pack("<Q", len(root))
    path.write_bytes(bytes(data))
    tiles = list(pmtiles.read_tiles(path, pmtiles.read_header(path, LIMITS), LIMITS))
    assert [t[:3] for t in tiles] == [(1, 0, 0), (1, 0, 1), (1, 1, 1), (1, 1, 0)]


def _with_root(tmp_path: Path, entries: list[tuple[int, int, int, int]], leaf: bytes = b"") -> Path:
    """A PMTiles file whose root directory is ``entries`` and leaf section ``leaf``."""
    path = write_pmtiles(tmp_path / "a.pmtiles", {(0, 0, 0): png()})
    raw = path.read_bytes()
    header = pmtiles.read_header(path, LIMITS)
    tail = raw[header.metadata.offset :]
    root = gzip.compress(_directory(entries))
    leaf_offset = 127 + len(root) + len(tail)
    values = list(struct.unpack("<7sB11Q6B4iB2i", raw[:127]))
    shift = len(root) - header.root.length
    values[3] = len(root)
    values[4] += shift  # metadata
    values[8] += shift  # tile data
    values[6], values[7] = leaf_offset, len(leaf)
    path.write_bytes(struct.pack("<7sB11Q6B4iB2i", *values) + root + tail + leaf)
    return path


def test_a_tile_entry_beyond_the_tile_data_is_refused(tmp_path: Path) -> None:
    path = _with_root(tmp_path, [(0, 1, 2**40, 100)])
    header = pmtiles.read_header(path, LIMITS)
    with pytest.raises(IngestError, match="a tile entry points at bytes"):
        list(pmtiles.read_tiles(path, header, LIMITS))


def test_leaf_directories_that_point_at_themselves_stop_at_the_depth_limit(tmp_path: Path) -> None:
    leaf = gzip.compress(_directory([(0, 0, 0, 0)]))  # placeholder to learn the length
    leaf = gzip.compress(_directory([(0, 0, 0, len(leaf))]))
    leaf = gzip.compress(_directory([(0, 0, 0, len(leaf))]))
    path = _with_root(tmp_path, [(0, 0, 0, len(leaf))], leaf)
    header = pmtiles.read_header(path, LIMITS)
    with pytest.raises(IngestError, match="nest more than 3 levels"):
        list(pmtiles.read_tiles(path, header, LIMITS))


def test_a_directory_that_unzips_beyond_the_limit_is_refused(tmp_path: Path) -> None:
    path = _with_root(tmp_path, [(i, 1, 0, 10) for i in range(2000)])
    header = pmtiles.read_header(path, LIMITS)
    with pytest.raises(IngestError, match="unzips to more than"):
        list(pmtiles.read_entries(path, header, BasemapLimits(max_directory_bytes=1000)))


def test_more_addressed_tiles_than_the_limit_are_refused(tmp_path: Path) -> None:
    path = _with_root(tmp_path, [(0, 10**9, 0, 10)])
    header = pmtiles.read_header(path, LIMITS)
    with pytest.raises(IngestError, match="addresses more than 2,000,000 tiles"):
        list(pmtiles.read_entries(path, header, LIMITS))


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({2: 2**62}, "root directory is said to lie at bytes"),
        ({8: 5, 9: 10}, "tile data is said to lie at bytes"),
        ({4: 100, 5: 10**12}, "metadata is said to lie at bytes"),
        ({1: 2}, "PMTiles version 2"),
        ({15: 3}, "compresses its tiles with brotli"),
        ({14: 4}, "compresses its directories with zstd"),
        ({16: 5}, "tiles of type avif"),
        ({17: 9, 18: 3}, "zoom levels 9 to 3"),
        ({18: 30}, "zoom levels 0 to 30"),
        ({10: 10**9}, "declares 1,000,000,000 tiles"),
    ],
)
def test_hostile_headers_are_refused(
    tmp_path: Path, overrides: dict[int, int], fragment: str
) -> None:
    path = write_pmtiles(tmp_path / "a.pmtiles", TILES, header_overrides=overrides)
    with pytest.raises(IngestError, match=fragment):
        pmtiles.read_header(path, LIMITS)


def test_a_truncated_file_is_refused(tmp_path: Path) -> None:
    path = write_pmtiles(tmp_path / "a.pmtiles", TILES)
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(IngestError, match="cut short"):
        pmtiles.read_header(path, LIMITS)


def test_a_file_cut_inside_its_tile_data_is_refused(tmp_path: Path) -> None:
    path = write_pmtiles(tmp_path / "a.pmtiles", TILES)
    path.write_bytes(path.read_bytes()[:-50])
    with pytest.raises(IngestError, match="tile data is said to lie"):
        pmtiles.read_header(path, LIMITS)


def test_directory_decoding_refuses_bytes_that_are_not_a_directory() -> None:
    with pytest.raises(ValueError, match="more entries than bytes"):
        pmtiles.parse_directory(b"\xff\xff\x03")
    with pytest.raises(ValueError, match="cut short"):
        pmtiles.parse_directory(bytes([3, 0, 1]))
