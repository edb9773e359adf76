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
from humansec.basemaps.package import inspect
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


class TileWriter:
    """Writes checked tiles into a temporary folder, then publishes it as a basemap's folder.

    The folder replaces the served one only once complete: a crash or a refusal leaves the old
    copy (or none), never half of one. ``discard`` removes what was not published.
    """

    def __init__(self, static_dir: Path, limits: BasemapLimits) -> None:
        self.root = static_dir / SERVED_SUBDIR
        self.work = self.root / f".tmp-{uuid.uuid4().hex}"
        self.limits = limits
        self.written = 0
        self._folders: set[tuple[int, int]] = set()

    def write(self, z: int, x: int, y: int, data: bytes, tile_format: TileFormat) -> None:
        """Write one checked tile as ``{z}/{x}/{y}.{suffix}``."""
        self.written += len(data)
        if self.written > self.limits.max_unpacked_bytes:
            msg = (
                f"The package unpacks to more than {self.limits.max_unpacked_bytes:,} bytes of "
                "tiles, the limit. Extract a smaller area or fewer zoom levels."
            )
            raise IngestError(msg)
        folder = self.work / str(z) / str(x)
        if (z, x) not in self._folders:
            folder.mkdir(parents=True, exist_ok=True)
            self._folders.add((z, x))
        (folder / f"{y}.{SUFFIXES[tile_format]}").write_bytes(data)

    def publish(self, basemap_id: str, sha256: str) -> Path:
        """Make the written tiles the served folder of ``basemap_id``; return it."""
        target = served_dir(self.root.parent, basemap_id)
        self.work.mkdir(parents=True, exist_ok=True)
        (self.work / COMPLETE).write_text(sha256, encoding="utf-8")
        if target.exists():
            shutil.rmtree(target, ignore_errors=True)
        try:
            self.work.rename(target)
        except OSError:  # another session wrote the same package at the same moment
            if not is_served(self.root.parent, basemap_id, sha256):
                raise
        return target

    def discard(self) -> None:
        """Remove the temporary folder if it was not published."""
        shutil.rmtree(self.work, ignore_errors=True)


def unpack(
    package: Path,
    *,
    static_dir: Path,
    basemap_id: str,
    sha256: str,
    limits: BasemapLimits,
) -> Path:
    """Check and write every tile of ``package`` below ``static_dir``; return the folder."""
    writer = TileWriter(static_dir, limits)
    try:
        inspect(package, limits, on_tile=writer.write)
        return writer.publish(basemap_id, sha256)
    finally:
        writer.discard()


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
