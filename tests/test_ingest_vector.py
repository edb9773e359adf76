"""vector.read_vector: small built files, then the real files of ../shared/data when present."""

from __future__ import annotations

import importlib.util
import json
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString, Point

from humansec.errors import IngestError
from humansec.ingest.limits import IngestLimits
from humansec.ingest.sniff import identify
from humansec.ingest.types import SOURCE_ROW, SourceFormat
from humansec.ingest.vector import list_source_layers, read_vector

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
LIMITS = IngestLimits()
HAVE_ENCODING = importlib.util.find_spec("humansec.ingest.encoding") is not None


def read(path: Path, **options):
    options = {"layer": None, "crs": None, "encoding": None, "limits": LIMITS, **options}
    return read_vector(path, identify(path, path.name), **options)


def _shapefile_zip(tmp_path: Path, frame: gpd.GeoDataFrame, *, drop=(), encoding="utf-8") -> Path:
    folder = tmp_path / "shp"
    folder.mkdir(exist_ok=True)
    frame.to_file(folder / "my layer.shp", engine="pyogrio", encoding=encoding)
    out = tmp_path / "upload.zip"
    with zipfile.ZipFile(out, "w") as archive:
        for part in folder.iterdir():
            if part.suffix.lower() not in drop:
                archive.write(part, f"Folder With Spaces/{part.name}")
    return out


def _points(crs: str | None = "EPSG:32636") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": ["Київ", "Львів", "Одеса"], "n": [1, 2, 3]},
        geometry=[Point(500000, 5500000), Point(300000, 5520000), Point(600000, 5150000)],
        crs=crs,
    )


def test_projected_shapefile_to_wgs84(tmp_path) -> None:
    frame, findings, facts = read(_shapefile_zip(tmp_path, _points()))
    assert frame.crs.to_epsg() == 4326
    assert frame[SOURCE_ROW].tolist() == [1, 2, 3]
    assert frame["name"].tolist() == ["Київ", "Львів", "Одеса"]
    assert frame.geometry.x.iloc[0] == pytest.approx(33.0, abs=1e-6)
    assert facts["source_crs"] == "EPSG:32636"
    assert facts["layer"] == "my layer"
    assert facts["driver"] == "ESRI Shapefile"
    assert findings == []


def test_missing_prj_needs_a_crs(tmp_path) -> None:
    upload = _shapefile_zip(tmp_path, _points(), drop=(".prj",))
    with pytest.raises(IngestError, match=r"has no \.prj.*--crs EPSG"):
        read(upload)
    frame, _f, facts = read(upload, crs="EPSG:32636", workdir=tmp_path / "w2")
    assert facts["source_crs"] == "EPSG:32636"
    assert frame.geometry.y.iloc[0] == pytest.approx(49.65, abs=0.01)


def test_crs_override_warns_and_bad_crs_is_refused(tmp_path) -> None:
    upload = _shapefile_zip(tmp_path, _points())
    _frame, findings, facts = read(upload, crs="EPSG:32635")
    assert facts["source_crs"] == "EPSG:32635"
    assert [f.code for f in findings] == ["crs_overridden"]
    with pytest.raises(IngestError, match="EPSG:NNNN"):
        read(upload, crs="not a crs")
    with pytest.raises(IngestError, match="cannot be transformed to WGS84"):
        read(upload, crs="IAU_2015:49900")


def test_cp1251_without_cpg_is_guessed(tmp_path) -> None:
    if not HAVE_ENCODING:  # pragma: no cover - until humansec.ingest.encoding exists
        pytest.skip("humansec.ingest.encoding is not there yet")
    upload = _shapefile_zip(tmp_path, _points(), drop=(".cpg",), encoding="cp1251")
    frame, findings, facts = read(upload)
    assert frame["name"].tolist() == ["Київ", "Львів", "Одеса"]
    assert facts["encoding"] == "cp1251"
    assert [f.code for f in findings] == ["encoding_guessed"]
    assert "cp1251" in findings[0].message and "--encoding" in findings[0].message
    frame, findings, facts = read(upload, encoding="cp1251", workdir=tmp_path / "w2")
    assert findings == [] and frame["name"].iloc[0] == "Київ"


def test_geojson_and_limits(tmp_path) -> None:
    path = tmp_path / "lines.geojson"
    frame = gpd.GeoDataFrame(
        {"when": ["2024-01-02T03:04:05Z", None], "label": ["a", "b"]},
        geometry=[LineString([(30, 50), (31, 51), (32, 50)]), LineString([(30, 50), (30, 51)])],
        crs=4326,
    )
    frame.to_file(path, engine="pyogrio")
    read_frame, findings, facts = read(path)
    assert len(read_frame) == 2 and facts["driver"] == "GeoJSON" and findings == []
    assert str(read_frame["when"].dtype).startswith("datetime64")
    with pytest.raises(IngestError, match="2 features; at most 1"):
        read(path, limits=IngestLimits(max_features=1))
    with pytest.raises(IngestError, match="5 vertices; at most 4"):
        read(path, limits=IngestLimits(max_vertices=4))


def test_non_finite_coordinates_do_not_crash(tmp_path) -> None:
    path = tmp_path / "odd.geojson"
    features = [
        {"type": "Feature", "properties": {"a": i}, "geometry": {"type": "Point", "coordinates": c}}
        for i, c in enumerate([[1e308, 1e308], [500, 95], [30, 50]])
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    frame, _f, _facts = read(path)
    assert len(frame) == 3
    assert np.isfinite(frame.geometry.x.iloc[2])


def test_geopackage_layers(tmp_path) -> None:
    path = tmp_path / "multi.gpkg"
    _points("EPSG:32636").to_file(path, layer="cities", engine="pyogrio")
    _points("EPSG:32636").iloc[:1].to_file(path, layer="capital", engine="pyogrio")
    assert sorted(list_source_layers(path, SourceFormat.GEOPACKAGE)) == ["capital", "cities"]
    with pytest.raises(IngestError, match=r"2 layers: 'capital', 'cities'.*--source-layer"):
        read(path)
    with pytest.raises(IngestError, match="no layer 'towns'"):
        read(path, layer="towns")
    frame, _f, facts = read(path, layer="capital")
    assert len(frame) == 1 and facts["layers"] == ["cities", "capital"]


_KML = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document>
<Placemark><name>a</name><ExtendedData><Data name="Регион"><value>Київська</value></Data>
<Data name="code"><value>UA32</value></Data></ExtendedData>
<Point><coordinates>30.5,50.4</coordinates></Point></Placemark>
</Document></kml>"""


def test_kml_and_kmz_recover_cyrillic_field_names(tmp_path) -> None:
    kml = tmp_path / "a.kml"
    kml.write_text(_KML, encoding="utf-8")
    frame, _f, facts = read(kml)
    assert frame["Регион"].tolist() == ["Київська"]
    assert frame["code"].tolist() == ["UA32"]
    assert facts["driver"] == "LIBKML"
    kmz = tmp_path / "a.kmz"
    with zipfile.ZipFile(kmz, "w") as archive:
        archive.writestr("doc.kml", _KML.encode())
        archive.writestr("files/icon.png", b"\x89PNG")
    frame, _f, facts = read(kmz)
    assert frame["Регион"].tolist() == ["Київська"]
    assert frame.geometry.x.iloc[0] == pytest.approx(30.5)


# --- the real files of ../shared/data (skipped only when that folder is absent) ---------------


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is not here")
    return path


def _zip_folder(folder: Path, out: Path, *, drop=()) -> Path:
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for part in folder.iterdir():
            if part.suffix.lower() not in drop:
                archive.write(part, f"{folder.name}/{part.name}")
    return out


@pytest.mark.parametrize(
    ("folder", "count", "epsg", "column"),
    [
        ("shapefiles_projected/vautm17n_utm17n", 136, "EPSG:32617", "NAME"),
        ("shapefiles_projected/derived_ukr_adm1_utm36n_utf8", 27, "EPSG:32636", "ADM1_UA"),
        ("shapefiles_projected/derived_ukr_adm1_ucs2000_gk6_cp1251", 27, "EPSG:5564", "ADM1_UA"),
        ("natural_earth/naturalearth_lowres_shp", 177, "EPSG:4326", "name"),
    ],
)
def test_real_shapefiles(tmp_path, folder, count, epsg, column) -> None:
    upload = _zip_folder(_need(DATA / folder), tmp_path / "upload.zip")
    frame, findings, facts = read(upload)
    assert len(frame) == count
    assert facts["source_crs"] == epsg
    assert findings == []
    minx, miny, maxx, maxy = frame.total_bounds
    # naturalearth_lowres itself reaches 180.00000000000006.
    assert -180 - 1e-9 <= minx < maxx <= 180 + 1e-9 and -90 <= miny < maxy <= 90
    if "ukr" in folder:
        assert "Київська" in frame[column].tolist()


def test_real_cp1251_shapefile_without_cpg(tmp_path) -> None:
    if not HAVE_ENCODING:  # pragma: no cover
        pytest.skip("humansec.ingest.encoding is not there yet")
    folder = _need(DATA / "shapefiles_projected/derived_ukr_adm1_ucs2000_gk6_cp1251")
    upload = _zip_folder(folder, tmp_path / "upload.zip", drop=(".cpg",))
    frame, findings, facts = read(upload)
    assert "Київська" in frame["ADM1_UA"].tolist()
    assert facts["encoding"] == "cp1251"
    assert [f.code for f in findings] == ["encoding_guessed"]


def test_real_geopackage(tmp_path) -> None:
    path = _need(DATA / "geopackage/derived_ukraine_demo.gpkg")
    with pytest.raises(IngestError, match="3 layers"):
        read(path)
    frame, _f, facts = read(path, layer="oblasts_codab_2017")
    assert len(frame) == 27 and "Київська" in frame["ADM1_UA"].tolist()
    frame, _f, _facts = read(path, layer="unesco_whc_ukraine_2021")
    assert len(frame) == 7
    assert len(facts["layers"]) == 3


def test_real_kml(tmp_path) -> None:
    path = _need(DATA / "kml/ukraine_regions_fusiontables.kml")
    frame, _f, facts = read(path)
    assert len(frame) == 25
    assert "Регион" in frame.columns and "____________" not in frame.columns
    assert "Николаевская область" in frame["Регион"].tolist()
    assert facts["source_crs"] == "EPSG:4326"


def test_layer_choice_carries_the_layers(tmp_path) -> None:
    path = tmp_path / "two.gpkg"
    _points().to_file(path, layer="alpha", engine="pyogrio")
    _points().to_file(path, layer="beta", engine="pyogrio")
    with pytest.raises(IngestError) as raised:
        read(path)
    assert sorted(getattr(raised.value, "details", {})["layers"]) == ["alpha", "beta"]
