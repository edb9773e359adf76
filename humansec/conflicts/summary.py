"""Per-activity view of the conflicts: status, counts and nearest distance per kind, people at risk.

Status (``STATUS_RULE``): red when any conflict of the activity is critical or high, amber when
its worst conflict is medium or low, green when it has none.

Population inside the hazard area: the hazard area is the activity's geometry buffered by its
hazard radius (the activity's ``hazard_radius_m`` if set, else the largest distance of any rule
for its type) plus its ``precision_m``, built in an azimuthal equidistant plane centred on the
activity, so the radius is geodesic. A population point inside counts in full; a population
polygon counts in proportion to the share of its area inside (people assumed spread evenly over
the polygon; areas measured in the same local plane).
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from humansec.conflicts.engine import MAX_EDGE_M, _candidates, _centres
from humansec.conflicts.geometry import prepare, project_geometries, unproject_geometry
from humansec.conflicts.rules import SEVERITY_RANK, RuleSet
from humansec.errors import ConfigurationError, SchemaError
from humansec.model import PROTECTED_KINDS

STATUS_RULE = "red: any critical or high conflict; amber: only medium or low; green: none"

_BUFFER_QUAD_SEGS = 32


def hazard_radius(activity: Mapping[str, object] | pd.Series, rules: RuleSet) -> float:
    """The hazard radius of an activity in metres (override, else its largest rule) + precision."""
    override = _number(activity.get("hazard_radius_m"))
    base = override if override is not None else rules.max_distance(str(activity["type"]))
    return base + (_number(activity.get("precision_m")) or 0.0)


def hazard_area(activity: Mapping[str, object] | pd.Series, rules: RuleSet) -> shapely.Geometry:
    """The activity's hazard area as a lon/lat (EPSG:4326) polygon, geodesically buffered.

    ``activity`` is one row of an activities frame (``type``, ``geometry``, optional
    ``hazard_radius_m``, ``precision_m``). Near the antimeridian the longitudes are kept
    continuous around the activity, so they may leave -180..180.
    """
    geom = activity["geometry"]
    if not isinstance(geom, shapely.Geometry) or geom.is_empty:
        msg = "The activity has no geometry; draw or enter its location first."
        raise SchemaError(msg)
    plane, lon0, lat0 = _plane(geom)
    radius = hazard_radius(activity, rules)
    buffered = shapely.buffer(plane, radius, quad_segs=_BUFFER_QUAD_SEGS) if radius > 0 else plane
    return unproject_geometry(buffered, lon0, lat0)


def summarise(
    activities: gpd.GeoDataFrame,
    conflicts: pd.DataFrame,
    population: gpd.GeoDataFrame | None = None,
    *,
    rules: RuleSet | None = None,
) -> pd.DataFrame:
    """One row per activity: status, conflict counts and nearest distance per kind, population.

    Parameters
    ----------
    activities
        The frame given to ``find_conflicts`` (EPSG:4326, ``id``, ``type``).
    conflicts
        Its result.
    population
        Optional population layer (EPSG:4326, points or polygons, column ``population``);
        needs ``rules`` to size the hazard areas.
    rules
        The rules given to ``find_conflicts`` (only needed with ``population``).

    Returns
    -------
    pandas.DataFrame
        ``activity_id``, ``status`` (see ``STATUS_RULE``), ``worst_severity``, ``conflicts``,
        ``n_<kind>`` and ``nearest_<kind>_m`` per protected kind, ``population_in_hazard``
        (NaN without a population layer).

    """
    ids = activities["id"].astype(str).to_numpy(dtype=object)
    out = pd.DataFrame({"activity_id": ids})
    c = conflicts.assign(activity_id=conflicts["activity_id"].astype(str))
    grouped = c.groupby("activity_id")
    rank = c["severity"].map(SEVERITY_RANK).groupby(c["activity_id"]).min()
    worst = out["activity_id"].map(rank)
    names = {v: k for k, v in SEVERITY_RANK.items()}
    out["worst_severity"] = worst.map(names).astype(object).where(worst.notna(), None)
    out["status"] = np.select(
        [worst.le(SEVERITY_RANK["high"]).to_numpy(), worst.notna().to_numpy()],
        ["red", "amber"],
        default="green",
    )
    out["conflicts"] = out["activity_id"].map(grouped.size()).fillna(0).astype(int)
    for kind in PROTECTED_KINDS:
        sub = c[c["feature_kind"] == str(kind)].groupby("activity_id")["distance_m"]
        out[f"n_{kind}"] = out["activity_id"].map(sub.size()).fillna(0).astype(int)
        out[f"nearest_{kind}_m"] = out["activity_id"].map(sub.min()).astype(float)
    out["population_in_hazard"] = np.nan
    if population is not None:
        if rules is None:
            msg = "summarise needs rules= to size the hazard areas when a population is given."
            raise ConfigurationError(msg)
        out["population_in_hazard"] = _population(activities, population, rules)
    return out


def _population(
    activities: gpd.GeoDataFrame, population: gpd.GeoDataFrame, rules: RuleSet
) -> np.ndarray:
    if population.crs is None or population.crs.to_epsg() != 4326:
        msg = f"The population layer must be in EPSG:4326, got {population.crs!s}; reproject it."
        raise SchemaError(msg)
    if "population" not in population.columns:
        msg = "The population layer needs a 'population' column (people per feature)."
        raise SchemaError(msg)
    result = np.zeros(len(activities))
    if population.empty or activities.empty:
        return result
    people = pd.to_numeric(population["population"], errors="coerce").fillna(0).to_numpy()
    pop_geoms = np.asarray(population.geometry.array, dtype=object)
    a_lines = prepare(np.asarray(activities.geometry.array, dtype=object), MAX_EDGE_M)
    lon0, lat0, _ = _centres(a_lines)
    radii = np.array([hazard_radius(row, rules) for _, row in activities.iterrows()])
    pairs = _candidates(a_lines, pop_geoms, radii, np.ones(len(radii), dtype=bool))
    a_plane = project_geometries(a_lines.dense, lon0, lat0)
    p_plane = project_geometries(
        prepare(pop_geoms, MAX_EDGE_M).dense[pairs.feat], lon0[pairs.act], lat0[pairs.act]
    )
    areas = shapely.buffer(a_plane, radii, quad_segs=_BUFFER_QUAD_SEGS)
    area = areas[pairs.act]
    is_poly = shapely.get_dimensions(p_plane) == 2
    share = np.where(shapely.intersects(area, p_plane), 1.0, 0.0)
    if is_poly.any():
        inter = shapely.area(shapely.intersection(area[is_poly], p_plane[is_poly]))
        whole = shapely.area(p_plane[is_poly])
        share[is_poly] = np.divide(inter, whole, out=np.zeros_like(inter), where=whole > 0)
    np.add.at(result, pairs.act, share * people[pairs.feat])
    return result


def _plane(geom: shapely.Geometry) -> tuple[shapely.Geometry, float, float]:
    lines = prepare(np.array([geom], dtype=object), MAX_EDGE_M)
    lon0, lat0, _ = _centres(lines)
    plane = project_geometries(lines.dense, lon0, lat0)[0]
    return plane, float(lon0[0]), float(lat0[0])


def _number(value: object) -> float | None:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if np.isnan(number) else number
