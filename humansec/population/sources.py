"""The store's population sources, as ``exposure`` takes them (issue 13).

``population_sources`` (``sources_from`` when the layers are read already): every active layer
of the ``population`` kind is a ``PointSource``; a layer of the ``area`` kind (when that kind
exists) an ``AreaSource``; a ``population_raster`` layer (when that kind exists) a
``RasterSource`` whose band files are read from the layer's provenance. The lookups of the kinds
that other parts of issue 13 add are written so that this module works before and after they
exist.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import geopandas as gpd

from humansec.model import LayerKind
from humansec.population.bands import parse_band_role
from humansec.population.exposure import AreaSource, PointSource, RasterSource, Source
from humansec.store.base import LayerRecord, LayerStore


def population_sources(store: LayerStore, data_dir: Path | None = None) -> list[Source]:
    """Every active population source of ``store``: points, reference areas, rasters.

    ``data_dir`` is the data folder where raster files are kept (their paths in the catalogue
    are relative to it); without it raster layers are left out.
    """
    records = store.catalogue()
    frames = {
        record.layer_id: store.read_layer(record.layer_id)
        for record in records
        if str(record.kind) in _VECTOR_KINDS
    }
    return sources_from(records, frames, data_dir)


_VECTOR_KINDS = {str(LayerKind.POPULATION), "area"}


def sources_from(
    records: Sequence[LayerRecord],
    frames: Mapping[str, gpd.GeoDataFrame],
    data_dir: Path | None = None,
) -> list[Source]:
    """The population sources among ``records`` (active layers), with the vector layers'
    features from ``frames`` (by layer id; a layer missing there is left out)."""
    kinds = {str(kind) for kind in LayerKind}
    sources: list[Source] = []
    for record in records:
        kind = str(record.kind)
        frame = frames.get(record.layer_id)
        if kind == str(LayerKind.POPULATION) and frame is not None:
            sources.append(PointSource(record.layer_id, frame))
        elif kind == "area" and "area" in kinds and frame is not None:
            sources.append(AreaSource(record.layer_id, frame))
        elif kind == "population_raster" and data_dir is not None:
            raster = _raster(record, data_dir)
            if raster is not None:
                sources.append(raster)
    return sources


def _raster(record: LayerRecord, data_dir: Path) -> RasterSource | None:
    """A raster layer's bands from its provenance ``bands``: [{role, path, band, nodata}]."""
    bands = record.provenance.get("bands")
    if not isinstance(bands, list):
        return None
    out = []
    for item in bands:
        if not isinstance(item, Mapping):
            continue
        nodata = item.get("nodata")
        out.append(
            (
                parse_band_role(str(item.get("role", "total"))),
                data_dir / str(item["path"]),
                int(item.get("band", 1)),
                None if nodata is None else float(nodata),
            )
        )
    return RasterSource(record.layer_id, out) if out else None
