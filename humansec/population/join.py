"""Population tables (COD-PS style) joined to a stored area layer by P-code, never by name.

A table is a CSV or an XLSX sheet with one row per unit: a P-code column (``ADM1_PCODE``;
``pcode``), totals ``T_TL`` (everyone), ``F_TL`` (female), ``M_TL`` (male) and age bands
``F_00_04``, ``M_80Plus``, ``T_15_19``... , with or without an HXL hashtag row under the
header. The band columns become the area fields ``band_column`` names (``female_age_0_4``,
``male_age_80_plus``, ``age_15_19``).

``join_population`` gives the layer's rows their figures by exact P-code (case and outer
spaces ignored) and a report: codes of the table not in the layer, codes of the layer not in
the table, codes that occur twice (on either side: such a code is not joined at all) and rows
whose female + male differs from the total by more than ``SEX_TOLERANCE``. The figures of the
previous version are replaced: an area not in the table has none afterwards.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from humansec.errors import IngestError, SchemaError, choices
from humansec.model import AREA_COUNT_FIELDS, LayerKind, conform
from humansec.population.bands import band_column, column_band, parse_age_band
from humansec.store.base import LayerRecord, LayerStore, NewLayer

SEX_TOLERANCE = 0.005
"""Female + male may differ from the total by this share of the total (0.5 %) unreported."""

_TOTALS: Mapping[str, str] = {"t_tl": "population", "f_tl": "female", "m_tl": "male"}
_SEX_PREFIX: Mapping[str, str] = {"t": "total", "f": "female", "m": "male"}
_BAND_COLUMN = re.compile(r"^(?P<sex>[tfm])_(?P<band>\d{1,3}(?:_\d{1,3}|_?plus))$", re.IGNORECASE)
_PCODE_COLUMN = re.compile(r"^adm(?P<level>[0-4])_pcode$", re.IGNORECASE)


@dataclass(frozen=True)
class PopulationTable:
    """A population table read from a file: one row per P-code, counts as numbers.

    ``frame`` holds ``pcode`` and the area fields (``population``, ``female``, ``male``, band
    fields); ``columns`` maps each of those fields to the table's column it came from.
    """

    frame: pd.DataFrame
    file_name: str
    sha256: str
    sheet: str | None
    pcode_column: str
    columns: Mapping[str, str]


@dataclass(frozen=True)
class JoinReport:
    """What a join matched and what it could not."""

    matched: int
    table_rows: int
    layer_rows: int
    unmatched_in_table: tuple[str, ...]
    unmatched_in_layer: tuple[str, ...]
    duplicated_in_table: tuple[str, ...]
    duplicated_in_layer: tuple[str, ...]
    sex_mismatch: tuple[tuple[str, int, int], ...] = field(default=())
    """(P-code, total, female + male) of rows off by more than ``SEX_TOLERANCE``."""

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready copy (printed by the CLI, kept in the version's provenance)."""
        return {
            "matched": self.matched,
            "table_rows": self.table_rows,
            "layer_rows": self.layer_rows,
            "unmatched_in_table": list(self.unmatched_in_table),
            "unmatched_in_layer": list(self.unmatched_in_layer),
            "duplicated_in_table": list(self.duplicated_in_table),
            "duplicated_in_layer": list(self.duplicated_in_layer),
            "sex_mismatch": [
                {"pcode": p, "total": t, "female_plus_male": s} for p, t, s in self.sex_mismatch
            ],
        }

    def lines(self) -> list[str]:
        """The report in sentences, for a person."""
        out = [f"{self.matched} of {self.layer_rows} areas got the figures of the table."]
        for label, codes in (
            ("P-codes of the table not in the layer", self.unmatched_in_table),
            ("P-codes of the layer not in the table", self.unmatched_in_layer),
            ("P-codes twice in the table (not joined)", self.duplicated_in_table),
            ("P-codes twice in the layer (not joined)", self.duplicated_in_layer),
        ):
            if codes:
                out.append(f"{label}: {len(codes)} ({_first(codes)}).")
        if self.sex_mismatch:
            shown = ", ".join(f"{p} ({t:,} vs {s:,})" for p, t, s in self.sex_mismatch[:10])
            out.append(
                f"Female + male differs from the total by more than {SEX_TOLERANCE:.1%} in "
                f"{len(self.sex_mismatch)} rows: {shown}."
            )
        return out


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_population_table(
    path: Path, *, level: int | None = None, sheet: str | None = None
) -> PopulationTable:
    """Read a COD-PS style table from a CSV or XLSX file.

    ``level`` is the admin level of the layer it will join (its ``ADM<level>_PCODE`` column is
    the key, and picks the sheet of a workbook); ``sheet`` names the sheet instead. Raises
    IngestError naming the fix when no P-code or count column is found.
    """
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        raw, chosen = _read_workbook(path, level=level, sheet=sheet)
    elif suffix in {".csv", ".txt"}:
        raw, chosen = _read_csv(path), None
    else:
        msg = f"{path.name}: a population table must be a .csv or .xlsx file."
        raise IngestError(msg)
    return _table(raw, path=path, sheet=chosen, level=level)


def _read_csv(path: Path) -> pd.DataFrame:
    from humansec.ingest.tabular import sniff_delimiter  # noqa: PLC0415

    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        msg = f"{path.name} is not UTF-8 text; save the table as CSV UTF-8 and try again."
        raise IngestError(msg) from None
    from io import StringIO  # noqa: PLC0415

    return pd.read_csv(StringIO(text), sep=sniff_delimiter(text), dtype=str, keep_default_na=False)


def _read_workbook(path: Path, *, level: int | None, sheet: str | None) -> tuple[pd.DataFrame, str]:
    from humansec.ingest.archive import check_xlsx  # noqa: PLC0415
    from humansec.ingest.limits import IngestLimits  # noqa: PLC0415
    from humansec.ingest.tabular import open_workbook, sheet_rows  # noqa: PLC0415

    check_xlsx(path, IngestLimits())  # no entities, external references or zip bombs
    workbook = open_workbook(path)
    try:
        names = list(workbook.sheetnames)
        headers = {
            name: [
                str(v).strip()
                for v in next(workbook[name].iter_rows(max_row=1, values_only=True), ())
                if v is not None
            ]
            for name in names
        }
        if sheet is None:
            sheet = _choose_sheet(headers, level, path.name)
        elif sheet not in names:
            msg = f"{path.name} has no sheet {sheet!r}; choose one of {choices(names)}."
            raise IngestError(msg)
        rows = sheet_rows(workbook[sheet])
    finally:
        workbook.close()
    if not rows:
        msg = f"The sheet {sheet!r} of {path.name} is empty; choose the sheet of the table."
        raise IngestError(msg)
    header = [str(v).strip() if v is not None else "" for v in rows[0]]
    frame = pd.DataFrame.from_records(rows[1:], columns=range(len(header)))
    frame.columns = pd.Index(header)
    return frame.loc[:, [c for c in frame.columns if c]], sheet


def _choose_sheet(headers: Mapping[str, list[str]], level: int | None, file_name: str) -> str:
    """The sheet with the P-code column of ``level`` (else the deepest P-code column)."""
    best: tuple[int, str] | None = None
    for name, columns in headers.items():
        levels = [int(m["level"]) for c in columns if (m := _PCODE_COLUMN.match(c))]
        has_counts = any(c.lower() in _TOTALS or _BAND_COLUMN.match(c) for c in columns)
        if not levels or not has_counts:
            continue
        if level is not None:
            if level in levels and max(levels) == level:
                return name
            continue
        if best is None or max(levels) > best[0]:
            best = (max(levels), name)
    if best is not None:
        return best[1]
    wanted = f"an ADM{level}_PCODE column" if level is not None else "a P-code column"
    msg = (
        f"No sheet of {file_name} has {wanted} with population counts (T_TL, F_TL, M_TL or "
        f"age bands such as F_00_04); its sheets are {choices(headers)}. Name the sheet "
        "(--sheet) or give a table of the layer's level."
    )
    raise IngestError(msg)


def _table(
    raw: pd.DataFrame, *, path: Path, sheet: str | None, level: int | None
) -> PopulationTable:
    columns = [str(c) for c in raw.columns]
    raw = raw.copy()
    raw.columns = pd.Index(columns)
    if (
        len(raw)
        and all(str(v).strip().startswith("#") for v in raw.iloc[0].tolist() if _present(v))
        and any(_present(v) for v in raw.iloc[0].tolist())
    ):
        raw = raw.iloc[1:]  # the HXL hashtag row (#adm1+code, #population+f+total ...)
    pcode_column = _pcode_column(columns, level, path.name)
    mapping: dict[str, str] = {}
    for column in columns:
        key = column.strip().lower()
        if key in _TOTALS:
            mapping.setdefault(_TOTALS[key], column)
            continue
        match = _BAND_COLUMN.match(column.strip())
        if match is not None:
            band = parse_age_band(match["band"].replace("plus", "+").replace("Plus", "+"))
            sex = _SEX_PREFIX[match["sex"].lower()]
            mapping.setdefault(band_column(band, sex), column)  # type: ignore[arg-type]
    if not mapping:
        msg = (
            f"{path.name}{f' (sheet {sheet!r})' if sheet else ''} has no population counts: "
            f"expected T_TL, F_TL, M_TL or age bands such as F_00_04, M_80Plus; its columns "
            f"are {choices(columns)}."
        )
        raise IngestError(msg)
    data: dict[str, pd.Series] = {
        "pcode": raw[pcode_column].map(_code).astype("string").reset_index(drop=True)
    }
    for target, column in mapping.items():
        values = pd.to_numeric(raw[column].map(_number_text), errors="coerce").reset_index(
            drop=True
        )
        bad = values.isna() & raw[column].map(_present).reset_index(drop=True)
        if bad.any():
            rows = ", ".join(str(i + 2) for i in np.flatnonzero(bad.to_numpy())[:10])
            msg = f"{path.name}: column {column!r} holds values that are not numbers (rows {rows})."
            raise IngestError(msg)
        data[target] = values.round().astype("Int64")
    frame = pd.DataFrame(data)
    frame = frame[frame["pcode"].notna()].reset_index(drop=True)
    return PopulationTable(
        frame=frame,
        file_name=path.name,
        sha256=sha256_of(path),
        sheet=sheet,
        pcode_column=pcode_column,
        columns=mapping,
    )


def _pcode_column(columns: list[str], level: int | None, file_name: str) -> str:
    found = {int(m["level"]): c for c in columns if (m := _PCODE_COLUMN.match(c.strip()))}
    if level is not None and level in found:
        return found[level]
    if level is None and found:
        return found[max(found)]
    plain = [c for c in columns if c.strip().lower() in {"pcode", "p_code", "admin_pcode"}]
    if plain:
        return plain[0]
    wanted = f"ADM{level}_PCODE" if level is not None else "ADMn_PCODE"
    msg = (
        f"{file_name} has no P-code column ({wanted} or pcode); its columns are "
        f"{choices(columns)}. Population tables are joined by P-code only, never by name."
    )
    raise IngestError(msg)


def join_population(
    areas: gpd.GeoDataFrame,
    table: PopulationTable,
    *,
    date: str | None = None,
    tolerance: float = SEX_TOLERANCE,
) -> tuple[gpd.GeoDataFrame, JoinReport]:
    """Return ``areas`` (a conformed area layer) with the table's figures, and the report.

    The previous figures (``population``, ``female``, ``male``, every band field) are replaced;
    ``population_source`` names the table and ``population_date`` is ``date`` (ISO 8601).
    """
    if "pcode" not in areas.columns or areas["pcode"].isna().all():
        msg = (
            "The area layer has no P-codes: a population table is joined by P-code only. "
            "Store the areas with their P-code column mapped to 'pcode' (COD-AB: ADMn_PCODE)."
        )
        raise SchemaError(msg)
    layer_codes = areas["pcode"].map(_code)
    table_codes = table.frame["pcode"]
    dup_layer = _duplicates(layer_codes)
    dup_table = _duplicates(table_codes)
    usable = table.frame[~table_codes.isin(dup_table)].set_index("pcode")
    keys = layer_codes.where(~layer_codes.isin(dup_layer))
    matched = keys.isin(usable.index) & keys.notna()
    out = areas.drop(
        columns=[c for c in areas.columns if isinstance(c, str) and column_band(c)]
    ).copy()
    counts = [c for c in usable.columns if c != "pcode"]
    for name in (*AREA_COUNT_FIELDS, *counts):
        column = usable[name] if name in usable.columns else None
        values = pd.Series(pd.NA, index=out.index, dtype="Int64")
        if column is not None:
            values[matched.to_numpy()] = column.reindex(keys[matched]).to_numpy()
        out[name] = values
    source = table.file_name + (f", sheet {table.sheet}" if table.sheet else "")
    out["population_source"] = pd.Series(
        [source if m else None for m in matched.tolist()], index=out.index, dtype="string"
    )
    out["population_date"] = pd.Series(
        [date if m and date else None for m in matched.tolist()], index=out.index, dtype=object
    )
    present_layer = set(layer_codes.dropna())
    present_table = set(table_codes.dropna())
    report = JoinReport(
        matched=int(matched.sum()),
        table_rows=len(table.frame),
        layer_rows=len(areas),
        unmatched_in_table=tuple(sorted(present_table - present_layer)),
        unmatched_in_layer=tuple(sorted(present_layer - present_table)),
        duplicated_in_table=tuple(sorted(dup_table)),
        duplicated_in_layer=tuple(sorted(dup_layer)),
        sex_mismatch=_sex_mismatch(table.frame, tolerance),
    )
    return conform(out, LayerKind.AREA), report


def _sex_mismatch(frame: pd.DataFrame, tolerance: float) -> tuple[tuple[str, int, int], ...]:
    if not {"population", "female", "male"} <= set(frame.columns):
        return ()
    total = frame["population"].astype("Float64")
    both = frame["female"].astype("Float64") + frame["male"].astype("Float64")
    off = ((both - total).abs() > tolerance * total.abs()).fillna(False).to_numpy(dtype=bool)
    return tuple(
        (str(p), int(t), int(s))
        for p, t, s in zip(
            frame["pcode"][off].tolist(), total[off].tolist(), both[off].tolist(), strict=True
        )
    )


def _duplicates(codes: pd.Series) -> set[str]:
    present = codes.dropna()
    return set(present[present.duplicated()].tolist())


def _code(value: object) -> str | None:
    """A P-code as compared: text, outer spaces removed, upper case; None when empty."""
    if not _present(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip().upper()
    return text or None


def _number_text(value: object) -> object:
    if isinstance(value, str):
        return value.strip().replace(",", "").replace("\u00a0", "").replace(" ", "") or None
    return value


def _present(value: object) -> bool:
    if value is None:
        return False
    if isinstance(value, float) and np.isnan(value):
        return False
    return not (isinstance(value, str) and not value.strip())


def _first(codes: Iterable[str], limit: int = 10) -> str:
    items = list(codes)
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


@dataclass(frozen=True)
class JoinOutcome:
    """A join stored: the new version's record and the report."""

    record: LayerRecord
    report: JoinReport
    table: PopulationTable


def join_to_layer(
    store: LayerStore,
    layer_id: str,
    path: Path,
    *,
    sheet: str | None = None,
    date: str | None = None,
) -> JoinOutcome:
    """Join the population table at ``path`` to the stored area layer ``layer_id`` by P-code
    and store the result as a new version of that layer (provenance: the table's file name,
    sheet, SHA-256 and the report). Nothing is stored when the table or layer is refused, or
    when not one area matches."""
    records = {r.layer_id: r for r in store.catalogue()}
    if layer_id not in records:
        msg = (
            f"No active layer {layer_id!r}; the area layers are "
            f"{choices(r.layer_id for r in records.values() if r.kind is LayerKind.AREA)}."
        )
        raise SchemaError(msg)
    current = records[layer_id]
    if current.kind is not LayerKind.AREA:
        msg = (
            f"The layer {layer_id!r} holds {current.kind}, not reference areas: a population "
            "table joins an area layer (store the boundaries with --kind area first)."
        )
        raise SchemaError(msg)
    areas = store.read_layer(layer_id)
    levels = areas["admin_level"].dropna()
    level = int(levels.max()) if len(levels) else None
    table = read_population_table(path, level=level, sheet=sheet)
    joined, report = join_population(areas, table, date=date)
    if report.matched == 0:
        msg = (
            f"Not one P-code of {table.file_name} ({table.pcode_column}: "
            f"{_first(table.frame['pcode'].dropna().tolist(), 5)}) is in the layer "
            f"{layer_id!r} ({_first(areas['pcode'].dropna().astype(str).tolist(), 5)}); "
            "nothing was stored. Join the table of the layer's admin level."
        )
        raise SchemaError(msg)
    provenance = {
        **dict(current.provenance),
        "population_table": {
            "file": table.file_name,
            "sha256": table.sha256,
            "sheet": table.sheet,
            "pcode_column": table.pcode_column,
            "columns": dict(table.columns),
            "date": date,
            "report": report.as_dict(),
        },
    }
    meta = NewLayer(
        kind=LayerKind.AREA,
        title=current.title,
        source=f"{current.source}; population: {table.file_name}",
        licence=current.licence,
        classification=current.classification,
        exercise=current.exercise,
        provenance=provenance,
    )
    record = store.add_version(joined, meta, layer_id=layer_id)
    return JoinOutcome(record=record, report=report, table=table)
