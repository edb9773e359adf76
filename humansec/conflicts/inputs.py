"""What a conflict check reads and writes: protected features from the store's layers,
activities from files, a planner's table or drawn shapes, and the result as CSV or GeoJSON.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from humansec.conflicts.describe import describe_conflicts, readable_conflicts
from humansec.coords import from_mgrs
from humansec.errors import CoordinateError, SchemaError, choices
from humansec.model import ACTIVITY_TYPES, PROTECTED_KINDS, WGS84, LayerKind
from humansec.tables import to_csv_bytes

FEATURE_COLUMNS = (
    "id",
    "kind",
    "name",
    "category",
    "protection",
    "precision_m",
    "valid_from",
    "valid_to",
    "layer_id",
    "population",
)
OUTPUT_SUFFIXES = (".csv", ".geojson")


def protected_features(frames: Mapping[LayerKind, gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    """One frame of every protected feature in ``frames`` with a ``kind`` column (EPSG:4326)."""
    parts = []
    for kind in PROTECTED_KINDS:
        frame = frames.get(kind)
        if frame is None or frame.empty:
            continue
        part = frame.assign(kind=str(kind))
        if part.geometry.name != "geometry":
            part = part.rename_geometry("geometry")
        keep = [c for c in FEATURE_COLUMNS if c in part.columns]
        parts.append(part[[*keep, "geometry"]])
    if not parts:
        return gpd.GeoDataFrame({"id": [], "kind": []}, geometry=[], crs=WGS84)
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=WGS84)


def read_vector(path: Path, *, layer: str | None = None) -> gpd.GeoDataFrame:
    """Read a local vector file (GeoPackage, GeoJSON, shapefile, ...) into EPSG:4326.

    A file without a CRS, or with several layers and no ``layer``, is refused with the fix.
    """
    if not path.is_file():
        msg = f"{path} does not exist or is not a file."
        raise SchemaError(msg)
    try:
        layers = [str(name) for name, _ in pyogrio.list_layers(path)]
    except pyogrio.errors.DataSourceError as error:
        msg = f"{path} is not a vector file humansec can read ({error})."
        raise SchemaError(msg) from None
    if layer is None and len(layers) > 1:
        msg = f"{path} holds several layers; name one of {choices(layers)}."
        raise SchemaError(msg)
    if layer is not None and layer not in layers:
        msg = f"{path} has no layer {layer!r}; its layers are {choices(layers)}."
        raise SchemaError(msg)
    frame = gpd.read_file(path, layer=layer, engine="pyogrio")
    if frame.crs is None:
        msg = f"{path} says nothing of its CRS; save it with one (e.g. EPSG:4326)."
        raise SchemaError(msg)
    return frame.to_crs(WGS84)


def activities_from_table(table: pd.DataFrame) -> gpd.GeoDataFrame:
    """Point activities from a planner's table: ``id``, ``type``, optional ``start``, ``end``,
    ``precision_m``, ``hazard_radius_m``, and either ``mgrs`` or ``lat`` and ``lon``.

    Empty rows are skipped; a row that cannot be placed raises an error naming it.
    """
    rows = []
    geoms = []
    for number, (_, row) in enumerate(table.iterrows(), start=1):
        if all(_blank(row.get(c)) for c in ("id", "type", "lat", "lon", "mgrs")):
            continue
        try:
            record, point = _activity_row(row, default_id=f"row-{number}")
        except (SchemaError, CoordinateError) as error:
            msg = f"Row {number}: {error}"
            raise type(error)(msg) from None
        rows.append(record)
        geoms.append(point)
    return gpd.GeoDataFrame(pd.DataFrame(rows, columns=_TABLE_COLUMNS), geometry=geoms, crs=WGS84)


def activity_from_entry(entry: Mapping[str, object]) -> gpd.GeoDataFrame:
    """One point activity typed into a form (the fields of :func:`activities_from_table`).

    Unlike the table, its errors name no row: there is only the one entry.

    >>> activity_from_entry({"id": "a1", "type": "patrol", "mgrs": "34U FE 26199 96369"}).id[0]
    'a1'
    """
    record, point = _activity_row(pd.Series(dict(entry), dtype=object), default_id="entry")
    return gpd.GeoDataFrame(
        pd.DataFrame([record], columns=_TABLE_COLUMNS), geometry=[point], crs=WGS84
    )


_TABLE_COLUMNS = ["id", "type", "start", "end", "precision_m", "hazard_radius_m"]


def _activity_row(row: pd.Series, *, default_id: str) -> tuple[dict[str, object], shapely.Point]:
    activity_type = str(row.get("type") or "")
    if activity_type not in ACTIVITY_TYPES:
        msg = f"type {activity_type!r} is not one of {choices(ACTIVITY_TYPES)}."
        raise SchemaError(msg)
    lat, lon = _position(row)
    record: dict[str, object] = {
        "id": str(row.get("id") or default_id),
        "type": activity_type,
        "start": _time(row.get("start")),
        "end": _time(row.get("end")),
        "precision_m": _number(row.get("precision_m")),
        "hazard_radius_m": _number(row.get("hazard_radius_m")),
    }
    return record, shapely.Point(lon, lat)


def activities_from_geojson(
    features: list[Mapping[str, object]], *, activity_type: str, id_prefix: str = "drawn"
) -> gpd.GeoDataFrame:
    """Activities from GeoJSON features (e.g. shapes drawn on the map), all of one type."""
    if activity_type not in ACTIVITY_TYPES:
        msg = f"Activity type {activity_type!r} is not one of {choices(ACTIVITY_TYPES)}."
        raise SchemaError(msg)
    geoms = [shapely.geometry.shape(feature["geometry"]) for feature in features]
    ids = [f"{id_prefix}-{number}" for number in range(1, len(geoms) + 1)]
    return gpd.GeoDataFrame(
        {"id": ids, "type": [activity_type] * len(geoms)}, geometry=geoms, crs=WGS84
    )


MAX_GEOJSON_BYTES = 5_000_000
_GEOMETRY_TYPES = (
    "Point",
    "LineString",
    "Polygon",
    "MultiPoint",
    "MultiLineString",
    "MultiPolygon",
)


def activities_from_geojson_bytes(data: bytes, *, default_type: str) -> gpd.GeoDataFrame:
    """Activities from an uploaded GeoJSON FeatureCollection in WGS84 (parsed without GDAL).

    Each feature's ``id``, ``type``, ``name``, ``unit``, ``start``, ``end``, ``precision_m`` and
    ``hazard_radius_m`` properties are used where present (``default_type`` where ``type`` is
    missing). Anything that is not plain GeoJSON of points, lines and polygons is refused with
    the reason.
    """
    if len(data) > MAX_GEOJSON_BYTES:
        msg = f"The file is {len(data):,} bytes; a plan may be at most {MAX_GEOJSON_BYTES:,}."
        raise SchemaError(msg)
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        msg = f"The file is not GeoJSON text ({error}); save it as UTF-8 GeoJSON."
        raise SchemaError(msg) from None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        msg = "The file must be a GeoJSON FeatureCollection."
        raise SchemaError(msg)
    if "crs" in document:
        msg = (
            "The file names a CRS; humansec reads plan files only in WGS84 (RFC 7946 GeoJSON "
            "without a 'crs' member). Export it again in EPSG:4326."
        )
        raise SchemaError(msg)
    rows = []
    geoms = []
    for number, feature in enumerate(document.get("features") or [], start=1):
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        if not isinstance(geometry, dict) or geometry.get("type") not in _GEOMETRY_TYPES:
            msg = f"Feature {number}: its geometry must be one of {choices(_GEOMETRY_TYPES)}."
            raise SchemaError(msg)
        try:
            geom = shapely.geometry.shape(geometry)
        except (ValueError, TypeError, AttributeError, IndexError) as error:
            msg = f"Feature {number}: the geometry cannot be read ({error})."
            raise SchemaError(msg) from None
        coords = shapely.get_coordinates(geom)
        finite = bool(len(coords)) and bool(pd.notna(coords).all())
        if not finite or (abs(coords[:, 0]) > 180).any() or (abs(coords[:, 1]) > 90).any():
            msg = f"Feature {number}: coordinates must be finite longitude, latitude in WGS84."
            raise CoordinateError(msg)
        props = feature.get("properties") or {}
        if not isinstance(props, dict):
            props = {}
        rows.append({"id": props.get("id") or f"file-{number}", **props})
        rows[-1].setdefault("type", default_type)
        geoms.append(geom)
    if not rows:
        msg = "The file holds no features."
        raise SchemaError(msg)
    table = pd.DataFrame(rows)
    return _typed_activities(table, geoms)


def _typed_activities(table: pd.DataFrame, geoms: list[shapely.Geometry]) -> gpd.GeoDataFrame:
    out = pd.DataFrame({"id": table["id"].astype(str)})
    bad = sorted({str(t) for t in table["type"] if str(t) not in ACTIVITY_TYPES})
    if bad:
        msg = f"Unknown activity types {choices(bad)}; valid types are {choices(ACTIVITY_TYPES)}."
        raise SchemaError(msg)
    out["type"] = table["type"].astype(str)
    for column in ("start", "end"):
        out[column] = [_time(v) for v in table.get(column, pd.Series(None, table.index))]
    for column in ("precision_m", "hazard_radius_m"):
        out[column] = [_number(v) for v in table.get(column, pd.Series(None, table.index))]
    for column in _TEXT_COLUMNS:  # the planner's words, kept so every table can name them
        if column in table.columns:
            texts = [None if _blank(v) else str(v).strip() or None for v in table[column]]
            out[column] = pd.Series(texts, index=out.index, dtype=object)
    return gpd.GeoDataFrame(out, geometry=geoms, crs=WGS84)


_TEXT_COLUMNS = ("name", "unit")


def activities_geojson(activities: gpd.GeoDataFrame) -> str:
    """GeoJSON of activities (times in ISO 8601); ``activities_from_geojson_bytes`` reads it."""
    columns = ["id", "type", "start", "end", "precision_m", "hazard_radius_m", *_TEXT_COLUMNS]
    kept = activities[[c for c in columns if c in activities.columns]]
    frame = gpd.GeoDataFrame(kept, geometry=activities.geometry.to_numpy(), crs=WGS84)
    return str(frame.to_json(na="null", drop_id=True, default=_iso))


def _iso(value: object) -> str:
    isoformat = getattr(value, "isoformat", None)
    return str(isoformat()) if callable(isoformat) else str(value)


def write_conflicts(
    conflicts: pd.DataFrame,
    features: gpd.GeoDataFrame,
    out: Path,
    *,
    activities: gpd.GeoDataFrame | None = None,
) -> None:
    """Write ``conflicts`` to ``out``: CSV (spreadsheet-safe) or GeoJSON (feature geometry).

    Both carry each feature's name and location and each activity's name
    (``describe.describe_conflicts``); the CSV has its headings and codes in words
    (``describe.readable_conflicts``), the GeoJSON keeps the field names as properties.
    """
    suffix = out.suffix.lower()
    if suffix not in OUTPUT_SUFFIXES:
        msg = f"Cannot write {out.name}: the output must end in {choices(OUTPUT_SUFFIXES)}."
        raise SchemaError(msg)
    described = describe_conflicts(conflicts, features, activities)
    if suffix == ".csv":
        out.write_bytes(to_csv_bytes(readable_conflicts(described)))
    else:
        out.write_text(conflicts_geojson(described, features), encoding="utf-8")


def conflicts_geojson(conflicts: pd.DataFrame, features: gpd.GeoDataFrame) -> str:
    """GeoJSON of the conflicts, each located at its protected feature (EPSG:4326)."""
    # Ids are unique within a layer, not across layers: look features up by both.
    layers = features["layer_id"] if "layer_id" in features else pd.Series("", features.index)
    geometry_of = {
        (str(layer or ""), str(fid)): geom
        for layer, fid, geom in zip(layers, features["id"], features.geometry, strict=True)
    }
    conflict_layers = conflicts.get("feature_layer", pd.Series("", conflicts.index))
    located = gpd.GeoDataFrame(
        conflicts.reset_index(drop=True),
        geometry=[
            geometry_of.get((str(layer) if pd.notna(layer) else "", str(fid)))
            for layer, fid in zip(conflict_layers, conflicts["feature_id"], strict=True)
        ],
        crs=WGS84,
    )
    return json.dumps(json.loads(located.to_json(na="null", drop_id=True)), ensure_ascii=False)


def _position(row: pd.Series) -> tuple[float, float]:
    reference = row.get("mgrs")
    if not _blank(reference):
        return from_mgrs(str(reference))
    lat, lon = _number(row.get("lat")), _number(row.get("lon"))
    if lat is None or lon is None:
        msg = "give either an MGRS reference or both latitude and longitude."
        raise CoordinateError(msg)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        msg = f"({lat}, {lon}) is out of range (latitude -90..90, longitude -180..180)."
        raise CoordinateError(msg)
    return lat, lon


def _blank(value: object) -> bool:
    # pd.NA is what an empty cell of a string column holds (e.g. the planner's table).
    return (
        value is None
        or value is pd.NA
        or (isinstance(value, float) and pd.isna(value))
        or str(value).strip() == ""
    )


def _number(value: object) -> float | None:
    if _blank(value):
        return None
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        msg = f"{value!r} is not a number."
        raise SchemaError(msg) from None


def _time(value: object) -> pd.Timestamp | None:
    if _blank(value):
        return None
    try:
        stamp: pd.Timestamp | None = pd.Timestamp(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        msg = f"{value!r} is not a date and time; write ISO 8601, e.g. 2026-11-26T14:30:00Z."
        raise SchemaError(msg) from None
    if stamp is None or pd.isna(stamp):  # NaT: an empty time
        return None
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
