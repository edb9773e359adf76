"""The environment of the worker process: GDAL limited to one driver and cut off from the network.

GDAL reads its configuration from environment variables when it is first loaded, so the worker
is started with ``worker_environment(driver)`` merged into its environment and imports pyogrio
only after that. Two independent walls:

* ``GDAL_SKIP`` lists every driver but the one the format was identified as, so a VRT, a GDALG
  or a GML file cannot be opened even if it slips past ``sniff``;
* every HTTP(S) access goes to a proxy on a closed local port and fails at once, and ``/vsicurl``
  accepts no file name, so no driver can fetch anything (GeoJSON ``crs`` links, schemas, VRT
  sources, KML links, PROJ grids).

``check_before_gdal`` refuses, before GDAL sees the file, the references GDAL would try to
follow, so the analyst gets a clear message instead of a failed fetch.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from humansec.errors import IngestError
from humansec.ingest.types import SourceFormat
from humansec.ingest.xmlcheck import check_kml

CLOSED_PROXY = "http://127.0.0.1:9"
"""A proxy address nothing listens on (the discard port): every request through it fails."""

MAX_JSON_DEPTH = 64
"""Deeper nesting of brackets than this is refused (GeoJSON needs about 8)."""

_NETWORK_OFF: dict[str, str] = {
    # GDAL's own HTTP layer (drivers, /vsicurl/, CRS links, schemas) through a dead proxy.
    "GDAL_HTTP_PROXY": CLOSED_PROXY,
    "GDAL_HTTPS_PROXY": CLOSED_PROXY,
    "GDAL_HTTP_TIMEOUT": "1",
    "GDAL_HTTP_CONNECTTIMEOUT": "1",
    "GDAL_HTTP_MAX_RETRY": "0",
    "GDAL_HTTP_RETRY_DELAY": "0",
    # libcurl's own variables, for any code path that does not use GDAL's options.
    "http_proxy": CLOSED_PROXY,
    "https_proxy": CLOSED_PROXY,
    "HTTP_PROXY": CLOSED_PROXY,
    "HTTPS_PROXY": CLOSED_PROXY,
    "ALL_PROXY": CLOSED_PROXY,
    "all_proxy": CLOSED_PROXY,
    "NO_PROXY": "",
    "no_proxy": "",
    # /vsicurl/ only opens names ending in this, which no URL of a real file does.
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".humansec-no-network",
    "CPL_VSIL_CURL_USE_HEAD": "NO",
    "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
    # Drivers that would resolve links or download schemas.
    "GML_SKIP_RESOLVE_ELEMS": "ALL",
    "GML_DOWNLOAD_WFS_SCHEMA": "NO",
    # PROJ: no grid downloads from its CDN.
    "PROJ_NETWORK": "OFF",
    # Cloud credentials or endpoints that may be in the server's environment are not inherited.
    "AWS_NO_SIGN_REQUEST": "YES",
    "CPL_AWS_CREDENTIALS_FILE": "",
    "GDAL_HTTP_NETRC": "NO",
}


@cache
def _all_drivers() -> tuple[str, ...]:
    import pyogrio  # noqa: PLC0415 - GDAL is loaded only where it is needed

    return tuple(sorted(pyogrio.list_drivers()))


def worker_environment(driver: str | None, *, keep: Iterable[str] = ()) -> dict[str, str]:
    """Environment variables for a worker that may open files with ``driver`` only.

    Parameters
    ----------
    driver
        The GDAL driver of the identified format (``types.GDAL_DRIVER``); None (CSV, XLSX):
        every driver is skipped.
    keep
        Drivers the worker needs for its own files, not for the upload (``("GPKG",)`` when the
        same process writes the layer store). The upload was identified by its bytes first,
        so a kept driver cannot be tricked into opening it as something else.

    Returns
    -------
    dict
        To merge over the worker's environment before it imports pyogrio.

    >>> env = worker_environment("GeoJSON")
    >>> "OGR_VRT" in env["GDAL_SKIP"].split(","), "GeoJSON" in env["GDAL_SKIP"].split(",")
    (True, False)

    """
    drivers = _all_drivers()
    allowed = {*keep} if driver is None else {driver, *keep}
    unknown = allowed - set(drivers)
    if unknown:
        msg = f"GDAL has no driver {', '.join(sorted(unknown))}; it has: {', '.join(drivers)}."
        raise ValueError(msg)
    skipped = [d for d in drivers if d not in allowed]
    # A comma in the list makes GDAL split on commas (driver names hold spaces).
    return {"GDAL_SKIP": ",".join(skipped), **_NETWORK_OFF}


RASTER_DRIVERS: tuple[str, ...] = ("GTiff", "COG")
"""The drivers a grid upload may use: GTiff to read it, COG to write the stored copy."""


@cache
def _all_raster_drivers() -> tuple[str, ...]:
    import rasterio  # noqa: PLC0415 - GDAL is loaded only where it is needed

    with rasterio.Env() as env:
        return tuple(sorted(env.drivers()))


def raster_worker_environment(*, keep: Iterable[str] = ("GPKG",)) -> dict[str, str]:
    """Environment variables for a worker that reads a GeoTIFF upload and stores it.

    Every driver of both GDAL builds (rasterio's and pyogrio's) is skipped but
    ``RASTER_DRIVERS`` and ``keep`` (the store's GeoPackage), the network is off as for vector
    uploads, and GDAL neither lists the upload's folder (so no external ``.ovr``, ``.aux.xml``
    or ``.msk`` beside it is found) nor reads or writes ``.aux.xml`` side files.

    >>> env = raster_worker_environment()
    >>> skipped = env["GDAL_SKIP"].split(",")
    >>> "VRT" in skipped, "GTiff" in skipped, env["GDAL_PAM_ENABLED"]
    (True, False, 'NO')

    """
    allowed = {*RASTER_DRIVERS, *keep}
    drivers = set(_all_raster_drivers()) | set(_all_drivers())
    skipped = sorted(drivers - allowed)
    return {
        "GDAL_SKIP": ",".join(skipped),
        **_NETWORK_OFF,
        "GDAL_PAM_ENABLED": "NO",
        "GDAL_CACHEMAX": "256",
    }


_CRS_MEMBER = re.compile(rb'"crs"\s*:\s*\{')
_CRS_BAD = re.compile(rb'"link"|"href"|://|/vsi|file:|"url"', re.IGNORECASE)
_CHUNK = 8 << 20
_OVERLAP = 4096


def check_before_gdal(path: Path, fmt: SourceFormat) -> None:
    """Refuse references in the file that GDAL would follow; call it before GDAL opens ``path``.

    GeoJSON: a ``crs`` member that is a link or names a URL or a ``/vsi`` path, and nesting
    deeper than ``MAX_JSON_DEPTH``. KML: ``xmlcheck.check_kml``. Other formats hold no such
    references.
    """
    if fmt is SourceFormat.GEOJSON:
        _check_geojson(path)
    elif fmt is SourceFormat.KML:
        check_kml(path.read_bytes(), what=f"the KML {path.name!r}")


def _check_geojson(path: Path) -> None:
    import numpy as np  # noqa: PLC0415

    depth = 0
    tail = b""
    with path.open("rb") as source:
        while chunk := source.read(_CHUNK):
            window = tail + chunk
            for match in _CRS_MEMBER.finditer(window):
                body = window[match.end() : match.end() + 2048]
                bad = _CRS_BAD.search(body.split(b"}}", 1)[0])
                if bad is not None:
                    msg = (
                        f"The GeoJSON {path.name!r} gives its coordinate system as a link "
                        f"({body[:120].decode('utf-8', 'replace')!r}), which would be fetched "
                        'from the network; it is refused. Remove the "crs" member (GeoJSON is '
                        'WGS84 by definition) or name the CRS ("EPSG:NNNN"), and upload again.'
                    )
                    raise IngestError(msg)
            codes = np.frombuffer(chunk, dtype=np.uint8)
            steps = np.zeros(codes.shape, dtype=np.int64)
            steps[(codes == ord("{")) | (codes == ord("["))] = 1
            steps[(codes == ord("}")) | (codes == ord("]"))] = -1
            running = np.cumsum(steps) + depth
            if running.size and int(running.max()) > MAX_JSON_DEPTH:
                msg = (
                    f"The GeoJSON {path.name!r} nests brackets more than {MAX_JSON_DEPTH} deep; "
                    "no GeoJSON needs that. Export the layer as GeoJSON again."
                )
                raise IngestError(msg)
            depth = int(running[-1]) if running.size else depth
            tail = window[-_OVERLAP:]
