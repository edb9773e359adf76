"""Read a vector upload (zipped shapefile, GeoPackage, GeoJSON, KML, KMZ) into a WGS84 frame.

Runs inside the worker process, whose environment (``gdal_env.worker_environment``) leaves GDAL
one driver and no network. The frame holds the file's own columns plus ``_source_row`` (the
1-based row of the file); everything noticed on the way is returned as findings and facts.
"""

from __future__ import annotations

import codecs
import contextlib
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from humansec.errors import IngestError, choices
from humansec.ingest.archive import extract_zip, shapefile_layers
from humansec.ingest.gdal_env import check_before_gdal
from humansec.ingest.limits import IngestLimits
from humansec.ingest.sandbox import WorkerRefusedError
from humansec.ingest.types import GDAL_DRIVER, SOURCE_ROW, Finding, SourceFormat
from humansec.ingest.xmlcheck import check_kml

if TYPE_CHECKING:
    import geopandas as gpd

_VECTOR = frozenset(f for f, driver in GDAL_DRIVER.items() if driver is not None)
_SAMPLE_ROWS = 5000
_KML_FIELD = re.compile(rb"<(?:\w+:)?(?:SimpleField|Data)\b[^>]*?\bname\s*=\s*(['\"])(.*?)\1", re.S)


def list_source_layers(
    path: Path,
    fmt: SourceFormat,
    *,
    limits: IngestLimits | None = None,
    workdir: Path | None = None,
) -> list[str]:
    """The layers of the upload that hold features (a shapefile zip: one per ``.shp``)."""
    limits = limits or IngestLimits()
    with _prepared(path, fmt, limits, workdir) as (_dataset, layers, _kml):
        return list(layers)


def read_vector(
    path: Path,
    fmt: SourceFormat,
    *,
    layer: str | None,
    crs: str | None,
    encoding: str | None,
    limits: IngestLimits,
    workdir: Path | None = None,
) -> tuple[gpd.GeoDataFrame, list[Finding], dict[str, object]]:
    """Read one layer of a vector upload into EPSG:4326.

    Parameters
    ----------
    path
        The upload: a zip of shapefiles (or the folder it was unpacked to), a GeoPackage,
        GeoJSON, KML or KMZ file.
    fmt
        Its format as ``sniff.identify`` found it.
    layer
        The layer to read; required when the source has more than one.
    crs
        The CRS of the data when the file does not say it (a shapefile without ``.prj``); when
        the file says another, this one is used and a warning says so.
    encoding
        The text encoding of a shapefile's ``.dbf``; without it the ``.cpg`` decides, and
        without that the encoding is guessed (with a warning).
    limits
        ``max_features`` and ``max_vertices`` (and the archive limits for zips).
    workdir
        Where to unpack a zip (a fresh folder); a temporary folder when None.

    Returns
    -------
    frame, findings, facts
        The frame in EPSG:4326 with the file's columns and ``_source_row``; the findings; and
        ``source_crs``, ``encoding``, ``layer``, ``layers`` and ``driver``.

    """
    if fmt not in _VECTOR:
        msg = f"{fmt} is not a vector format read through GDAL."
        raise ValueError(msg)
    findings: list[Finding] = []
    with _prepared(path, fmt, limits, workdir) as (dataset, layers, kml):
        name = _choose_layer(layers, layer, path)
        target = layers[name]
        import pyogrio  # noqa: PLC0415 - GDAL is loaded after the worker's environment is set

        info = _call(pyogrio.read_info, target, layer=name if target == dataset else None)
        count = int(info.get("features") or 0)
        _check_count(count, limits, path)
        used_encoding, read_encoding = _encoding(fmt, target, encoding, findings)
        frame = _call(
            pyogrio.read_dataframe,
            target,
            layer=name if target == dataset else None,
            use_arrow=True,
            encoding=read_encoding,
        )
        if kml is not None:
            frame = _kml_field_names(frame, kml)
        source_crs = _source_crs(frame, crs, fmt, path, findings)
    _check_count(len(frame), limits, path)
    _check_vertices(frame, limits, path)
    frame = _to_wgs84(frame, source_crs, path)
    if SOURCE_ROW in frame.columns:
        frame = frame.rename(columns={SOURCE_ROW: f"{SOURCE_ROW}_file"})
    import numpy as np  # noqa: PLC0415

    frame[SOURCE_ROW] = np.arange(1, len(frame) + 1, dtype=np.int64)
    facts: dict[str, object] = {
        "source_crs": _crs_label(source_crs),
        "encoding": used_encoding,
        "layer": name,
        "layers": list(layers),
        "driver": str(info.get("driver") or GDAL_DRIVER[fmt]),
    }
    return frame, findings, facts


@contextlib.contextmanager
def _prepared(
    path: Path, fmt: SourceFormat, limits: IngestLimits, workdir: Path | None
) -> Iterator[tuple[Path, dict[str, Path], bytes | None]]:
    """Unpack and check; yield the dataset GDAL opens, {layer: path to open}, the KML bytes."""
    with contextlib.ExitStack() as stack:
        if fmt in {SourceFormat.SHAPEFILE, SourceFormat.KMZ} and not path.is_dir():
            if workdir is None:
                workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(dir=path.parent)))
            extract_zip(path, workdir / "unpacked", limits)
            root = workdir / "unpacked"
        else:
            root = path
        if fmt is SourceFormat.SHAPEFILE:
            parts = shapefile_layers(root)
            yield root, {p.layer: p.shp for p in parts}, None
            return
        kml: bytes | None = None
        dataset = root
        if fmt is SourceFormat.KMZ:
            dataset = _kmz_document(root, path.name)
        if fmt in {SourceFormat.KML, SourceFormat.KMZ}:
            kml = dataset.read_bytes()
            check_kml(kml, what=f"the KML {dataset.name!r}")
        else:
            check_before_gdal(dataset, fmt)
        yield dataset, {name: dataset for name in _gdal_layers(dataset)}, kml


def _kmz_document(root: Path, name: str) -> Path:
    kmls = sorted(p for p in root.rglob("*") if p.suffix.lower() == ".kml" and p.is_file())
    if not kmls:
        msg = f"The KMZ {name!r} holds no .kml document. Save it again from Google Earth."
        raise IngestError(msg)
    for candidate in kmls:
        if candidate.parent == root and candidate.name.lower() == "doc.kml":
            return candidate
    top = [p for p in kmls if p.parent == root]
    return (top or kmls)[0]


def _gdal_layers(dataset: Path) -> list[str]:
    import pyogrio  # noqa: PLC0415

    listed = _call(pyogrio.list_layers, dataset)
    spatial = [str(row[0]) for row in listed if row[1] is not None]
    if not spatial:
        msg = (
            f"{dataset.name!r} holds no vector layer (only tables without geometry, raster "
            "tiles, or nothing). Export the features as a vector layer and upload that."
        )
        raise IngestError(msg)
    return spatial


def _choose_layer(layers: dict[str, Path], layer: str | None, path: Path) -> str:
    if layer is None:
        if len(layers) == 1:
            return next(iter(layers))
        msg = (
            f"{path.name!r} holds {len(layers)} layers: {choices(layers)}. Choose one "
            "(CLI: --source-layer NAME)."
        )
        raise WorkerRefusedError(msg, {"layers": list(layers)})
    if layer not in layers:
        msg = f"{path.name!r} has no layer {layer!r}; it has: {choices(layers)}."
        raise WorkerRefusedError(msg, {"layers": list(layers)})
    return layer


def _call(function: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: ANN401 - wraps pyogrio
    """Call pyogrio; turn what GDAL reports about a broken file into an IngestError."""
    import pyogrio.errors  # noqa: PLC0415

    broken = (
        pyogrio.errors.DataSourceError,
        pyogrio.errors.DataLayerError,
        pyogrio.errors.FieldError,
        pyogrio.errors.GeometryError,
        pyogrio.errors.CRSError,
        UnicodeDecodeError,
    )
    try:
        return function(*args, **kwargs)
    except broken as exc:
        text = str(exc).split("; It might help", 1)[0]
        msg = (
            f"{Path(args[0]).name!r} cannot be read: {text}. The file may be damaged or not what "
            "its name says; check that it opens in QGIS, export it again and upload that."
        )
        raise IngestError(msg) from exc
    except Exception as exc:
        if type(exc).__module__.startswith("pyarrow"):
            msg = (
                f"{Path(args[0]).name!r} holds text that is not valid in the encoding used "
                f"({exc}). Choose the encoding (CLI: --encoding ENC)."
            )
            raise IngestError(msg) from exc
        raise


def _check_count(count: int, limits: IngestLimits, path: Path) -> None:
    if count > limits.max_features:
        msg = (
            f"{path.name!r} has {count:,} features; at most {limits.max_features:,} are "
            "accepted in one upload. Split the layer (e.g. by region) and upload the parts."
        )
        raise IngestError(msg)


def _check_vertices(frame: gpd.GeoDataFrame, limits: IngestLimits, path: Path) -> None:
    import shapely  # noqa: PLC0415

    vertices = int(shapely.get_num_coordinates(frame.geometry.to_numpy()).sum())
    if vertices > limits.max_vertices:
        msg = (
            f"{path.name!r} has {vertices:,} vertices; at most {limits.max_vertices:,} are "
            "accepted in one upload. Simplify the geometries or split the layer."
        )
        raise IngestError(msg)


def _encoding(
    fmt: SourceFormat, shp: Path, encoding: str | None, findings: list[Finding]
) -> tuple[str | None, str | None]:
    """(encoding to report, encoding to pass to pyogrio) for reading ``shp``."""
    if fmt is not SourceFormat.SHAPEFILE:
        if encoding is not None:
            findings.append(
                Finding(
                    "encoding_ignored",
                    "info",
                    f"The encoding {encoding!r} was ignored: {fmt} text is always UTF-8.",
                )
            )
        return "utf-8", None
    if encoding is not None:
        return encoding, encoding
    cpg = next(
        (p for p in shp.parent.iterdir() if p.stem == shp.stem and p.suffix.lower() == ".cpg"), None
    )
    if cpg is not None:
        declared = cpg.read_text(encoding="ascii", errors="replace").strip()
        try:
            return codecs.lookup(declared).name, None
        except LookupError:
            return declared or None, None
    raw = _dbf_text_sample(shp)
    from humansec.ingest.encoding import guess_encoding  # noqa: PLC0415

    guessed, confident = guess_encoding(raw)
    if raw.isascii():
        return "ascii", guessed
    how = "It was" if confident else "It could not be detected with confidence; it was"
    findings.append(
        Finding(
            "encoding_guessed",
            "warning",
            f"The shapefile {shp.name!r} has no .cpg saying its text encoding. {how} read as "
            f"{guessed}. If names look wrong, choose the encoding (CLI: --encoding ENC, e.g. "
            "cp1251, utf-8, shift_jis) or add a .cpg to the zip.",
        )
    )
    return guessed, guessed


def _dbf_text_sample(shp: Path) -> bytes:
    """The raw bytes of the field names and text values of the first rows of the ``.dbf``."""
    import pyogrio  # noqa: PLC0415

    frame = _call(
        pyogrio.read_dataframe,
        shp,
        read_geometry=False,
        max_features=_SAMPLE_ROWS,
        encoding="latin1",
    )
    pieces = [str(c).encode("latin1", "replace") for c in frame.columns]
    for column in frame.columns:
        values = frame[column]
        if values.dtype == object or str(values.dtype) in {"str", "string"}:
            pieces.extend(str(v).encode("latin1", "replace") for v in values.dropna().unique())
    return b"\n".join(pieces)


def _kml_field_names(frame: gpd.GeoDataFrame, kml: bytes) -> gpd.GeoDataFrame:
    """Give back the real names of ExtendedData fields that LIBKML turned into underscores."""
    real: list[str] = []
    for match in _KML_FIELD.finditer(kml):
        name = match.group(2).decode("utf-8", "replace")
        if name not in real:
            real.append(name)
    renames: dict[str, str] = {}
    free = [c for c in frame.columns if c != frame.geometry.name]
    for name in real:
        if name in free:
            continue
        for variant in _sanitised(name):
            if variant in free and variant not in renames:
                renames[variant] = name
                break
    return frame.rename(columns=renames) if renames else frame


def _sanitised(name: str) -> list[str]:
    """The forms GDAL may give a field name: non-ASCII bytes, or all odd bytes, as ``_``."""
    raw = name.encode("utf-8")
    non_ascii = "".join("_" if b > 0x7F else chr(b) for b in raw)
    strict = "".join(
        chr(b) if chr(b).isascii() and (chr(b).isalnum() or b == 0x5F) else "_" for b in raw
    )
    return [non_ascii, strict]


def _source_crs(
    frame: gpd.GeoDataFrame,
    crs: str | None,
    fmt: SourceFormat,
    path: Path,
    findings: list[Finding],
) -> Any:  # noqa: ANN401 - a pyproj CRS
    from pyproj import CRS  # noqa: PLC0415
    from pyproj.exceptions import CRSError  # noqa: PLC0415

    chosen = None
    if crs is not None:
        try:
            chosen = CRS.from_user_input(crs)
        except CRSError as exc:
            msg = f"{crs!r} is not a coordinate system pyproj knows. Give it as EPSG:NNNN."
            raise IngestError(msg) from exc
    declared = frame.crs
    if declared is None and chosen is None:
        what = "has no .prj" if fmt is SourceFormat.SHAPEFILE else "does not say its CRS"
        msg = (
            f"{path.name!r} {what}, so its coordinate system is unknown. Choose it (CLI: --crs "
            "EPSG:NNNN) or add the .prj from the data's source."
        )
        raise IngestError(msg)
    if chosen is not None and declared is not None and not chosen.equals(declared):
        findings.append(
            Finding(
                "crs_overridden",
                "warning",
                f"The file says its CRS is {_crs_label(declared)}; it was read as "
                f"{_crs_label(chosen)} as chosen. Leave --crs out to use the file's own.",
            )
        )
    return chosen if chosen is not None else declared


def _to_wgs84(frame: gpd.GeoDataFrame, source: Any, path: Path) -> gpd.GeoDataFrame:  # noqa: ANN401
    from pyproj import Transformer  # noqa: PLC0415
    from pyproj.exceptions import ProjError  # noqa: PLC0415

    try:
        Transformer.from_crs(source, "EPSG:4326", always_xy=True)
    except ProjError as exc:
        msg = (
            f"The coordinate system of {path.name!r} ({_crs_label(source)}) cannot be "
            "transformed to WGS84 (it is a local, engineering or non-Earth system). Export "
            "the layer in a georeferenced CRS (e.g. EPSG:4326) or choose the right one "
            "(CLI: --crs EPSG:NNNN)."
        )
        raise IngestError(msg) from exc
    if source.to_epsg(min_confidence=70) == 4326:
        # The same system (often an ESRI spelling of it): relabel, do not round-trip the numbers.
        return frame.set_crs("EPSG:4326", allow_override=True)
    frame = frame.set_crs(source, allow_override=True)
    return frame.to_crs("EPSG:4326")


def _crs_label(crs: Any) -> str:  # noqa: ANN401
    epsg = crs.to_epsg(min_confidence=70)
    return f"EPSG:{epsg}" if epsg is not None else str(crs.name)
