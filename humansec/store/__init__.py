"""Layer stores: one interface (``LayerStore``), two backends (GeoPackage and PostGIS)."""

from __future__ import annotations

from pathlib import Path

from humansec.settings import Settings
from humansec.store.base import BBox, LayerRecord, LayerStore, NewLayer
from humansec.store.geopackage import GeoPackageStore
from humansec.storeurl import is_store_url
from humansec.timerange import TimeRange

__all__ = [
    "BBox",
    "GeoPackageStore",
    "LayerRecord",
    "LayerStore",
    "NewLayer",
    "TimeRange",
    "open_store",
    "open_store_at",
    "store_location",
]


def store_location(settings: Settings) -> str:
    """Where the settings keep the layers: the PostGIS URL, or the GeoPackage's path."""
    return settings.store_url if settings.store_url else str(settings.store_path)


def open_store_at(location: str | Path) -> LayerStore:
    """Open the store at ``location``: a ``postgresql://`` URL, or a GeoPackage file or folder.

    A folder means its ``humansec.gpkg`` (the layout of ``data_dir``).
    """
    if is_store_url(location):
        from humansec.store.postgis import PostGISStore  # noqa: PLC0415 (needs psycopg)

        return PostGISStore(str(location))
    path = Path(location)
    if path.is_dir() or (not path.exists() and path.suffix.lower() != ".gpkg"):
        path = path / "humansec.gpkg"
    return GeoPackageStore(path)


def open_store(settings: Settings) -> LayerStore:
    """Open the store the settings name: PostGIS at ``store_url`` when set, else the
    embedded GeoPackage under ``data_dir``."""
    return open_store_at(store_location(settings))
