"""Input checks of the conflict check: CRS, columns, kinds, geometries, times, metres."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from humansec.conflicts.geodesic import Array
from humansec.errors import SchemaError, choices
from humansec.model import (
    GEOMETRY_TYPE_NAMES,
    PROTECTED_KINDS,
    LayerKind,
    conform,
    geometry_family,
)

_GEOM_TYPE_NAMES = GEOMETRY_TYPE_NAMES


def _check_crs(frame: gpd.GeoDataFrame, what: str) -> None:
    if not isinstance(frame, gpd.GeoDataFrame):
        msg = f"The {what} must be a GeoDataFrame in EPSG:4326, got {type(frame).__name__}."
        raise SchemaError(msg)
    if frame.crs is None or frame.crs.to_epsg() != 4326:
        msg = (
            f"The {what} must be in WGS84 (EPSG:4326), got {frame.crs!s}. "
            "Reproject them first (GeoDataFrame.to_crs('EPSG:4326'))."
        )
        raise SchemaError(msg)


def _check_activities(activities: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    _check_crs(activities, "activities")
    acts = conform(activities, LayerKind.ACTIVITY).reset_index(drop=True)
    for col in ("precision_m", "hazard_radius_m"):
        if (acts[col] < 0).any():
            msg = f"activity.{col} must be >= 0 metres; fix the negative values."
            raise SchemaError(msg)
    return acts


def _check_features(
    features: gpd.GeoDataFrame,
) -> tuple[gpd.GeoDataFrame, npt.NDArray[np.int32], Array]:
    """The features checked and completed, with each geometry's shapely type id and the
    coordinates of the plain points among them, in order (what ``prepare`` takes)."""
    _check_crs(features, "features")
    missing = [c for c in ("id", "kind") if c not in features.columns]
    if missing:
        msg = (
            f"The features need the columns {choices(missing)} (kind: {choices(PROTECTED_KINDS)})."
        )
        raise SchemaError(msg)
    feats = features.reset_index(drop=True)  # copy-on-write: the caller's frame stays as it is
    kinds = feats["kind"].astype("string")
    bad = kinds.isna() | ~kinds.isin([str(k) for k in PROTECTED_KINDS])
    if bad.any():
        msg = (
            f"Features with kind {choices(set(kinds[bad].fillna('<missing>')))} cannot be "
            f"checked; valid kinds: {choices(PROTECTED_KINDS)}."
        )
        raise SchemaError(msg)
    if feats["id"].isna().any():
        msg = "Some features have no id; every feature needs one."
        raise SchemaError(msg)
    type_ids, point_xy = _check_feature_geometries(feats)
    for col in ("category", "protection", "layer_id"):
        if col not in feats.columns:
            feats[col] = None
    for col in ("valid_from", "valid_to"):
        feats[col] = _utc(feats[col]) if col in feats.columns else pd.NaT
    if "precision_m" in feats.columns:
        prec = pd.to_numeric(feats["precision_m"], errors="coerce")
        if (prec < 0).any() or (prec.isna() & feats["precision_m"].notna()).any():
            msg = "feature precision_m must be a number of metres >= 0."
            raise SchemaError(msg)
        feats["precision_m"] = prec
    else:
        feats["precision_m"] = np.nan
    return feats, type_ids, point_xy


def _check_feature_geometries(feats: gpd.GeoDataFrame) -> tuple[npt.NDArray[np.int32], Array]:
    """Each geometry's shapely type id and the coordinates of the plain points, checked."""
    geom_array = np.asarray(feats.geometry.array, dtype=object)
    type_ids = shapely.get_type_id(geom_array)  # -1: missing
    if (type_ids < 0).any() or shapely.is_empty(geom_array).any():
        msg = "Some features have no geometry; drop or fix them."
        raise SchemaError(msg)
    for type_id in np.flatnonzero(np.bincount(type_ids)):  # the types present, no sort
        geometry_family(_GEOM_TYPE_NAMES[int(type_id)])
    points = type_ids == shapely.GeometryType.POINT
    # the points' coordinates apart: ``prepare`` takes them (and the types) as they are
    if points.all():
        point_xy, other_xy = shapely.get_coordinates(geom_array), np.empty((0, 2))
    else:
        point_xy = shapely.get_coordinates(geom_array[points])
        other_xy = shapely.get_coordinates(geom_array[~points])
    for coords in (point_xy, other_xy):
        lon_ok = np.abs(coords[:, 0]) <= 180
        if not (np.isfinite(coords).all() and lon_ok.all() and (np.abs(coords[:, 1]) <= 90).all()):
            msg = "Some feature coordinates are not finite or outside lon -180..180 / lat -90..90."
            raise SchemaError(msg)
    return type_ids, point_xy


def _utc(values: pd.Series) -> pd.Series:
    try:
        return pd.to_datetime(values, utc=True, format="mixed")
    except (ValueError, TypeError) as exc:
        msg = f"Feature times must be ISO 8601 dates, e.g. 2026-11-26T14:30:00Z ({exc})."
        raise SchemaError(msg) from None


def _metres(frame: pd.DataFrame, col: str) -> Array:
    values = frame[col].to_numpy(dtype=np.float64, na_value=np.nan)
    return np.asarray(np.nan_to_num(values, nan=0.0), dtype=np.float64)
