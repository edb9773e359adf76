"""Offline basemap packages: MBTiles and PMTiles files checked, catalogued and served.

An admin adds a package the mission already has (``BasemapCatalogue.add``): its bytes are
identified before anything opens it, an MBTiles file is opened read-only by SQLite with no
extensions and no trigger or view, a PMTiles file's header and directories are parsed with
every offset bounded, and every tile is checked to be what the package says it is. The checked
tiles are written out below Streamlit's ``static/`` folder, where the app serves them itself
(no tile server). See ``serve`` for the URLs and ``catalogue`` for the record kept.
"""

from __future__ import annotations

from humansec.basemaps.catalogue import BasemapCatalogue, BasemapRecord
from humansec.basemaps.limits import BasemapLimits
from humansec.basemaps.package import PackageInfo, check_name, identify, inspect
from humansec.basemaps.serve import DEFAULT_STATIC_DIR, STREAMLIT_BASEMAP_PREFIX, tile_url

__all__ = [
    "DEFAULT_STATIC_DIR",
    "STREAMLIT_BASEMAP_PREFIX",
    "BasemapCatalogue",
    "BasemapLimits",
    "BasemapRecord",
    "PackageInfo",
    "check_name",
    "identify",
    "inspect",
    "tile_url",
]
