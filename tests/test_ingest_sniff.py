"""sniff.identify: the format from the bytes, the name only as a hint."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import pytest

from humansec.errors import IngestError
from humansec.ingest.sniff import identify
from humansec.ingest.types import SourceFormat

_FC = json.dumps(
    {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {}, "geometry": None}],
    }
)
_KML = '<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document/></kml>'


def _file(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def _zip(tmp_path: Path, name: str, entries: list[str]) -> Path:
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as archive:
        for entry in entries:
            archive.writestr(entry, b"x")
    return path


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("a.geojson", _FC, SourceFormat.GEOJSON),
        ("a.json", "\ufeff" + _FC, SourceFormat.GEOJSON),
        ("upload", _FC, SourceFormat.GEOJSON),
        ("a.kml", _KML, SourceFormat.KML),
        ("a.csv", "name,lat,lon\na,1,2\n", SourceFormat.CSV),
        ("a.txt", "name;lat;lon\nКиїв;50;30\n".encode("cp1251"), SourceFormat.CSV),
        ("a.csv", "\ufeffname\tlat\n".encode("utf-16"), SourceFormat.CSV),
    ],
)
def test_text_formats(tmp_path, name, data, expected) -> None:
    assert identify(_file(tmp_path, "upload.bin", data), name) is expected


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        (
            ["roads/My Roads.shp", "roads/My Roads.shx", "roads/My Roads.dbf"],
            SourceFormat.SHAPEFILE,
        ),
        (["doc.kml", "files/icon.png"], SourceFormat.KMZ),
        (["[Content_Types].xml", "xl/workbook.xml"], SourceFormat.XLSX),
    ],
)
def test_zip_formats_by_content(tmp_path, entries, expected) -> None:
    for name in ("upload.zip", "upload.kmz" if expected is not SourceFormat.XLSX else "u.xlsx"):
        assert identify(_zip(tmp_path, name, entries), name) is expected


def test_macos_resource_forks_do_not_make_a_shapefile(tmp_path) -> None:
    path = _zip(tmp_path, "a.zip", ["__MACOSX/._a.shp", "readme.txt"])
    with pytest.raises(IngestError, match="holds no shapefile"):
        identify(path, "a.zip")


def test_geopackage_and_plain_sqlite(tmp_path) -> None:
    gpkg = tmp_path / "a.gpkg"
    with sqlite3.connect(gpkg) as db:
        db.execute("PRAGMA application_id = 1196444487")
        db.execute("CREATE TABLE t (a)")
    assert identify(gpkg, "a.gpkg") is SourceFormat.GEOPACKAGE
    plain = tmp_path / "b.gpkg"
    with sqlite3.connect(plain) as db:
        db.execute("CREATE TABLE t (a)")
    with pytest.raises(IngestError, match="not a GeoPackage"):
        identify(plain, "b.gpkg")


@pytest.mark.parametrize(
    ("name", "data", "fragment"),
    [
        ("a.geojson", "<OGRVRTDataSource/>", "VRT"),
        ("a.vrt", "<OGRVRTDataSource/>", "VRT"),
        ("a.gdalg.json", '{"type": "gdal_streamed_alg"}', "GDALG"),
        ("a.geojson", _KML, "holds KML"),
        ("a.kml", "<gpx/>", "not KML"),
        ("a.geojson", "[1, 2]", "not a GeoJSON object"),
        ("a.geojson", '{"a": 1}', "is not GeoJSON"),
        ("a.json", '{"type": "Topology", "arcs": []}', "TopoJSON"),
        ("a.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "save it as .xlsx"),
        ("a.shp", b"\x00\x00\x27\x0a" + bytes(100), "in one .zip"),
        ("a.prj", "GEOGCS[]", "in one .zip"),
        ("a.csv", b"", "empty"),
        ("a.csv", bytes(range(256)), "neither text"),
        ("a.csv", "one column only\n", "not a table"),
        ("a.7z", b"7z\xbc\xaf\x27\x1c" + bytes(10), "7-Zip"),
        ("a.tar", bytes(257) + b"ustar" + bytes(300), "tar"),
        ("a.csv", b"\xff\xfe" + b"\x00\xd8\x41\x00" * 10, "UTF-16"),
        ("a.csv", b"\xff\xfe\x00\x00" + bytes(8), "UTF-32"),
    ],
)
def test_refused(tmp_path, name, data, fragment) -> None:
    with pytest.raises(IngestError, match=fragment) as caught:
        identify(_file(tmp_path, "upload.bin", data), name)
    assert len(str(caught.value)) > 40


def test_content_decides_when_the_name_allows_it(tmp_path) -> None:
    shp = _zip(tmp_path, "a.kmz", ["a.shp", "a.shx", "a.dbf"])
    assert identify(shp, "a.kmz") is SourceFormat.SHAPEFILE
    text = _file(tmp_path, "b", "lat,lon\n1,2\n")
    assert identify(text, "b.xlsx") is SourceFormat.CSV
    with pytest.raises(IngestError, match=r"named like \.gpkg"):
        identify(text, "b.gpkg")
