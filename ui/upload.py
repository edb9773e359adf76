"""Widgets of the Data page: the validation report, the mapping editor, the catalogue."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from humansec.ingest.mapping import LEAVE_OUT
from humansec.ingest.pipeline import Inspection
from humansec.ingest.types import FieldMapping, ValidationReport
from humansec.model import KIND_SPECS, LayerKind
from humansec.store import LayerRecord
from ui import text

NONE = "(not in the file)"
COLUMN = "column: "
VALUE = "value: "
NUMBER = "one number for every feature"
LEAVE_OUT_LABEL = "(leave these rows out)"
_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
_SHOWN_ROWS = 20


def report_table(report: ValidationReport) -> pd.DataFrame:
    """One row per finding, errors first, with the first rows it names."""
    rows = [
        {
            "severity": finding.severity,
            "what": finding.message,
            "rows affected": finding.count or len(finding.rows),
            "first rows": ", ".join(str(r) for r in finding.rows[:_SHOWN_ROWS]),
        }
        for finding in sorted(report.findings, key=lambda f: _SEVERITY_ORDER[f.severity])
    ]
    return pd.DataFrame(rows, columns=["severity", "what", "rows affected", "first rows"])


def show_summary(inspection: Inspection) -> None:
    """Metrics of what was read."""
    first, second, third, fourth = st.columns(4)
    first.metric("Format", str(inspection.format))
    second.metric("Features read", f"{inspection.read_count:,}")
    third.metric("Coordinate system", inspection.source_crs or "WGS84 (assumed)")
    fourth.metric("Text encoding", inspection.encoding or "n/a")
    types = ", ".join(f"{count:,} {name}" for name, count in inspection.geometry_types.items())
    st.caption(
        f"SHA-256 `{inspection.sha256}` · {inspection.size_bytes / 2**20:.2f} MiB · "
        f"geometries: {types or 'none'}"
    )


def mapping_editor(inspection: Inspection, kind: LayerKind, key_prefix: str) -> FieldMapping:
    """Let the analyst confirm or change the suggested mapping; return the mapping shown.

    Each field of ``kind`` gets a choice: a column of the file, nothing, or (for fields with
    a fixed set of values) one value for every feature.
    """
    suggested = inspection.mapping or FieldMapping(kind=str(kind))
    if suggested.preset is not None:
        st.info(
            f"Recognised as a {suggested.preset.upper().replace('_', ' ')} export: its fields "
            "are translated by humansec's fixed rules for that format (focus areas, "
            "precision, dates); see the report for what was assumed."
        )
        return suggested
    columns = list(inspection.columns)
    chosen_columns: dict[str, str] = {}
    constants: dict[str, object] = {}
    grid = st.columns(3)
    for position, spec in enumerate(KIND_SPECS[kind].fields):
        options = [NONE, *(COLUMN + c for c in columns)]
        if spec.allowed is not None:
            options += [VALUE + v for v in spec.allowed]
        if spec.type == "bool":
            options += [VALUE + "true", VALUE + "false"]
        numeric = spec.type in ("int", "float")
        if numeric:  # e.g. the population of every settlement of a list, when the file has none
            options.append(NUMBER)
        if spec.name in suggested.columns and COLUMN + suggested.columns[spec.name] in options:
            default = COLUMN + suggested.columns[spec.name]
        elif numeric and spec.name in suggested.constants:
            default = NUMBER
        elif spec.name in suggested.constants:
            default = VALUE + str(suggested.constants[spec.name]).lower()
        else:
            default = NONE
        label = spec.name + (" (required)" if spec.required else "")
        cell = grid[position % 3]
        choice = cell.selectbox(
            label,
            options,
            index=options.index(default) if default in options else 0,
            key=f"{key_prefix}_{spec.name}",
            help=spec.description or None,
        )
        if choice.startswith(COLUMN):
            chosen_columns[spec.name] = choice.removeprefix(COLUMN)
        elif choice == NUMBER:
            given = suggested.constants.get(spec.name)
            number = cell.number_input(
                f"{spec.name} of every feature",
                value=float(given) if isinstance(given, int | float) else 0.0,
                min_value=0.0,
                step=1.0 if spec.type == "int" else 0.1,
                key=f"{key_prefix}_{spec.name}_number",
            )
            constants[spec.name] = int(number) if spec.type == "int" else float(number)
        elif choice.startswith(VALUE):
            value = choice.removeprefix(VALUE)
            constants[spec.name] = {"true": True, "false": False}.get(value, value)
    values = _value_tables(inspection, kind, chosen_columns, suggested, key_prefix)
    return FieldMapping(kind=str(kind), columns=chosen_columns, constants=constants, values=values)


def _value_tables(
    inspection: Inspection,
    kind: LayerKind,
    chosen_columns: dict[str, str],
    suggested: FieldMapping,
    key_prefix: str,
) -> dict[str, dict[str, str]]:
    """One editable table per categorical field: each value of its column -> a category.

    A value may also be left out (its rows are not stored, and the report says how many).
    """
    distinct = inspection.facts.get("distinct_values") or {}
    tables: dict[str, dict[str, str]] = {}
    for spec in KIND_SPECS[kind].fields:
        column = chosen_columns.get(spec.name)
        suggested_table = dict(suggested.values.get(spec.name, {}))
        if column is None or spec.allowed is None or column not in distinct:
            if suggested_table and column == suggested.columns.get(spec.name):
                tables[spec.name] = suggested_table
            continue
        source_values = [str(v) for v in distinct[column]]
        shown = pd.DataFrame(
            {
                "in the file": source_values,
                "stored as": [
                    LEAVE_OUT_LABEL
                    if suggested_table.get(v) == LEAVE_OUT
                    else suggested_table.get(v)
                    for v in source_values
                ],
            }
        )
        text.show(f"Values of {column} stored as {spec.name}:", "caption")
        edited = st.data_editor(
            shown,
            hide_index=True,
            disabled=["in the file"],
            column_config={
                "stored as": st.column_config.SelectboxColumn(
                    "stored as", options=[*spec.allowed, LEAVE_OUT_LABEL]
                )
            },
            key=f"{key_prefix}_values_{spec.name}_{column}",
        )
        table = {
            str(source): LEAVE_OUT if target == LEAVE_OUT_LABEL else str(target)
            for source, target in zip(edited["in the file"], edited["stored as"], strict=True)
            if isinstance(target, str) and target
        }
        if table:
            tables[spec.name] = table
    return tables


def catalogue_table(records: list[LayerRecord]) -> pd.DataFrame:
    """The catalogue as the Data page lists it: one row per layer, its current version."""
    rows = [
        {
            "layer": record.layer_id,
            "title": record.title,
            "kind": str(record.kind),
            "version": record.version,
            "features": record.feature_count,
            "classification": record.classification,
            "status": "retired" if record.retired else "active",
            "stored": record.created_at.strftime("%Y-%m-%d %H:%M UTC"),
            "by": str(record.provenance.get("uploaded_by", "")),
            "file": str(record.provenance.get("original_name", "")),
            "source": record.source,
        }
        for record in records
    ]
    return pd.DataFrame(rows)


def versions_table(records: list[LayerRecord]) -> pd.DataFrame:
    """Every version of one layer with its provenance (file, hash, who, report size)."""
    rows = []
    for record in records:
        provenance = dict(record.provenance)
        validation = provenance.get("validation") or []
        rows.append(
            {
                "version": record.version,
                "features": record.feature_count,
                "stored": record.created_at.strftime("%Y-%m-%d %H:%M UTC"),
                "by": str(provenance.get("uploaded_by", "")),
                "file": str(provenance.get("original_name", "")),
                "sha256": str(provenance.get("sha256", "")),
                "findings": len(validation) if isinstance(validation, list) else 0,
                "mapping": json.dumps(provenance.get("mapping", {}), ensure_ascii=False),
            }
        )
    return pd.DataFrame(rows)
