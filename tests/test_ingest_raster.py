"""Population grids through the hostile-file path (``humansec.ingest.raster``).

Good grids are stored as Cloud-Optimized GeoTIFFs and catalogued as ``population_raster``
layers; every hostile file is refused with a message that says what is wrong and how to fix
it, the store and the grid folder unchanged, and nothing fetched.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import rasterio
import shapely
from pyproj import Transformer
from rasterio.transform import from_origin

from humansec.errors import IngestError
from humansec.ingest.limits import IngestLimits
from humansec.ingest.pipeline import UploadMeta, stage_upload
from humansec.ingest.raster import identify_grid, ingest_grid, resolve_roles, store_grid
from humansec.model import LayerKind
from humansec.population.rasters import raster_bands
from humansec.store import GeoPackageStore
from tests import raster_files

META = UploadMeta(title="WorldPop test", classification="NATO UNCLASSIFIED", who="test")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def _ingest(path: Path, data_dir: Path, roles: list[str], **kwargs: object) -> object:
    return ingest_grid(
        path,
        roles,
        staging_root=data_dir / "staging",
        store_path=data_dir,
        data_dir=data_dir,
        meta=META,
        **kwargs,  # type: ignore[arg-type]
    )


def _unchanged(data_dir: Path) -> None:
    """Nothing catalogued, no grid file left behind."""
    store = GeoPackageStore(data_dir / "humansec.gpkg")
    assert store.catalogue(include_retired=True) == []
    grids = data_dir / "rasters"
    assert not grids.exists() or list(grids.iterdir()) == []


# --- identifying the bytes ---------------------------------------------------------------


def test_identify_accepts_a_tiff_and_refuses_a_vrt_named_tif(tmp_path: Path) -> None:
    grid = tmp_path / "g.tif"
    raster_files.two_band_grid(grid)
    identify_grid(grid, "g.tif")
    vrt = tmp_path / "v.tif"
    raster_files.vrt_as_tif(vrt, "http://127.0.0.1:9")
    with pytest.raises(IngestError, match=r"virtual raster \(VRT\).*gdal_translate"):
        identify_grid(vrt, "v.tif")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "a PNG image, not a GeoTIFF"),
        (b"ncols 4\nnrows 4\n", "an ASCII grid"),
        (b"id,name\n1,a\n", "not a GeoTIFF"),
    ],
)
def test_identify_names_what_other_files_are(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "x.tif"
    path.write_bytes(content)
    with pytest.raises(IngestError, match=expected):
        identify_grid(path, "x.tif")


def test_identify_refuses_a_tiff_named_like_something_else(tmp_path: Path) -> None:
    path = tmp_path / "g.geojson"
    raster_files.two_band_grid(path)
    with pytest.raises(IngestError, match=r"Rename it to \.tif"):
        identify_grid(path, "g.geojson")


def test_roles_default_to_total_for_one_band_only() -> None:
    assert resolve_roles([], 1, "g.tif") == ["total"]
    assert resolve_roles(["Female:00_04"], 1, "g.tif") == ["female:0-4"]
    with pytest.raises(IngestError, match="has 3 bands; say what each counts"):
        resolve_roles([], 3, "g.tif")
    with pytest.raises(IngestError, match="2 band\\(s\\) but 1 band role"):
        resolve_roles(["total"], 2, "g.tif")
    with pytest.raises(IngestError, match=r"female.*more than one band"):
        resolve_roles(["female", "Female"], 2, "g.tif")
    with pytest.raises(IngestError, match="not a band role"):
        resolve_roles(["kids"], 1, "g.tif")


# --- good grids ----------------------------------------------------------------------------


def test_a_two_band_grid_with_nodata_is_stored_as_a_cog_and_catalogued(
    tmp_path: Path, data_dir: Path
) -> None:
    path = tmp_path / "worldpop sex.tif"
    written = raster_files.two_band_grid(path)
    result = _ingest(path, data_dir, ["female", "male"])
    record = result.record  # type: ignore[attr-defined]
    assert record["features"] == 2
    assert record["kind"] == "population_raster"
    store = GeoPackageStore(data_dir / "humansec.gpkg")
    (catalogued,) = store.catalogue()
    assert catalogued.kind is LayerKind.POPULATION_RASTER
    assert catalogued.provenance["band_roles"] == ["female", "male"]
    frame = store.read_layer(catalogued.layer_id)
    assert frame["role"].tolist() == ["female", "male"]
    assert frame["band"].tolist() == [1, 2]
    assert frame["nodata"].tolist() == [raster_files.NODATA] * 2
    assert set(frame["crs"]) == {"EPSG:4326"}
    assert frame.geometry.iloc[0].bounds == pytest.approx((30.0, 49.94, 30.08, 50.0))
    bands = raster_bands(frame.assign(layer_id=catalogued.layer_id), data_dir)
    assert [b.role.label for b in bands] == ["female", "male"]
    for band in bands:
        assert band.path.parent == data_dir / "rasters"
        with rasterio.open(band.path) as stored:
            assert stored.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG"
            assert stored.profile["tiled"]
            assert stored.nodata == raster_files.NODATA
            np.testing.assert_array_equal(stored.read(band.band), written[band.band - 1])
            assert stored.crs.to_epsg() == 4326


def test_a_projected_grid_gets_its_footprint_in_wgs84(tmp_path: Path, data_dir: Path) -> None:
    path = tmp_path / "utm.tif"
    raster_files.projected_grid(path)
    result = _ingest(path, data_dir, [])
    assert result.notes and "role 'total'" in result.notes[0]  # type: ignore[attr-defined]
    store = GeoPackageStore(data_dir / "humansec.gpkg")
    frame = store.read_layer(str(result.record["layer_id"]))  # type: ignore[attr-defined]
    assert frame["crs"].tolist() == ["EPSG:32636"]
    assert frame["role"].tolist() == ["total"]
    to_wgs84 = Transformer.from_crs(32636, 4326, always_xy=True)
    footprint = frame.geometry.iloc[0]
    for x, y in [(320_000, 5_600_000), (321_000, 5_599_000), (320_000, 5_599_000)]:
        lon, lat = to_wgs84.transform(x, y)
        assert footprint.exterior.distance(shapely.Point(lon, lat)) < 1e-9


def test_a_new_file_adds_bands_to_an_existing_grid_layer(tmp_path: Path, data_dir: Path) -> None:
    sexes = tmp_path / "sexes.tif"
    raster_files.two_band_grid(sexes)
    first = _ingest(sexes, data_dir, ["female", "male"]).record  # type: ignore[attr-defined]
    total = tmp_path / "total.tif"
    raster_files.projected_grid(total)
    second = _ingest(total, data_dir, ["total"], layer_id=first["layer_id"]).record  # type: ignore[attr-defined]
    assert (second["layer_id"], second["version"], second["features"]) == (
        first["layer_id"], 2, 3,
    )  # fmt: skip
    store = GeoPackageStore(data_dir / "humansec.gpkg")
    frame = store.read_layer(str(first["layer_id"]))
    assert frame["role"].tolist() == ["female", "male", "total"]
    assert len(set(frame["file"])) == 2
    with pytest.raises(IngestError, match="already has a band counting female"):
        _ingest(sexes, data_dir, ["female", "age:0-4"], layer_id=first["layer_id"])
    assert [r.version for r in store.versions(str(first["layer_id"]))] == [1, 2]
    assert len(list((data_dir / "rasters").glob("*.tif"))) == 2


def test_a_grid_layer_can_be_retired_and_restored(tmp_path: Path, data_dir: Path) -> None:
    path = tmp_path / "g.tif"
    raster_files.projected_grid(path)
    layer = str(_ingest(path, data_dir, []).record["layer_id"])  # type: ignore[attr-defined]
    store = GeoPackageStore(data_dir / "humansec.gpkg")
    store.set_retired(layer, retired=True)
    assert store.read_kind(LayerKind.POPULATION_RASTER).empty
    store.set_retired(layer, retired=False)
    assert len(store.read_kind(LayerKind.POPULATION_RASTER)) == 1


# --- the hostile corpus ----------------------------------------------------------------------


def test_a_vrt_disguised_as_tif_is_refused_and_fetches_nothing(
    tmp_path: Path, data_dir: Path
) -> None:
    with raster_files.counting_server() as (url, hits):
        path = tmp_path / "population.tif"
        raster_files.vrt_as_tif(path, url)
        with pytest.raises(IngestError, match=r"virtual raster \(VRT\).*refused"):
            _ingest(path, data_dir, [])
    assert hits == []
    _unchanged(data_dir)


def test_a_vsicurl_path_is_refused_and_fetches_nothing(data_dir: Path) -> None:
    with (
        raster_files.counting_server() as (url, hits),
        pytest.raises(IngestError, match=r"not a local file.*vsicurl"),
    ):
        _ingest(Path(f"/vsicurl/{url}/grid.tif"), data_dir, [])
    assert hits == []
    _unchanged(data_dir)


def test_an_external_overview_beside_the_upload_is_never_read(
    tmp_path: Path, data_dir: Path
) -> None:
    """GDAL would take ``grid.tif.ovr`` as the grid's overviews; the worker lists no folder."""
    grid = tmp_path / "grid.tif"
    with rasterio.open(
        grid, "w", driver="GTiff", width=64, height=64, count=1, dtype="float32",
        crs="EPSG:4326", transform=from_origin(30.0, 50.0, 0.01, 0.01),
    ) as out:  # fmt: skip
        out.write(np.ones((1, 64, 64), dtype="float32"))
    upload = stage_upload(grid.read_bytes(), "grid.tif", data_dir / "staging")
    with rasterio.open(
        upload.with_name("grid.tif.ovr"), "w", driver="GTiff", width=32, height=32, count=1,
        dtype="float32", transform=from_origin(30.0, 50.0, 0.02, 0.02),
    ) as ovr:  # fmt: skip
        ovr.write(np.full((1, 32, 32), 999, dtype="float32"))
    with rasterio.open(upload) as check:  # the decoy works: plain GDAL does read it
        assert check.overviews(1) == [2]
    result = store_grid(upload, "grid.tif", [], store_path=data_dir, data_dir=data_dir, meta=META)
    stored = data_dir / str(result.record["file"])
    with rasterio.open(stored) as cog:
        decimated = cog.read(1, out_shape=(16, 16))
        assert set(np.unique(decimated).tolist()) == {1.0}
    assert result.facts["width"] == 64


def test_a_decompression_bomb_is_refused_before_any_cell_is_read(
    tmp_path: Path, data_dir: Path
) -> None:
    path = tmp_path / "bomb.tif"
    raster_files.sparse_grid(path, 200_000, 200_000)
    assert path.stat().st_size < 5_000_000  # small on disk, 160 GB declared
    with pytest.raises(IngestError, match=r"declares 200,000 x 200,000 = .* cells.*Clip it"):
        _ingest(path, data_dir, [])
    _unchanged(data_dir)


def test_a_huge_declared_decompressed_size_is_refused(tmp_path: Path, data_dir: Path) -> None:
    path = tmp_path / "huge.tif"
    raster_files.sparse_grid(path, 2_000, 2_000, count=4, dtype="float64")
    limits = IngestLimits(max_raster_bytes=64 * 2**20)  # 122 MiB declared, 64 MiB allowed
    with pytest.raises(IngestError, match=r"declares 0.1 GiB of cells once decompressed"):
        _ingest(path, data_dir, ["total", "female", "male", "age:0-4"], limits=limits)
    _unchanged(data_dir)


def test_a_grid_without_crs_is_refused_saying_how_to_assign_one(
    tmp_path: Path, data_dir: Path
) -> None:
    path = tmp_path / "nocrs.tif"
    raster_files.no_crs_grid(path)
    with pytest.raises(IngestError, match=r"^The grid has no CRS; .*-a_srs EPSG:4326"):
        _ingest(path, data_dir, [])
    _unchanged(data_dir)


def test_a_truncated_grid_is_refused(tmp_path: Path, data_dir: Path) -> None:
    path = tmp_path / "cut.tif"
    raster_files.truncated_grid(path, tmp_path)
    with pytest.raises(IngestError, match=r"could not be read as a GeoTIFF.*truncated"):
        _ingest(path, data_dir, [])
    _unchanged(data_dir)


def test_a_multi_band_grid_without_roles_is_refused(tmp_path: Path, data_dir: Path) -> None:
    path = tmp_path / "g.tif"
    raster_files.two_band_grid(path)
    with pytest.raises(IngestError, match="has 2 bands; say what each counts"):
        _ingest(path, data_dir, [])
    _unchanged(data_dir)


def test_the_staged_copy_is_removed_after_a_refusal(tmp_path: Path, data_dir: Path) -> None:
    path = tmp_path / "nocrs.tif"
    raster_files.no_crs_grid(path)
    with pytest.raises(IngestError):
        _ingest(path, data_dir, [])
    assert list((data_dir / "staging").iterdir()) == []
    shutil.rmtree(data_dir)


def test_a_tiff_given_as_a_vector_layer_is_sent_to_the_grid_kind(tmp_path: Path) -> None:
    from humansec.ingest.sniff import identify  # noqa: PLC0415

    path = tmp_path / "g.tif"
    raster_files.two_band_grid(path)
    with pytest.raises(IngestError, match=r"GeoTIFF grid.*population_raster"):
        identify(path, "g.tif")


def test_a_grid_is_catalogued_in_a_postgis_store(
    tmp_path: Path, data_dir: Path, postgis_url: str
) -> None:
    from humansec.store.postgis import PostGISStore  # noqa: PLC0415

    path = tmp_path / "g.tif"
    raster_files.two_band_grid(path)
    result = ingest_grid(
        path, ["female", "male"], staging_root=data_dir / "staging", store_path=postgis_url,
        data_dir=data_dir, meta=META,
    )  # fmt: skip
    store = PostGISStore(postgis_url)
    (record,) = store.catalogue()
    assert record.kind is LayerKind.POPULATION_RASTER
    frame = store.read_layer(record.layer_id)
    bands = raster_bands(frame.assign(layer_id=record.layer_id), data_dir)
    assert [b.role.label for b in bands] == ["female", "male"]
    assert bands[0].path == data_dir / str(result.record["file"])
