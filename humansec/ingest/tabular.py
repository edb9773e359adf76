"""CSV and XLSX uploads: a table with coordinate, WKT or MGRS columns becomes a WGS84 frame.

Runs inside the upload worker process (the XLSX zip has been checked before). The table is
read as text first, so nothing is coerced silently; then

- the HXL hashtag row (the first row after the header whose non-empty cells all start with
  ``#``) is recognised, kept in ``facts["hxl"]`` and not read as data;
- the geometry comes from, in this order: a WKT column, a pair of coordinate columns found by
  name (lat/lon, latitude/longitude, lat/lng, y/x, ``Y Latitude``/``X Longitude``,
  ``#geo+lat``/``#geo+lon``), or an MGRS column;
- other columns whose every value is a number become numbers (codes with leading zeros such
  as P-codes stay text).

``_source_row`` counts data rows the way the analyst sees them: 1 is the first row after the
header (and after the HXL row when there is one); blank rows are counted but not kept.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pa_compute
import pyarrow.csv as pa_csv
import shapely
from pandas.api.types import infer_dtype
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError, ProjError

from humansec.coords import from_mgrs
from humansec.errors import CoordinateError, IngestError, choices
from humansec.ingest.encoding import decode_text_file
from humansec.ingest.types import SOURCE_ROW, Finding, SourceFormat
from humansec.model import WGS84

DELIMITERS = (",", ";", "\t", "|")
WKT_COLUMNS = ("wkt", "geom_wkt", "geometry", "the_geom")
MISSING_TEXT = frozenset({"", "na", "n/a", "nan", "null", "none", "-"})
"""Coordinate cells holding one of these (any case) count as empty."""

_LAT_TOKENS = frozenset({"lat", "latitude", "ylat"})
_LON_TOKENS = frozenset({"lon", "long", "lng", "longitude", "longtitude", "xlon", "xlong"})
_MAX_ROWS_NAMED = 200
_SNIFF_BYTES = 64_000
_NUMERIC_PROBE = 1000
_LEADING_ZERO = re.compile(r"^[+-]?0\d")
_NOT_NUMBERS = (MISSING_TEXT - {""}) | {"inf", "-inf", "+inf", "infinity", "-infinity"}
_DECIMAL_COMMA = re.compile(r"^\s*[+-]?\d+,\d+\s*$")
# 50°27'N, 50° 27' 12.5" N, N50 27 12, -50:27:12 (degrees, minutes, seconds, hemisphere).
_DMS = re.compile(
    r"""^\s*(?P<h1>[NSEWnsew])?\s*(?P<sign>[+-])?(?P<d>\d+(?:[.,]\d+)?)\s*[°º:d\s]?\s*
    (?:(?P<m>\d+(?:[.,]\d+)?)\s*['′:m\s]?\s*)?(?:(?P<s>\d+(?:[.,]\d+)?)\s*(?:"|″|''|s)?\s*)?
    (?P<h2>[NSEWnsew])?\s*$""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class CoordinatePair:
    """Two columns that hold one point: ``y`` (latitude or northing) and ``x``."""

    y: str
    x: str
    prefix: str  # "" for a plain pair; "from", "to", ... otherwise
    geographic: bool  # named lat/lon (True) or y/x (False)

    def as_dict(self) -> dict[str, str]:
        """A JSON-ready copy for ``facts``."""
        return {"y": self.y, "x": self.x, "prefix": self.prefix}


@dataclass(frozen=True)
class GeometryColumns:
    """Where a table's geometry comes from: one of ``wkt``, ``pairs`` or ``mgrs``."""

    wkt: str | None = None
    pairs: tuple[CoordinatePair, ...] = ()
    mgrs: str | None = None

    @property
    def found(self) -> bool:
        """True when the table has some geometry source."""
        return bool(self.wkt or self.pairs or self.mgrs)


def list_sheets(path: Path) -> list[str]:
    """The sheet names of an XLSX workbook, in workbook order."""
    workbook = open_workbook(path)
    try:
        return list(workbook.sheetnames)
    finally:
        workbook.close()


def read_table(
    path: Path,
    fmt: SourceFormat,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    crs: str | None = None,
) -> tuple[gpd.GeoDataFrame, list[Finding], dict[str, object]]:
    """Read a CSV or XLSX file into an EPSG:4326 frame of its own columns.

    Parameters
    ----------
    path
        The file (CSV text or an XLSX workbook whose zip has been checked).
    fmt
        ``SourceFormat.CSV`` or ``SourceFormat.XLSX``.
    sheet
        The XLSX sheet to read. Without it a workbook of one sheet is read; of several, the
        one sheet with coordinate columns is read (said in an info Finding), else an
        IngestError lists the sheets.
    encoding
        The CSV's text encoding; guessed when None (a warning Finding says so).
    crs
        The CRS of the coordinates (e.g. ``EPSG:32636``). Without it lat/lon columns and
        WKT in degrees are taken as WGS84 (info Finding); x/y columns or WKT in metres are
        refused with a message asking for it.

    Returns
    -------
    frame, findings, facts
        The file's columns (names stripped and made unique), ``_source_row`` and the point
        (or WKT) geometry, in EPSG:4326; rows without coordinates are left out (a warning
        names them). ``facts`` holds what was found: delimiter, encoding, sheet, hxl tags,
        the geometry source, coordinate candidates, counts.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     p = Path(tmp) / "a.csv"
    ...     _ = p.write_text("name,lat,lon\\nKyiv,50.45,30.52\\n")
    ...     frame, findings, facts = read_table(p, SourceFormat.CSV)
    >>> frame.geometry.iloc[0].wkt, list(frame.columns)
    ('POINT (30.52 50.45)', ['name', 'lat', 'lon', '_source_row', 'geometry'])

    """
    findings: list[Finding] = []
    facts: dict[str, object] = {"format": str(fmt)}
    if fmt == SourceFormat.CSV:
        raw, delimiter = _read_csv_text(path, encoding, findings, facts)
    elif fmt == SourceFormat.XLSX:
        raw = _read_xlsx(path, sheet, findings, facts)
        delimiter = ","
    else:
        msg = f"read_table reads CSV and XLSX files, not {fmt}; use the vector reader."
        raise IngestError(msg)
    table = _to_table(raw, facts)
    if fmt == SourceFormat.XLSX:
        cells = [c for c in table.columns if c != SOURCE_ROW]
        table[cells] = table[cells].apply(_typed_cells)
    facts["rows_read"] = len(table)
    hxl_tags = facts.get("hxl")
    found = find_geometry_columns(
        list(table.columns), hxl_tags if isinstance(hxl_tags, Mapping) else None
    )
    if not found.found:
        msg = (
            "No coordinates found: the table has no WKT column, no latitude/longitude (or y/x) "
            "column pair and no MGRS column. Name the columns e.g. 'lat' and 'lon' (or "
            "'latitude'/'longitude', '#geo+lat'/'#geo+lon', 'wkt', 'mgrs') and upload again. "
            f"Its columns are: {choices(c for c in table.columns if c != SOURCE_ROW)}."
        )
        raise IngestError(msg)
    table = _rename_reserved(table, found, findings)
    frame = _with_geometry(
        table, found, delimiter=delimiter, crs=crs, findings=findings, facts=facts
    )
    frame = _convert_numbers(frame, delimiter, exclude=_geometry_column_names(found))
    return frame, findings, facts


# --- reading ------------------------------------------------------------------------------


def _read_csv_text(
    path: Path, encoding: str | None, findings: list[Finding], facts: dict[str, object]
) -> tuple[pd.DataFrame, str]:
    text, used, finding = decode_text_file(path.read_bytes(), encoding=encoding)
    facts["encoding"] = used
    if finding is not None:
        findings.append(finding)
    delimiter = sniff_delimiter(text)
    facts["delimiter"] = delimiter
    data = path.read_bytes() if used == "utf-8" else text.encode("utf-8")
    try:
        return _read_csv_arrow(data, delimiter, text), delimiter
    except pa.ArrowInvalid:
        pass  # ragged rows: pandas pads short ones and names the line of a long one
    try:
        raw = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            header=None,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skip_blank_lines=False,
            engine="c",
        )
    except pd.errors.EmptyDataError:
        msg = "The CSV file is empty. Upload a file with a header row and data rows."
        raise IngestError(msg) from None
    except pd.errors.ParserError as error:
        msg = (
            f"The CSV file cannot be read as a table ({error}). A row has more fields than "
            "the header: check its quoting and delimiter, or add header names for the extra "
            "columns."
        )
        raise IngestError(msg) from None
    return raw, delimiter


def _read_csv_arrow(data: bytes, delimiter: str, text: str) -> pd.DataFrame:
    """Every cell as text (empty cells null) with pyarrow's multi-threaded reader."""
    header = next(csv.reader(io.StringIO(text[:_SNIFF_BYTES]), delimiter=delimiter), [])
    if not header:
        raise pa.ArrowInvalid("empty")
    names = [f"f{i}" for i in range(len(header))]
    table = pa_csv.read_csv(
        io.BytesIO(data),
        read_options=pa_csv.ReadOptions(column_names=names),
        parse_options=pa_csv.ParseOptions(
            delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False
        ),
        convert_options=pa_csv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()),
            null_values=[""],
            strings_can_be_null=True,
        ),
    )
    raw: pd.DataFrame = table.to_pandas()
    raw.columns = pd.RangeIndex(raw.shape[1])
    return raw


def sniff_delimiter(text: str) -> str:
    """The delimiter of a CSV text: the one of ``,`` ``;`` tab ``|`` that splits the lines
    into the same number (more than one) of fields most consistently.

    >>> sniff_delimiter("a;b;c\\n1,5;2;3\\n")
    ';'
    """
    sample = text[:_SNIFF_BYTES]
    if len(text) > _SNIFF_BYTES and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        rows = [r for r in csv.reader(io.StringIO(sample), delimiter=delimiter) if r]
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        consistent = sum(1 for r in rows if len(r) == width)
        score = (consistent, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def sheet_rows(worksheet: Any) -> list[tuple[object, ...]]:  # noqa: ANN401 - openpyxl sheets
    """Every row of a read-only worksheet as values, padded with None to the widest row."""
    if hasattr(worksheet, "reset_dimensions"):
        worksheet.reset_dimensions()  # some writers store a wrong sheet size
    rows = list(worksheet.iter_rows(values_only=True))
    width = max((len(r) for r in rows), default=0)
    return [tuple(r) + (None,) * (width - len(r)) for r in rows]


def open_workbook(path: Path) -> openpyxl.Workbook:
    """Open an .xlsx read-only (checked beforehand), or say how to save it so it opens."""
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - openpyxl raises zip, XML and key errors alike
        msg = (
            f"The workbook cannot be opened ({type(error).__name__}: {error}). Save it again "
            "as .xlsx from Excel or LibreOffice, or export the sheet as CSV."
        )
        raise IngestError(msg) from None


def _read_xlsx(
    path: Path, sheet: str | None, findings: list[Finding], facts: dict[str, object]
) -> pd.DataFrame:
    workbook = open_workbook(path)
    try:
        names = list(workbook.sheetnames)
        if sheet is not None and sheet not in names:
            msg = f"The workbook has no sheet {sheet!r}. Choose one of: {choices(names)}."
            raise IngestError(msg)
        if sheet is None:
            sheet = _choose_sheet(workbook, names, findings)
        facts["sheet"] = sheet
        rows = sheet_rows(workbook[sheet])
    finally:
        workbook.close()
    if not rows:
        msg = f"The sheet {sheet!r} is empty. Choose the sheet that holds the table."
        raise IngestError(msg)
    raw = pd.DataFrame.from_records(rows, columns=range(len(rows[0])))
    raw = raw.dropna(axis=1, how="all")  # empty columns a sheet's formatting left behind
    raw.columns = pd.RangeIndex(raw.shape[1])
    return raw


def _choose_sheet(workbook: openpyxl.Workbook, names: list[str], findings: list[Finding]) -> str:
    if len(names) == 1:
        return names[0]
    with_coordinates = []
    for name in names:
        worksheet = workbook[name]
        header = next(worksheet.iter_rows(max_row=1, values_only=True), ())
        columns = [str(v).strip() for v in header if v is not None]
        if find_geometry_columns(columns, None).found:
            with_coordinates.append(name)
    if len(with_coordinates) == 1:
        chosen = with_coordinates[0]
        others = [n for n in names if n != chosen]
        findings.append(
            Finding(
                "sheet_chosen",
                "info",
                f"The workbook has {len(names)} sheets; read {chosen!r}, the only one with "
                f"coordinate columns (the others: {choices(others)}). Choose another sheet "
                "(CLI: --source-layer NAME) if that is wrong.",
            )
        )
        return chosen
    msg = (
        f"The workbook has {len(names)} sheets: {choices(names)}. Choose the one to upload "
        "(CLI: --source-layer NAME)."
    )
    raise IngestError(msg)


def _typed_cells(column: pd.Series) -> pd.Series:
    """An XLSX column as numbers or dates when all its cells are, else as text."""
    kind = infer_dtype(column, skipna=True)
    if kind in {"integer", "floating", "mixed-integer-float", "decimal"}:
        return pd.to_numeric(column)
    if kind in {"datetime", "datetime64", "date"}:
        return pd.to_datetime(column, errors="coerce")
    if kind == "boolean":
        return column.astype("boolean")
    text = column.map(_cell_text, na_action="ignore")
    return text.astype("str")


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _to_table(raw: pd.DataFrame, facts: dict[str, object]) -> pd.DataFrame:
    """Header from the first row, the HXL row recognised, blank rows dropped, row numbers."""
    if raw.empty:
        msg = "The table has no header row. Upload a file whose first row names the columns."
        raise IngestError(msg)
    header = unique_names(raw.iloc[0].tolist())
    body = raw.iloc[1:]
    body.columns = pd.Index(header)
    if len(body):
        first = body.iloc[0]
        cells = [str(v).strip() for v in first.tolist() if _present(v)]
        if cells and all(c.startswith("#") for c in cells):
            facts["hxl"] = {
                name: str(value).strip()
                for name, value in zip(header, first.tolist(), strict=True)
                if _present(value)
            }
            body = body.iloc[1:]
    rows = np.arange(1, len(body) + 1)
    blank = np.ones(len(body), dtype=bool)
    for name in body.columns:
        column = body[name]
        empty = column.isna().to_numpy()
        if pd.api.types.is_string_dtype(column) or column.dtype == object:
            empty = empty | (column.astype("str").str.strip() == "").to_numpy()
        blank &= empty
    table = body.loc[~blank].copy()
    table[SOURCE_ROW] = rows[~blank]
    if int(blank.sum()):
        facts["blank_rows"] = int(blank.sum())
    return table.reset_index(drop=True)


def _present(value: object) -> bool:
    if value is None:
        return False
    if isinstance(value, float) and np.isnan(value):
        return False
    return not (isinstance(value, str) and not value.strip())


def unique_names(header: Sequence[object]) -> list[str]:
    """Header cells as column names: stripped, empty ones ``Unnamed: i``, repeats ``name.1``.

    >>> unique_names([" a ", None, "a", ""])
    ['a', 'Unnamed: 1', 'a.1', 'Unnamed: 3']
    """
    names: list[str] = []
    seen: set[str] = set()
    for i, cell in enumerate(header):
        name = str(cell).strip() if _present(cell) else f"Unnamed: {i}"
        candidate, k = name, 0
        while candidate in seen:
            k += 1
            candidate = f"{name}.{k}"
        seen.add(candidate)
        names.append(candidate)
    return names


# --- finding the geometry columns ---------------------------------------------------------


def _tokens(name: str) -> list[str]:
    """``fromLatitude`` -> [from, latitude]; ``Y Latitude`` -> [latitude]; ``#geo+lat`` -> [lat]."""
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", name)
    tokens = [t for t in re.split(r"[^0-9a-zA-Z]+", spaced.lower()) if t]
    if tokens and tokens[0] == "geo" and name.strip().startswith("#"):
        tokens = tokens[1:]  # HXL #geo+lat
    if len(tokens) >= 2 and tokens[0] in {"x", "y"} and tokens[1] in _LAT_TOKENS | _LON_TOKENS:
        tokens = tokens[1:]  # "Y Latitude", "X Longitude"
    return tokens


def _axis(name: str) -> tuple[str, str, bool] | None:
    """(axis 'y' or 'x', prefix, geographic) for a coordinate column name, else None."""
    tokens = _tokens(name)
    for i, token in enumerate(tokens):
        prefix = " ".join(tokens[:i])
        if token in _LAT_TOKENS:
            return "y", prefix, True
        if token in _LON_TOKENS:
            return "x", prefix, True
        if token in {"x", "y"} and i == len(tokens) - 1:
            return token, prefix, False
    return None


def find_geometry_columns(
    columns: Sequence[str], hxl: Mapping[str, object] | None
) -> GeometryColumns:
    """Where the geometry of a table with these column names (and HXL tags) comes from.

    >>> find_geometry_columns(["name", "Y Latitude", "X Longitude"], None).pairs[0].y
    'Y Latitude'
    """
    lowered = {c.strip().lower(): c for c in columns}
    wkt = next((lowered[n] for n in WKT_COLUMNS if n in lowered), None)
    mgrs = next((c for c in columns if "mgrs" in _tokens(c)), None)
    pairs = _pairs(columns)
    if not pairs and hxl:
        lat = next((c for c, t in hxl.items() if _hxl_is(t, "lat")), None)
        lon = next((c for c, t in hxl.items() if _hxl_is(t, "lon")), None)
        if lat is not None and lon is not None:
            pairs = [CoordinatePair(lat, lon, "", geographic=True)]
    return GeometryColumns(wkt=wkt, pairs=tuple(pairs), mgrs=mgrs)


def _hxl_is(tag: object, attribute: str) -> bool:
    parts = [p.strip().lower() for p in str(tag).split("+")]
    return parts[0] == "#geo" and attribute in parts[1:]


def _pairs(columns: Iterable[str]) -> list[CoordinatePair]:
    found: dict[tuple[str, bool], dict[str, str]] = {}
    for column in columns:
        axis = _axis(column)
        if axis is None:
            continue
        which, prefix, geographic = axis
        found.setdefault((prefix, geographic), {}).setdefault(which, column)
    pairs = [
        CoordinatePair(axes["y"], axes["x"], prefix, geographic)
        for (prefix, geographic), axes in found.items()
        if "x" in axes and "y" in axes
    ]
    # Plain pairs first, named lat/lon before x/y; otherwise in column order.
    return sorted(pairs, key=lambda p: (p.prefix != "", not p.geographic))


def _geometry_column_names(found: GeometryColumns) -> set[str]:
    names = {p.y for p in found.pairs} | {p.x for p in found.pairs}
    return names | {n for n in (found.wkt, found.mgrs) if n is not None}


def _rename_reserved(
    table: pd.DataFrame, found: GeometryColumns, findings: list[Finding]
) -> pd.DataFrame:
    """A file column called ``geometry`` that is not the WKT used is renamed out of the way."""
    if "geometry" in table.columns and found.wkt != "geometry":
        new = unique_names([*table.columns, "geometry"])[-1]
        findings.append(
            Finding(
                "column_renamed",
                "info",
                f"The column 'geometry' is not WKT and was renamed {new!r}; the geometry "
                "comes from the coordinates.",
            )
        )
        return table.rename(columns={"geometry": new})
    return table


# --- building the geometry ----------------------------------------------------------------


def _with_geometry(
    table: pd.DataFrame,
    found: GeometryColumns,
    *,
    delimiter: str,
    crs: str | None,
    findings: list[Finding],
    facts: dict[str, object],
) -> gpd.GeoDataFrame:
    if found.wkt is not None:
        geometry = _wkt_geometry(table[found.wkt])
        if geometry.notna().any():
            facts["geometry_source"] = {"kind": "wkt", "columns": [found.wkt]}
            return _finish_wkt(table, found.wkt, geometry, crs, findings)
    if found.pairs:
        pair = found.pairs[0]
        if len(found.pairs) > 1:
            facts["coordinate_candidates"] = [p.as_dict() for p in found.pairs]
            if pair.prefix:
                others = "; ".join(f"{p.y}/{p.x}" for p in found.pairs[1:])
                findings.append(
                    Finding(
                        "coordinate_columns_chosen",
                        "info",
                        f"Several coordinate column pairs: used {pair.y}/{pair.x}; also found "
                        f"{others}. Map the other pair to its own layer if it is wanted.",
                    )
                )
        facts["geometry_source"] = {"kind": "pair", "columns": [pair.y, pair.x]}
        return _point_geometry(table, pair, delimiter, crs, findings)
    assert found.mgrs is not None
    facts["geometry_source"] = {"kind": "mgrs", "columns": [found.mgrs]}
    return _mgrs_geometry(table, found.mgrs, crs, findings)


def _wkt_geometry(values: pd.Series) -> pd.Series:
    text = values.astype("str").where(values.notna())
    cells = np.asarray(text.astype(object).where(text.notna(), None), dtype=object)
    parsed = shapely.from_wkt(cells, on_invalid="ignore")
    return pd.Series(parsed, index=values.index, dtype=object)


def _finish_wkt(
    table: pd.DataFrame,
    column: str,
    geometry: pd.Series,
    crs: str | None,
    findings: list[Finding],
) -> gpd.GeoDataFrame:
    empty = table[column].isna() | (table[column].astype("str").str.strip() == "")
    bad = geometry.isna() & ~empty
    _report_missing(table, empty.to_numpy(), column, findings)
    if bad.any():
        findings.append(
            _row_finding(
                "wkt_invalid",
                "error",
                f"The {column!r} column holds text that is not WKT; those rows are left out. "
                "Write them like 'POINT (30.52 50.45)' (longitude first) and upload again.",
                table,
                bad.to_numpy(),
            )
        )
    keep = ~(empty | bad).to_numpy()
    kept = table.loc[keep].reset_index(drop=True)
    geoms = geometry.loc[keep].reset_index(drop=True)
    if column == "geometry":
        kept = kept.drop(columns=[column])
    frame = gpd.GeoDataFrame(kept, geometry=gpd.GeoSeries(geoms.to_numpy()), crs=None)
    coords = shapely.get_coordinates(frame.geometry.to_numpy())
    return _set_crs(frame, coords[:, 0], coords[:, 1], crs, geographic=None, findings=findings)


def _point_geometry(
    table: pd.DataFrame,
    pair: CoordinatePair,
    delimiter: str,
    crs: str | None,
    findings: list[Finding],
) -> gpd.GeoDataFrame:
    y, y_missing, y_bad = parse_coordinates(table[pair.y], decimal_comma=delimiter != ",")
    x, x_missing, x_bad = parse_coordinates(table[pair.x], decimal_comma=delimiter != ",")
    bad = y_bad | x_bad
    missing = (y_missing | x_missing) & ~bad
    _report_missing(table, missing, f"{pair.y}/{pair.x}", findings)
    if bad.any():
        findings.append(
            _row_finding(
                "coordinates_not_numeric",
                "error",
                f"The {pair.y}/{pair.x} columns hold text that is not a coordinate; those rows "
                "are left out. Write decimal degrees such as 50.45 (or 50°27'N) and upload "
                "again.",
                table,
                bad,
            )
        )
    keep = ~(missing | bad)
    kept = table.loc[keep].reset_index(drop=True)
    kept[pair.y] = y[keep]
    kept[pair.x] = x[keep]
    frame = gpd.GeoDataFrame(kept, geometry=gpd.points_from_xy(x[keep], y[keep]), crs=None)
    return _set_crs(
        frame, x[keep], y[keep], crs, geographic=pair.geographic, findings=findings, pair=pair
    )


def _mgrs_geometry(
    table: pd.DataFrame, column: str, crs: str | None, findings: list[Finding]
) -> gpd.GeoDataFrame:
    values = table[column].astype("str").str.strip().where(table[column].notna())
    missing = (values.isna() | values.str.lower().isin(MISSING_TEXT)).to_numpy()
    _report_missing(table, missing, column, findings)
    unique = pd.unique(values[~missing])
    lookup: dict[str, tuple[float, float]] = {}
    for reference in unique:  # one library call per distinct reference
        try:
            lookup[reference] = from_mgrs(reference)
        except CoordinateError:
            continue
    lat = values.map(lambda v: lookup.get(v, (np.nan, np.nan))[0]).to_numpy(dtype=float)
    lon = values.map(lambda v: lookup.get(v, (np.nan, np.nan))[1]).to_numpy(dtype=float)
    bad = ~missing & np.isnan(lat)
    if bad.any():
        findings.append(
            _row_finding(
                "mgrs_invalid",
                "error",
                f"The {column!r} column holds text that is not an MGRS reference; those rows "
                "are left out. Write them like '34U FE 26199 96369' and upload again.",
                table,
                bad,
            )
        )
    if crs is not None and CRS.from_user_input(crs).to_epsg() != 4326:
        findings.append(
            Finding(
                "crs_ignored",
                "info",
                f"MGRS references are always WGS84; the CRS {crs} given was not used.",
            )
        )
    keep = ~(missing | bad)
    kept = table.loc[keep].reset_index(drop=True)
    points = gpd.points_from_xy(lon[keep], lat[keep])
    return gpd.GeoDataFrame(kept, geometry=points, crs=WGS84)


def parse_coordinates(
    values: pd.Series, *, decimal_comma: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Coordinate cells as floats: (numbers, missing mask, not-a-coordinate mask).

    Decimal degrees, decimal commas when ``decimal_comma`` (files delimited by ``;``, tab or
    ``|``), and degrees-minutes-seconds text (``50°27'12"N``; S and W negative).

    >>> parse_coordinates(pd.Series(["50,5", "", "x", "50°30'S"]), decimal_comma=True)[0]
    array([ 50.5,   nan,   nan, -50.5])
    """
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = values.to_numpy(dtype=float, na_value=np.nan)
        missing = np.isnan(numbers)
        return numbers, missing, np.zeros(len(values), dtype=bool)
    fast = None if decimal_comma else _arrow_floats(values)
    if fast is not None:
        return fast, np.isnan(fast), np.zeros(len(values), dtype=bool)
    text = values.astype("str").str.strip().where(values.notna())
    missing = (text.isna() | text.str.lower().isin(MISSING_TEXT)).to_numpy()
    cleaned = text.str.replace(",", ".", regex=False) if decimal_comma else text
    numbers = pd.to_numeric(cleaned.where(~missing), errors="coerce").to_numpy(
        dtype=float, copy=True
    )
    failed = np.isnan(numbers) & ~missing
    if failed.any():
        numbers[failed] = _parse_dms(text[failed])
    bad = np.isnan(numbers) & ~missing
    return numbers, missing, bad


def _arrow_floats(values: pd.Series) -> np.ndarray | None:
    """All of ``values`` as floats (empty cells NaN) if every one is a plain number, else None.

    The fast path for the usual column of decimal numbers: one cast in Arrow, no Python.
    """
    try:
        array = pa.array(values, from_pandas=True)
        cast = pa_compute.cast(array, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return None
    return np.asarray(cast.to_numpy(zero_copy_only=False), dtype=float)


def _parse_dms(text: pd.Series) -> np.ndarray:
    parts = text.str.extract(_DMS)

    def number(name: str) -> pd.Series:
        return pd.to_numeric(parts[name].str.replace(",", ".", regex=False), errors="coerce")

    degrees = number("d")
    value = degrees + number("m").fillna(0) / 60 + number("s").fillna(0) / 3600
    hemisphere = parts["h1"].fillna(parts["h2"]).str.upper()
    negative = hemisphere.isin(["S", "W"]) | (parts["sign"] == "-")
    value = value.where(~negative, -value)
    minutes_ok = number("m").fillna(0).lt(60) & number("s").fillna(0).lt(60)
    return value.where(minutes_ok).to_numpy(dtype=float, na_value=np.nan)


def _set_crs(
    frame: gpd.GeoDataFrame,
    x: np.ndarray,
    y: np.ndarray,
    crs: str | None,
    *,
    geographic: bool | None,
    findings: list[Finding],
    pair: CoordinatePair | None = None,
) -> gpd.GeoDataFrame:
    """Put ``frame`` (geometries in the file's CRS) into EPSG:4326."""
    if crs is not None:
        source = _parse_crs(crs)
        if source.to_epsg() == 4326:
            return frame.set_crs(WGS84)
        return _transform(frame, source)
    finite = np.isfinite(x) & np.isfinite(y)
    outside = (np.abs(x[finite]) > 180) | (np.abs(y[finite]) > 90)
    in_degrees = geographic is True or not finite.any() or outside.mean() <= 0.5
    if not in_degrees:
        what = f"The {pair.y}/{pair.x} columns" if pair is not None else "The WKT coordinates"
        msg = (
            f"{what} hold values far outside degrees (e.g. x={x[finite][0]:.0f}, "
            f"y={y[finite][0]:.0f}), so they are in a projected coordinate system that the "
            "file does not name. Choose it (CLI: --crs EPSG:NNNN, e.g. EPSG:32636 for UTM 36N) "
            "and upload again."
        )
        raise IngestError(msg)
    what = f"the {pair.y}/{pair.x} columns" if pair is not None else "the WKT coordinates"
    findings.append(
        Finding(
            "crs_assumed",
            "info",
            f"No CRS given: {what} were taken as WGS84 degrees (EPSG:4326). If they are in "
            "another system, choose it (CLI: --crs EPSG:NNNN).",
        )
    )
    return frame.set_crs(WGS84)


def _parse_crs(crs: str) -> CRS:
    try:
        return CRS.from_user_input(crs)
    except CRSError:
        msg = f"{crs!r} is not a coordinate system pyproj knows. Give it as EPSG:NNNN."
        raise IngestError(msg) from None


def _transform(frame: gpd.GeoDataFrame, source: CRS) -> gpd.GeoDataFrame:
    """The geometries moved into WGS84; the file's own coordinate columns keep its numbers."""
    try:
        transformer = Transformer.from_crs(source, CRS.from_epsg(4326), always_xy=True)
        moved = shapely.transform(
            frame.geometry.to_numpy(),
            lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])),
        )
    except ProjError as error:
        msg = (
            f"Coordinates in {source.name} cannot be transformed to WGS84 ({error}). Choose "
            "the CRS the data is really in (CLI: --crs EPSG:NNNN)."
        )
        raise IngestError(msg) from None
    return frame.set_geometry(gpd.GeoSeries(moved, index=frame.index), crs=WGS84)


def _report_missing(
    table: pd.DataFrame, missing: np.ndarray, columns: str, findings: list[Finding]
) -> None:
    if missing.any():
        findings.append(
            _row_finding(
                "rows_without_coordinates",
                "warning",
                f"{int(missing.sum())} rows have no value in {columns} and were skipped. "
                "Add their coordinates and upload again if they are needed.",
                table,
                missing,
            )
        )


def _row_finding(
    code: str, severity: str, message: str, table: pd.DataFrame, mask: np.ndarray
) -> Finding:
    rows = table[SOURCE_ROW].to_numpy()[np.asarray(mask, dtype=bool)]
    return Finding(
        code,
        severity,  # type: ignore[arg-type]
        message,
        rows=tuple(int(r) for r in rows[:_MAX_ROWS_NAMED]),
        count=len(rows),
    )


# --- number columns -----------------------------------------------------------------------


def _convert_numbers(
    frame: gpd.GeoDataFrame, delimiter: str, *, exclude: set[str]
) -> gpd.GeoDataFrame:
    """Text columns whose every value is a number become numbers; codes stay text."""
    geometry_name = frame.geometry.name
    for name in frame.columns:
        if name in exclude or name in {SOURCE_ROW, geometry_name}:
            continue
        column = frame[name]
        if not pd.api.types.is_string_dtype(column) and column.dtype != object:
            continue
        converted = _as_number(column, decimal_comma=delimiter != ",")
        if converted is not None:
            frame[name] = converted
    return frame


def _as_number(column: pd.Series, *, decimal_comma: bool) -> pd.Series | None:
    """``column`` as Int64 or float64 when every value is a plain number, else None."""
    present = column.dropna()
    if present.empty:
        return None
    text = _numeric_text(present, decimal_comma=decimal_comma)
    if text is None:
        return None
    numbers = _arrow_floats(pd.Series(text.to_pandas(), index=present.index))
    if numbers is None:
        fallback = pd.to_numeric(pd.Series(text.to_pandas()), errors="coerce")
        if fallback.isna().any():
            return None
        numbers = fallback.to_numpy(dtype=float)
    out = pd.Series(np.nan, index=column.index, dtype="float64")
    out.loc[present.index] = numbers
    whole = np.isfinite(numbers) & (numbers == np.round(numbers))
    if whole.all() and np.abs(numbers).max() < 2**53:
        return out.astype("Int64")
    return out


def _numeric_text(present: pd.Series, *, decimal_comma: bool) -> pa.Array | None:
    """The cells as trimmed Arrow text with '.' decimals if they look like numbers, else None.

    Codes with leading zeros (P-codes, ``07``), values over 15 characters (ids, phone
    numbers) and words pandas would read as numbers (``NaN``, ``inf``) keep a column text.
    """
    probe = present.iloc[:_NUMERIC_PROBE].astype("str").str.strip()
    comma = decimal_comma and bool(probe.str.match(_DECIMAL_COMMA).any())
    if comma:
        probe = probe.str.replace(",", ".", regex=False)
    if pd.to_numeric(probe, errors="coerce").isna().any():
        return None  # a text column: most are rejected here, after a thousand cells
    text = pa_compute.utf8_trim_whitespace(pa.array(present.astype("str"), from_pandas=True))
    too_long = pa_compute.max(pa_compute.utf8_length(text)).as_py() > 15
    leading_zero = pa_compute.any(pa_compute.match_substring_regex(text, _LEADING_ZERO.pattern))
    if too_long or leading_zero.as_py():
        return None
    if comma:
        plain = pa_compute.match_substring_regex(text, r"^[+-]?\d+(,\d+)?$")
        if not pa_compute.all(plain).as_py():
            return None
        text = pa_compute.replace_substring(text, ",", ".")
    words = pa_compute.is_in(pa_compute.utf8_lower(text), pa.array(sorted(_NOT_NUMBERS)))
    if pa_compute.any(words).as_py():
        return None
    return text
