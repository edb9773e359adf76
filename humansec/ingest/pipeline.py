"""Uploading a file, seen from the server: stage it, inspect it, remap it, store it.

Every step that touches the file's contents runs in a bounded worker process
(``humansec.ingest.sandbox``); this side only hashes the bytes, identifies the format from
them, and reads back the worker's report and a small preview. Nothing reaches the store before
``commit_upload``, and that writes one new layer version in one catalogue transaction.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import shutil
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import IO, Any

import geopandas as gpd

from humansec.errors import IngestError
from humansec.ingest.gdal_env import worker_environment
from humansec.ingest.limits import IngestLimits
from humansec.ingest.sandbox import ProgressCallback, run_worker
from humansec.ingest.sniff import identify
from humansec.ingest.types import (
    GDAL_DRIVER,
    FieldMapping,
    Finding,
    SourceFormat,
    ValidationReport,
)
from humansec.ingest.worker import PREVIEW_FILE, STORE_URL_VARIABLE
from humansec.model import LayerKind
from humansec.storeurl import is_store_url, redact_url

STAGING_DIR = "staging"
SOURCE_DIR = "source"
UPLOAD_STEM = "upload"
_CHUNK = 1 << 20
_MAX_NAME = 120


@dataclass(frozen=True)
class UploadOptions:
    """What the analyst chose for the file (each None: decided from the file or asked)."""

    kind: LayerKind | None = None
    source_layer: str | None = None
    crs: str | None = None
    encoding: str | None = None
    repair: bool = False
    # Leave out the events of a known schema (ACLED, UCDP) whose date is ambiguous or unreadable.
    drop_bad_dates: bool = False
    # The analyst's choices on top of the suggested mapping (FieldMapping.overridden).
    map_columns: Mapping[str, str] = field(default_factory=dict)
    set_constants: Mapping[str, object] = field(default_factory=dict)
    map_values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class UploadMeta:
    """Who stores the layer, under which title, source, licence and marking."""

    title: str
    classification: str
    who: str
    source: str = ""
    licence: str = ""
    exercise: bool = False


@dataclass(frozen=True)
class Inspection:
    """What the worker found in one staged upload: the report the analyst sees before storing."""

    workdir: Path
    upload: Path
    original_name: str
    sha256: str
    size_bytes: int
    format: SourceFormat
    options: UploadOptions
    read_count: int  # features in the file (the layer chosen)
    columns: tuple[str, ...]
    geometry_types: Mapping[str, int]
    mapping: FieldMapping | None
    mapped_count: int
    report: ValidationReport
    facts: Mapping[str, Any] = field(default_factory=dict)

    @property
    def layers(self) -> tuple[str, ...]:
        """The layers (or sheets) the file holds."""
        return tuple(str(v) for v in self.facts.get("layers") or ())

    @property
    def source_crs(self) -> str | None:
        """The coordinate reference system the file was in."""
        crs = self.facts.get("source_crs")
        return None if crs is None else str(crs)

    @property
    def encoding(self) -> str | None:
        """The text encoding the file was read with."""
        encoding = self.facts.get("encoding")
        return None if encoding is None else str(encoding)

    @property
    def preset(self) -> str | None:
        """The known schema (``acled``, ``ucdp_ged``) the file was recognised as, if any."""
        preset = self.facts.get("preset")
        return None if preset is None else str(preset)

    def preview(self) -> gpd.GeoDataFrame:
        """The first mapped features (the read ones without a kind), EPSG:4326."""
        return gpd.read_parquet(self.workdir / PREVIEW_FILE)


def stage_upload(data: bytes | IO[bytes], original_name: str, staging_root: Path) -> Path:
    """Write an upload into a fresh work folder under ``staging_root``; return its path.

    The file is named after ``original_name`` with folders stripped and anything but letters,
    digits, spaces, dots, hyphens and underscores replaced, so messages can name the file
    the analyst knows while the name can never point outside the work folder.

    >>> safe_file_name("../../etc/passwd"), safe_file_name("Донецьк 2022.kml"), safe_file_name("..")
    ('passwd', 'Донецьк 2022.kml', 'upload')
    """
    workdir = staging_root / f"{time.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(8)}"
    workdir.mkdir(parents=True, mode=0o700)
    # In a folder of its own: an upload named like a worker file (job.json) cannot clash.
    (workdir / SOURCE_DIR).mkdir(mode=0o700)
    target = workdir / SOURCE_DIR / safe_file_name(original_name)
    with target.open("wb") as out:
        if isinstance(data, bytes):
            out.write(data)
        else:
            shutil.copyfileobj(data, out, _CHUNK)
    return target


def work_folder(upload: Path) -> Path:
    """The work folder of a file written by ``stage_upload``."""
    return upload.parent.parent


def safe_file_name(original_name: str) -> str:
    """``original_name`` as a plain file name (see ``stage_upload``)."""
    base = original_name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = re.sub(r"[^\w.\- ]", "_", base).strip(" .")[:_MAX_NAME]
    if not cleaned or cleaned.startswith("."):
        return UPLOAD_STEM
    return cleaned


def inspect_upload(
    upload: Path,
    original_name: str,
    options: UploadOptions,
    *,
    limits: IngestLimits | None = None,
    mapping: FieldMapping | None = None,
    on_progress: ProgressCallback | None = None,
) -> Inspection:
    """Identify, read, validate and (with a kind or a mapping) map a staged upload.

    ``upload`` must be a file written by ``stage_upload`` (its folder is the work folder).
    Raises IngestError when the file is refused; a ``WorkerRefusedError`` carries ``details``
    such as ``layers`` when the analyst must choose one.
    """
    limits = limits or IngestLimits()
    size, digest = size_and_hash(upload, limits)
    fmt = identify(upload, original_name)
    job = _job("inspect", upload, fmt, options, limits, mapping=mapping)
    result = run_worker(
        job,
        work_folder(upload),
        limits=limits,
        environment=_environment(fmt, "inspect"),
        on_progress=on_progress,
    )
    return _inspection(upload, original_name, digest, size, fmt, options, result)


def remap(
    inspection: Inspection,
    mapping: FieldMapping,
    *,
    repair: bool | None = None,
    drop_bad_dates: bool | None = None,
    limits: IngestLimits | None = None,
) -> Inspection:
    """Apply another mapping (or the repair or bad-dates choice) to an inspected upload and
    report again."""
    options = inspection.options if repair is None else replace(inspection.options, repair=repair)
    if drop_bad_dates is not None:
        options = replace(options, drop_bad_dates=drop_bad_dates)
    limits = limits or IngestLimits()
    job = _job("apply", inspection.upload, inspection.format, options, limits, mapping=mapping)
    job["facts"] = dict(inspection.facts)
    result = run_worker(
        job, inspection.workdir, limits=limits, environment=_environment(inspection.format, "apply")
    )
    return _inspection(
        inspection.upload,
        inspection.original_name,
        inspection.sha256,
        inspection.size_bytes,
        inspection.format,
        options,
        result,
    )


def commit_upload(
    inspection: Inspection,
    mapping: FieldMapping,
    *,
    store_path: Path | str,
    meta: UploadMeta,
    layer_id: str | None = None,
    limits: IngestLimits | None = None,
) -> dict[str, object]:
    """Store an inspected upload as a new layer version (of ``layer_id``, or a new layer).

    Refused, with the store unchanged, while the report with ``mapping`` holds errors.
    Returns the stored record as a dict (``layer_id``, ``version``, ``features``, ...).
    """
    limits = limits or IngestLimits()
    job = _job(
        "commit", inspection.upload, inspection.format, inspection.options, limits, mapping=mapping
    )
    job["facts"] = dict(inspection.facts)
    job.update(
        store_job(
            inspection.original_name,
            inspection.sha256,
            inspection.size_bytes,
            store_path,
            meta,
            layer_id,
        )
    )
    result = run_worker(
        job,
        inspection.workdir,
        limits=limits,
        environment=_environment(inspection.format, "commit") | store_environment(store_path),
    )
    record = result["record"]
    assert isinstance(record, dict)
    return record


def ingest_file(
    path: Path,
    options: UploadOptions,
    *,
    staging_root: Path,
    store_path: Path | str,
    meta: UploadMeta,
    layer_id: str | None = None,
    limits: IngestLimits | None = None,
) -> tuple[Inspection, dict[str, object]]:
    """Inspect and store a file in one worker run (the CLI); the staged copy is removed after."""
    if options.kind is None:
        msg = "Say which kind of layer the file holds (--kind)."
        raise IngestError(msg)
    limits = limits or IngestLimits()
    with path.open("rb") as source:
        upload = stage_upload(source, path.name, staging_root)
    try:
        size, digest = size_and_hash(upload, limits)
        fmt = identify(upload, path.name)
        job = _job("ingest", upload, fmt, options, limits)
        job.update(store_job(path.name, digest, size, store_path, meta, layer_id))
        result = run_worker(
            job,
            work_folder(upload),
            limits=limits,
            environment=_environment(fmt, "ingest") | store_environment(store_path),
        )
        inspection = _inspection(upload, path.name, digest, size, fmt, options, result)
        record = result["record"]
        assert isinstance(record, dict)
        return inspection, record
    finally:
        discard(work_folder(upload))


def discard(workdir: Path) -> None:
    """Remove an upload's work folder (after storing it, or when the analyst gives up)."""
    shutil.rmtree(workdir, ignore_errors=True)


def sweep_staging(staging_root: Path, *, older_than_s: float = 24 * 3600) -> int:
    """Remove work folders older than ``older_than_s``; return how many were removed."""
    if not staging_root.is_dir():
        return 0
    cutoff = time.time() - older_than_s
    removed = 0
    for workdir in staging_root.iterdir():
        if workdir.is_dir() and workdir.stat().st_mtime < cutoff:
            discard(workdir)
            removed += 1
    return removed


def _job(
    mode: str,
    upload: Path,
    fmt: SourceFormat,
    options: UploadOptions,
    limits: IngestLimits,
    *,
    mapping: FieldMapping | None = None,
) -> dict[str, Any]:
    return {
        "mode": mode,
        "upload": str(upload),
        "format": str(fmt),
        "kind": None if options.kind is None else str(options.kind),
        "source_layer": options.source_layer,
        "crs": options.crs,
        "encoding": options.encoding,
        "repair": options.repair,
        "drop_bad_dates": options.drop_bad_dates,
        "mapping": None if mapping is None else mapping.as_dict(),
        "overrides": {
            "columns": dict(options.map_columns),
            "constants": dict(options.set_constants),
            "values": {k: dict(v) for k, v in options.map_values.items()},
        },
        "limits": asdict(limits),
    }


def store_job(  # noqa: PLR0917 - called three times with everything spelled out
    original_name: str,
    sha256: str,
    size: int,
    store_path: Path | str,
    meta: UploadMeta,
    layer_id: str | None,
) -> dict[str, Any]:
    """The part of a worker's job that says where and how to store: the store, the layer, the
    new layer's metadata and its provenance (file, SHA-256, size, uploader, time)."""
    provenance = {
        "original_name": original_name,
        "sha256": sha256,
        "size_bytes": size,
        "uploaded_by": meta.who,
        "uploaded_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    return {
        # A PostGIS URL goes to the worker without its password: the job file is on disk.
        "store_path": redact_url(str(store_path)) if is_store_url(store_path) else str(store_path),
        "layer_id": layer_id,
        "meta": {
            "title": meta.title,
            "source": meta.source or original_name,
            "licence": meta.licence,
            "classification": meta.classification,
            "exercise": meta.exercise,
            "provenance": provenance,
        },
    }


def _inspection(  # noqa: PLR0917 - private; the fields of an Inspection in order
    upload: Path,
    original_name: str,
    digest: str,
    size: int,
    fmt: SourceFormat,
    options: UploadOptions,
    result: Mapping[str, Any],
) -> Inspection:
    mapping = result.get("mapping")
    findings = tuple(
        Finding(**{**f, "rows": tuple(f.get("rows", ()))}) for f in result.get("findings", [])
    )
    return Inspection(
        workdir=work_folder(upload),
        upload=upload,
        original_name=original_name,
        sha256=digest,
        size_bytes=size,
        format=fmt,
        options=options,
        read_count=int(result.get("read_count", 0)),
        columns=tuple(result.get("columns", ())),
        geometry_types=dict(result.get("geometry_types", {})),
        mapping=None if mapping is None else FieldMapping.from_dict(mapping),
        mapped_count=int(result.get("mapped_count", 0)),
        report=ValidationReport(findings),
        facts=dict(result.get("facts", {})),
    )


def _environment(fmt: SourceFormat, mode: str) -> dict[str, str]:
    """GDAL may open the upload's format while reading it, and the store's while writing it.

    ``apply`` and ``commit`` read only the worker's own staged GeoParquet (no GDAL): the
    upload's driver is off then.
    """
    reads = mode in {"inspect", "ingest"}
    writes = mode in {"commit", "ingest"}
    return worker_environment(GDAL_DRIVER[fmt] if reads else None, keep=("GPKG",) if writes else ())


def store_environment(store_path: Path | str) -> dict[str, str]:
    """The PostGIS URL (password included) reaches the worker through its environment only."""
    return {STORE_URL_VARIABLE: str(store_path)} if is_store_url(store_path) else {}


def size_and_hash(upload: Path, limits: IngestLimits) -> tuple[int, str]:
    size = upload.stat().st_size
    if size == 0:
        msg = "The file is empty (0 bytes). Check that the right file was chosen."
        raise IngestError(msg)
    if size > limits.max_upload_bytes:
        msg = (
            f"The file is {size / 2**20:.0f} MiB; uploads are limited to "
            f"{limits.max_upload_bytes / 2**20:.0f} MiB. Split it, or ask the administrator to "
            "raise the limit."
        )
        raise IngestError(msg)
    digest = hashlib.sha256()
    with upload.open("rb") as source:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
    return size, digest.hexdigest()
