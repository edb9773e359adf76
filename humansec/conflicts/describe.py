"""Conflict and activity tables a planner can read: names, kinds in words, where (lat/lon, MGRS).

``find_conflicts`` names each protected feature by its id and layer (``cp-023``); a planner
needs to know which church or hospital that is, and where. ``describe_conflicts`` joins onto
the pair table the feature's name and a location, and the activity's name;
``describe_activities`` does the same for the per-activity table. ``readable_conflicts`` and
``readable_activities`` then give the tables people read (CSV, XLSX, PDF, the page): codes
written in words (``air_strike`` -> ``Air strike``) and column headings in words.

The location of a feature in a conflict is its point nearest to the activity (measured in
lon/lat degrees: a point to read on the map, not a distance; the distance is the engine's
geodesic one). A feature that contains the activity is located at the activity. Without the
activity's geometry the feature's representative point is used. All in EPSG:4326.

>>> import geopandas as gpd, pandas as pd, shapely
>>> features = gpd.GeoDataFrame({"id": ["c1"], "name": ["St Anne"], "kind": ["cultural"]},
...     geometry=[shapely.Point(22.93, 54.1)], crs="EPSG:4326")
>>> pairs = pd.DataFrame({"activity_id": ["a1"], "feature_id": ["c1"], "feature_layer": [None]})
>>> row = describe_conflicts(pairs, features).iloc[0]
>>> row["feature_name"], row["feature_mgrs"]
('St Anne', '34U FE 26199 96369')
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from humansec.coords import to_mgrs
from humansec.errors import CoordinateError, SchemaError
from humansec.model import KIND_SPECS, LayerKind

DESCRIBED_COLUMNS: tuple[str, ...] = (
    "activity_name",
    "feature_name",
    "feature_lat",
    "feature_lon",
    "feature_mgrs",
)
"""Columns ``describe_conflicts`` adds to the pair table."""
LOCATION_DECIMALS = 5  # about 1 m
_ACRONYMS = {"idp": "IDP", "un": "UN", "ngo": "NGO", "unesco": "UNESCO", "icrc": "ICRC"}

CONFLICT_HEADINGS: dict[str, str] = {
    "severity": "Severity",
    "activity_id": "Activity",
    "activity_name": "Activity name",
    "activity_type": "Activity type",
    "feature_name": "Protected feature",
    "feature_id": "Feature id",
    "feature_kind": "Feature kind",
    "feature_category": "Category",
    "feature_lat": "Latitude",
    "feature_lon": "Longitude",
    "feature_mgrs": "MGRS",
    "distance_m": "Distance (m)",
    "distance_band": "Distance band",
    "threshold_m": "Stand-off (m)",
    "people_in_hazard": "People in hazard area",
    "rule": "Rule",
    "rationale": "Rationale",
    "time_overlap": "Times overlap",
    "need_to_know": "Need to know",
    "feature_layer": "Layer id",
}
"""Column of the pair table -> heading in words, in the order people read them."""

ACTIVITY_HEADINGS: dict[str, str] = {
    "id": "Activity",
    "name": "Name",
    "type": "Type",
    "status": "Status",
    "worst_severity": "Worst severity",
    "conflicts": "Conflicts",
    "population_in_hazard": "People in hazard area",
    "lat": "Latitude",
    "lon": "Longitude",
    "mgrs": "MGRS",
    "start": "Start (UTC)",
    "end": "End (UTC)",
}
"""Column of the per-activity table -> heading in words, in reading order."""


def words(code: object) -> object:
    """A code written in words: ``air_strike`` -> ``Air strike``; missing values stay missing.

    >>> words("place_of_worship"), words("idp_site"), words("UNESCO"), words(None)
    ('Place of worship', 'IDP site', 'UNESCO', None)
    """
    if code is None or (not isinstance(code, str) and pd.isna(code)):  # type: ignore[call-overload]
        return code
    raw = str(code)
    if not (raw.islower() or "_" in raw):
        return raw.strip()
    parts = [_ACRONYMS.get(part, part) for part in raw.replace("_", " ").split()]
    text = " ".join(parts)
    return text[:1].upper() + text[1:]


def kind_title(kind: object) -> object:
    """The title of a layer kind (``cultural`` -> ``Cultural property``), else it in words."""
    try:
        return KIND_SPECS[LayerKind(str(kind))].title
    except ValueError:
        return words(kind)


def mgrs_of(lats: Sequence[float] | np.ndarray, lons: Sequence[float] | np.ndarray) -> list[str]:
    """MGRS references (1 m, grouped) of points; ``""`` where a point is missing or invalid.

    Each distinct point is converted once (tables repeat features).
    """
    lat = np.asarray(lats, dtype=float)
    lon = np.asarray(lons, dtype=float)
    known: dict[tuple[float, float], str] = {}
    out = []
    for y, x in zip(lat.tolist(), lon.tolist(), strict=True):
        key = (y, x)
        if key not in known:
            try:
                known[key] = to_mgrs(y, x)
            except CoordinateError:
                known[key] = ""
        out.append(known[key])
    return out


def describe_conflicts(
    conflicts: pd.DataFrame,
    features: gpd.GeoDataFrame,
    activities: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
    """The pair table with ``DESCRIBED_COLUMNS`` added (a new frame, rows in the same order).

    Parameters
    ----------
    conflicts
        From ``find_conflicts`` (``activity_id``, ``feature_id``, ``feature_layer``, ...).
    features
        The protected features given to it (EPSG:4326; ``id``, optional ``name``,
        ``layer_id``): features are matched by layer and id, as ids are unique only within a
        layer.
    activities
        The activities given to it (EPSG:4326; ``id``, optional ``name``); without them the
        activity names stay empty and features are located at their representative point.

    """
    _check_crs(features, "protected features")
    out = conflicts.reset_index(drop=True).copy()
    f_pos = _lookup(
        _keys(features.get("layer_id"), features["id"]),
        _keys(out.get("feature_layer"), out["feature_id"]),
    )
    a_pos = np.full(len(out), -1)
    a_geoms = np.full(len(out), None, dtype=object)
    if activities is not None:
        _check_crs(activities, "activities")
        a_pos = _lookup(_keys(None, activities["id"]), _keys(None, out["activity_id"]))
        a_geoms = _take(np.asarray(activities.geometry.array, dtype=object), a_pos)
        out["activity_name"] = _take(_names(activities), a_pos)
    else:
        out["activity_name"] = None
    out["feature_name"] = _take(_names(features), f_pos)
    f_geoms = _take(np.asarray(features.geometry.array, dtype=object), f_pos)
    lat, lon = _nearest(f_geoms, a_geoms)
    out["feature_lat"], out["feature_lon"] = lat, lon
    out["feature_mgrs"] = mgrs_of(lat, lon)
    return out


def locate(frame: gpd.GeoDataFrame, *, what: str = "features") -> pd.DataFrame:
    """``frame``'s columns without the geometry, plus ``lat``, ``lon`` and ``mgrs`` of each
    feature's representative point (a point on it; EPSG:4326 in). Rows keep their order.
    """
    _check_crs(frame, what)
    out = pd.DataFrame(frame.drop(columns=frame.geometry.name)).reset_index(drop=True)
    lat, lon = _nearest(np.asarray(frame.geometry.array, dtype=object), None)
    out["lat"], out["lon"] = lat, lon
    out["mgrs"] = mgrs_of(lat, lon)
    return out


def describe_activities(activities: gpd.GeoDataFrame) -> pd.DataFrame:
    """The activities (any columns, e.g. with the summary's ``status``) with ``lat``, ``lon``
    and ``mgrs`` of each one's representative point, without the geometry (EPSG:4326 in).
    """
    out = locate(activities, what="activities")
    if "name" not in out.columns:
        out["name"] = None
    return out


def readable_conflicts(described: pd.DataFrame) -> pd.DataFrame:
    """The described pair table for people: codes in words, ``CONFLICT_HEADINGS`` order."""
    table = described.reset_index(drop=True)
    columns = {}
    for name, heading in CONFLICT_HEADINGS.items():
        if name not in table.columns:
            continue
        values = table[name]
        if name == "feature_kind":
            values = values.astype(object).map(kind_title)
        elif name in {"activity_type", "feature_category"}:
            values = values.astype(object).map(words)
        elif name in {"distance_m", "threshold_m"}:
            values = values.astype(float).round(1)
        columns[heading] = values
    return pd.DataFrame(columns)


def readable_activities(described: pd.DataFrame) -> pd.DataFrame:
    """The described activities for people: types in words, ``ACTIVITY_HEADINGS`` order."""
    table = described.reset_index(drop=True)
    columns = {}
    for name, heading in ACTIVITY_HEADINGS.items():
        if name in table.columns:
            values = table[name]
            columns[heading] = values.astype(object).map(words) if name == "type" else values
    return pd.DataFrame(columns)


def _check_crs(frame: gpd.GeoDataFrame, what: str) -> None:
    if frame.crs is None or frame.crs.to_epsg() != 4326:
        msg = f"The {what} must be in EPSG:4326, got {frame.crs!s}; reproject them first."
        raise SchemaError(msg)


def _keys(layers: pd.Series | None, ids: pd.Series) -> pd.MultiIndex:
    """(layer, id) as text, ``""`` for a missing layer (features not read from the store)."""
    id_text = ids.astype(str).to_numpy(dtype=object)
    if layers is None:
        layer_text = np.full(len(id_text), "", dtype=object)
    else:
        layer_text = layers.astype(object).where(layers.notna(), "").astype(str).to_numpy()
    return pd.MultiIndex.from_arrays([layer_text, id_text])


def _lookup(index: pd.MultiIndex, wanted: pd.MultiIndex) -> np.ndarray:
    """Position in ``index`` of each key of ``wanted`` (the first one), -1 when absent."""
    unique = ~index.duplicated()
    positions = np.flatnonzero(unique)
    if positions.size == 0:  # no features at all (e.g. every one withheld): none found
        return np.full(len(wanted), -1, dtype=np.int64)
    found = index[unique].get_indexer(wanted)
    return np.where(found >= 0, positions[np.maximum(found, 0)], -1)


def _take(values: np.ndarray, pos: np.ndarray) -> np.ndarray:
    out = np.full(len(pos), None, dtype=object)
    hit = pos >= 0
    out[hit] = values[pos[hit]]
    return out


def _names(frame: pd.DataFrame) -> np.ndarray:
    if "name" not in frame.columns:
        return np.full(len(frame), None, dtype=object)
    names = frame["name"].astype(object)
    return names.where(names.notna() & (names.astype(str).str.strip() != ""), None).to_numpy()


def _nearest(geoms: np.ndarray, towards: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Latitude and longitude of each geometry's point nearest to ``towards`` (or, where that
    is missing, its representative point); NaN where the geometry is missing or empty.
    """
    lat = np.full(len(geoms), np.nan)
    lon = np.full(len(geoms), np.nan)
    present = np.array([isinstance(g, shapely.Geometry) and not g.is_empty for g in geoms])
    if not present.any():
        return lat, lon
    points = np.full(len(geoms), None, dtype=object)
    points[present] = shapely.point_on_surface(geoms[present].astype(object))
    if towards is not None:
        both = present & np.array(
            [isinstance(g, shapely.Geometry) and not g.is_empty for g in towards]
        )
        if both.any():
            lines = shapely.shortest_line(geoms[both], towards[both])
            points[both] = shapely.get_point(lines, 0)
    coords = shapely.get_coordinates(points[present].astype(object))
    lon[present] = np.round(coords[:, 0], LOCATION_DECIMALS)
    lat[present] = np.round(coords[:, 1], LOCATION_DECIMALS)
    return lat, lon
