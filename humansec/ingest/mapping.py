"""Apply a mapping: build a layer's frame from the columns of an upload.

``apply_mapping`` builds the layer's frame from a ``FieldMapping`` (proposed by
``humansec.ingest.suggest.suggest_mapping``, confirmed or edited by the analyst), converting
every value (``humansec.ingest.convert``) and reporting each problem as a ``Finding`` naming
rows by ``_source_row``. ``distinct_values`` lists the values a value table can map.

Decisions:

* Without a mapped id column, ids are made from the source rows (stable and unique).
* Unmapped source columns are kept as extra attributes, their names made lower-case
  ``[a-z0-9_]``, unique, and kept clear of the kind's fields and of the names the store
  reserves (``fid``, ``geom``, ``geometry``, ``layer_id``) and ``_source_row``.
* Dates: per column, ISO 8601 is tried first, then the one format that parses most values
  (day-first wins a tie with month-first, see ``humansec.ingest.convert``); the format
  assumed is reported.
* A value that cannot be converted is never dropped silently: for a required field it is an
  error, for an optional field the value is left empty with a warning.
* Rows are left out only when the analyst says so: a value table entry whose target is
  ``LEAVE_OUT`` (``""``) drops the rows holding that source value (e.g. the ``Natural`` sites of
  the World Heritage list in a ``cultural`` layer), reported in one warning. ``suggest_mapping``
  never proposes it.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd

from humansec.errors import IngestError, choices
from humansec.ingest.convert import (
    normalise_allowed,
    normalise_name,
    to_bools,
    to_dates,
    to_numbers,
)
from humansec.ingest.types import SOURCE_ROW, FieldMapping, Finding, Severity
from humansec.ingest.validate import describe_rows, row_finding
from humansec.model import (
    KIND_SPECS,
    OTHER_CATEGORY,
    WGS84,
    FieldSpec,
    LayerKind,
    parse_kind,
)

__all__ = [
    "CATEGORY_SOURCE",
    "LEAVE_OUT",
    "RESERVED_COLUMNS",
    "apply_mapping",
    "distinct_values",
    "normalise_name",
]

LEAVE_OUT = ""
"""Target in a ``FieldMapping.values`` table meaning "leave out the rows holding this value"."""

CATEGORY_SOURCE = "category_source"
"""Extra attribute holding the category exactly as the source wrote it (when from a column)."""

RESERVED_COLUMNS = frozenset({"fid", "geom", "geometry", "layer_id", SOURCE_ROW})
"""Names an extra attribute may not take (the store's own columns and the source row)."""

_SHOWN_VALUES = 5
_DISTINCT_PROBE = 10_000  # rows first looked at by distinct_values to rule a column out fast
_DISTINCT_CHUNK = 200_000  # rows counted at a time by distinct_values (stops when too many)


def apply_mapping(
    frame: gpd.GeoDataFrame, mapping: FieldMapping
) -> tuple[gpd.GeoDataFrame, list[Finding]]:
    """Build the layer frame of ``mapping.kind`` from an upload, converting every value.

    Parameters
    ----------
    frame
        The upload in EPSG:4326 with a ``_source_row`` column.
    mapping
        ``columns`` and ``constants`` fill the fields (a constant fills the rows its column
        leaves empty, or every row without a column); ``values`` translates categorical
        values (a value equal to an allowed one but for case or spacing is accepted too).
        A value mapped onto ``LEAVE_OUT`` (``""``) leaves out every row whose mapped column
        holds it (compared as text, spaces at the ends ignored, ``3.0`` read as ``3``); those
        rows are dropped before anything else is checked, so they cause no other finding, and
        one ``rows_left_out`` warning names them (an error if no row is left).
        ``preset`` is not read here: the presets translate their files before this.

    Returns
    -------
    A frame with the kind's fields (typed as ``humansec.model.conform`` expects), the unmapped
    source columns as extra attributes (names sanitised, see the module docstring),
    ``_source_row`` and the geometry, in the order and index of ``frame`` less the rows left
    out; and the findings. When no finding is an error the frame passes
    ``conform(frame, kind)``.

    >>> f = gpd.GeoDataFrame({"Name": ["Dnipro dam"], "_source_row": [1]},
    ...                      geometry=gpd.points_from_xy([35.1], [47.8]), crs="EPSG:4326")
    >>> m = FieldMapping("infrastructure", columns={"name": "Name"},
    ...                  constants={"category": "dam"})
    >>> out, found = apply_mapping(f, m)
    >>> out["id"].tolist(), out["category"].tolist(), [x.code for x in found]
    (['1'], ['dam'], ['ids_from_rows'])

    """
    if SOURCE_ROW not in frame.columns:
        msg = f"The frame has no {SOURCE_ROW!r} column; the reader must add the source rows."
        raise IngestError(msg)
    if frame.crs is None or frame.crs.to_epsg() != 4326:
        msg = f"Mapping expects EPSG:4326, got {frame.crs!s}; transform the frame first."
        raise IngestError(msg)
    kind = parse_kind(mapping.kind)
    spec = KIND_SPECS[kind]
    available = [c for c in frame.columns if c not in (frame.geometry.name, SOURCE_ROW)]
    findings = _check_mapping(mapping, spec.field_names, available, kind)
    frame, left_out = _leave_out(frame, mapping, spec.fields, available)
    findings.extend(left_out)
    rows = frame[SOURCE_ROW].to_numpy(dtype=np.int64)

    data: dict[str, pd.Series] = {}
    for field in spec.fields:
        column = mapping.columns.get(field.name)
        column = column if column in available else None
        constant = mapping.constants.get(field.name)
        if column is None and constant is None:
            data[field.name] = _empty(field, frame.index)
            if field.name == "id":
                data["id"] = pd.Series(rows.astype(str), index=frame.index, dtype="string")
                findings.append(
                    Finding(
                        "ids_from_rows",
                        "info",
                        "No column is mapped to 'id', so each feature's id is its row in the "
                        "file. Map an id column if the source has stable ids (needed to match "
                        "features when the layer is replaced).",
                        count=len(frame),
                    )
                )
            elif field.required and field.name not in mapping.columns:
                findings.append(
                    Finding(
                        "field_unmapped",
                        "error",
                        f"The {kind} field {field.name!r} is required but mapped to no column. "
                        f"Choose one of the columns {choices(available)}, or give it one value "
                        "for every row.",
                        count=len(frame),
                    )
                )
            continue
        raw = (
            frame[column]
            if column is not None
            else pd.Series([constant] * len(frame), index=frame.index, dtype=object)
        )
        if column is not None and constant is not None:
            raw = raw.astype(object).where(~_blank(raw), constant)
        label = f"{kind}.{field.name} (column {column!r})" if column else f"{kind}.{field.name}"
        blank = _blank(raw).to_numpy()
        value_map = {k: v for k, v in mapping.values.get(field.name, {}).items() if v != LEAVE_OUT}
        converted, found = _convert(
            raw, field, rows=rows, label=label, value_map=value_map, blank=blank
        )
        data[field.name] = converted
        findings.extend(found)
        empty = blank
        if field.required and empty.any():
            findings.append(
                row_finding(
                    "required_empty",
                    "error",
                    rows[empty],
                    f"{label}: {describe_rows(rows[empty])} are empty, but every feature needs "
                    f"a {field.name}. Fill them in the file, or give the field a value for "
                    "every empty row.",
                )
            )
    findings.extend(_duplicate_ids(data["id"], rows, kind))
    data.update(_category_source(frame, mapping, available))

    used = set(mapping.columns.values())
    extras, renamed = _extra_columns(
        frame, [c for c in available if c not in used], (*spec.field_names, CATEGORY_SOURCE)
    )
    data.update(extras)
    if renamed:
        pairs = ", ".join(f"{old!r} as {new}" for old, new in list(renamed.items())[:10])
        more = f" and {len(renamed) - 10} more" if len(renamed) > 10 else ""
        findings.append(
            Finding(
                "columns_renamed",
                "info",
                f"Unmapped columns are kept as extra attributes; renamed: {pairs}{more}.",
            )
        )
    data[SOURCE_ROW] = frame[SOURCE_ROW]
    out = gpd.GeoDataFrame(
        pd.DataFrame(data, index=frame.index),
        geometry=gpd.GeoSeries(frame.geometry.array, index=frame.index, crs=WGS84),
        crs=WGS84,
    )
    out.attrs = dict(frame.attrs)
    return out, findings


def _check_mapping(
    mapping: FieldMapping, fields: tuple[str, ...], available: list[str], kind: LayerKind
) -> list[Finding]:
    findings: list[Finding] = []
    unknown_fields = sorted(set(mapping.columns) | set(mapping.constants) | set(mapping.values))
    unknown_fields = [f for f in unknown_fields if f not in fields]
    if unknown_fields:
        findings.append(
            Finding(
                "mapping_unknown_field",
                "error",
                f"The mapping names {choices(unknown_fields)}, which a {kind} layer does not "
                f"have; its fields are {choices(fields)}.",
            )
        )
    missing = sorted({c for c in mapping.columns.values() if c not in available})
    if missing:
        findings.append(
            Finding(
                "mapping_unknown_column",
                "error",
                f"The mapping uses the columns {choices(missing)}, which the file does not "
                f"have; its columns are {choices(available)}.",
            )
        )
    return findings


def _leave_out(
    frame: gpd.GeoDataFrame,
    mapping: FieldMapping,
    fields: tuple[FieldSpec, ...],
    available: list[str],
) -> tuple[gpd.GeoDataFrame, list[Finding]]:
    """``frame`` without the rows whose values the mapping leaves out, and the finding."""
    drop = np.zeros(len(frame), dtype=bool)
    parts: list[str] = []
    for field in fields:
        wanted = [s for s, t in mapping.values.get(field.name, {}).items() if t == LEAVE_OUT]
        column = mapping.columns.get(field.name)
        if not wanted or column is None or column not in available:
            continue
        raw = frame[column]
        text = _source_text(raw, _blank(raw).to_numpy())
        hit = text.isin(wanted).fillna(False).to_numpy(dtype=bool)
        drop |= hit
        for value, count in text[hit].value_counts().items():
            noun = "row whose" if count == 1 else "rows whose"
            parts.append(f"{count} {noun} {column} is {str(value)!r}")
    if not drop.any():
        return frame, []
    rows = frame[SOURCE_ROW].to_numpy(dtype=np.int64)[drop]
    shown = parts[:_SHOWN_VALUES]
    if len(parts) > _SHOWN_VALUES:
        shown.append(f"rows of {len(parts) - _SHOWN_VALUES} more values")
    said = (", ".join(shown[:-1]) + " and " + shown[-1]) if len(shown) > 1 else shown[0]
    verb = "was" if len(rows) == 1 else "were"
    findings = [
        row_finding(
            "rows_left_out",
            "warning",
            rows,
            f"{said} {verb} left out, as the mapping says ({describe_rows(rows)}). To keep "
            "them, map those values onto valid ones instead.",
        )
    ]
    if drop.all():
        findings.append(
            Finding(
                "all_rows_left_out",
                "error",
                "The mapping leaves out every row, so nothing would be stored. Map at least "
                "one of those values onto a valid value, or choose another layer kind.",
                count=len(rows),
            )
        )
    return frame[~drop], findings


def _source_text(raw: pd.Series, blank: np.ndarray) -> pd.Series:
    """A column's values as the text a value table is matched on (blank rows missing).

    Spaces at the ends are stripped and whole floats read as integers (``123.0`` -> ``"123"``).
    """
    if pd.api.types.is_float_dtype(raw) and bool((raw.dropna() % 1 == 0).all()):
        raw = raw.astype("Int64")  # ids such as 123.0 read back as 123
    return raw.astype("string").str.strip().mask(blank)


def distinct_values(frame: gpd.GeoDataFrame, *, limit: int = 50) -> dict[str, list[str]]:
    """The values of each column with at most ``limit`` distinct ones, most common first.

    For the value table of the mapping: the geometry and ``_source_row`` are skipped, as are
    columns with more than ``limit`` distinct values. Values are given as the text a value
    table is matched on (see ``apply_mapping``); missing and blank values are not listed.
    Columns are ruled out on their first rows before all rows are counted.

    >>> f = gpd.GeoDataFrame({"category": ["Cultural", "Natural", "Cultural"],
    ...                       "id_no": [1.0, 2.0, 3.0], "_source_row": [1, 2, 3]},
    ...                      geometry=gpd.points_from_xy([30, 24, 28], [50, 49, 47]),
    ...                      crs="EPSG:4326")
    >>> distinct_values(f, limit=2)
    {'category': ['Cultural', 'Natural']}
    """
    out: dict[str, list[str]] = {}
    geometry = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    for column in frame.columns:
        if column in (geometry, SOURCE_ROW):
            continue
        values = frame[column]
        if isinstance(values, pd.DataFrame):  # a repeated column name: not one column
            continue
        if _more_than(values.iloc[:_DISTINCT_PROBE].drop_duplicates(), limit):
            continue
        counts = _counts(values, limit)
        if counts is None:
            continue
        uniques = pd.Series(counts.index)
        text = _source_text(uniques, _blank(uniques).to_numpy())
        present = text.notna().to_numpy()
        merged = (
            pd.Series(counts.to_numpy()[present], index=text.to_numpy()[present])
            .groupby(level=0, sort=False)
            .sum()
            .sort_values(ascending=False, kind="stable")
        )
        if 0 < len(merged) <= limit:
            out[str(column)] = [str(v) for v in merged.index]
    return out


def _counts(values: pd.Series, limit: int) -> pd.Series | None:
    """How often each value occurs, or None as soon as there are surely too many values."""
    total: pd.Series | None = None
    for start in range(0, len(values), _DISTINCT_CHUNK):
        counts = values.iloc[start : start + _DISTINCT_CHUNK].value_counts(sort=False)
        if _more_than(pd.Series(counts.index), limit):
            return None
        total = counts if total is None else total.add(counts, fill_value=0)
        if _more_than(pd.Series(total.index), limit):
            return None
    return None if total is None else total.astype("int64")


def _more_than(uniques: pd.Series, limit: int) -> bool:
    """Whether distinct raw values surely give more than ``limit`` distinct texts.

    Raw values that differ may give one text (``"a "`` and ``"a"``; a blank gives none), so
    above ``limit`` the texts of the first few are counted: cheap, and never wrongly true.
    """
    if len(uniques) <= limit:
        return False
    head = uniques.iloc[: 10 * limit + 1]
    return int(_source_text(head, _blank(head).to_numpy()).nunique()) > limit


def _empty(field: FieldSpec, index: pd.Index) -> pd.Series:
    dtype = {
        "text": "string",
        "int": "Int64",
        "float": "float64",
        "bool": "boolean",
        "datetime": "datetime64[us, UTC]",
    }[field.type]
    return pd.Series(index=index, dtype=dtype)


def _blank(values: pd.Series) -> pd.Series:
    missing = values.isna()
    if values.dtype == object or pd.api.types.is_string_dtype(values):
        text = values.astype("string").str.strip()
        missing = missing | (text == "").fillna(False)
    return missing.astype(bool)


def _convert(
    raw: pd.Series,
    field: FieldSpec,
    *,
    rows: np.ndarray,
    label: str,
    value_map: Mapping[str, str],
    blank: np.ndarray,
) -> tuple[pd.Series, list[Finding]]:
    if field.type == "text":
        return _convert_text(raw, field, rows=rows, label=label, value_map=value_map, blank=blank)
    findings: list[Finding] = []
    problem = ""
    if field.type in ("int", "float"):
        result = to_numbers(raw, field)
        bad = ~blank & result.isna().to_numpy()
        problem = "are not numbers"
        if field.type == "int":
            fractional = result.notna().to_numpy() & (result.fillna(0) % 1 != 0).to_numpy()
            if fractional.any():
                findings.append(
                    _value_finding(field, rows, fractional, label, "are not whole numbers")
                )
                result = result.mask(fractional)
        low, high = _range_of(field)
        outside = result.notna().to_numpy() & ~result.between(low, high).to_numpy()
        if outside.any():
            findings.append(
                _value_finding(field, rows, outside, label, f"lie outside {low:g}..{high:g}")
            )
            result = result.mask(outside)
        converted: pd.Series = result.round().astype("Int64") if field.type == "int" else result
    elif field.type == "bool":
        converted = to_bools(raw)
        bad = ~blank & converted.isna().to_numpy()
        problem = "are not yes/no values (1/0, true/false, yes/no)"
    else:
        converted, note = to_dates(raw)
        bad = ~blank & converted.isna().to_numpy()
        problem = (
            "are not dates (or not in the format of the other rows); write them as ISO 8601, "
            "e.g. 2022-03-08"
        )
        if note:
            findings.append(
                Finding(
                    "date_format_assumed", "info", f"{label}: {note}", count=int((~blank).sum())
                )
            )
    if bad.any():
        findings.insert(0, _value_finding(field, rows, bad, label, problem, raw=raw))
    return converted, findings


def _category_source(
    frame: gpd.GeoDataFrame, mapping: FieldMapping, available: list[str]
) -> dict[str, pd.Series]:
    """The category as the source wrote it, when it comes from a column (kept beside ours)."""
    column = mapping.columns.get("category")
    if (
        column not in available
        or "category" not in KIND_SPECS[parse_kind(mapping.kind)].field_names
    ):
        return {}
    return {CATEGORY_SOURCE: _source_text(frame[column], _blank(frame[column]).to_numpy())}


def _convert_text(
    raw: pd.Series,
    field: FieldSpec,
    *,
    rows: np.ndarray,
    label: str,
    value_map: Mapping[str, str],
    blank: np.ndarray,
) -> tuple[pd.Series, list[Finding]]:
    text = _source_text(raw, blank)
    if field.allowed is None:
        return text, []
    mapped = text.map(dict(value_map), na_action="ignore") if value_map else text.copy()
    result = mapped.astype("string").fillna(text) if value_map else text
    # a value equal to an allowed one but for case or spacing ("Hospital") is that value
    result = normalise_allowed(result.astype("string"), field.allowed)
    bad = (result.notna() & ~result.isin(field.allowed)).to_numpy()
    if not bad.any():
        return result.astype("string"), []
    unmapped = pd.unique(text[bad])
    shown = choices(unmapped[:_SHOWN_VALUES])
    if OTHER_CATEGORY in field.allowed:  # kept as 'other', the source's word in category_source
        example = shlex.quote(f"{field.name}:{unmapped[0]}={field.allowed[0]}")
        finding = row_finding(
            "category_other",
            "warning",
            rows[bad],
            f"{label}: {describe_rows(rows[bad])} hold {shown}, which fit no category; they "
            f"are stored as {OTHER_CATEGORY!r} with the source's value kept in "
            f"'category_source'. Map them onto a category if they belong to one (Data page: "
            f"the value table; CLI: --value {example}).",
        )
        return result.mask(bad, OTHER_CATEGORY).astype("string"), [finding]
    if field.required:
        example = shlex.quote(f"{field.name}:{unmapped[0]}=")
        severity: Severity = "error"
        how = (
            "Map them onto a valid value or leave those rows out (Data page: the value "
            f"table; CLI: --value {example}), or correct the file."
        )
    else:
        example = shlex.quote(f"{field.name}:{unmapped[0]}={field.allowed[0]}")
        severity = "warning"
        how = (
            "Map them onto a valid value (Data page: the value table; CLI: --value "
            f"{example}), or correct the file. They are left empty."
        )
    finding = row_finding(
        "value_not_allowed",
        severity,
        rows[bad],
        f"{label}: {describe_rows(rows[bad])} hold {shown}, which are not valid values "
        f"({choices(field.allowed)}). {how}",
    )
    return result.mask(bad).astype("string"), [finding]


def _value_finding(
    field: FieldSpec,
    rows: np.ndarray,
    bad: np.ndarray,
    label: str,
    problem: str,
    *,
    raw: pd.Series | None = None,
) -> Finding:
    examples = ""
    if raw is not None:
        shown = [str(v) for v in pd.unique(raw[bad])[:3]]
        examples = " (e.g. " + ", ".join(repr(v) for v in shown) + ")"
    if field.required:
        return row_finding(
            "value_invalid",
            "error",
            rows[bad],
            f"{label}: {describe_rows(rows[bad])} {problem}{examples}. Correct them in the file "
            "or map another column.",
        )
    return row_finding(
        "value_invalid",
        "warning",
        rows[bad],
        f"{label}: {describe_rows(rows[bad])} {problem}{examples}; they are left empty. "
        "Correct them in the file if they matter.",
    )


def _range_of(field: FieldSpec) -> tuple[float, float]:
    if field.name.startswith("share_"):
        return 0.0, 1.0
    return 0.0, float("inf")


def _duplicate_ids(ids: pd.Series, rows: np.ndarray, kind: LayerKind) -> list[Finding]:
    duplicated = (ids.notna() & ids.duplicated(keep=False)).to_numpy()
    if not duplicated.any():
        return []
    shown = choices(pd.unique(ids[duplicated])[:_SHOWN_VALUES])
    return [
        row_finding(
            "id_duplicate",
            "error",
            rows[duplicated],
            f"{kind}.id: {describe_rows(rows[duplicated])} share ids ({shown}); every feature "
            "needs its own. Map another id column, or leave id unmapped to number the rows.",
        )
    ]


def _extra_columns(
    frame: gpd.GeoDataFrame, columns: list[str], fields: tuple[str, ...]
) -> tuple[dict[str, pd.Series], dict[str, str]]:
    """Unmapped columns under sanitised unique names, and the renames made."""
    taken = set(fields) | RESERVED_COLUMNS
    extras: dict[str, pd.Series] = {}
    renamed: dict[str, str] = {}
    for column in columns:
        base = re.sub(r"[^a-z0-9_]+", "_", normalise_name(column)).strip("_") or "column"
        if base[0].isdigit():
            base = "c_" + base
        name, n = base, 1
        while name in taken:
            n += 1
            name = f"{base}_{n}"
        taken.add(name)
        values = frame[column]
        if values.dtype == object:
            values = values.astype("string")
        extras[name] = values
        if name != column:
            renamed[str(column)] = name
    return extras, renamed
