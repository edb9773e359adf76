"""The basemap catalogue: ``basemaps.json`` in the data folder, and the packages beside it.

``<data_dir>/basemaps.json`` lists every package added, with its marking, who added it, when,
its SHA-256 and what it holds; the checked package itself is kept as
``<data_dir>/basemaps/<id>.mbtiles|.pmtiles``. The file is versioned (``format_version``) and
counts its changes (``revision``); it is rewritten whole through a temporary file and an
atomic rename under a lock, so a crash leaves the previous catalogue. Retiring is a flag.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import re
import shutil
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from humansec import audit
from humansec.basemaps import serve
from humansec.basemaps.limits import BasemapLimits, size_text
from humansec.basemaps.package import SUFFIXES, Container, PackageInfo, check_name, inspect
from humansec.basemaps.tiles import TileFormat
from humansec.errors import IngestError, StoreError, choices

CATALOGUE_FILE = "basemaps.json"
PACKAGE_DIR = "basemaps"
FORMAT_VERSION = 1
_CHUNK = 2**20


@dataclass(frozen=True)
class BasemapRecord:
    """One catalogued basemap package."""

    basemap_id: str
    title: str
    marking: str
    container: Container
    tile_format: TileFormat
    min_zoom: int
    max_zoom: int
    bounds: tuple[float, float, float, float]
    tile_count: int
    vector_layers: tuple[str, ...]
    attribution: str
    original_name: str
    sha256: str
    size_bytes: int
    added_by: str
    added_at: str
    retired: bool = False

    @property
    def vector(self) -> bool:
        """True for vector tiles (drawn in the browser by protomaps-leaflet)."""
        return self.tile_format == "mvt"

    @property
    def file_name(self) -> str:
        """The package's file name in ``<data_dir>/basemaps/``."""
        return serve.check_id(self.basemap_id) + SUFFIXES[self.container]

    @classmethod
    def from_json(cls, value: dict[str, object]) -> BasemapRecord:
        """Read one entry of ``basemaps.json``."""
        data = dict(value)
        data["bounds"] = tuple(data["bounds"])  # type: ignore[arg-type]
        data["vector_layers"] = tuple(data.get("vector_layers") or ())  # type: ignore[arg-type]
        record = cls(**data)  # type: ignore[arg-type]
        serve.check_id(record.basemap_id)
        return record


class BasemapCatalogue:
    """The basemaps of one data folder. Cheap to create: it reads the file when asked."""

    def __init__(
        self,
        data_dir: Path,
        *,
        static_dir: Path = serve.DEFAULT_STATIC_DIR,
        audit_to: Path | str | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.static_dir = static_dir
        self.audit_to = data_dir if audit_to is None else audit_to
        """Where the audit trail is (``Settings.audit_location``): ``data_dir`` by default."""

    @property
    def path(self) -> Path:
        """``basemaps.json`` in the data folder."""
        return self.data_dir / CATALOGUE_FILE

    @property
    def package_dir(self) -> Path:
        """The folder that keeps the checked packages."""
        return self.data_dir / PACKAGE_DIR

    def records(self, *, include_retired: bool = False) -> list[BasemapRecord]:
        """The catalogued basemaps, oldest first (the retired ones only when asked)."""
        return [r for r in self._read()[1] if include_retired or not r.retired]

    def revision(self) -> int:
        """How many changes the catalogue has seen (0 when it does not exist yet)."""
        return self._read()[0]

    def get(self, basemap_id: str) -> BasemapRecord:
        """The record of ``basemap_id``; StoreError listing the ids when there is none."""
        records = self.records(include_retired=True)
        for record in records:
            if record.basemap_id == basemap_id:
                return record
        msg = (
            f"There is no basemap {basemap_id!r}; the catalogue holds "
            f"{choices(r.basemap_id for r in records) or 'none'}."
        )
        raise StoreError(msg)

    def package_path(self, record: BasemapRecord) -> Path:
        """Where the checked package of ``record`` is kept."""
        return self.package_dir / record.file_name

    def add(
        self,
        source: Path,
        *,
        original_name: str,
        title: str,
        marking: str,
        markings: Sequence[str],
        who: str,
        attribution: str = "",
        limits: BasemapLimits | None = None,
    ) -> BasemapRecord:
        """Check the package at ``source``, keep a copy, serve it and catalogue it.

        Nothing is catalogued, kept or served when any check fails (IngestError). ``source``
        itself is only read.
        """
        limits = limits or BasemapLimits()
        check_name(original_name)
        if marking not in markings:
            msg = f"Marking {marking!r} is not one of {choices(markings)}; choose one of them."
            raise IngestError(msg)
        if not who.strip():
            msg = "Say who adds the basemap (name and unit): it goes into the catalogue."
            raise IngestError(msg)
        # Staged under its own (checked) name, so that every message names the user's file.
        staging = self.package_dir / "staging" / uuid.uuid4().hex
        staging.mkdir(parents=True)
        staged = staging / original_name
        writer = serve.TileWriter(self.static_dir, limits)
        try:
            sha256, size = _copy(source, staged, limits)
            self._refuse_duplicate(sha256, original_name)
            # One pass checks every tile and writes the served copy (published only if all pass).
            info = inspect(staged, limits, original_name=original_name, on_tile=writer.write)
            record = _record(
                info, title=title, marking=marking, original_name=original_name,
                sha256=sha256, size=size, who=who, attribution=attribution,
            )  # fmt: skip
            with self._locked():
                self._refuse_duplicate(sha256, original_name)
                revision, records = self._read()
                writer.publish(record.basemap_id, sha256)
                staged.replace(self.package_path(record))
                self._write(revision + 1, [*records, record])
        finally:
            writer.discard()
            shutil.rmtree(staging, ignore_errors=True)
        audit.record(
            self.audit_to,
            action="basemap_add",
            who=who,
            what={"basemap_id": record.basemap_id, "file": original_name, "sha256": sha256,
                  "format": f"{info.container}/{info.tile_format}", "tiles": info.tile_count},
            marking=marking,
        )  # fmt: skip
        return record

    def set_retired(self, basemap_id: str, *, retired: bool, who: str) -> BasemapRecord:
        """Retire (hide) or restore a basemap; its served tiles go or come back."""
        with self._locked():
            revision, records = self._read()
            current = self.get(basemap_id)
            changed = replace(current, retired=retired)
            self._write(
                revision + 1, [changed if r.basemap_id == basemap_id else r for r in records]
            )
        if retired:
            serve.remove_served(self.static_dir, basemap_id)
        audit.record(
            self.audit_to,
            action="basemap_retire" if retired else "basemap_restore",
            who=who,
            what={"basemap_id": basemap_id, "sha256": current.sha256},
            marking=current.marking,
        )
        return changed

    def ensure_served(self, record: BasemapRecord, *, limits: BasemapLimits | None = None) -> Path:
        """The served folder of ``record``, written again from its package when missing."""
        if not serve.is_served(self.static_dir, record.basemap_id, record.sha256):
            package = self.package_path(record)
            if not package.is_file():
                msg = (
                    f"The package of basemap {record.basemap_id} ({package}) is missing from "
                    "the data folder. Restore the data folder from a backup, or retire the "
                    "basemap and add its file again."
                )
                raise StoreError(msg)
            serve.unpack(
                package, static_dir=self.static_dir, basemap_id=record.basemap_id,
                sha256=record.sha256, limits=limits or BasemapLimits(),
            )  # fmt: skip
        return serve.served_dir(self.static_dir, record.basemap_id)

    # --- file handling -----------------------------------------------------------------

    def _refuse_duplicate(self, sha256: str, original_name: str) -> None:
        for record in self.records(include_retired=True):
            if record.sha256 == sha256:
                state = " (retired: restore it instead)" if record.retired else ""
                msg = (
                    f"{original_name} is already catalogued as basemap {record.basemap_id} "
                    f"({record.title}){state}."
                )
                raise IngestError(msg)

    def _read(self) -> tuple[int, list[BasemapRecord]]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return 0, []
        try:
            data = json.loads(text)
            if data.get("format_version") != FORMAT_VERSION:
                msg = f"format_version {data.get('format_version')!r}"
                raise ValueError(msg)
            return int(data["revision"]), [BasemapRecord.from_json(r) for r in data["basemaps"]]
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            msg = (
                f"The basemap catalogue {self.path} cannot be read ({error}); this humansec "
                f"reads format_version {FORMAT_VERSION}. Restore it from a backup."
            )
            raise StoreError(msg) from None

    def _write(self, revision: int, records: list[BasemapRecord]) -> None:
        data = {
            "format": "humansec basemap catalogue",
            "format_version": FORMAT_VERSION,
            "revision": revision,
            "basemaps": [asdict(record) for record in records],
        }
        temporary = self.path.with_name(f".{CATALOGUE_FILE}.{uuid.uuid4().hex}")
        with temporary.open("w", encoding="utf-8") as file:
            json.dump(data, file, ensure_ascii=False, indent=1)
            file.flush()
            os.fsync(file.fileno())
        temporary.replace(self.path)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with (self.data_dir / f".{CATALOGUE_FILE}.lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)


def _copy(source: Path, target: Path, limits: BasemapLimits) -> tuple[str, int]:
    """Copy ``source`` to ``target`` within the size limit; return its SHA-256 and size."""
    digest = hashlib.sha256()
    size = 0
    with source.open("rb") as reader, target.open("xb") as writer:
        while chunk := reader.read(_CHUNK):
            size += len(chunk)
            if size > limits.max_file_bytes:
                msg = (
                    f"{target.name} is more than {size_text(limits.max_file_bytes)}, the limit "
                    "for a basemap package. Extract a smaller area or fewer zoom levels."
                )
                raise IngestError(msg)
            digest.update(chunk)
            writer.write(chunk)
    return digest.hexdigest(), size


def _slug(text: str) -> str:
    """Lower-case letters, digits and single dashes, at most 40 characters.

    >>> _slug("Ops area (1:50k) — Suwałki")
    'ops-area-1-50k-suwa-ki'
    """
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40].strip("-") or "basemap"


def _record(
    info: PackageInfo,
    *,
    title: str,
    marking: str,
    original_name: str,
    sha256: str,
    size: int,
    who: str,
    attribution: str,
) -> BasemapRecord:
    title = title.strip() or info.name or Path(original_name).stem
    return BasemapRecord(
        basemap_id=f"{_slug(title)}-{sha256[:10]}",
        title=title[:200],
        marking=marking,
        container=info.container,
        tile_format=info.tile_format,
        min_zoom=info.min_zoom,
        max_zoom=info.max_zoom,
        bounds=info.bounds,
        tile_count=info.tile_count,
        vector_layers=info.vector_layers,
        attribution=(attribution.strip() or info.attribution)[:500],
        original_name=original_name,
        sha256=sha256,
        size_bytes=size,
        added_by=who.strip(),
        added_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    )
