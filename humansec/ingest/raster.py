"""Population grids (GeoTIFF) uploaded through the same hostile-file path as vector files.

The server side (``store_grid``, ``ingest_grid``) hashes the upload, identifies it from its
bytes (``identify_grid``: TIFF or BigTIFF, nothing else), and hands it to a bounded worker
process (``sandbox.run_worker``) whose GDAL may use only the GTiff driver (COG to write the
stored copy, GPKG for the store), reaches no network, lists no folder (so no external
overview or side file is found) and reads no ``.aux.xml``. The worker (``run_grid_job``)
checks the header against the limits (cells, declared decompressed size) before any cell is
read, requires a CRS and a north-up transform, writes a Cloud-Optimized GeoTIFF under
``<data_dir>/rasters/<sha256>.tif`` and catalogues it as one ``population_raster`` layer
version: one feature per band (``humansec.population.rasters``). Nothing is catalogued when
anything is refused.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from humansec.errors import IngestError, SchemaError
from humansec.ingest.gdal_env import raster_worker_environment
from humansec.ingest.limits import IngestLimits
from humansec.ingest.pipeline import (
    UploadMeta,
    discard,
    size_and_hash,
    stage_upload,
    store_environment,
    store_job,
    work_folder,
)
from humansec.ingest.sandbox import ProgressCallback, run_worker, write_progress
from humansec.population.bands import parse_band_role
from humansec.population.rasters import RASTER_DIR, raster_file_name

if TYPE_CHECKING:
    import geopandas as gpd
    from rasterio.io import DatasetReader

GRID_MODE = "grid"
"""The worker mode that stores a grid (``humansec.ingest.worker``)."""

_TIFF_MAGICS = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")
_GRID_NAMES = ("", ".tif", ".tiff", ".geotiff", ".gtiff")
_OTHER_RASTERS: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x00\x00\x00\x0cjP  ", "a JPEG 2000 image"),
    (b"CDF\x01", "a NetCDF file"),
    (b"CDF\x02", "a NetCDF file"),
    (b"\x89HDF\r\n\x1a\n", "an HDF5 or NetCDF-4 file"),
    (b"PK\x03\x04", "a zip archive"),
)
_CONVERT = "gdal_translate -of COG in.ext grid.tif (or QGIS: Export > Save As > GeoTIFF)"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class GridResult:
    """What storing one grid did: the layer version and what was read from the file."""

    record: Mapping[str, object]
    sha256: str
    size_bytes: int
    facts: Mapping[str, object]
    notes: tuple[str, ...]


def identify_grid(path: Path, original_name: str) -> None:
    """Refuse ``path`` unless its bytes are a TIFF or BigTIFF; the name is a hint only.

    Raises
    ------
    IngestError
        For a VRT (which reads other files and addresses), other raster formats, text, or a
        name that says something else, with what to upload instead.

    """
    name = PurePosixPath(original_name.replace("\\", "/")).name
    if path.stat().st_size == 0:
        msg = f"{name!r} is empty (0 bytes). Check that the right file was chosen."
        raise IngestError(msg)
    with path.open("rb") as source:
        head = source.read(4096)
    if head.startswith(_TIFF_MAGICS):
        suffix = PurePosixPath(name.lower()).suffix
        if suffix not in _GRID_NAMES:
            msg = (
                f"{name!r} is named like {suffix} but holds a TIFF grid. Rename it to .tif and "
                "upload it again."
            )
            raise IngestError(msg)
        return
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if text.startswith(b"<") and (b"VRTDataset" in text or b"OGRVRTDataSource" in text):
        msg = (
            f"{name!r} is a GDAL virtual raster (VRT), which reads other files and network "
            "addresses; it is refused. Make a real GeoTIFF of it (gdal_translate -of COG "
            "in.vrt grid.tif) and upload that."
        )
        raise IngestError(msg)
    for magic, what in _OTHER_RASTERS:
        if head.startswith(magic):
            msg = f"{name!r} is {what}, not a GeoTIFF. Convert it ({_CONVERT}) and upload that."
            raise IngestError(msg)
    if text[:5].lower() == b"ncols":
        msg = f"{name!r} is an ASCII grid, not a GeoTIFF. Convert it ({_CONVERT}) and upload that."
        raise IngestError(msg)
    msg = (
        f"{name!r} is not a GeoTIFF (its first bytes are not a TIFF header). Population grids "
        f"are accepted as GeoTIFF only; convert it ({_CONVERT}) and upload that."
    )
    raise IngestError(msg)


def resolve_roles(roles: Sequence[str], band_count: int, name: str) -> list[str]:
    """The role label of every band: one given per band, or ``total`` for a single band.

    >>> resolve_roles([], 1, "g.tif"), resolve_roles(["Female", "age:00_04"], 2, "g.tif")
    (['total'], ['female', 'age:0-4'])
    """
    if not roles:
        if band_count == 1:
            return ["total"]
        msg = (
            f"{name!r} has {band_count} bands; say what each counts with one --band-role per "
            "band, in band order (e.g. --band-role female --band-role male), from total, "
            "female, male, age:LOW-HIGH, female:LOW-HIGH, male:LOW-HIGH, age:80+."
        )
        raise IngestError(msg)
    if len(roles) != band_count:
        msg = (
            f"{name!r} has {band_count} band(s) but {len(roles)} band role(s) were given "
            f"({', '.join(roles)}); give exactly one per band, in band order."
        )
        raise IngestError(msg)
    try:
        labels = [parse_band_role(role).label for role in roles]
    except SchemaError as error:
        raise IngestError(str(error)) from None
    repeated = sorted({label for label in labels if labels.count(label) > 1})
    if repeated:
        msg = (
            f"The band roles {', '.join(repeated)} are given to more than one band of {name!r}; "
            "each band counts something else. Check the band order."
        )
        raise IngestError(msg)
    return labels


def store_grid(
    upload: Path,
    original_name: str,
    roles: Sequence[str],
    *,
    store_path: Path | str,
    data_dir: Path,
    meta: UploadMeta,
    layer_id: str | None = None,
    limits: IngestLimits | None = None,
    on_progress: ProgressCallback | None = None,
) -> GridResult:
    """Check a staged GeoTIFF (``pipeline.stage_upload``) and store it as a grid layer version.

    ``roles`` name what each band counts, in band order (empty: a single band is ``total``).
    With ``layer_id`` the bands are added to that ``population_raster`` layer as a new version
    (its earlier bands kept; an empty ``meta.title`` keeps its title). Raises IngestError,
    with the store unchanged, when refused.
    """
    limits = limits or IngestLimits()
    size, digest = size_and_hash(upload, limits)
    identify_grid(upload, original_name)
    resolve_roles(roles, max(len(roles), 1), original_name)  # the labels are valid
    job = {
        "mode": GRID_MODE,
        "upload": str(upload),
        "original_name": original_name,
        "roles": list(roles),
        "data_dir": str(data_dir.resolve()),
        "limits": asdict(limits),
        **store_job(original_name, digest, size, store_path, meta, layer_id),
    }
    result = run_worker(
        job,
        work_folder(upload),
        limits=limits,
        environment=raster_worker_environment() | store_environment(store_path),
        on_progress=on_progress,
    )
    record = result["record"]
    facts = result.get("facts", {})
    notes = result.get("notes", [])
    assert isinstance(record, dict)
    assert isinstance(facts, dict)
    assert isinstance(notes, list)
    return GridResult(record, digest, size, facts, tuple(str(n) for n in notes))


def ingest_grid(
    path: Path,
    roles: Sequence[str],
    *,
    staging_root: Path,
    store_path: Path | str,
    data_dir: Path,
    meta: UploadMeta,
    layer_id: str | None = None,
    limits: IngestLimits | None = None,
) -> GridResult:
    """Stage the file at ``path``, store it (``store_grid``), and remove the staged copy.

    Only the file itself is copied: files beside it (an ``.ovr``, an ``.aux.xml``) are never
    read.
    """
    text = str(path)
    if text.startswith("/vsi") or "://" in text or not path.is_file():
        msg = (
            f"{text!r} is not a local file. Give the path of a GeoTIFF on this machine "
            "(network and GDAL virtual paths such as /vsicurl/ are refused)."
        )
        raise IngestError(msg)
    with path.open("rb") as source:
        upload = stage_upload(source, path.name, staging_root)
    try:
        return store_grid(
            upload,
            path.name,
            roles,
            store_path=store_path,
            data_dir=data_dir,
            meta=meta,
            layer_id=layer_id,
            limits=limits,
        )
    finally:
        discard(work_folder(upload))


# --- the worker's side ---------------------------------------------------------------------


@dataclass(frozen=True)
class GridFacts:
    """What the header of a grid says (read before any cell)."""

    width: int
    height: int
    count: int
    dtype: str
    crs: str
    nodata: tuple[float | None, ...]
    bounds: tuple[float, float, float, float]
    resolution: tuple[float, float]


def run_grid_job(job: Mapping[str, Any], workdir: Path) -> dict[str, object]:
    """Run a ``grid`` job in the worker: check, convert to COG, catalogue. Returns the result."""
    from humansec.ingest.worker import job_store  # noqa: PLC0415

    limits = IngestLimits(**job["limits"])
    upload = Path(job["upload"])
    name = str(job["original_name"])
    data_dir = Path(job["data_dir"])
    write_progress(workdir, "Reading the grid's header", 0.1)
    store = job_store(job)
    earlier = _earlier_bands(store, job.get("layer_id"))
    if not job["meta"]["title"]:  # a new version without a new title keeps the layer's
        title = store.versions(str(job["layer_id"]))[-1].title if earlier else Path(name).stem
        job = {**job, "meta": {**job["meta"], "title": title}}
    folder = data_dir / RASTER_DIR
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f".incoming-{secrets.token_hex(8)}.tif"
    try:
        facts, labels = _convert(upload, name, job["roles"], limits, temporary, workdir)
        clash = sorted(set(labels) & set(earlier))
        if clash:
            msg = (
                f"The layer {job.get('layer_id')} already has a band counting "
                f"{', '.join(clash)}; give the new file other roles, or store it as a new layer."
            )
            raise IngestError(msg)
        digest = _sha256(temporary)
        final = folder / raster_file_name(digest)
        created = not final.exists()
        if created:
            temporary.replace(final)
        write_progress(workdir, "Cataloguing the grid", 0.9)
        try:
            record = _catalogue(store, job, facts, labels, digest, earlier_frame=earlier)
        except BaseException:
            if created:
                final.unlink(missing_ok=True)
            raise
    finally:
        temporary.unlink(missing_ok=True)
    notes = []
    if not job["roles"]:
        notes.append(f"{name!r} has one band, stored as the total population (role 'total').")
    return {"record": record, "facts": asdict(facts), "notes": notes}


def _earlier_bands(store: Any, layer_id: object) -> dict[str, Any]:  # noqa: ANN401
    """The bands of the layer a new version extends, by role (empty for a new layer)."""
    from humansec.model import LayerKind  # noqa: PLC0415

    if layer_id is None:
        return {}
    versions = store.versions(str(layer_id))
    if versions[-1].kind is not LayerKind.POPULATION_RASTER:
        msg = (
            f"The layer {layer_id} holds {versions[-1].kind} features, not population grids; "
            "give the id of a population_raster layer, or leave out --layer."
        )
        raise IngestError(msg)
    frame = store.read_layer(str(layer_id))
    return {str(role): frame[frame["role"] == role] for role in frame["role"]}


def _convert(  # noqa: PLR0917 - private, the worker's one call
    upload: Path,
    name: str,
    roles: Sequence[str],
    limits: IngestLimits,
    target: Path,
    workdir: Path,
) -> tuple[GridFacts, list[str]]:
    """Open the upload with GTiff only, check it, and write it to ``target`` as a COG."""
    import rasterio  # noqa: PLC0415 - GDAL after the worker's environment is set
    import rasterio.shutil  # noqa: PLC0415
    from rasterio._err import CPLE_BaseError  # noqa: PLC0415 - GDAL's errors while reading
    from rasterio.errors import RasterioError  # noqa: PLC0415

    text = str(upload)
    if text.startswith("/vsi") or "://" in text:
        msg = f"{name!r}: GDAL virtual and network paths are refused; upload the file itself."
        raise IngestError(msg)
    env = {"GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR", "GDAL_PAM_ENABLED": "NO"}
    try:
        with rasterio.Env(**env), rasterio.open(upload, driver="GTiff") as source:
            facts = check_header(source, name, limits, upload)
            labels = resolve_roles(roles, facts.count, name)
            write_progress(workdir, "Writing the Cloud-Optimized GeoTIFF", 0.3)
            rasterio.shutil.copy(
                source,
                target,
                driver="COG",
                COMPRESS="DEFLATE",
                PREDICTOR="YES",
                BLOCKSIZE="256",
                OVERVIEWS="AUTO",
                RESAMPLING="AVERAGE",
                BIGTIFF="IF_SAFER",
                NUM_THREADS="1",
            )
        with rasterio.Env(**env), rasterio.open(target, driver="GTiff") as stored:
            if (stored.width, stored.height, stored.count) != (
                facts.width,
                facts.height,
                facts.count,
            ):
                msg = f"The stored copy of {name!r} differs from the upload; upload it again."
                raise IngestError(msg)
    except (RasterioError, CPLE_BaseError) as error:
        first = str(error).strip().splitlines()[0][:300] if str(error).strip() else type(error)
        msg = (
            f"{name!r} could not be read as a GeoTIFF ({first}). It may be truncated or "
            "damaged: export it again from its source (gdal_translate -of COG in.tif grid.tif) "
            "and upload that."
        )
        raise IngestError(msg) from None
    return facts, labels


def check_header(source: DatasetReader, name: str, limits: IngestLimits, upload: Path) -> GridFacts:
    """Refuse a grid whose header breaks a limit or lacks what a population grid needs."""
    if source.driver != "GTiff":
        msg = f"{name!r} was not opened as a GeoTIFF (driver {source.driver}); it is refused."
        raise IngestError(msg)
    others = [f for f in source.files if Path(f).resolve() != upload.resolve()]
    if others:
        msg = (
            f"{name!r} would be read together with other files ({', '.join(others)}); only the "
            "GeoTIFF itself is read. Build its overviews inside the file (gdal_translate -of COG)."
        )
        raise IngestError(msg)
    cells = source.width * source.height
    if cells > limits.max_raster_pixels:
        msg = (
            f"{name!r} declares {source.width:,} x {source.height:,} = {cells:,} cells; grids "
            f"are limited to {limits.max_raster_pixels:,}. Clip it to the area of operations "
            "(gdalwarp -te ...), or ask the administrator to raise the limit."
        )
        raise IngestError(msg)
    declared = cells * source.count * _itemsize(source.dtypes[0], name)
    if declared > limits.max_raster_bytes:
        msg = (
            f"{name!r} declares {declared / 2**30:,.1f} GiB of cells once decompressed "
            f"({source.count} band(s) of {source.width:,} x {source.height:,} "
            f"{source.dtypes[0]}); the limit is {limits.max_raster_bytes / 2**30:,.1f} GiB. "
            "Clip it, or store fewer bands per file."
        )
        raise IngestError(msg)
    if len(set(source.dtypes)) > 1:
        msg = f"{name!r} mixes cell types {', '.join(source.dtypes)}; give its bands one type."
        raise IngestError(msg)
    if source.crs is None:
        msg = (
            f"The grid has no CRS; {name!r} does not say which coordinate system its cells are "
            "in. Assign it (gdal_translate -a_srs EPSG:4326 in.tif out.tif, or QGIS: Assign "
            "Projection) and upload it again."
        )
        raise IngestError(msg)
    transform = source.transform
    if transform.is_identity or source.gcps[0]:
        msg = (
            f"{name!r} has no geotransform (it is placed by ground control points or not at "
            "all). Warp it to a north-up grid (gdalwarp -t_srs EPSG:4326 in.tif out.tif)."
        )
        raise IngestError(msg)
    if transform.b != 0 or transform.d != 0 or transform.a <= 0 or transform.e >= 0:
        msg = (
            f"{name!r} is rotated or flipped; warp it to a north-up grid "
            "(gdalwarp in.tif out.tif) and upload that."
        )
        raise IngestError(msg)
    return GridFacts(
        width=source.width,
        height=source.height,
        count=source.count,
        dtype=source.dtypes[0],
        crs=crs_text(source.crs),
        nodata=tuple(None if v is None or math.isnan(v) else float(v) for v in source.nodatavals),
        bounds=tuple(float(v) for v in source.bounds),  # type: ignore[arg-type]
        resolution=(float(transform.a), float(-transform.e)),
    )


def crs_text(crs: Any) -> str:  # noqa: ANN401 - a rasterio CRS
    """The CRS as ``EPSG:n`` when it is exactly one, else its WKT."""
    epsg = crs.to_epsg(confidence_threshold=100)
    return f"EPSG:{epsg}" if epsg is not None else str(crs.to_wkt())


def _itemsize(dtype: str, name: str) -> int:
    import numpy as np  # noqa: PLC0415

    kind = np.dtype(dtype)
    if kind.kind not in "iuf":
        msg = f"{name!r} holds {dtype} cells; a population grid holds numbers (integer or float)."
        raise IngestError(msg)
    return int(kind.itemsize)


def footprint(facts: GridFacts) -> Any:  # noqa: ANN401 - a shapely polygon
    """The grid's outline in EPSG:4326, its edges densified before they are transformed."""
    import geopandas as gpd  # noqa: PLC0415
    import shapely  # noqa: PLC0415

    west, south, east, north = facts.bounds
    outline = gpd.GeoSeries([shapely.box(west, south, east, north)], crs=facts.crs)
    step = max(east - west, north - south) / 64
    return outline.segmentize(step).to_crs("EPSG:4326").iloc[0]


def grid_frame(
    facts: GridFacts, labels: Sequence[str], digest: str, title: str
) -> gpd.GeoDataFrame:
    """The catalogue features of one stored grid: one per band, with its footprint."""
    import geopandas as gpd  # noqa: PLC0415

    outline = footprint(facts)
    rows = [
        {
            "id": f"{digest[:12]}-b{band}",
            "name": f"{title} ({label})",
            "file": f"{RASTER_DIR}/{raster_file_name(digest)}",
            "band": band,
            "role": label,
            "nodata": facts.nodata[band - 1],
            "crs": facts.crs,
            "width": facts.width,
            "height": facts.height,
            "sha256": digest,
        }
        for band, label in enumerate(labels, start=1)
    ]
    return gpd.GeoDataFrame(rows, geometry=[outline] * len(rows), crs="EPSG:4326")


def _catalogue(
    store: Any,  # noqa: ANN401 - a LayerStore (imported in the worker)
    job: Mapping[str, Any],
    facts: GridFacts,
    labels: Sequence[str],
    digest: str,
    *,
    earlier_frame: Mapping[str, Any],
) -> dict[str, object]:
    import geopandas as gpd  # noqa: PLC0415
    import pandas as pd  # noqa: PLC0415

    from humansec.ingest.worker import add_version  # noqa: PLC0415
    from humansec.model import LayerKind, conform  # noqa: PLC0415

    meta = job["meta"]
    frame = grid_frame(facts, labels, digest, str(meta["title"]))
    if earlier_frame:
        kept = pd.concat(list(earlier_frame.values()), ignore_index=True)
        frame = gpd.GeoDataFrame(pd.concat([kept, frame], ignore_index=True), crs="EPSG:4326")
    try:
        frame = conform(frame, LayerKind.POPULATION_RASTER)
    except SchemaError as error:
        msg = f"The grid's outline cannot be catalogued: {error} Check the grid's CRS."
        raise IngestError(msg) from None
    provenance = {
        **meta.get("provenance", {}),
        "format": "geotiff",
        "stored_file": f"{RASTER_DIR}/{raster_file_name(digest)}",
        "stored_sha256": digest,
        "grid": asdict(facts),
        "band_roles": list(labels),
    }
    return {
        **add_version(store, job, frame, LayerKind.POPULATION_RASTER, provenance),
        "bands": [{"band": i, "role": label} for i, label in enumerate(labels, start=1)],
        "file": f"{RASTER_DIR}/{raster_file_name(digest)}",
    }


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
