"""GDAL in the worker environment: one driver only, and no request reaches a canary server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from humansec.errors import IngestError
from humansec.ingest.gdal_env import check_before_gdal, worker_environment
from humansec.ingest.types import SourceFormat
from tests.test_ingest_hostile import canary  # noqa: F401 - the shared canary fixture

_READ = """
import json, sys, pyogrio
out = {}
for path in sys.argv[1:]:
    try:
        out[path] = f"READ {len(pyogrio.read_dataframe(path))}"
    except Exception as exc:
        out[path] = f"ERROR {exc}"
print(json.dumps(out))
"""


def start_raw(paths: list[Path], env: dict[str, str] | None) -> subprocess.Popen[str]:
    """Read with pyogrio directly (no humansec checks) in a fresh interpreter."""
    return subprocess.Popen(
        [sys.executable, "-c", _READ, *map(str, paths)],
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def collect(process: subprocess.Popen[str]) -> dict[str, str]:
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr[-2000:]
    result: dict[str, str] = json.loads(stdout.strip().splitlines()[-1])
    return result


def read_raw(paths: list[Path], env: dict[str, str] | None) -> dict[str, str]:
    return collect(start_raw(paths, env))


def _files(folder: Path, url: str) -> dict[str, tuple[Path, str]]:
    crs = {"type": "link", "properties": {"href": f"{url}/crs.wkt", "type": "ogcwkt"}}
    point = {
        "type": "Feature",
        "properties": {},
        "geometry": {"type": "Point", "coordinates": [1, 2]},
    }
    files = {
        "crs_link.geojson": (
            json.dumps({"type": "FeatureCollection", "crs": crs, "features": [point]}),
            "GeoJSON",
        ),
        "remote.vrt": (
            f'<OGRVRTDataSource><OGRVRTLayer name="a"><SrcDataSource>/vsicurl/{url}/d.geojson'
            "</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>",
            "OGR_VRT",
        ),
        "schema.gml": (
            '<?xml version="1.0"?><ogr:FeatureCollection xmlns:ogr="http://ogr.maptools.org/" '
            'xmlns:gml="http://www.opengis.net/gml" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            f'xsi:schemaLocation="http://ogr.maptools.org/ {url}/schema.xsd"><gml:featureMember>'
            "<ogr:a><ogr:geometryProperty><gml:Point><gml:coordinates>1,2</gml:coordinates>"
            "</gml:Point></ogr:geometryProperty></ogr:a></gml:featureMember>"
            "</ogr:FeatureCollection>",
            "GML",
        ),
        "linked.kml": (
            '<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
            f'<Style id="s"><IconStyle><Icon><href>{url}/icon.png</href></Icon></IconStyle>'
            f"</Style><NetworkLink><Link><href>{url}/net.kml</href></Link></NetworkLink>"
            f"<Placemark><styleUrl>{url}/style.kml#s</styleUrl><Point><coordinates>1,2"
            "</coordinates></Point></Placemark></Document></kml>",
            "LIBKML",
        ),
    }
    out = {}
    for name, (text, driver) in files.items():
        (folder / name).write_text(text)
        out[name] = (folder / name, driver)
    return out


def test_no_request_reaches_the_canary_with_the_worker_environment(tmp_path, canary) -> None:  # noqa: F811
    url, requests = canary
    files = _files(tmp_path, url)
    # Control: without the environment GDAL does fetch (so the canary can see requests).
    requests.clear()
    read_raw([files["crs_link.geojson"][0], files["remote.vrt"][0]], None)
    assert requests, "GDAL made no request even without the environment; the test proves nothing"
    requests.clear()
    workers = [start_raw([path], worker_environment(driver)) for path, driver in files.values()]
    outcomes = [collect(process) for process in workers]
    assert all(len(outcome) == 1 for outcome in outcomes)
    assert requests == []


def test_only_the_chosen_driver_opens_files(tmp_path) -> None:
    vrt = tmp_path / "passwd.geojson"
    vrt.write_text(
        '<OGRVRTDataSource><OGRVRTLayer name="p"><SrcDataSource>CSV:/etc/passwd</SrcDataSource>'
        "</OGRVRTLayer></OGRVRTDataSource>"
    )
    real = tmp_path / "real.geojson"
    real.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, '
        '"geometry": {"type": "Point", "coordinates": [1, 2]}}]}'
    )
    outcome = read_raw([vrt, real], worker_environment("GeoJSON"))
    assert outcome[str(vrt)].startswith("ERROR")
    assert outcome[str(real)] == "READ 1"
    none = read_raw([real], worker_environment(None))
    assert none[str(real)].startswith("ERROR")


def test_environment_lists_every_other_driver() -> None:
    env = worker_environment("ESRI Shapefile")
    skipped = env["GDAL_SKIP"].split(",")
    assert "ESRI Shapefile" not in skipped
    assert {"OGR_VRT", "GDALG", "GML", "GPKG", "LIBKML", "KML", "HTTP"} <= set(skipped)
    assert env["NO_PROXY"] == ""
    assert env["GDAL_HTTP_PROXY"].startswith("http://127.0.0.1:")
    with pytest.raises(ValueError, match="no driver NoSuchDriver"):
        worker_environment("NoSuchDriver")


@pytest.mark.parametrize(
    "crs",
    [
        {"type": "link", "properties": {"href": "http://example.org/crs"}},
        {"type": "name", "properties": {"name": "/vsicurl/http://example.org/c"}},
        {"type": "name", "properties": {"name": "file:///etc/passwd"}},
    ],
)
def test_geojson_crs_links_are_refused_before_gdal(tmp_path, crs) -> None:
    path = tmp_path / "x.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [], "crs": crs}))
    with pytest.raises(IngestError, match="coordinate system as a link"):
        check_before_gdal(path, SourceFormat.GEOJSON)


def test_named_crs_and_urls_in_properties_pass(tmp_path) -> None:
    path = tmp_path / "x.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
                "features": [{"type": "Feature", "properties": {"url": "https://whc.unesco.org"}}],
            }
        )
    )
    check_before_gdal(path, SourceFormat.GEOJSON)


def test_deep_nesting_is_refused(tmp_path) -> None:
    path = tmp_path / "x.geojson"
    path.write_text('{"type": "Feature", "properties": {"a": ' + "[" * 70 + "]" * 70 + "}}")
    with pytest.raises(IngestError, match="nests brackets"):
        check_before_gdal(path, SourceFormat.GEOJSON)


def test_keep_leaves_the_store_driver() -> None:
    skipped = worker_environment("GeoJSON", keep=("GPKG",))["GDAL_SKIP"].split(",")
    assert "GPKG" not in skipped and "GeoJSON" not in skipped and "OGR_VRT" in skipped
    assert "GPKG" not in worker_environment(None, keep=["GPKG"])["GDAL_SKIP"].split(",")
