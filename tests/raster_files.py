"""Small grids built by the tests: good ones (a 2-band grid with nodata, a projected grid) and a
hostile corpus (a VRT named .tif, a decompression bomb, no CRS, a huge declared size, a
truncated file), plus a local HTTP server that counts the requests anything makes to it."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import rasterio
from rasterio.transform import from_origin

NODATA = -99.0


def two_band_grid(path: Path) -> np.ndarray:
    """A 2-band float32 grid (female, male) of 8 x 6 cells of 0.01 degrees at 30E 50N; the
    top-left cell of each band is nodata. Returns the cells written."""
    data = np.arange(2 * 6 * 8, dtype="float32").reshape(2, 6, 8) + 1
    data[:, 0, 0] = NODATA
    with rasterio.open(
        path, "w", driver="GTiff", width=8, height=6, count=2, dtype="float32",
        crs="EPSG:4326", transform=from_origin(30.0, 50.0, 0.01, 0.01), nodata=NODATA,
    ) as out:  # fmt: skip
        out.write(data)
    return data


def cycling_grid(
    path: Path, *, west: float, north: float, cell: float, width: int = 30, height: int = 20
) -> np.ndarray:
    """A 1-band float32 grid in EPSG:4326 of ``width`` x ``height`` cells of ``cell`` degrees
    from (``west``, ``north``), holding 1 to 17 in turn. Returns the cells written."""
    data = (np.arange(width * height, dtype="float32").reshape(1, height, width) % 17) + 1
    with rasterio.open(
        path, "w", driver="GTiff", width=width, height=height, count=1, dtype="float32",
        crs="EPSG:4326", transform=from_origin(west, north, cell, cell),
    ) as out:  # fmt: skip
        out.write(data)
    return data


def projected_grid(path: Path, *, value: float = 5.0) -> np.ndarray:
    """A 1-band grid of 10 x 10 cells of 100 m in UTM zone 36N (EPSG:32636) near Kyiv."""
    data = np.full((1, 10, 10), value, dtype="float32")
    with rasterio.open(
        path, "w", driver="GTiff", width=10, height=10, count=1, dtype="float32",
        crs="EPSG:32636", transform=from_origin(320_000.0, 5_600_000.0, 100.0, 100.0),
    ) as out:  # fmt: skip
        out.write(data)
    return data


def no_crs_grid(path: Path) -> None:
    """A grid with a geotransform but no coordinate system."""
    with rasterio.open(
        path, "w", driver="GTiff", width=4, height=4, count=1, dtype="uint16",
        transform=from_origin(30.0, 50.0, 0.01, 0.01),
    ) as out:  # fmt: skip
        out.write(np.ones((1, 4, 4), dtype="uint16"))


def sparse_grid(
    path: Path, width: int, height: int, *, count: int = 1, dtype: str = "float32"
) -> None:
    """A deflate-compressed tiled grid that declares ``width`` x ``height`` cells but writes
    none (``SPARSE_OK``): a file of a few kilobytes that would decompress to gigabytes."""
    with rasterio.open(
        path, "w", driver="GTiff", width=width, height=height, count=count, dtype=dtype,
        crs="EPSG:4326", transform=from_origin(0.0, 10.0, 1e-5, 1e-5), tiled=True,
        blockxsize=512, blockysize=512, compress="deflate", sparse_ok=True, BIGTIFF="YES",
    ):  # fmt: skip
        pass


def truncated_grid(path: Path, work: Path) -> None:
    """A valid grid cut off halfway through its cells."""
    full = work / "full.tif"
    data = np.random.default_rng(7).random((1, 64, 64)).astype("float32")
    with rasterio.open(
        full, "w", driver="GTiff", width=64, height=64, count=1, dtype="float32",
        crs="EPSG:4326", transform=from_origin(30.0, 50.0, 0.01, 0.01),
    ) as out:  # fmt: skip
        out.write(data)
    raw = full.read_bytes()
    path.write_bytes(raw[: len(raw) // 2])


def vrt_as_tif(path: Path, url: str) -> None:
    """A GDAL virtual raster (XML) named .tif whose source is a network address."""
    path.write_text(
        '<VRTDataset rasterXSize="4" rasterYSize="4">\n'
        "  <SRS>EPSG:4326</SRS>\n"
        '  <VRTRasterBand dataType="Float32" band="1">\n'
        "    <SimpleSource>\n"
        f'      <SourceFilename relativeToVRT="0">/vsicurl/{url}/grid.tif</SourceFilename>\n'
        "      <SourceBand>1</SourceBand>\n"
        "    </SimpleSource>\n"
        "  </VRTRasterBand>\n"
        "</VRTDataset>\n",
        encoding="utf-8",
    )


class _Counter(http.server.BaseHTTPRequestHandler):
    hits: list[str]

    def do_GET(self) -> None:
        self.hits.append(self.path)
        self.send_response(404)
        self.end_headers()

    do_HEAD = do_GET  # noqa: N815

    def log_message(self, *args: object) -> None:
        return


@contextmanager
def counting_server() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server; yields its base URL and the list of paths requested from it."""
    hits: list[str] = []
    handler = type("Handler", (_Counter,), {"hits": hits})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()
