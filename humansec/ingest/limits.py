"""The limits one upload must stay within, so that one file cannot exhaust the server."""

from __future__ import annotations

from dataclasses import dataclass

MIB = 2**20
GIB = 2**30


@dataclass(frozen=True)
class IngestLimits:
    """Bounds on an upload, checked before and while it is read.

    Attributes
    ----------
    max_upload_bytes
        Size of the uploaded file itself.
    max_archive_entries
        Entries in a zip (a zipped shapefile, a KMZ, an XLSX).
    max_unpacked_bytes
        Sum of the unpacked sizes of a zip's entries (declared and, while unpacking, actual).
    max_ratio
        Largest unpacked/packed size ratio of a zip entry (a zip bomb has thousands).
    max_features
        Features (rows) in the layer read.
    max_vertices
        Coordinates (vertices) over all geometries of the layer read.
    worker_memory_bytes
        Address space of the worker process that parses the file.
    worker_seconds
        Wall time the worker process may take.
    max_raster_pixels
        Cells of one grid (width x height), as its header declares them.
    max_raster_bytes
        Decompressed size of a grid as its header declares it (cells x bands x bytes per
        cell): a small compressed file can declare a huge one (a decompression bomb).

    >>> IngestLimits().max_ratio
    100

    """

    max_upload_bytes: int = 512 * MIB
    max_archive_entries: int = 2000
    max_unpacked_bytes: int = 2 * GIB
    max_ratio: int = 100
    max_features: int = 2_000_000
    max_vertices: int = 20_000_000
    worker_memory_bytes: int = 3 * GIB
    worker_seconds: int = 300
    max_raster_pixels: int = 1_000_000_000
    max_raster_bytes: int = 8 * GIB
