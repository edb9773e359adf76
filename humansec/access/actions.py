"""The actions that change data or let it out, each checked again here and audited.

Pages call these, never the store or the exporter directly for these actions, so a role or
clearance check cannot be skipped by a crafted widget event: the check sits in the call path.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from humansec import audit
from humansec.access.identity import User
from humansec.access.policy import cleared, require, require_clearance
from humansec.access.roles import Permission
from humansec.errors import AccessDeniedError
from humansec.marking import highest_marking
from humansec.model import LayerKind
from humansec.settings import Settings
from humansec.store import LayerRecord, LayerStore, store_location

if TYPE_CHECKING:
    from pathlib import Path

    from humansec.ingest.pipeline import Inspection, UploadMeta
    from humansec.ingest.sandbox import ProgressCallback
    from humansec.ingest.types import FieldMapping
    from humansec.population.join import JoinOutcome


def record_event(
    settings: Settings,
    user: User,
    *,
    action: str,
    what: Mapping[str, object],
    marking: str = "",
) -> dict[str, object]:
    """Append an entry for ``user`` to the audit trail."""
    return audit.record(
        settings.audit_location,
        action=action,
        actor=user.audit_identity(),
        who=user.label,
        what=what,
        marking=marking,
    )


def checked(settings: Settings, user: User, permission: Permission, *, what: str) -> None:
    """``require`` that records a refusal in the audit trail before raising it."""
    try:
        require(user, permission)
    except AccessDeniedError:
        record_event(
            settings, user, action="denied", what={"permission": str(permission), "object": what}
        )
        raise


def set_retired(
    settings: Settings, user: User, store: LayerStore, layer_id: str, *, retired: bool
) -> LayerRecord:
    """Retire or restore ``layer_id`` as ``user`` (analyst or admin, cleared for the layer)."""
    verb = "retire" if retired else "restore"
    checked(settings, user, Permission.MANAGE_LAYERS, what=f"{verb} {layer_id}")
    current = store.versions(layer_id)[-1]
    _require_cleared_layer(settings, user, current, verb=verb)
    record = store.set_retired(layer_id, retired=retired)
    record_event(
        settings,
        user,
        action=verb,
        what={"layer_id": layer_id, "version": record.version},
        marking=record.classification,
    )
    return record


def require_store(settings: Settings, user: User, classification: str) -> None:
    """Check (and audit a refusal) that ``user`` may store a layer marked ``classification``."""
    checked(settings, user, Permission.MANAGE_LAYERS, what="store a layer")
    try:
        require_clearance(user, classification, settings.classification_order, what="the layer")
    except AccessDeniedError:
        record_event(
            settings,
            user,
            action="denied",
            what={"object": "store a layer"},
            marking=classification,
        )
        raise


def commit_upload(
    settings: Settings,
    user: User,
    inspection: Inspection,
    mapping: FieldMapping,
    *,
    meta: UploadMeta,
    layer_id: str | None = None,
) -> dict[str, object]:
    """Store an inspected upload as ``user`` (see ``humansec.ingest.pipeline.commit_upload``)."""
    from humansec.ingest.pipeline import commit_upload as commit  # noqa: PLC0415 (heavy)

    require_store(settings, user, meta.classification)
    if layer_id is not None:
        _require_cleared_layer(settings, user, _latest(settings, layer_id), verb="add to")
    stored = commit(
        inspection,
        mapping,
        store_path=store_location(settings),
        meta=replace(meta, who=meta.who or user.label),
        layer_id=layer_id,
        limits=settings.ingest_limits(),
    )
    record_event(
        settings,
        user,
        action="upload",
        what={"file": inspection.original_name, "sha256": inspection.sha256, **stored},
        marking=meta.classification,
    )
    return stored


def store_grid(
    settings: Settings,
    user: User,
    upload: Path,
    original_name: str,
    roles: list[str],
    *,
    meta: UploadMeta,
    layer_id: str | None = None,
    on_progress: ProgressCallback | None = None,
) -> dict[str, object]:
    """Store a staged GeoTIFF grid as ``user`` (see ``humansec.ingest.raster.store_grid``)."""
    from humansec.ingest.raster import store_grid as store  # noqa: PLC0415 (heavy)

    require_store(settings, user, meta.classification)
    if layer_id is not None:
        _require_cleared_layer(settings, user, _latest(settings, layer_id), verb="add to")
    result = store(
        upload,
        original_name,
        roles,
        store_path=store_location(settings),
        data_dir=settings.data_dir,
        meta=replace(meta, who=meta.who or user.label),
        layer_id=layer_id,
        limits=settings.ingest_limits(),
        on_progress=on_progress,
    )
    record_event(
        settings,
        user,
        action="upload",
        what={"file": original_name, "sha256": result.sha256, **result.record},
        marking=meta.classification,
    )
    return {**result.record, "notes": list(result.notes)}


def export(
    settings: Settings,
    user: User,
    frames: Mapping[LayerKind, gpd.GeoDataFrame],
    records: Iterable[LayerRecord],
    *,
    fmt: str,
    classification: str | None,
    conflicts: pd.DataFrame | None = None,
    audit_what: Mapping[str, object] | None = None,
    **options: object,
) -> tuple[bytes, str]:
    """Make a briefing product or table as ``user``; return its bytes and its marking.

    Refused unless ``user`` may export, is cleared for every layer in it and for the marking
    it carries (the highest of the layers', raised to ``classification``).
    """
    from humansec.export import export_product, product_marking  # noqa: PLC0415 (heavy)

    records = list(records)
    checked(settings, user, Permission.EXPORT, what=f"export {fmt}")
    order = settings.classification_order
    known = {record.layer_id for record in records}
    for frame in frames.values():
        if "layer_id" in frame and not set(frame["layer_id"].dropna().astype(str)) <= known:
            msg = "Not permitted: the export holds features of layers it does not declare."
            raise AccessDeniedError(msg)
    marking, exercise = product_marking(records, order=order, requested=classification)
    try:
        require_clearance(user, marking, order, what="this product")
    except AccessDeniedError:
        record_event(
            settings, user, action="denied", what={"object": f"export {fmt}"}, marking=marking
        )
        raise
    data = export_product(
        frames,
        records,
        fmt=fmt,
        classification=marking,
        settings=settings,
        conflicts=conflicts,
        **options,  # type: ignore[arg-type]
    )
    record_event(
        settings,
        user,
        action="export",
        what={"format": fmt, "exercise": exercise, **dict(audit_what or {})},
        marking=marking,
    )
    return data, marking


def highest_of(records: Iterable[LayerRecord], settings: Settings) -> str:
    """The highest marking among ``records`` (the lowest marking when there are none)."""
    return highest_marking((r.classification for r in records), settings.classification_order)


def _latest(settings: Settings, layer_id: str) -> LayerRecord:
    return _store_at(store_location(settings)).versions(layer_id)[-1]


@lru_cache(maxsize=4)
def _store_at(location: str) -> LayerStore:
    """The store at ``location``, opened once per process: a PostGIS store keeps its
    connections and checks its schema once (a GeoPackage store is only its path)."""
    from humansec.store import open_store_at  # noqa: PLC0415

    return open_store_at(location)


def _require_cleared_layer(
    settings: Settings, user: User, record: LayerRecord, *, verb: str
) -> None:
    if not cleared(user, record.classification, settings.classification_order):
        record_event(
            settings,
            user,
            action="denied",
            what={"object": f"{verb} a layer above the clearance"},
            marking=record.classification,
        )
        # The message does not name the layer: its very name may be above the clearance.
        msg = "Not permitted: that layer is above your clearance."
        raise AccessDeniedError(msg)


def join_population(
    settings: Settings,
    user: User,
    store: LayerStore,
    layer_id: str,
    table: Path,
    *,
    original_name: str,
    sheet: str | None = None,
    date: str | None = None,
) -> JoinOutcome:
    """Join a population table to the area layer ``layer_id`` by P-code as ``user`` (analyst
    or admin, cleared for the layer): a new version of it (``humansec.population.join``)."""
    from humansec.population.join import join_to_layer  # noqa: PLC0415

    checked(settings, user, Permission.MANAGE_LAYERS, what=f"join a population table to {layer_id}")
    current = store.versions(layer_id)[-1]
    _require_cleared_layer(settings, user, current, verb="add to")
    outcome = join_to_layer(store, layer_id, table, sheet=sheet, date=date)
    record_event(
        settings,
        user,
        action="upload",
        what={
            "file": original_name,
            "sha256": outcome.table.sha256,
            "layer_id": layer_id,
            "version": outcome.record.version,
            "join": "population by pcode",
        },
        marking=outcome.record.classification,
    )
    return outcome
