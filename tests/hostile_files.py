"""A corpus of hostile and broken uploads, built on demand (not a test module).

Each ``HostileCase`` builds one file in a given folder and names a fragment of the message it
must be refused with. Builders that point at the network take the base URL of a canary HTTP
server (which must receive no request). Traversal payloads are named ``HUMANSEC_PWNED*`` so a
test can look for them anywhere. DESIGN.md section 7 lists what worked against this stack.
"""

from __future__ import annotations

import json
import sqlite3
import stat
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

PWNED = "HUMANSEC_PWNED"

Builder = Callable[[Path, str], Path]


@dataclass(frozen=True)
class HostileCase:
    """One hostile file: how to build it and a fragment of the refusal message."""

    name: str
    build: Builder
    fragment: str


_POINT = {
    "type": "Feature",
    "properties": {"a": 1},
    "geometry": {"type": "Point", "coordinates": [30, 50]},
}


def _collection(**extra: object) -> str:
    return json.dumps({"type": "FeatureCollection", **extra, "features": [_POINT]})


def _shp_bytes() -> dict[str, bytes]:
    """A valid one-point shapefile (.shp, .shx, .dbf) built by hand."""
    header = struct.pack(">7i", 9994, 0, 0, 0, 0, 0, 0)
    box = struct.pack("<4d", 30.0, 50.0, 30.0, 50.0)
    record = struct.pack("<i2d", 1, 30.0, 50.0)
    shp_len = (100 + 8 + len(record)) // 2
    shp = header[:24] + struct.pack(">i", shp_len) + struct.pack("<2i", 1000, 1) + box + bytes(32)
    shp += struct.pack(">2i", 1, len(record) // 2) + record
    shx = header[:24] + struct.pack(">i", (100 + 8) // 2) + struct.pack("<2i", 1000, 1) + box
    shx += bytes(32) + struct.pack(">2i", 50, len(record) // 2)
    field = b"NAME".ljust(11, b"\x00") + b"C" + bytes(4) + bytes([10, 0]) + bytes(14)
    dbf = struct.pack("<4BIHH", 3, 124, 1, 1, 1, 32 + 32 + 1, 11) + bytes(20) + field + b"\r"
    dbf += b" " + b"abc".ljust(10) + b"\x1a"
    return {".shp": shp, ".shx": shx, ".dbf": dbf}


_PRJ = (
    'GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],'
    'PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]'
)


def _zip(path: Path, entries: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=compression)
    return path


def _shapefile_entries(*, skip: tuple[str, ...] = (), prj: bool = True) -> dict[str, bytes]:
    parts = {f"points{ext}": data for ext, data in _shp_bytes().items() if ext not in skip}
    if prj:
        parts["points.prj"] = _PRJ.encode()
    return parts


def _write(name: str, data: bytes | str) -> Builder:
    def build(folder: Path, _url: str) -> Path:
        path = folder / name
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        return path

    return build


def _vrt_passwd(folder: Path, _url: str) -> Path:
    path = folder / "roads.geojson"
    path.write_text(
        '<OGRVRTDataSource><OGRVRTLayer name="p"><SrcDataSource>CSV:/etc/passwd'
        "</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>"
    )
    return path


def _vrt_vsicurl(folder: Path, url: str) -> Path:
    path = folder / "remote.vrt"
    path.write_text(
        f'<OGRVRTDataSource><OGRVRTLayer name="a"><SrcDataSource>/vsicurl/{url}/vrt.geojson'
        "</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>"
    )
    return path


def _gdalg(name: str) -> Builder:
    body = json.dumps({"type": "gdal_streamed_alg", "command_line": "gdal vector read /etc/passwd"})
    return _write(name, body)


def _crs_link(folder: Path, url: str) -> Path:
    path = folder / "linked.geojson"
    crs = {"type": "link", "properties": {"href": f"{url}/crs.wkt", "type": "ogcwkt"}}
    path.write_text(_collection(crs=crs))
    return path


def _crs_vsi(folder: Path, url: str) -> Path:
    path = folder / "vsi.geojson"
    path.write_text(_collection(crs={"type": "name", "properties": {"name": f"/vsicurl/{url}/c"}}))
    return path


def _gml(folder: Path, url: str) -> Path:
    path = folder / "features.gml"
    path.write_text(
        '<?xml version="1.0"?><ogr:FeatureCollection xmlns:ogr="http://ogr.maptools.org/" '
        'xmlns:gml="http://www.opengis.net/gml" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:schemaLocation="http://ogr.maptools.org/ {url}/schema.xsd"><gml:featureMember>'
        "<ogr:a><ogr:geometryProperty><gml:Point><gml:coordinates>1,2</gml:coordinates>"
        "</gml:Point></ogr:geometryProperty></ogr:a></gml:featureMember></ogr:FeatureCollection>"
    )
    return path


def _gml_as_kml(folder: Path, url: str) -> Path:
    path = _gml(folder, url)
    return path.rename(folder / "features.kml")


def _shapefile_zip_with(name: str, extra: dict[str, bytes]) -> Builder:
    def build(folder: Path, _url: str) -> Path:
        return _zip(folder / name, {**_shapefile_entries(), **extra})

    return build


def _symlink_zip(folder: Path, _url: str) -> Path:
    path = folder / "linked.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in _shapefile_entries(skip=(".dbf",)).items():
            archive.writestr(name, data)
        info = zipfile.ZipInfo("points.dbf")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, "/etc/passwd")
    return path


def _zip_bomb(folder: Path, _url: str) -> Path:
    return _shapefile_zip_with("bomb.zip", {"points.txt": bytes(30 * 2**20)})(folder, "")


def _many_entries(folder: Path, _url: str) -> Path:
    extra = {f"junk/{i}.txt": b"" for i in range(2100)}
    return _zip(
        folder / "many.zip", {**_shapefile_entries(), **extra}, compression=zipfile.ZIP_STORED
    )


def _encrypted(folder: Path, _url: str) -> Path:
    path = _zip(folder / "secret.zip", _shapefile_entries(), compression=zipfile.ZIP_STORED)
    data = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = data.find(signature)
        while start >= 0:
            data[start + offset] |= 0x01
            start = data.find(signature, start + 4)
    path.write_bytes(bytes(data))
    return path


def _kml(body: str, *, prolog: str = "") -> str:
    return (
        f'<?xml version="1.0"?>{prolog}<kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
        f"{body}<Placemark><name>a</name><Point><coordinates>30,50</coordinates></Point>"
        "</Placemark></Document></kml>"
    )


_LAUGHS = (
    '<!DOCTYPE kml [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
)


def _kml_networklink(folder: Path, url: str) -> Path:
    path = folder / "linked.kml"
    path.write_text(_kml(f"<NetworkLink><Link><href>{url}/net.kml</href></Link></NetworkLink>"))
    return path


def _kml_style(folder: Path, url: str) -> Path:
    path = folder / "styled.kml"
    path.write_text(_kml(f"<Placemark><styleUrl>{url}/s.kml#x</styleUrl></Placemark>"))
    return path


def _xlsx_doctype(folder: Path, _url: str) -> Path:
    from openpyxl import Workbook  # noqa: PLC0415

    plain = folder / "plain.xlsx"
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["name", "lat", "lon"])
    sheet.append(["a", 50.0, 30.0])
    book.save(plain)
    path = folder / "sheet.xlsx"
    shared = (
        b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
        b'uniqueCount="1"><si><t>&x;</t></si></sst>'
    )
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info))
        target.writestr("xl/sharedStrings.xml", shared)
    plain.unlink()
    return path


def _corrupt_shp(folder: Path, _url: str) -> Path:
    entries = _shapefile_entries()
    entries["points.shp"] = b"\x00\x00\x27\x0a" + b"\xff" * 60
    return _zip(folder / "corrupt.zip", entries)


def _truncated_gpkg(folder: Path, _url: str) -> Path:
    path = _real_gpkg(folder, "full.gpkg")
    data = path.read_bytes()
    path.unlink()
    out = folder / "truncated.gpkg"
    out.write_bytes(data[: len(data) // 3])
    return out


def _real_gpkg(folder: Path, name: str) -> Path:
    import geopandas as gpd  # noqa: PLC0415
    from shapely.geometry import Point  # noqa: PLC0415

    path = folder / name
    frame = gpd.GeoDataFrame({"a": list(range(200))}, geometry=[Point(30, 50)] * 200, crs=4326)
    frame.to_file(path, driver="GPKG", engine="pyogrio")
    return path


def _gpkg_tiles_only(folder: Path, _url: str) -> Path:
    path = folder / "tiles.gpkg"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA application_id = 1196444487")
        db.execute("PRAGMA user_version = 10300")
        db.execute(
            "CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY "
            "KEY, organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL, "
            "definition TEXT NOT NULL, description TEXT)"
        )
        db.execute(
            "INSERT INTO gpkg_spatial_ref_sys VALUES ('WGS 84', 4326, 'EPSG', 4326, "
            "'GEOGCS[\"WGS 84\"]', NULL)"
        )
        db.execute(
            "CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT "
            "NOT NULL, identifier TEXT UNIQUE, description TEXT DEFAULT '', last_change "
            "DATETIME, min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER)"
        )
        db.execute(
            "INSERT INTO gpkg_contents VALUES ('vrt_tiles', 'tiles', 'vrt_tiles', "
            "'/vsicurl/http://127.0.0.1:9/x.vrt', NULL, 0, 0, 1, 1, 4326)"
        )
        db.execute("CREATE TABLE vrt_tiles (id INTEGER PRIMARY KEY, tile_data BLOB)")
    return path


def _sqlite_plain(folder: Path, _url: str) -> Path:
    path = folder / "data.gpkg"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE t (a INTEGER)")
    return path


def _deep_json(folder: Path, _url: str) -> Path:
    path = folder / "deep.geojson"
    path.write_text(
        '{"type": "FeatureCollection", "features": ' + "[" * 100_000 + "]" * 100_000 + "}"
    )
    return path


def _kmz(name: str, entries: dict[str, bytes]) -> Builder:
    def build(folder: Path, _url: str) -> Path:
        return _zip(folder / name, entries)

    return build


def _lone_prjless(folder: Path, _url: str) -> Path:
    return _zip(folder / "noprj.zip", _shapefile_entries(prj=False))


def _gpkg_as_geojson(folder: Path, _url: str) -> Path:
    path = _real_gpkg(folder, "layer.gpkg")
    return path.rename(folder / "layer.geojson")


_NOT_JSON = '{"type": "FeatureCollection", "features": [ this is not json'

CASES: tuple[HostileCase, ...] = (
    HostileCase("vrt_renamed_geojson_reads_passwd", _vrt_passwd, "VRT"),
    HostileCase("vrt_vsicurl", _vrt_vsicurl, "VRT"),
    HostileCase("gdalg_json", _gdalg("pipeline.gdalg.json"), "GDALG"),
    HostileCase("gdalg_renamed_geojson", _gdalg("pipeline.geojson"), "GDALG"),
    HostileCase("geojson_crs_link", _crs_link, "coordinate system as a link"),
    HostileCase("geojson_crs_vsicurl", _crs_vsi, "coordinate system as a link"),
    HostileCase("gml_schema_location", _gml, "GML"),
    HostileCase("gml_renamed_kml", _gml_as_kml, "GML"),
    HostileCase(
        "zip_traversal", _shapefile_zip_with("trav.zip", {f"../../{PWNED}.txt": b"x"}), "climbs out"
    ),
    HostileCase(
        "zip_absolute_path",
        _shapefile_zip_with("abs.zip", {f"/tmp/{PWNED}_abs.txt": b"x"}),
        "absolute path",
    ),
    HostileCase(
        "zip_drive_letter", _shapefile_zip_with("drive.zip", {f"C:/{PWNED}.txt": b"x"}), "absolute"
    ),
    HostileCase(
        "zip_backslash_traversal",
        _shapefile_zip_with("bs.zip", {f"..\\..\\{PWNED}.txt": b"x"}),
        "backslash",
    ),
    HostileCase("zip_symlink", _symlink_zip, "symbolic link"),
    HostileCase("zip_bomb_ratio", _zip_bomb, "zip bombs"),
    HostileCase("zip_too_many_entries", _many_entries, "entries"),
    HostileCase("zip_encrypted", _encrypted, "encrypted"),
    HostileCase(
        "zip_nested_archive",
        _shapefile_zip_with("nested.zip", {"inner.zip": b"PK\x05\x06" + bytes(18)}),
        "archives inside archives",
    ),
    HostileCase("kml_billion_laughs", _write("laughs.kml", _kml("", prolog=_LAUGHS)), "DOCTYPE"),
    HostileCase(
        "kml_external_entity",
        _write(
            "xxe.kml", _kml("", prolog='<!DOCTYPE kml [<!ENTITY x SYSTEM "file:///etc/passwd">]>')
        ),
        "DOCTYPE",
    ),
    HostileCase("kml_network_link", _kml_networklink, "NetworkLink"),
    HostileCase("kml_external_style", _kml_style, "style on the network"),
    HostileCase(
        "kml_xinclude",
        _write(
            "xi.kml",
            '<kml xmlns="http://www.opengis.net/kml/2.2" xmlns:xi="http://www.w3.org/2001/XInclude">'
            '<xi:include href="/etc/passwd" parse="text"/></kml>',
        ),
        "XInclude",
    ),
    HostileCase(
        "kml_schema_location",
        _write(
            "xsd.kml",
            _kml("").replace(
                '<kml xmlns="http://www.opengis.net/kml/2.2">',
                '<kml xmlns="http://www.opengis.net/kml/2.2" '
                'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                'xsi:schemaLocation="http://www.opengis.net/kml/2.2 http://127.0.0.1:9/k.xsd">',
            ),
        ),
        "schemaLocation",
    ),
    HostileCase("xlsx_doctype_in_shared_strings", _xlsx_doctype, "DOCTYPE"),
    HostileCase(
        "shapefile_zip_without_shx",
        _kmz("noshx.zip", _shapefile_entries(skip=(".shx",))),
        "no .shx",
    ),
    HostileCase(
        "shapefile_zip_without_dbf", _kmz("nodbf.zip", _shapefile_entries(skip=(".dbf",))), ".dbf"
    ),
    HostileCase("shp_alone", _write("points.shp", _shp_bytes()[".shp"]), "in one .zip"),
    HostileCase("dbf_alone", _write("points.dbf", _shp_bytes()[".dbf"]), "in one .zip"),
    HostileCase("shapefile_without_prj", _lone_prjless, "has no .prj"),
    HostileCase("corrupt_shp_header", _corrupt_shp, "cannot be read"),
    HostileCase("truncated_gpkg", _truncated_gpkg, "truncated"),
    HostileCase("gpkg_only_tiles_pointing_at_vrt", _gpkg_tiles_only, "cannot be read"),
    HostileCase("sqlite_not_gpkg", _sqlite_plain, "not a GeoPackage"),
    HostileCase("gpkg_renamed_geojson", _gpkg_as_geojson, "holds a GeoPackage"),
    HostileCase("empty_file", _write("empty.geojson", b""), "empty"),
    HostileCase("binary_junk_csv", _write("junk.csv", bytes(range(256)) * 64), "neither text"),
    HostileCase(
        "utf16_junk_csv", _write("junk16.csv", b"\xff\xfe" + b"\x00\xd8\x41\x00" * 500), "UTF-16"
    ),
    HostileCase(
        "pdf_named_kml",
        _write("map.kml", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + bytes(range(40)) * 30),
        "neither text",
    ),
    HostileCase("geojson_not_json", _write("broken.geojson", _NOT_JSON), "cannot be read"),
    HostileCase(
        "geojson_single_10mb_string",
        _write("string.geojson", '"' + "a" * 10_000_000 + '"'),
        "not a GeoJSON object",
    ),
    HostileCase("geojson_deeply_nested", _deep_json, "nests brackets"),
    HostileCase(
        "topojson",
        _write("topo.json", '{"type": "Topology", "arcs": [], "objects": {}}'),
        "TopoJSON",
    ),
    HostileCase("kml_in_geojson_name", _write("points.geojson", _kml("")), "holds KML"),
    HostileCase(
        "text_without_delimiter", _write("notes.csv", "just some words\nand more\n"), "not a table"
    ),
    HostileCase(
        "kmz_traversal",
        _kmz("trav.kmz", {"doc.kml": _kml("").encode(), f"../{PWNED}.kml": b"x"}),
        "climbs out",
    ),
    HostileCase(
        "kmz_doctype", _kmz("laughs.kmz", {"doc.kml": _kml("", prolog=_LAUGHS).encode()}), "DOCTYPE"
    ),
    HostileCase(
        "xls_ole2",
        _write("sites.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024)),
        "save it as .xlsx",
    ),
    HostileCase("seven_zip", _write("data.7z", b"7z\xbc\xaf\x27\x1c\x00\x04" + bytes(64)), "7-Zip"),
    HostileCase("rar", _write("data.rar", b"Rar!\x1a\x07\x01\x00" + bytes(64)), "RAR"),
    HostileCase("tar_gz", _write("data.tar.gz", b"\x1f\x8b\x08\x00" + bytes(64)), "gzip"),
    HostileCase(
        "zip_without_data", _kmz("docs.zip", {"readme.txt": b"hello"}), "holds no shapefile"
    ),
)
