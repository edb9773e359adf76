"""Layer stores: one interface (``LayerStore``), an embedded GeoPackage backend."""

from __future__ import annotations

from humansec.settings import Settings
from humansec.store.base import BBox, LayerRecord, LayerStore, NewLayer
from humansec.store.geopackage import GeoPackageStore
from humansec.timerange import TimeRange

__all__ = [
    "BBox",
    "GeoPackageStore",
    "LayerRecord",
    "LayerStore",
    "NewLayer",
    "TimeRange",
    "open_store",
]


def open_store(settings: Settings) -> LayerStore:
    """Open the store the settings name (the embedded GeoPackage under ``data_dir``)."""
    return GeoPackageStore(settings.store_path)
