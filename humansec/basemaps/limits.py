"""The bounds one basemap package must stay within, so that one file cannot exhaust the server."""

from __future__ import annotations

from dataclasses import dataclass

MIB = 2**20
GIB = 2**30


@dataclass(frozen=True)
class BasemapLimits:
    """Bounds checked before and while a basemap package is read.

    Attributes
    ----------
    max_file_bytes
        Size of the package file.
    max_tiles
        Tiles in the package (addressed tiles for PMTiles, rows for MBTiles).
    max_tile_bytes
        Size of one tile as stored, and of one vector tile once unzipped.
    max_tile_pixels
        Width and height a raster tile may declare (tiles are 256 or 512 pixels).
    max_zoom
        Highest zoom level a package may hold.
    max_metadata_bytes
        Size of the metadata (MBTiles ``metadata`` values, PMTiles metadata section).
    max_directory_bytes
        Size of one PMTiles directory, unzipped.
    max_directory_depth
        Levels of PMTiles leaf directories below the root.
    max_unpacked_bytes
        Total size of the tiles written out for serving.

    >>> BasemapLimits().max_tile_pixels
    1024

    """

    max_file_bytes: int = 4 * GIB
    max_tiles: int = 2_000_000
    max_tile_bytes: int = 2 * MIB
    max_tile_pixels: int = 1024
    max_zoom: int = 22
    max_metadata_bytes: int = 4 * MIB
    max_directory_bytes: int = 64 * MIB
    max_directory_depth: int = 3
    max_unpacked_bytes: int = 16 * GIB


def size_text(size: int) -> str:
    """A file size for a message: bytes below 1 MiB, else MiB.

    >>> size_text(1000), size_text(5 * MIB)
    ('1,000 bytes', '5.0 MiB')
    """
    return f"{size:,} bytes" if size < MIB else f"{size / MIB:,.1f} MiB"
