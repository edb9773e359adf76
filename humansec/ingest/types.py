"""The values passed between the stages of an upload: formats, findings, reports, mappings.

An upload goes: identify the format (``sniff``) -> unpack and check (``archive``, ``xmlcheck``)
-> read into a WGS84 frame of the file's own columns (``vector``, ``tabular``) -> validate
(``validate``) -> map onto a layer kind (``mapping``, ``presets``) -> store. Every stage that
finds something reports it as a ``Finding`` naming the rows; nothing is stored before the
analyst has seen the report.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Literal

Severity = Literal["error", "warning", "info"]
"""error: blocks storing until fixed or chosen; warning: stored, but the analyst should know."""

SOURCE_ROW = "_source_row"
"""Column holding each feature's 1-based row in the file (data rows, header not counted)."""


class SourceFormat(StrEnum):
    """The file formats an analyst can upload."""

    SHAPEFILE = "shapefile"  # a .zip holding one or more shapefiles (or a folder of them)
    GEOPACKAGE = "geopackage"
    GEOJSON = "geojson"
    KML = "kml"
    KMZ = "kmz"
    CSV = "csv"
    XLSX = "xlsx"


# The one GDAL driver each vector format may be opened with; None: read without GDAL.
GDAL_DRIVER: Mapping[SourceFormat, str | None] = {
    SourceFormat.SHAPEFILE: "ESRI Shapefile",
    SourceFormat.GEOPACKAGE: "GPKG",
    SourceFormat.GEOJSON: "GeoJSON",
    SourceFormat.KML: "LIBKML",
    SourceFormat.KMZ: "LIBKML",
    SourceFormat.CSV: None,
    SourceFormat.XLSX: None,
}


@dataclass(frozen=True)
class Finding:
    """One thing the checks found, written for the analyst.

    ``rows`` are 1-based data rows of the source file (the header and an HXL hashtag row are
    not counted), at most a few hundred; ``count`` is how many rows are affected in all.
    """

    code: str
    severity: Severity
    message: str
    rows: tuple[int, ...] = ()
    count: int = 0

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready copy."""
        out = asdict(self)
        out["rows"] = list(self.rows)
        return out


@dataclass(frozen=True)
class ValidationReport:
    """Everything found about one upload before it is stored."""

    findings: tuple[Finding, ...] = ()

    @property
    def errors(self) -> tuple[Finding, ...]:
        """Findings that block storing."""
        return tuple(f for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> tuple[Finding, ...]:
        """Findings that are stored with the layer's provenance but do not block it."""
        return tuple(f for f in self.findings if f.severity == "warning")

    def extend(self, more: tuple[Finding, ...] | list[Finding]) -> ValidationReport:
        """A report with ``more`` findings added."""
        return ValidationReport((*self.findings, *more))

    def as_dict(self) -> list[dict[str, object]]:
        """A JSON-ready copy."""
        return [f.as_dict() for f in self.findings]


@dataclass(frozen=True)
class FieldMapping:
    """How the columns of an upload become the fields of a layer kind.

    ``columns`` maps a field of the kind (``humansec.model.KIND_SPECS``) to a column of the
    upload; ``constants`` gives a field one value for every feature (e.g. every site of a
    UNESCO list has protection ``world_heritage``); ``values`` maps source values of a
    categorical field onto the allowed ones (``{"category": {"Hospital": "hospital"}}``).
    ``preset`` names a known schema (``acled``, ``ucdp_ged``) whose fixed translation is used
    instead of ``columns``. Fields mapped nowhere are left empty; a required field left empty
    is an error in the report. Without an ``id`` column, ids are made from the source rows.
    """

    kind: str
    columns: Mapping[str, str] = field(default_factory=dict)
    constants: Mapping[str, object] = field(default_factory=dict)
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    preset: str | None = None

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready copy (stored in the layer's provenance)."""
        return {
            "kind": self.kind,
            "columns": dict(self.columns),
            "constants": dict(self.constants),
            "values": {k: dict(v) for k, v in self.values.items()},
            "preset": self.preset,
        }

    def overridden(
        self,
        *,
        columns: Mapping[str, str] | None = None,
        constants: Mapping[str, object] | None = None,
        values: Mapping[str, Mapping[str, str]] | None = None,
    ) -> FieldMapping:
        """Return the mapping with the analyst's choices on top (CLI: --map, --set, --value).

        A column of ``""`` unmaps the field; a constant replaces the field's column (every
        row gets it); value tables are merged per field.

        >>> m = FieldMapping("cultural", columns={"protection": "category", "name": "site"})
        >>> o = m.overridden(columns={"name": ""}, constants={"protection": "world_heritage"})
        >>> dict(o.columns), dict(o.constants)
        ({}, {'protection': 'world_heritage'})
        """
        merged_columns = {**self.columns, **(columns or {})}
        merged_constants = {**self.constants, **(constants or {})}
        for field_name in constants or {}:
            merged_columns.pop(field_name, None)
        merged_values = {k: dict(v) for k, v in self.values.items()}
        for field_name, table in (values or {}).items():
            merged_values.setdefault(field_name, {}).update(table)
        return FieldMapping(
            kind=self.kind,
            columns={k: v for k, v in merged_columns.items() if v},
            constants=merged_constants,
            values=merged_values,
            preset=self.preset,
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> FieldMapping:
        """The inverse of ``as_dict``."""
        values = data.get("values") or {}
        assert isinstance(values, Mapping)
        columns = data.get("columns") or {}
        constants = data.get("constants") or {}
        assert isinstance(columns, Mapping)
        assert isinstance(constants, Mapping)
        preset = data.get("preset")
        return cls(
            kind=str(data["kind"]),
            columns={str(k): str(v) for k, v in columns.items()},
            constants={str(k): v for k, v in constants.items()},
            values={
                str(k): {str(a): str(b) for a, b in dict(v).items()} for k, v in values.items()
            },
            preset=None if preset is None else str(preset),
        )
