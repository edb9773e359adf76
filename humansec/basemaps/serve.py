"""The served copy: a package's checked tiles written out as ``{z}/{x}/{y}.{ext}`` files.

Streamlit serves ``static/`` at ``<base>/app/static/`` (``.streamlit/config.toml``), so the
app draws a basemap with no tile server: Leaflet asks for ``.../basemaps/<id>/{z}/{x}/{y}.png``
and Streamlit answers with the file. ``static/basemaps/`` is generated, never committed: the
package in the data folder is the source of truth, and ``ensure_served`` writes the copy again
whenever it is missing (a new checkout, a cleaned ``static/``). Vector tiles are written
unzipped (``.mvt``, served as ``application/vnd.mapbox-vector-tile``), because the browser
reads them as they come, with no ``Content-Encoding``.
"""

from __future__ import annotations

import re
import shutil
import uuid
from pathlib import Path

from humansec.basemaps.limits import BasemapLimits
from humansec.basemaps.package import Container, checked_tiles
from humansec.basemaps.tiles import SUFFIXES, TileFormat
from humansec.errors import IngestError, StoreError
from humansec.settings import PROJECT_DIR

DEFAULT_STATIC_DIR = PROJECT_DIR / "static"
"""Streamlit's static folder (next to ``app.py``)."""
SERVED_SUBDIR = "basemaps"
STREAMLIT_BASEMAP_PREFIX = "../../app/static/basemaps/"
"""``static/basemaps/`` as seen from streamlit-folium's component iframe (see mapview.assets)."""
COMPLETE = ".humansec-complete"
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,95}$")


def check_id(basemap_id: str) -> str:
    """Return ``basemap_id`` if it is a catalogue id (lower-case letters, digits, dashes)."""
    if not _ID.fullmatch(basemap_id):
        msg = (
            f"{basemap_id!r} is not a basemap id (lower-case letters, digits and dashes). "
            "The basemap catalogue was edited by hand: restore it from a backup."
        )
        raise StoreError(msg)
    return basemap_id


def served_dir(static_dir: Path, basemap_id: str) -> Path:
    """The folder that holds the served tiles of ``basemap_id``."""
    return static_dir / SERVED_SUBDIR / check_id(basemap_id)


def is_served(static_dir: Path, basemap_id: str, sha256: str) -> bool:
    """True when the tiles of this exact package (by SHA-256) are written out completely."""
    marker = served_dir(static_dir, basemap_id) / COMPLETE
    try:
        return marker.read_text(encoding="utf-8").strip() == sha256
    except OSError:
        return False


def unpack(
    package: Path,
    *,
    static_dir: Path,
    basemap_id: str,
    sha256: str,
    container: Container,
    tile_format: TileFormat,
    limits: BasemapLimits,
) -> Path:
    """Write every checked tile of ``package`` below ``static_dir``; return the folder.

    The tiles go to a temporary folder first, which replaces the served folder only once
    complete: a crash leaves the old copy (or none), never half of one.
    """
    target = served_dir(static_dir, basemap_id)
    target.parent.mkdir(parents=True, exist_ok=True)
    work = target.parent / f".tmp-{basemap_id}-{uuid.uuid4().hex}"
    suffix = SUFFIXES[tile_format]
    written = 0
    try:
        work.mkdir()
        for z, x, y, (data, _names) in checked_tiles(
            package, limits, container=container, where=package.name
        ):
            written += len(data)
            if written > limits.max_unpacked_bytes:
                msg = (
                    f"{package.name} unpacks to more than {limits.max_unpacked_bytes:,} bytes "
                    "of tiles, the limit. Extract a smaller area or fewer zoom levels."
                )
                raise IngestError(msg)
            folder = work / str(z) / str(x)
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{y}.{suffix}").write_bytes(data)
        (work / COMPLETE).write_text(sha256, encoding="utf-8")
        if target.exists():
            shutil.rmtree(target, ignore_errors=True)
        try:
            work.rename(target)
        except OSError:  # another session wrote the same package at the same moment
            if not is_served(static_dir, basemap_id, sha256):
                raise
    finally:
        if work.exists():
            shutil.rmtree(work)
    return target


def remove_served(static_dir: Path, basemap_id: str) -> None:
    """Delete the served tiles of ``basemap_id`` (nothing happens when there are none)."""
    target = served_dir(static_dir, basemap_id)
    if target.exists():
        shutil.rmtree(target)


def tile_url(basemap_id: str, tile_format: TileFormat, prefix: str) -> str:
    """The ``{z}/{x}/{y}`` URL template of the served tiles under ``prefix``.

    >>> tile_url("ops-area-1a2b", "png", STREAMLIT_BASEMAP_PREFIX)
    '../../app/static/basemaps/ops-area-1a2b/{z}/{x}/{y}.png'
    """
    return f"{prefix.rstrip('/')}/{check_id(basemap_id)}/{{z}}/{{x}}/{{y}}.{SUFFIXES[tile_format]}"
