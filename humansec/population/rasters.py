"""Stored population grids: where the cells of a ``population_raster`` layer are.

A grid is stored once as a Cloud-Optimized GeoTIFF under ``<data_dir>/rasters/<sha256>.tif``
(``humansec.ingest.raster``) and catalogued in the layer store as a layer of kind
``population_raster``: one feature per band, whose geometry is the grid's footprint in
EPSG:4326 and whose fields say which file and band hold which count (``role``: ``total``,
``female``, ``age:0-4``, ``male:80+``, see ``humansec.population.bands``). Versions,
provenance, marking and retire/restore are those of any layer.

``raster_bands`` turns such a layer (as read from the store) into the bands to read.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from humansec.errors import SchemaError, StoreError
from humansec.population.bands import BandRole, parse_band_role

RASTER_DIR = "rasters"
"""The folder of stored grids, under the data folder."""

_STORED_FILE = re.compile(r"^rasters/[0-9a-f]{64}\.tif$")


def raster_file_name(sha256: str) -> str:
    """The stored COG's file name: its SHA-256 (so the same grid is stored once).

    >>> raster_file_name("ab" * 32)[-8:]
    'abab.tif'
    """
    return f"{sha256}.tif"


@dataclass(frozen=True)
class RasterBand:
    """One band of a stored grid: what it counts and where its cells are.

    ``nodata`` is the band's nodata value, None when it has none (NaN cells of a float grid
    are never counted either).
    """

    layer: str
    role: BandRole
    path: Path
    band: int
    nodata: float | None


def stored_path(data_dir: Path, file: str) -> Path:
    """The absolute path of a stored grid named in the catalogue (``rasters/<sha256>.tif``).

    Raises StoreError for a name that is not such a file (the catalogue was edited by hand).
    """
    if not _STORED_FILE.match(file):
        msg = (
            f"The catalogue names the grid file {file!r}, which is not a stored grid "
            "(rasters/<sha256>.tif). Store the grid again with `python -m humansec ingest`."
        )
        raise StoreError(msg)
    return data_dir / file


def raster_bands(frame: pd.DataFrame, data_dir: Path, *, check: bool = True) -> list[RasterBand]:
    """The bands of the ``population_raster`` features in ``frame``, in their order.

    ``frame`` is what ``LayerStore.read_layer`` or ``read_kind`` returns for that kind (a
    ``layer_id`` column, when present, names the layer; else ``layer``). Missing files are a
    StoreError naming the layer and the file (``check=False``: not looked for).

    >>> import pandas as pd
    >>> f = pd.DataFrame({"layer_id": ["wp"], "file": ["rasters/" + "0" * 64 + ".tif"],
    ...                   "band": [2], "role": ["female"], "nodata": [float("nan")]})
    >>> [(b.layer, b.role.label, b.band, b.nodata) for b in raster_bands(f, Path("/nowhere"),
    ...                                                                    check=False)]
    [('wp', 'female', 2, None)]
    """
    layer_column = "layer_id" if "layer_id" in frame.columns else None
    bands = []
    for row in frame.to_dict("records"):
        layer = str(row[layer_column]) if layer_column else ""
        path = stored_path(data_dir, str(row["file"]))
        if check and not path.is_file():
            msg = (
                f"The grid file {row['file']} of layer {layer or '?'} is missing from the data "
                f"folder {data_dir}. Restore the data folder from its backup, or retire the "
                "layer."
            )
            raise StoreError(msg)
        try:
            role = parse_band_role(str(row["role"]))
        except SchemaError as error:
            msg = f"Layer {layer or '?'}: {error}"
            raise StoreError(msg) from None
        bands.append(
            RasterBand(
                layer=layer,
                role=role,
                path=path,
                band=int(str(row["band"])),
                nodata=_nodata(row.get("nodata")),
            )
        )
    return bands


def _nodata(value: object) -> float | None:
    """A catalogue's nodata value: None when empty or NaN."""
    if value is None or value is pd.NA:
        return None
    number = float(str(value))
    return None if math.isnan(number) else number
