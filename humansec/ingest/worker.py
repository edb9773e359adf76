"""The worker process: reads, checks, maps and stores one upload (``python -m ...worker JOB``).

Started by ``humansec.ingest.sandbox.run_worker`` with memory and time limits and a GDAL
environment restricted to one driver and no network (set before GDAL is first imported, which
is why the heavy imports happen inside the functions). Modes:

* ``inspect``: unpack, read, validate geometry, suggest (or take) a mapping and apply it; stage
  the read frame as GeoParquet (``staged.parquet``) and a mapped sample (``preview.parquet``)
  and report everything in ``result.json``;
* ``apply``: apply another mapping to the staged frame and report again;
* ``commit``: apply the mapping to the staged frame and store it as a new layer version;
* ``ingest``: ``inspect`` then ``commit`` in one process (the CLI: no second read).
"""

from __future__ import annotations

import json
import os
import resource
import sys
import traceback
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from humansec.errors import HumansecError
from humansec.ingest.sandbox import RESULT_FILE, WorkerRefusedError, limit_self, write_progress
from humansec.ingest.types import SOURCE_ROW, FieldMapping, Finding, SourceFormat

if TYPE_CHECKING:
    import geopandas as gpd

    from humansec.ingest.limits import IngestLimits
    from humansec.model import LayerKind
    from humansec.store import LayerStore

STAGED_FILE = "staged.parquet"
PREVIEW_FILE = "preview.parquet"
STORE_URL_VARIABLE = "HUMANSEC_STORE_URL"
"""How the worker gets a PostGIS store's URL with its password (never in the job file)."""
UNPACKED_DIR = "unpacked"
PREVIEW_ROWS = 2000
MAX_LISTED_ROWS = 200


def main(argv: list[str]) -> int:
    """Run the job in ``argv[0]``; write ``result.json`` beside it; 0 on success, 2 refused."""
    job_path = Path(argv[0])
    workdir = job_path.parent
    job: dict[str, Any] = json.loads(job_path.read_text(encoding="utf-8"))
    from humansec.ingest.limits import IngestLimits  # noqa: PLC0415

    limit_self(IngestLimits(**job["limits"]))  # before anything of the upload is read
    try:
        result = run_job(job, workdir)
    except WorkerRefusedError as refused:
        _write_result(workdir, {**refused.details, "error": str(refused)})
        return 2
    except HumansecError as error:
        _write_result(workdir, {"error": str(error)})
        return 2
    except MemoryError:
        traceback.print_exc()
        return 3
    _write_result(workdir, {"ok": True, **result})
    return 0


def run_job(job: Mapping[str, Any], workdir: Path) -> dict[str, object]:
    """Do what ``job["mode"]`` says (see the module docstring) and return the result."""
    from humansec.ingest.limits import IngestLimits  # noqa: PLC0415

    limits = IngestLimits(**job["limits"])
    mode = job["mode"]
    if mode == "grid":  # a population grid (GeoTIFF): its own checks and store
        from humansec.ingest.raster import run_grid_job  # noqa: PLC0415

        return run_grid_job(job, workdir)
    if mode in {"inspect", "ingest"}:
        write_progress(workdir, "Reading the file", 0.1)
        frame, findings, facts = read_upload(job, workdir, limits)
        facts["features_read"] = len(frame)
        frame, route_findings = _routes_for_line_kinds(frame, job, facts)
        findings += route_findings
        write_progress(workdir, "Checking geometries", 0.5)
        frame, geometry_findings = _check_geometry(frame, facts, repair=bool(job.get("repair")))
        findings += geometry_findings
        frame.to_parquet(workdir / STAGED_FILE, index=False)
        facts["distinct_values"] = _distinct(frame)
        facts["read_findings"] = [f.as_dict() for f in findings]
    else:
        import geopandas as gpd  # noqa: PLC0415

        frame = gpd.read_parquet(workdir / STAGED_FILE)
        facts = dict(job["facts"])
        read_findings: list[dict[str, Any]] = list(job["facts"].get("read_findings", []))
        findings = [Finding(**_finding_args(f)) for f in read_findings]
        if job.get("repair"):
            frame, repaired = _repair(frame)
            findings += repaired
    write_progress(workdir, "Mapping fields", 0.7)
    mapping, mapped, mapping_findings = _map(frame, job, facts)
    findings += mapping_findings
    if (
        mapped is not None
        and mapping is not None
        and not any(f.severity == "error" for f in mapping_findings)
    ):
        # Storing checks the schema itself (and refuses with the same message): only a report
        # needs it checked here.
        findings += _fits_kind(mapped, mapping, schema=mode in {"inspect", "apply"})
    result: dict[str, object] = {
        "facts": facts,
        "read_count": int(str(facts.get("features_read", len(frame)))),
        "valid_count": len(frame),
        "columns": [c for c in frame.columns if c not in {SOURCE_ROW, frame.geometry.name}],
        "geometry_types": {str(k): int(v) for k, v in frame.geom_type.value_counts().items()},
        "mapping": None if mapping is None else mapping.as_dict(),
        "mapped_count": 0 if mapped is None else len(mapped),
        "findings": [f.as_dict() for f in findings],
    }
    if mapped is not None:
        mapped.head(PREVIEW_ROWS).to_parquet(workdir / PREVIEW_FILE, index=False)
    else:
        frame.head(PREVIEW_ROWS).to_parquet(workdir / PREVIEW_FILE, index=False)
    if mode in {"commit", "ingest"}:
        errors = [f for f in findings if f.severity == "error"]
        if errors:
            raise WorkerRefusedError(_blocking_message(errors), {"findings": result["findings"]})
        if mapped is None or mapping is None:
            msg = "Choose the layer kind the file holds (CLI: --kind) before storing it."
            raise WorkerRefusedError(msg, {})
        write_progress(workdir, "Storing the layer", 0.85)
        result["record"] = _store(mapped, job, findings, mapping, facts)
    write_progress(workdir, "Done", 1.0)
    facts["worker_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return result


def read_upload(
    job: Mapping[str, Any], workdir: Path, limits: IngestLimits
) -> tuple[gpd.GeoDataFrame, list[Finding], dict[str, object]]:
    """Unpack and read the upload into a WGS84 frame of its own columns plus ``_source_row``."""
    from humansec.ingest import archive, tabular, vector  # noqa: PLC0415

    fmt = SourceFormat(job["format"])
    upload = Path(job["upload"])
    options = {
        "crs": job.get("crs"),
        "encoding": job.get("encoding"),
    }
    if fmt in {SourceFormat.CSV, SourceFormat.XLSX}:
        if fmt is SourceFormat.XLSX:
            archive.check_xlsx(upload, limits)
        frame, findings, facts = tabular.read_table(
            upload, fmt, sheet=job.get("source_layer"), **options
        )
    else:
        frame, findings, facts = vector.read_vector(
            upload,
            fmt,
            layer=job.get("source_layer"),
            limits=limits,
            workdir=workdir / UNPACKED_DIR,
            **options,
        )
    facts = {**facts, "format": str(fmt)}
    return frame, list(findings), facts


def _distinct(frame: gpd.GeoDataFrame) -> dict[str, list[str]]:
    from humansec.ingest.mapping import distinct_values  # noqa: PLC0415

    return distinct_values(frame)


def _routes_for_line_kinds(
    frame: gpd.GeoDataFrame, job: Mapping[str, Any], facts: Mapping[str, object]
) -> tuple[gpd.GeoDataFrame, list[Finding]]:
    """For a kind of lines, a table with origin and destination columns gives one line a row."""
    from humansec.ingest import routes  # noqa: PLC0415
    from humansec.model import KIND_SPECS, parse_kind  # noqa: PLC0415

    kind = job.get("kind")
    candidates = facts.get("coordinate_candidates")
    if kind is None or not isinstance(candidates, list):
        return frame, []
    if KIND_SPECS[parse_kind(str(kind))].geometries != frozenset({"line"}):
        return frame, []
    ends = routes.origin_destination(candidates)
    if ends is None:
        return frame, []
    lines, findings = routes.lines_from_pairs(frame, *ends)
    return lines, findings


def _fits_kind(mapped: gpd.GeoDataFrame, mapping: FieldMapping, *, schema: bool) -> list[Finding]:
    """What the store would refuse, said now: the kind's geometry family and schema."""
    from humansec.errors import SchemaError  # noqa: PLC0415
    from humansec.model import KIND_SPECS, conform, geometry_family, parse_kind  # noqa: PLC0415

    kind = parse_kind(str(mapping.kind))
    spec = KIND_SPECS[kind]
    counts = mapped.geom_type.value_counts()
    try:
        families = {geometry_family(str(t)) for t in counts.index}
    except SchemaError as error:
        return [Finding(code="geometry_type", severity="error", message=str(error))]
    wrong = families - spec.geometries
    if wrong:
        held = ", ".join(f"{int(n):,} {t}" for t, n in counts.items())
        fitting = [str(k) for k, s in KIND_SPECS.items() if families <= s.geometries]
        message = (
            f"A {kind} layer holds {' or '.join(sorted(spec.geometries))} geometries; the file "
            f"holds {held}. Choose a kind that takes them ({', '.join(fitting) or 'none'}), or "
            "upload the geometries this kind needs."
        )
        return [Finding(code="wrong_geometry_for_kind", severity="error", message=message)]
    if not schema:
        return []
    try:
        conform(mapped.drop(columns=[SOURCE_ROW], errors="ignore"), kind)
    except SchemaError as error:
        return [Finding(code="does_not_fit_kind", severity="error", message=str(error))]
    return []


def _check_geometry(
    frame: gpd.GeoDataFrame, facts: Mapping[str, object], *, repair: bool
) -> tuple[gpd.GeoDataFrame, list[Finding]]:
    from humansec.ingest import validate  # noqa: PLC0415

    crs = facts.get("source_crs")
    source_crs = None if crs is None else str(crs)
    checked, findings = validate.validate_geometry(frame, source_crs=source_crs)
    if repair:
        checked, repaired = _repair(checked)
        findings = [f for f in findings if f.code != "invalid_geometry"] + repaired
    return checked, list(findings)


def _repair(frame: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, list[Finding]]:
    from humansec.ingest import validate  # noqa: PLC0415

    repaired, findings = validate.repair_geometries(frame)
    return repaired, list(findings)


def _map(
    frame: gpd.GeoDataFrame, job: Mapping[str, Any], facts: dict[str, object]
) -> tuple[FieldMapping | None, gpd.GeoDataFrame | None, list[Finding]]:
    """Apply the job's mapping, or the preset / suggestion for its kind; None without a kind."""
    from humansec.ingest import mapping as mapping_module  # noqa: PLC0415
    from humansec.ingest import presets  # noqa: PLC0415
    from humansec.ingest.suggest import suggest_mapping  # noqa: PLC0415
    from humansec.model import LayerKind, parse_kind  # noqa: PLC0415

    preset = presets.detect_preset([str(c) for c in frame.columns])
    facts["preset"] = preset
    if job.get("mapping"):
        mapping = FieldMapping.from_dict(job["mapping"])
    elif job.get("kind") is None:
        return None, None, []
    elif preset is not None and parse_kind(str(job["kind"])) is LayerKind.INCIDENT:
        mapping = FieldMapping(kind=str(LayerKind.INCIDENT), preset=preset)
    else:
        mapping = suggest_mapping(frame, parse_kind(str(job["kind"])))
    overrides = job.get("overrides")
    if overrides and mapping.preset is None:
        mapping = mapping.overridden(**overrides)
    if mapping.preset is not None:
        mapped, findings = presets.apply_preset(
            mapping.preset, frame, drop_bad_dates=bool(job.get("drop_bad_dates"))
        )
    else:
        mapped, findings = mapping_module.apply_mapping(frame, mapping)
    return mapping, mapped, list(findings)


def _store(
    mapped: gpd.GeoDataFrame,
    job: Mapping[str, Any],
    findings: list[Finding],
    mapping: FieldMapping,
    facts: Mapping[str, object],
) -> dict[str, object]:
    from humansec.model import parse_kind  # noqa: PLC0415

    meta = job["meta"]
    provenance = {
        **meta.get("provenance", {}),
        "mapping": mapping.as_dict(),
        "format": facts.get("format"),
        "source_layer": facts.get("layer"),
        "source_crs": facts.get("source_crs"),
        "encoding": facts.get("encoding"),
        "validation": [_trimmed(f) for f in findings],
    }
    frame = mapped.drop(columns=[SOURCE_ROW], errors="ignore")
    return add_version(job_store(job), job, frame, parse_kind(str(mapping.kind)), provenance)


def add_version(
    store: LayerStore,
    job: Mapping[str, Any],
    frame: gpd.GeoDataFrame,
    kind: LayerKind,
    provenance: Mapping[str, object],
) -> dict[str, object]:
    """Store ``frame`` as the job's new layer version (its ``meta`` and ``layer_id``) and
    return the record as the worker reports it."""
    from humansec.store import NewLayer  # noqa: PLC0415

    meta = job["meta"]
    record = store.add_version(
        frame,
        NewLayer(
            kind=kind,
            title=str(meta["title"]),
            source=str(meta["source"]),
            licence=str(meta["licence"]),
            classification=str(meta["classification"]),
            exercise=bool(meta.get("exercise", False)),
            provenance=dict(provenance),
        ),
        layer_id=job.get("layer_id"),
    )
    return {
        "layer_id": record.layer_id,
        "version": record.version,
        "kind": str(record.kind),
        "title": record.title,
        "features": record.feature_count,
        "classification": record.classification,
        "created_at": record.created_at.isoformat(),
    }


def job_store(job: Mapping[str, Any]) -> LayerStore:
    """Open the store the job names (a PostGIS URL's password comes from the environment)."""
    from humansec.store import open_store_at  # noqa: PLC0415
    from humansec.storeurl import is_store_url, redact_url  # noqa: PLC0415

    location = str(job["store_path"])
    if is_store_url(location):  # the job names it without password; the environment has it
        secret = os.environ.get(STORE_URL_VARIABLE, "")
        location = secret if redact_url(secret) == location else location
    return open_store_at(location)


def _trimmed(finding: Finding) -> dict[str, object]:
    """A finding for the provenance record: at most the first rows, with the full count."""
    out = finding.as_dict()
    out["rows"] = list(finding.rows[:MAX_LISTED_ROWS])
    return out


def _finding_args(data: Mapping[str, Any]) -> dict[str, Any]:
    return {**data, "rows": tuple(data.get("rows", ()))}


def _blocking_message(errors: list[Finding]) -> str:
    listed = "\n".join(f"- {f.message}" for f in errors[:10])
    more = f"\n(and {len(errors) - 10} more)" if len(errors) > 10 else ""
    return f"The file was not stored because of {len(errors)} problem(s):\n{listed}{more}"


def _write_result(workdir: Path, result: Mapping[str, object]) -> None:
    temporary = workdir / (RESULT_FILE + ".tmp")
    temporary.write_text(json.dumps(result, default=str, ensure_ascii=False), encoding="utf-8")
    temporary.replace(workdir / RESULT_FILE)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
