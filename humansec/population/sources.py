"""The store's population sources, as ``exposure`` takes them (issue 13).

``population_sources`` (``sources_from`` when the layers are read already): every active layer
of the ``population`` kind is a ``PointSource``, of the ``area`` kind an ``AreaSource``, and of
the ``population_raster`` kind a ``RasterSource`` whose bands are the catalogued grid files
(``humansec.population.rasters.raster_bands``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import geopandas as gpd

from humansec.model import LayerKind
from humansec.population.exposure import AreaSource, PointSource, RasterSource, Source
from humansec.population.rasters import raster_bands
from humansec.store.base import LayerRecord, LayerStore

SOURCE_KINDS: frozenset[LayerKind] = frozenset(
    {LayerKind.POPULATION, LayerKind.AREA, LayerKind.POPULATION_RASTER}
)
"""The kinds whose layers count people."""


def population_sources(store: LayerStore, data_dir: Path | None = None) -> list[Source]:
    """Every active population source of ``store``: points, reference areas, grids.

    ``data_dir`` is the data folder where grid files are kept (their paths in the catalogue
    are relative to it); without it grid layers are left out.
    """
    records = [record for record in store.catalogue() if record.kind in SOURCE_KINDS]
    frames = {record.layer_id: store.read_layer(record.layer_id) for record in records}
    return sources_from(records, frames, data_dir)


def sources_from(
    records: Sequence[LayerRecord],
    frames: Mapping[str, gpd.GeoDataFrame],
    data_dir: Path | None = None,
) -> list[Source]:
    """The population sources among ``records`` (active layers), with the layers' features
    from ``frames`` (by layer id; a layer missing there is left out)."""
    sources: list[Source] = []
    for record in records:
        frame = frames.get(record.layer_id)
        if frame is None:
            continue
        source = source_of(record.kind, record.layer_id, frame, data_dir)
        if source is not None:
            sources.append(source)
    return sources


def source_of(
    kind: LayerKind, layer: str, frame: gpd.GeoDataFrame, data_dir: Path | None = None
) -> Source | None:
    """The population source of one layer of ``kind`` named ``layer``; None when the kind
    counts no people, or for a grid without ``data_dir`` (where its files are kept)."""
    if kind is LayerKind.POPULATION:
        return PointSource(layer, frame)
    if kind is LayerKind.AREA:
        return AreaSource(layer, frame)
    if kind is LayerKind.POPULATION_RASTER and data_dir is not None:
        return _raster(layer, frame, data_dir)
    return None


def _raster(layer_id: str, frame: gpd.GeoDataFrame, data_dir: Path) -> RasterSource:
    """A grid layer's bands, each (role, file, band, nodata), as ``exposure`` reads them."""
    bands = raster_bands(frame.assign(layer_id=layer_id), data_dir)
    return RasterSource(layer_id, [(b.role, b.path, b.band, b.nodata) for b in bands])
