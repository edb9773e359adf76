"""Identify an upload from its bytes before any parser (GDAL above all) sees it.

The name is only a hint: GDAL opens whatever the bytes look like (a VRT renamed ``.geojson``
reads local files), so the format is decided by the content, and a content the name does not
allow (XML in a ``.geojson``) is refused rather than guessed around.
"""

from __future__ import annotations

import codecs
import re
import zipfile
from pathlib import Path, PurePosixPath

from humansec.errors import IngestError
from humansec.ingest.types import SourceFormat

HEAD_BYTES = 64 * 1024
"""How much of the file the text checks look at."""

_SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qpj", ".sbn", ".sbx")
_ZIP_NAMES = (".zip", ".kmz", ".xlsx")

# Which contents each known name allows; an unknown or missing extension allows any.
_ALLOWED_BY_NAME: dict[str, frozenset[SourceFormat]] = {
    ".geojson": frozenset({SourceFormat.GEOJSON}),
    ".json": frozenset({SourceFormat.GEOJSON}),
    ".kml": frozenset({SourceFormat.KML}),
    ".gpkg": frozenset({SourceFormat.GEOPACKAGE}),
    ".zip": frozenset({SourceFormat.SHAPEFILE, SourceFormat.KMZ, SourceFormat.XLSX}),
    ".kmz": frozenset({SourceFormat.KMZ, SourceFormat.SHAPEFILE}),
    ".xlsx": frozenset({SourceFormat.XLSX, SourceFormat.CSV}),
    ".csv": frozenset({SourceFormat.CSV, SourceFormat.XLSX}),
    ".tsv": frozenset({SourceFormat.CSV}),
    ".txt": frozenset({SourceFormat.CSV}),
}

_ACCEPTED = "a zipped shapefile (.zip), a GeoPackage (.gpkg), GeoJSON, KML, KMZ, CSV or Excel .xlsx"

_OTHER_ARCHIVES: tuple[tuple[bytes, int, str], ...] = (
    (b"7z\xbc\xaf\x27\x1c", 0, "a 7-Zip archive"),
    (b"Rar!\x1a\x07", 0, "a RAR archive"),
    (b"\x1f\x8b", 0, "a gzip archive"),
    (b"BZh", 0, "a bzip2 archive"),
    (b"\xfd7zXZ\x00", 0, "an xz archive"),
    (b"ustar", 257, "a tar archive"),
)
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SQLITE = b"SQLite format 3\x00"
_GPKG_APPLICATION_IDS = (b"GPKG", b"GP10", b"GP11")
_SHP_MAGIC = b"\x00\x00\x27\x0a"
_TIFF_MAGICS = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")
_BOMS_WIDE = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)
_GEOJSON_TYPE = re.compile(
    rb'"type"\s*:\s*"(FeatureCollection|Feature|Point|MultiPoint|LineString|'
    rb'MultiLineString|Polygon|MultiPolygon|GeometryCollection)"'
)
_XML_ROOT = re.compile(rb"<\s*(?:([A-Za-z_][\w.-]*):)?([A-Za-z_][\w.-]*)")
_DELIMITERS = (",", ";", "\t", "|")


def identify(path: Path, original_name: str) -> SourceFormat:
    """Return the format of the upload at ``path`` judged by its bytes.

    Parameters
    ----------
    path
        The uploaded file as stored on the server.
    original_name
        The name the analyst's file had: a hint only, but a content it does not allow (XML in
        a ``.geojson``) is refused.

    Raises
    ------
    IngestError
        For anything that is not one of the accepted formats, with what it looks like and what
        to upload instead.

    """
    name = PurePosixPath(original_name.replace("\\", "/")).name
    lower = name.lower()
    size = path.stat().st_size
    if size == 0:
        msg = f"{name!r} is empty (0 bytes). Check that the right file was chosen."
        raise IngestError(msg)
    with path.open("rb") as source:
        head = source.read(HEAD_BYTES)
    fmt = _by_content(path, head, name, lower)
    allowed = _ALLOWED_BY_NAME.get(_extension(lower))
    if allowed is not None and fmt not in allowed:
        msg = (
            f"{name!r} is named like {_extension(lower)} but holds {_describe(fmt)}. "
            f"Upload the file with the extension of what it really is ({_ACCEPTED})."
        )
        raise IngestError(msg)
    return fmt


def _extension(lower: str) -> str:
    return PurePosixPath(lower).suffix


def _describe(fmt: SourceFormat) -> str:
    return {
        SourceFormat.SHAPEFILE: "a zipped shapefile",
        SourceFormat.GEOPACKAGE: "a GeoPackage",
        SourceFormat.GEOJSON: "GeoJSON",
        SourceFormat.KML: "KML",
        SourceFormat.KMZ: "a KMZ",
        SourceFormat.CSV: "CSV text",
        SourceFormat.XLSX: "an Excel .xlsx workbook",
    }[fmt]


def _by_content(path: Path, head: bytes, name: str, lower: str) -> SourceFormat:
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_format(path, name)
    if head.startswith(_SQLITE):
        return _sqlite_format(path, head, name)
    if head.startswith(_OLE2):
        msg = (
            f"{name!r} is an old Excel 97-2003 workbook (.xls) or another OLE2 document. "
            "Open it in Excel or LibreOffice and save it as .xlsx (or CSV), then upload that."
        )
        raise IngestError(msg)
    if head.startswith(_TIFF_MAGICS):
        msg = (
            f"{name!r} is a GeoTIFF grid, not a vector layer. Store it as a population grid: "
            "kind population_raster (CLI: --kind population_raster, with one --band-role per "
            "band when it has several)."
        )
        raise IngestError(msg)
    for magic, offset, what in _OTHER_ARCHIVES:
        if head[offset : offset + len(magic)] == magic:
            msg = (
                f"{name!r} is {what}; only .zip archives are accepted. Unpack it and upload "
                "the data file itself, or pack the files again as a .zip."
            )
            raise IngestError(msg)
    if head.startswith(_SHP_MAGIC) or _extension(lower) in _SHAPEFILE_PARTS:
        msg = (
            f"{name!r} is one part of a shapefile, which cannot be read alone. Upload the .shp, "
            ".shx, .dbf, .prj (and .cpg) together in one .zip."
        )
        raise IngestError(msg)
    for bom, what in _BOMS_WIDE:
        if head.startswith(bom):
            return _wide_text_format(head, bom, what, name)
    text = head.removeprefix(b"\xef\xbb\xbf")
    if _looks_binary(text):
        msg = (
            f"{name!r} is not a file humansec can read (its bytes are neither text nor a known "
            f"format). Upload {_ACCEPTED}."
        )
        raise IngestError(msg)
    stripped = text.lstrip()
    if stripped.startswith(b"<"):
        return _xml_format(stripped, name)
    if stripped.startswith((b"{", b"[", b'"')) or lower.endswith((".json", ".geojson")):
        return _json_format(stripped, name, lower)
    return _csv_format(text, name)


def _wide_text_format(head: bytes, bom: bytes, what: str, name: str) -> SourceFormat:
    """UTF-16 text with a BOM is a CSV if it decodes and looks like a table; UTF-32 never."""
    body = head[len(bom) :]
    codec = "utf-16-le" if bom == b"\xff\xfe" else "utf-16-be"
    try:
        decoder = codecs.getincrementaldecoder(codec)()
        text = decoder.decode(body, final=False) if what == "UTF-16" else ""
    except UnicodeDecodeError:
        text = ""
    if text and not _looks_binary(text.encode("utf-8")):
        return _csv_format(text.encode("utf-8"), name)
    msg = (
        f"{name!r} starts like {what} text but is not readable {what} text. Save it as UTF-8 "
        "(in Excel: 'CSV UTF-8 (Comma delimited)') and upload that."
    )
    raise IngestError(msg)


def _looks_binary(head: bytes) -> bool:
    if b"\x00" in head:
        return True
    controls = sum(head.count(bytes([c])) for c in range(32) if c not in (9, 10, 12, 13))
    return controls > max(4, len(head) // 100)


def _zip_format(path: Path, name: str) -> SourceFormat:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError) as exc:
        msg = f"{name!r} looks like a zip archive but cannot be opened ({exc}). Pack it again."
        raise IngestError(msg) from exc
    lowered = [n.lower().replace("\\", "/") for n in names]
    useful = [n for n in lowered if not _is_junk_entry(n)]
    if "[content_types].xml" in lowered and any(n.startswith("xl/") for n in lowered):
        return SourceFormat.XLSX
    if any(n.endswith(".shp") for n in useful):
        return SourceFormat.SHAPEFILE
    if any(n.endswith(".kml") for n in useful):
        return SourceFormat.KMZ
    if "[content_types].xml" in lowered:
        msg = (
            f"{name!r} is an Office document that is not an Excel workbook. Save the table as "
            ".xlsx or CSV and upload that."
        )
        raise IngestError(msg)
    shown = ", ".join(sorted(useful)[:10]) or "nothing"
    msg = (
        f"The zip {name!r} holds no shapefile (.shp with its .shx and .dbf) and no .kml; it "
        f"holds: {shown}. Zip the shapefile's files together, or upload the data file itself."
    )
    raise IngestError(msg)


def _is_junk_entry(lowered: str) -> bool:
    """Entries that zip tools of macOS add (resource forks) and that hold no data."""
    parts = lowered.split("/")
    return "__macosx" in parts or parts[-1].startswith("._")


def _sqlite_format(path: Path, head: bytes, name: str) -> SourceFormat:
    if len(head) < 100 or head[68:72] not in _GPKG_APPLICATION_IDS:
        msg = (
            f"{name!r} is an SQLite database but not a GeoPackage. Export the layer as a "
            "GeoPackage (.gpkg) (in QGIS: Export > Save Features As > GeoPackage) and upload "
            "that."
        )
        raise IngestError(msg)
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(head[28:32], "big")
    if pages and page_size * pages > path.stat().st_size:
        msg = (
            f"The GeoPackage {name!r} is truncated (its header promises "
            f"{page_size * pages} bytes, the file has {path.stat().st_size}). Upload it again "
            "or export it again from its source."
        )
        raise IngestError(msg)
    return SourceFormat.GEOPACKAGE


def _xml_format(text: bytes, name: str) -> SourceFormat:
    root = _xml_root(text)
    if root == "kml":
        return SourceFormat.KML
    if root in {"OGRVRTDataSource", "VRTDataset"}:
        msg = (
            f"{name!r} is a GDAL virtual format file (VRT), which can read other files and "
            "network addresses; it is refused. Upload the data itself (GeoJSON, GeoPackage, "
            "zipped shapefile, KML, CSV or XLSX)."
        )
        raise IngestError(msg)
    if root in {"FeatureCollection", "featureMember"} or b"opengis.net/gml" in text:
        msg = (
            f"{name!r} is GML, which is not accepted (it can pull schemas from the network). "
            "Convert it to GeoPackage or GeoJSON (e.g. in QGIS) and upload that."
        )
        raise IngestError(msg)
    msg = f"{name!r} is XML with root element <{root or '?'}>, not KML. Upload {_ACCEPTED}."
    raise IngestError(msg)


def _xml_root(text: bytes) -> str | None:
    """The local name of the first element after the prolog, comments and DOCTYPE."""
    position = 0
    while True:
        start = text.find(b"<", position)
        if start < 0:
            return None
        if text.startswith(b"<?", start):
            position = text.find(b"?>", start) + 2
        elif text.startswith(b"<!--", start):
            position = text.find(b"-->", start) + 3
        elif text.startswith(b"<!", start):
            position = text.find(b">", start) + 1
        else:
            match = _XML_ROOT.match(text, start)
            return None if match is None else match.group(2).decode("ascii", "replace")
        if position <= start:
            return None


def _json_format(text: bytes, name: str, lower: str) -> SourceFormat:
    if lower.endswith(".gdalg.json") or b"gdal_streamed_alg" in text or b'"command_line"' in text:
        msg = (
            f"{name!r} is a GDAL algorithm file (GDALG), which runs GDAL commands on other "
            "files; it is refused. Upload the data itself."
        )
        raise IngestError(msg)
    if not text.startswith(b"{"):
        msg = (
            f"{name!r} is not a GeoJSON object (it must start with '{{' and be a "
            "FeatureCollection, a Feature or a geometry). Export the layer as GeoJSON again."
        )
        raise IngestError(msg)
    if b'"Topology"' in text and b'"arcs"' in text:
        msg = f"{name!r} is TopoJSON, which is not accepted. Convert it to GeoJSON and upload that."
        raise IngestError(msg)
    if _GEOJSON_TYPE.search(text) is None:
        msg = (
            f'{name!r} is not GeoJSON: no "type": "FeatureCollection" (or Feature, or a '
            "geometry type) near its start. Export the layer as GeoJSON (RFC 7946) and upload "
            "that."
        )
        raise IngestError(msg)
    return SourceFormat.GEOJSON


def _csv_format(text: bytes, name: str) -> SourceFormat:
    first_line = text.split(b"\n", 1)[0].decode("latin-1")
    if not any(d in first_line for d in _DELIMITERS):
        msg = (
            f"{name!r} is text but not a table: its first line has no comma, semicolon, tab or "
            f"'|' between column names. Upload {_ACCEPTED}."
        )
        raise IngestError(msg)
    return SourceFormat.CSV
