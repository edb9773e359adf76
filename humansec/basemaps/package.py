"""A basemap package identified from its bytes, checked tile by tile, described.

``identify`` names the container (MBTiles or PMTiles v3) from the first bytes, before any
library opens the file; ``inspect`` reads every tile and checks it (``tiles``) and returns a
``PackageInfo``; ``checked_tiles`` yields the same checked tiles for unpacking.
"""

from __future__ import annotations

import json
import math
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from humansec.basemaps import mbtiles, pmtiles
from humansec.basemaps.limits import BasemapLimits, size_text
from humansec.basemaps.tiles import RASTER_FORMATS, TileFormat, check_raster, vector_tile
from humansec.errors import IngestError

Container = Literal["mbtiles", "pmtiles"]
SUFFIXES: dict[Container, str] = {"mbtiles": ".mbtiles", "pmtiles": ".pmtiles"}
_MAX_NAME = 200
_MAX_TEXT = 500


@dataclass(frozen=True)
class PackageInfo:
    """What a checked package holds. ``bounds`` is ``(west, south, east, north)`` in WGS84."""

    container: Container
    tile_format: TileFormat
    min_zoom: int
    max_zoom: int
    bounds: tuple[float, float, float, float]
    tile_count: int
    name: str = ""
    attribution: str = ""
    vector_layers: tuple[str, ...] = field(default_factory=tuple)

    @property
    def vector(self) -> bool:
        """True for vector tiles (MVT), drawn in the browser."""
        return self.tile_format == "mvt"


def check_name(name: str) -> str:
    """Return the file name ``name`` as given, refusing one that could name another path.

    >>> check_name("Area 51.mbtiles")
    'Area 51.mbtiles'
    >>> check_name("../../static/x.mbtiles")
    Traceback (most recent call last):
    ...
    humansec.errors.IngestError: The file name '../../static/x.mbtiles' ...
    """
    bad = (
        not name
        or len(name) > _MAX_NAME
        or name in {".", ".."}
        or name.startswith(".")
        or any(c in name for c in "/\\:")
        or ".." in name
        or any(unicodedata.category(c).startswith("C") for c in name)
    )
    if bad:
        msg = (
            f"The file name {name!r} could name a place outside the upload folder (a path, "
            "'..', a leading dot or control characters). Rename the file to a plain name "
            "such as basemap.mbtiles and add it again."
        )
        raise IngestError(msg)
    return name


def identify(path: Path, limits: BasemapLimits) -> Container:
    """Name the container of the file at ``path`` from its bytes; refuse anything else."""
    size = path.stat().st_size
    if size == 0:
        msg = f"{path.name} is empty. Choose the .mbtiles or .pmtiles file of the basemap."
        raise IngestError(msg)
    if size > limits.max_file_bytes:
        msg = (
            f"{path.name} is {size_text(size)}, more than the limit of "
            f"{size_text(limits.max_file_bytes)} for a basemap package. Extract a "
            "smaller area or fewer zoom levels."
        )
        raise IngestError(msg)
    with path.open("rb") as file:
        head = file.read(16)
    if head.startswith(mbtiles.SQLITE_MAGIC):
        return "mbtiles"
    if head.startswith(pmtiles.MAGIC):
        return "pmtiles"
    msg = (
        f"{path.name} is neither an MBTiles file (an SQLite database) nor a PMTiles file: "
        f"it starts with {head[:8]!r}. A basemap package must be one of those two; the file "
        "name's extension does not count."
    )
    raise IngestError(msg)


def inspect(
    path: Path,
    limits: BasemapLimits,
    *,
    original_name: str = "",
    on_tile: Callable[[int, int, int, bytes, TileFormat], None] | None = None,
) -> PackageInfo:
    """Identify the package at ``path``, check every tile and return what it holds.

    ``on_tile(z, x, y, data, format)`` is called with every checked tile (vector tiles
    unzipped), e.g. to write the served copy in the same pass.
    """
    container = identify(path, limits)
    where = original_name or path.name
    if container == "mbtiles":
        header = mbtiles.read_header(path, limits)
        metadata: dict[str, object] = dict(header.metadata)
        tile_format = header.tile_format
        declared_bounds = _mbtiles_bounds(header.metadata.get("bounds"), where)
        vector_layers = _layer_ids(_json(header.metadata.get("json")))
    else:
        pm_header = pmtiles.read_header(path, limits)
        metadata = pmtiles.read_metadata(path, pm_header, limits)
        tile_format = pm_header.tile_format
        declared_bounds = _checked_bounds(pm_header.bounds, where)
        vector_layers = _layer_ids(metadata)
    count, zooms, names = 0, set(), list(vector_layers)
    for z, x, y, data in checked_tiles(path, limits, container=container, where=where):
        count += 1
        zooms.add(z)
        if on_tile is not None:
            on_tile(z, x, y, data[0], tile_format)
        for name in data[1]:
            if name not in names and len(names) < 200:
                names.append(name)
    if count == 0:
        msg = f"{where} holds no tiles; export the basemap again with its tiles."
        raise IngestError(msg)
    return PackageInfo(
        container=container,
        tile_format=tile_format,
        min_zoom=min(zooms),
        max_zoom=max(zooms),
        bounds=declared_bounds or (-180.0, -85.0511, 180.0, 85.0511),
        tile_count=count,
        name=_text(metadata.get("name")),
        attribution=_text(metadata.get("attribution")),
        vector_layers=tuple(names),
    )


def checked_tiles(
    path: Path, limits: BasemapLimits, *, container: Container, where: str
) -> Iterator[tuple[int, int, int, tuple[bytes, list[str]]]]:
    """Yield ``(z, x, y, (data, layer names))`` of every tile, each checked.

    Vector tiles come unzipped (the browser reads them as they are served); raster tiles as
    stored. A tile that is not what the package declares stops the iteration with an error.
    """
    if container == "mbtiles":
        tile_format = mbtiles.read_header(path, limits).tile_format
        tiles = mbtiles.read_tiles(path, limits)
    else:
        header = pmtiles.read_header(path, limits)
        tile_format = header.tile_format
        tiles = pmtiles.read_tiles(path, header, limits)
    for z, x, y, data in tiles:
        label = f"{where}: the tile at zoom {z}, x {x}, y {y}"
        if tile_format in RASTER_FORMATS:
            check_raster(data, tile_format, limits, label)
            yield z, x, y, (data, [])
        else:
            yield z, x, y, vector_tile(data, limits, label)


def _json(text: str | None) -> dict[str, object]:
    try:
        value = json.loads(text) if text else {}
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def _layer_ids(metadata: dict[str, object]) -> tuple[str, ...]:
    layers = metadata.get("vector_layers")
    if not isinstance(layers, list):
        return ()
    ids = [str(layer["id"]) for layer in layers if isinstance(layer, dict) and "id" in layer]
    return tuple(dict.fromkeys(i[:_MAX_TEXT] for i in ids[:200]))


def _text(value: object) -> str:
    return str(value)[:_MAX_TEXT] if isinstance(value, str | int | float) else ""


def _mbtiles_bounds(text: str | None, where: str) -> tuple[float, float, float, float] | None:
    if not text:
        return None
    try:
        west, south, east, north = (float(part) for part in text.split(","))
    except ValueError:
        msg = f"{where}: its bounds {text[:80]!r} are not four numbers W,S,E,N. Fix the metadata."
        raise IngestError(msg) from None
    return _checked_bounds((west, south, east, north), where)


def _checked_bounds(
    bounds: tuple[float, float, float, float], where: str
) -> tuple[float, float, float, float] | None:
    west, south, east, north = bounds
    if bounds == (0.0, 0.0, 0.0, 0.0):
        return None  # not given
    good = (
        all(math.isfinite(v) for v in bounds)
        and -180 <= west < east <= 180
        and -90 <= south < north <= 90
    )
    if not good:
        msg = (
            f"{where} declares bounds {bounds}, which are not W,S,E,N in degrees "
            "(-180 <= W < E <= 180, -90 <= S < N <= 90). Fix the package's metadata."
        )
        raise IngestError(msg)
    return bounds
