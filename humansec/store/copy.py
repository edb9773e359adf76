"""``python -m humansec store copy --from DIR_OR_URL --to DIR_OR_URL``: move a whole store.

A folder is a ``data_dir`` (its ``humansec.gpkg`` and ``audit.jsonl``); a ``postgresql://`` URL
is a PostGIS store (its tables and ``hs_audit``). The target must be empty. Every catalogue
event is replayed in its order (each version with its metadata and creation time, each
retirement and restoration), then the audit trail is copied entry for entry. At the end the
copy is checked: the same layers, versions, metadata and retired flags; per version the same
feature count and the same content hash; the audit trail's chain intact with the same number
of entries and the same last hash. Any difference raises ``StoreError``.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from humansec import audit
from humansec.errors import StoreError
from humansec.model import LayerKind
from humansec.store import open_store_at
from humansec.store.base import LayerRecord, LayerStore, NewLayer
from humansec.storeurl import is_store_url, redact_url


@dataclass(frozen=True)
class CopyReport:
    """What was copied and checked."""

    layers: int
    versions: int
    features: int
    retired: int
    audit_entries: int
    checked: bool = True

    def as_dict(self) -> dict[str, object]:
        """The report as JSON-ready values."""
        return asdict(self)


def frame_digest(frame: gpd.GeoDataFrame) -> str:
    """SHA-256 of a layer version's content: its columns in order, values and geometries.

    Datetimes count to the millisecond (what a GeoPackage keeps), so a copy either way
    compares equal.
    """
    digest = hashlib.sha256()
    geometry = frame.geometry.name
    attributes = frame.drop(columns=[geometry])
    for name in attributes.columns:
        column = attributes[name]
        if isinstance(column.dtype, pd.DatetimeTZDtype):
            column = column.dt.floor("ms")
        digest.update(f"{name}:{column.dtype}\n".encode())
        digest.update(pd.util.hash_pandas_object(column, index=False).to_numpy().tobytes())
    wkb = shapely.to_wkb(np.asarray(frame.geometry.array, dtype=object), hex=True)
    digest.update("\n".join(str(w) for w in wkb).encode())
    return digest.hexdigest()


def copy_store(source: str, target: str) -> CopyReport:
    """Copy the store at ``source`` into the empty store at ``target``; check; report."""
    if _same(source, target):
        msg = "--from and --to name the same store; give another target."
        raise StoreError(msg)
    origin = open_store_at(source)
    destination = open_store_at(target)
    if not destination.is_empty() or audit.read(_audit_location(target)):
        msg = (
            f"The target store {_shown(target)} is not empty; copy into a new folder or an "
            "empty database."
        )
        raise StoreError(msg)
    registered: dict[str, int] = {}
    for event in _events(origin):
        layer_id = str(event["layer_id"])
        if event["event"] == "register":
            version = registered.get(layer_id, 0) + 1
            registered[layer_id] = version
            record = origin.versions(layer_id)[version - 1]
            frame = origin.read_layer(layer_id, version=version)
            copied = destination.add_version(frame, _meta(record), layer_id=layer_id)
            if copied.version != version:
                msg = f"Layer {layer_id!r} version {version} was copied as {copied.version}."
                raise StoreError(msg)
        elif event["event"] in {"retire", "restore"}:
            destination.set_retired(layer_id, retired=event["event"] == "retire")
    _copy_audit(_audit_location(source), _audit_location(target))
    return check_copy(origin, destination, source, target)


def check_copy(origin: LayerStore, destination: LayerStore, source: str, target: str) -> CopyReport:
    """Compare two stores layer by layer, version by version, and their audit trails."""
    want = origin.catalogue(include_retired=True)
    got = destination.catalogue(include_retired=True)
    if [_key(r) for r in want] != [_key(r) for r in got]:
        msg = "The copy's catalogue differs from the source's (layers, versions or metadata)."
        raise StoreError(msg)
    versions = features = 0
    for record in want:
        for before, after in zip(
            origin.versions(record.layer_id), destination.versions(record.layer_id), strict=True
        ):
            if _key(before) != _key(after):
                msg = f"Layer {record.layer_id!r} version {before.version}: metadata differ."
                raise StoreError(msg)
            a = origin.read_layer(record.layer_id, version=before.version)
            b = destination.read_layer(record.layer_id, version=before.version)
            if len(a) != len(b) or frame_digest(a) != frame_digest(b):
                msg = (
                    f"Layer {record.layer_id!r} version {before.version}: {len(a)} features "
                    f"in the source, {len(b)} in the copy, or their content differs."
                )
                raise StoreError(msg)
            versions += 1
            features += len(a)
    lines_from, head_from = audit.lines_and_head(_audit_location(source))
    lines_to, head_to = audit.lines_and_head(_audit_location(target))
    verdict = audit.verify(_audit_location(target))
    if lines_from != lines_to or head_from != head_to or not verdict.ok:
        msg = f"The copied audit trail differs from the source's ({verdict.message()})."
        raise StoreError(msg)
    return CopyReport(
        layers=len(want),
        versions=versions,
        features=features,
        retired=sum(r.retired for r in want),
        audit_entries=len(lines_to),
    )


def _events(store: LayerStore) -> list[Mapping[str, object]]:
    events = getattr(store, "events", None)
    if events is None:  # pragma: no cover (both backends have it)
        msg = f"{store!r} cannot list its catalogue events."
        raise StoreError(msg)
    return list(events())


def _meta(record: LayerRecord) -> NewLayer:
    return NewLayer(
        kind=LayerKind(record.kind),
        title=record.title,
        source=record.source,
        licence=record.licence,
        classification=record.classification,
        exercise=record.exercise,
        provenance=dict(record.provenance),
        created_at=record.created_at,
    )


def _key(record: LayerRecord) -> tuple[object, ...]:
    return (
        record.layer_id,
        record.version,
        str(record.kind),
        record.title,
        record.source,
        record.licence,
        record.classification,
        _instant(record.created_at),
        record.feature_count,
        record.exercise,
        record.retired,
        json.dumps(dict(record.provenance), sort_keys=True, default=str),
    )


def _instant(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds")


def _audit_location(location: str) -> Path | str:
    """The audit trail of a store: the URL itself, or the folder of a data_dir."""
    if is_store_url(location):
        return location
    path = Path(location)
    return path.parent if path.suffix.lower() == ".gpkg" else path


def _copy_audit(source: Path | str, target: Path | str) -> None:
    lines, head = audit.lines_and_head(source)
    lines = [line for line in lines if line.strip()]
    if not lines:
        return
    if is_store_url(target):
        from humansec.store.postgis import PostGISStore  # noqa: PLC0415

        store = PostGISStore(str(target))
        try:
            store.copy_audit_lines(lines)
        finally:
            store.close()
        return
    folder = Path(target)
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / audit.AUDIT_FILE
    with log.open("x", encoding="utf-8") as out:  # "x": never over an existing trail
        out.write("\n".join(lines) + "\n")
        out.flush()
        os.fsync(out.fileno())
    last = json.loads(lines[-1])
    seq, digest = head if head is not None else (last["seq"], last["hash"])
    (folder / audit.HEAD_FILE).write_text(f"{seq} {digest}\n", encoding="ascii")


def _same(source: str, target: str) -> bool:
    if is_store_url(source) or is_store_url(target):
        return source == target
    return Path(source).resolve() == Path(target).resolve()


def _shown(location: str) -> str:
    return redact_url(location) if is_store_url(location) else location


__all__ = ["CopyReport", "check_copy", "copy_store", "frame_digest"]
