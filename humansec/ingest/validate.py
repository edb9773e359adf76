"""Check the geometries of an upload before anything is stored, and repair them on request.

Input is a GeoDataFrame in EPSG:4326 holding the file's own columns plus ``_source_row``
(``SOURCE_ROW``, the 1-based data row of the file). Every problem becomes a ``Finding`` that
names rows by ``_source_row`` (at most ``MAX_LISTED_ROWS`` listed, ``count`` holds them all).

What ``validate_geometry`` does with each problem:

* missing or empty geometries: the rows are dropped, warning;
* non-finite coordinates (NaN, inf): the rows are dropped, warning. The choice: such a row
  has no usable location, while the rest of the file is fine, so the upload goes on and the
  analyst sees exactly which rows were left out (as for rows without coordinates);
* coordinates outside longitude -180..180 / latitude -90..90: the rows are dropped, warning;
  when most rows are out of range the file's CRS is probably wrong and the finding is an error
  that suggests choosing the CRS (``--crs``);
* likely swapped latitude/longitude (only when the coordinates were written as longitude/
  latitude, i.e. ``source_crs`` is None or geographic): when every longitude lies within ±90
  but some latitudes lie beyond ±90 the columns are probably swapped (error). Otherwise, for
  points, the rows that lie more than ``SWAP_DISTANCE_DEG`` from the median of the points but
  whose swapped coordinates lie within it are reported (warning), provided they are at most a
  minority of the points and at least half of the far-away points. Nothing is swapped silently;
* invalid geometries (self-crossing rings, ...): error; they are stored only if the analyst
  chooses ``repair_geometries``;
* GeometryCollections (and bare rings): error, split them first; mixed points, lines and
  polygons: warning with the counts;
* duplicates: identical geometry and attributes (``_source_row`` excluded): warning naming
  the rows they repeat; the same geometry with other attributes: info. Duplicates are kept.

Everything is vectorised (shapely 2 array functions, pandas hashing), so a million points
take a few seconds; Python loops only run over the few rows a message names.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from humansec.errors import IngestError
from humansec.ingest.types import SOURCE_ROW, Finding, Severity
from humansec.model import GEOMETRY_TYPE_NAMES

MAX_LISTED_ROWS = 200
"""At most this many rows are listed in a Finding; ``count`` holds the total."""
SHOWN_ROWS = 5
"""Rows named in a message."""
SWAP_DISTANCE_DEG = 10.0
"""A point this far (degrees, along either axis) from the median of the others is far away."""
_SHOWN_REASONS = 3

# shapely.get_type_id codes
_TYPE_NAMES = GEOMETRY_TYPE_NAMES
_POINT, _LINE, _RING, _POLYGON, _MPOINT, _MLINE, _MPOLYGON, _COLLECTION = range(8)
# family of each type id: 0 point, 1 line, 2 polygon, -1 unsupported
_FAMILY_OF_TYPE = np.array([0, 1, -1, 2, 0, 1, 2, -1])
_FAMILY_NAMES = ("point", "line", "polygon")
_MULTI_OF_FAMILY = (shapely.multipoints, shapely.multilinestrings, shapely.multipolygons)


def describe_rows(rows: Sequence[int] | np.ndarray, *, limit: int = SHOWN_ROWS) -> str:
    """Name the first ``limit`` rows for a message.

    >>> describe_rows([3])
    'row 3'
    >>> describe_rows([3, 7, 9, 10, 12, 15, 20])
    'rows 3, 7, 9, 10, 12 and 2 more'
    >>> describe_rows([3, 7])
    'rows 3 and 7'
    """
    values = [int(r) for r in np.asarray(rows).ravel()[: limit + 1]]
    total = len(rows)
    if total == 1:
        return f"row {values[0]}"
    shown = values[:limit]
    if total <= limit:
        return "rows " + ", ".join(str(r) for r in shown[:-1]) + f" and {shown[-1]}"
    return "rows " + ", ".join(str(r) for r in shown) + f" and {total - limit} more"


def row_finding(
    code: str, severity: Severity, rows: Sequence[int] | np.ndarray, message: str
) -> Finding:
    """A Finding about ``rows`` (1-based source rows), listing at most ``MAX_LISTED_ROWS``."""
    array = np.asarray(rows, dtype=np.int64).ravel()
    return Finding(
        code=code,
        severity=severity,
        message=message,
        rows=tuple(int(r) for r in array[:MAX_LISTED_ROWS]),
        count=len(array),
    )


def validate_geometry(
    frame: gpd.GeoDataFrame, *, source_crs: str | None
) -> tuple[gpd.GeoDataFrame, list[Finding]]:
    """Check every geometry of an upload; return the usable rows and the findings.

    Parameters
    ----------
    frame
        The upload in EPSG:4326 with a ``_source_row`` column.
    source_crs
        The CRS the file's coordinates were written in before they were transformed to
        EPSG:4326 (e.g. ``"EPSG:32636"``); None when they were longitude/latitude columns.
        The lat/lon swap checks only run when it is None or a geographic CRS.

    Returns
    -------
    The rows that have a finite geometry within longitude -180..180 / latitude -90..90 (index
    and columns as in ``frame``), and the findings (see the module docstring).

    >>> import shapely
    >>> f = gpd.GeoDataFrame({"_source_row": [1, 2]},
    ...                      geometry=[shapely.Point(30, 50), None], crs="EPSG:4326")
    >>> kept, found = validate_geometry(f, source_crs=None)
    >>> len(kept), [x.code for x in found]
    (1, ['geometry_missing'])

    """
    _require_input(frame)
    geoms = np.asarray(frame.geometry.array, dtype=object)
    rows = frame[SOURCE_ROW].to_numpy(dtype=np.int64)
    findings: list[Finding] = []

    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if missing.any():
        findings.append(
            row_finding(
                "geometry_missing",
                "warning",
                rows[missing],
                f"{describe_rows(rows[missing])} have no geometry (no or empty coordinates); "
                "they are skipped. Add their coordinates to the file and upload it again if "
                "they matter.",
            )
        )

    coords, owner = shapely.get_coordinates(geoms, return_index=True)
    geoms, coords, snapped = _snap_to_range(geoms, coords, owner)
    if snapped.any():
        findings.append(
            row_finding(
                "coordinates_snapped",
                "info",
                rows[snapped],
                f"{describe_rows(rows[snapped])} have vertices beyond longitude ±180 or "
                f"latitude ±90 by less than {_SNAP_DEGREES:g}° (rounding in the source, e.g. "
                "180.00000000000006); they were moved onto the limit.",
            )
        )
    finite_coord = np.isfinite(coords).all(axis=1)
    nonfinite = np.zeros(len(geoms), dtype=bool)
    nonfinite[owner[~finite_coord]] = True
    in_range_coord = (np.abs(coords[:, 0]) <= 180) & (np.abs(coords[:, 1]) <= 90)
    out_of_range = np.zeros(len(geoms), dtype=bool)
    out_of_range[owner[finite_coord & ~in_range_coord]] = True
    out_of_range &= ~nonfinite
    if nonfinite.any():
        findings.append(
            row_finding(
                "coordinates_not_finite",
                "warning",
                rows[nonfinite],
                f"{describe_rows(rows[nonfinite])} have coordinates that are not numbers "
                "(NaN or infinite); they are skipped. Correct them in the file and upload it "
                "again if they matter.",
            )
        )

    lonlat_source = _is_lonlat_source(source_crs)
    columns_swapped = False
    if lonlat_source:
        finite_xy = coords[finite_coord]
        columns_swapped = bool(
            len(finite_xy)
            and (np.abs(finite_xy[:, 0]) <= 90).all()
            and (np.abs(finite_xy[:, 1]) <= 180).all()
            and (np.abs(finite_xy[:, 1]) > 90).any()
        )
    with_geometry = int((~missing).sum())
    if out_of_range.any():
        findings.append(
            _out_of_range_finding(rows[out_of_range], with_geometry, source_crs, columns_swapped)
        )
    if columns_swapped:
        findings.append(
            Finding(
                "coordinates_swapped",
                "error",
                "Every longitude lies within ±90 but some latitudes lie beyond ±90: the "
                "latitude and longitude columns are probably swapped. Swap the two column "
                "names in the file (or choose the other column as latitude) and upload it again.",
                count=with_geometry,
            )
        )
    elif lonlat_source:
        swapped = _likely_swapped_points(geoms, ~(missing | nonfinite))
        if swapped.any():
            findings.append(_swapped_finding(rows, swapped, out_of_range))

    keep = ~(missing | nonfinite | out_of_range)
    findings.extend(_type_findings(geoms[keep], rows[keep]))
    findings.extend(_invalid_findings(geoms[keep], rows[keep]))
    kept = frame.loc[keep].copy()
    if snapped.any():
        kept[kept.geometry.name] = gpd.GeoSeries(geoms[keep], index=kept.index, crs=frame.crs)
    kept.attrs = dict(frame.attrs)
    findings.extend(_duplicate_findings(kept))
    return kept, findings


def repair_geometries(frame: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, list[Finding]]:
    """Make invalid geometries valid, keeping each one's family (point, line or polygon).

    ``shapely.make_valid`` repairs the invalid rows; of its result only the parts of the
    row's own family are kept (a bow-tie polygon becomes a MultiPolygon of two triangles, a
    stray line left over from a polygon spike is dropped). A single geometry stays single when
    one part is left; otherwise it becomes the multi type. Rows with nothing of their family
    left are dropped. GeometryCollections are left as they are (split them first). Valid rows
    are untouched.

    Returns
    -------
    The repaired frame (index as in ``frame``, the rows left empty dropped) and findings
    saying what changed, naming rows by ``_source_row``.

    >>> import shapely
    >>> bow_tie = shapely.from_wkt("POLYGON ((0 0, 2 2, 2 0, 0 2, 0 0))")
    >>> f = gpd.GeoDataFrame({"_source_row": [1]}, geometry=[bow_tie], crs="EPSG:4326")
    >>> fixed, found = repair_geometries(f)
    >>> fixed.geometry.iloc[0].geom_type, [x.code for x in found]
    ('MultiPolygon', ['geometry_repaired'])

    """
    _require_input(frame)
    geoms = np.asarray(frame.geometry.array, dtype=object)
    rows = frame[SOURCE_ROW].to_numpy(dtype=np.int64)
    type_ids = shapely.get_type_id(geoms)
    family = np.where(type_ids >= 0, _FAMILY_OF_TYPE[np.clip(type_ids, 0, 7)], -1)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    invalid = present & (family >= 0) & ~shapely.is_valid(geoms)
    targets = np.flatnonzero(invalid)
    out = frame.copy()
    if not len(targets):
        return out, []

    fixed = shapely.make_valid(geoms[targets])
    parts, owner = _flatten(fixed)
    part_family = _FAMILY_OF_TYPE[shapely.get_type_id(parts)]
    wanted = (part_family == family[targets][owner]) & ~shapely.is_empty(parts)
    dropped_parts = np.bincount(owner[~wanted], minlength=len(targets)) > 0
    kept_parts, kept_owner = parts[wanted], owner[wanted]
    n_parts = np.bincount(kept_owner, minlength=len(targets))

    single_type = np.isin(type_ids[targets], (_POINT, _LINE, _POLYGON))
    result = np.empty(len(targets), dtype=object)
    result[:] = None
    one = (n_parts == 1) & single_type
    first_part = np.searchsorted(kept_owner, np.arange(len(targets)))
    result[one] = kept_parts[first_part[one]]
    for fam, build in enumerate(_MULTI_OF_FAMILY):
        multi = (n_parts > 0) & ~one & (family[targets] == fam)
        if multi.any():
            take = multi[kept_owner]
            _, compact = np.unique(kept_owner[take], return_inverse=True)
            result[multi] = build(kept_parts[take], indices=compact)

    emptied = n_parts == 0
    new_geoms = geoms.copy()
    new_geoms[targets] = result
    out[frame.geometry.name] = gpd.GeoSeries(new_geoms, index=frame.index, crs=frame.crs)
    drop_index = frame.index[targets[emptied]]
    out = out.drop(index=drop_index)
    out.attrs = dict(frame.attrs)
    return out, _repair_findings(rows[targets], type_ids[targets], result, emptied, dropped_parts)


def _require_input(frame: gpd.GeoDataFrame) -> None:
    if SOURCE_ROW not in frame.columns:
        msg = f"The frame has no {SOURCE_ROW!r} column; the reader must add the source rows."
        raise IngestError(msg)
    if frame.crs is None or frame.crs.to_epsg() != 4326:
        msg = f"Validation expects EPSG:4326, got {frame.crs!s}; transform the frame first."
        raise IngestError(msg)


def _is_lonlat_source(source_crs: str | None) -> bool:
    if source_crs is None:
        return True
    try:
        return bool(pyproj.CRS.from_user_input(source_crs).is_geographic)
    except pyproj.exceptions.CRSError:
        return False


_SNAP_DEGREES = 1e-6  # about 0.1 m: rounding noise, not a wrong coordinate system


def _snap_to_range(
    geoms: np.ndarray, coords: np.ndarray, owner: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Move vertices that overshoot ±180/±90 by rounding noise onto the limit.

    Returns the geometries, their coordinates, and which geometries changed.
    """
    limits = np.array([180.0, 90.0])
    over = np.abs(coords) - limits
    noise = (over > 0) & (over <= _SNAP_DEGREES)
    changed = np.zeros(len(geoms), dtype=bool)
    if not noise.any():
        return geoms, coords, changed
    clipped = np.where(noise, np.sign(coords) * limits, coords)
    changed[owner[noise.any(axis=1)]] = True
    updated = geoms.copy()
    updated[changed] = shapely.set_coordinates(
        updated[changed].copy(), clipped[np.isin(owner, np.flatnonzero(changed))]
    )
    return updated, clipped, changed


def _out_of_range_finding(
    bad_rows: np.ndarray, with_geometry: int, source_crs: str | None, columns_swapped: bool
) -> Finding:
    where = (
        f"{describe_rows(bad_rows)} ({len(bad_rows)} of {with_geometry}) lie outside "
        "longitude -180..180 / latitude -90..90"
    )
    if columns_swapped:
        return row_finding(
            "coordinates_out_of_range",
            "error",
            bad_rows,
            f"{where}: the latitude and longitude columns look swapped. Swap them and upload "
            "the file again.",
        )
    if len(bad_rows) * 2 > with_geometry:
        read_as = source_crs or "longitude/latitude in WGS84 (EPSG:4326)"
        return row_finding(
            "coordinates_out_of_range",
            "error",
            bad_rows,
            f"{where}, so the file's coordinate system is probably wrong (it was read as "
            f"{read_as}). Choose the right one (CLI: --crs EPSG:NNNN) or add the .prj from "
            "the data's source, and upload it again.",
        )
    return row_finding(
        "coordinates_out_of_range",
        "warning",
        bad_rows,
        f"{where}; they are skipped. Correct them in the file and upload it again if they matter.",
    )


def _likely_swapped_points(geoms: np.ndarray, usable: np.ndarray) -> np.ndarray:
    """Rows (mask) of points that lie far away but near the others once x and y are swapped."""
    flagged = np.zeros(len(geoms), dtype=bool)
    points = usable & (shapely.get_type_id(geoms) == _POINT)
    x = shapely.get_x(geoms[points])
    y = shapely.get_y(geoms[points])
    in_range = (np.abs(x) <= 180) & (np.abs(y) <= 90)
    if in_range.sum() < 3:
        return flagged
    mx, my = np.median(x[in_range]), np.median(y[in_range])
    far = np.maximum(np.abs(x - mx), np.abs(y - my)) > SWAP_DISTANCE_DEG
    swapped_near = (np.maximum(np.abs(y - mx), np.abs(x - my)) <= SWAP_DISTANCE_DEG) & (
        np.abs(x) <= 90
    )
    candidates = far & swapped_near
    near = int((in_range & ~far).sum())
    n = int(candidates.sum())
    if n and near >= 3 and n < near and 2 * n >= int(far.sum()):
        flagged[np.flatnonzero(points)[candidates]] = True
    return flagged


def _swapped_finding(rows: np.ndarray, swapped: np.ndarray, out_of_range: np.ndarray) -> Finding:
    dropped = swapped & out_of_range
    note = (
        f" ({describe_rows(rows[dropped])} are also out of range and skipped)"
        if dropped.any()
        else ""
    )
    return row_finding(
        "coordinates_likely_swapped",
        "warning",
        rows[swapped],
        f"{describe_rows(rows[swapped])} lie more than {SWAP_DISTANCE_DEG:g} degrees away from "
        "the other points, but would lie among them with latitude and longitude swapped"
        f"{note}. Check them and swap their two values in the file; nothing was changed.",
    )


def _type_findings(geoms: np.ndarray, rows: np.ndarray) -> list[Finding]:
    findings: list[Finding] = []
    type_ids = shapely.get_type_id(geoms)
    unsupported = np.isin(type_ids, (_RING, _COLLECTION))
    if unsupported.any():
        findings.append(
            row_finding(
                "geometry_collection",
                "error",
                rows[unsupported],
                f"{describe_rows(rows[unsupported])} hold GeometryCollections (or bare rings), "
                "which a layer cannot hold. Split them into points, lines and polygons first "
                "(QGIS: Multipart to singleparts) and upload the file again.",
            )
        )
    family = _FAMILY_OF_TYPE[type_ids]
    counts = np.bincount(family[family >= 0], minlength=3)
    if (counts > 0).sum() > 1:
        major = int(np.argmax(counts))
        minority = (family >= 0) & (family != major)
        per_type = np.bincount(type_ids, minlength=8)
        listed = ", ".join(f"{per_type[t]} {_TYPE_NAMES[t]}" for t in range(8) if per_type[t])
        findings.append(
            row_finding(
                "geometry_mixed",
                "warning",
                rows[minority],
                f"The file mixes geometry types ({listed}); the rows not of the most common "
                f"type ({_FAMILY_NAMES[major]}s) are {describe_rows(rows[minority])}. A layer "
                "kind takes only some types (incidents are points, movements lines): split "
                "the file by geometry type if the kind does not take them all.",
            )
        )
    return findings


def _invalid_findings(geoms: np.ndarray, rows: np.ndarray) -> list[Finding]:
    type_ids = shapely.get_type_id(geoms)
    checked = np.flatnonzero(~np.isin(type_ids, (_POINT, _MPOINT, _COLLECTION, _RING)))
    invalid = checked[~shapely.is_valid(geoms[checked])]
    if not len(invalid):
        return []
    reasons = "; ".join(
        f"row {rows[i]}: {shapely.is_valid_reason(geoms[i])}" for i in invalid[:_SHOWN_REASONS]
    )
    return [
        row_finding(
            "geometry_invalid",
            "error",
            rows[invalid],
            f"{describe_rows(rows[invalid])} have invalid geometries ({reasons}). They are "
            "stored only if you choose to repair them (each keeps its type: a self-crossing "
            "polygon becomes a MultiPolygon); or fix them in a GIS (QGIS: Fix geometries) and "
            "upload the file again.",
        )
    ]


def _duplicate_findings(frame: gpd.GeoDataFrame) -> list[Finding]:
    if len(frame) < 2:
        return []
    geoms = np.asarray(frame.geometry.array, dtype=object)
    rows = frame[SOURCE_ROW].to_numpy(dtype=np.int64)
    geom_codes, _ = pd.factorize(shapely.to_wkb(geoms))
    geom_repeat = pd.Series(geom_codes).duplicated(keep="first").to_numpy()
    if not geom_repeat.any():
        return []
    attributes = frame.drop(columns=[frame.geometry.name, SOURCE_ROW])
    try:
        attr_hash = pd.util.hash_pandas_object(attributes, index=False).to_numpy()
    except TypeError:  # unhashable cells (lists, dicts): compare their text
        attr_hash = pd.util.hash_pandas_object(attributes.astype(str), index=False).to_numpy()
    key = pd.DataFrame({"g": geom_codes, "a": attr_hash})
    exact = key.duplicated(keep="first").to_numpy()
    findings: list[Finding] = []
    if exact.any():
        group = key.groupby(["g", "a"], sort=False).ngroup().to_numpy()
        _, first = np.unique(group, return_index=True)
        repeated = rows[first[group]]
        pairs = ", ".join(
            f"row {rows[i]} = row {repeated[i]}" for i in np.flatnonzero(exact)[:SHOWN_ROWS]
        )
        findings.append(
            row_finding(
                "duplicate_features",
                "warning",
                rows[exact],
                f"{describe_rows(rows[exact])} repeat earlier rows exactly, same geometry and "
                f"attributes ({pairs}). They are kept; remove them from the file if they are "
                "double entries.",
            )
        )
    same_place = geom_repeat & ~exact
    if same_place.any():
        _, first_geom = np.unique(geom_codes, return_index=True)
        earlier = rows[first_geom[geom_codes]]
        pairs = ", ".join(
            f"row {rows[i]} at row {earlier[i]}" for i in np.flatnonzero(same_place)[:SHOWN_ROWS]
        )
        findings.append(
            row_finding(
                "duplicate_geometry",
                "info",
                rows[same_place],
                f"{describe_rows(rows[same_place])} have the same geometry as an earlier row "
                f"but other attributes ({pairs}). They are kept: several features at one "
                "place can be right.",
            )
        )
    return findings


def _flatten(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Single parts of ``geoms`` and, for each, the position of the geometry it came from."""
    parts, owner = shapely.get_parts(geoms, return_index=True)
    while len(parts) and np.isin(shapely.get_type_id(parts), (4, 5, 6, 7)).any():
        parts, inner = shapely.get_parts(parts, return_index=True)
        owner = owner[inner]
    return parts, owner


def _repair_findings(
    rows: np.ndarray,
    before: np.ndarray,
    after: np.ndarray,
    emptied: np.ndarray,
    dropped_parts: np.ndarray,
) -> list[Finding]:
    findings: list[Finding] = []
    repaired = ~emptied
    if repaired.any():
        after_ids = shapely.get_type_id(after[repaired])
        changes = pd.DataFrame(
            {"before": before[repaired], "after": after_ids, "row": rows[repaired]}
        )
        notes = []
        pairs = changes[["before", "after"]].drop_duplicates().sort_values(["before", "after"])
        for b, a in pairs.to_numpy():
            group = changes["row"][(changes["before"] == b) & (changes["after"] == a)]
            text = (
                f"{len(group)} {_TYPE_NAMES[b]} -> {_TYPE_NAMES[a]}"
                if b != a
                else f"{len(group)} {_TYPE_NAMES[b]} kept their type"
            )
            notes.append(f"{text} ({describe_rows(group.to_numpy(), limit=3)})")
        findings.append(
            row_finding(
                "geometry_repaired",
                "warning",
                rows[repaired],
                f"{describe_rows(rows[repaired])} had invalid geometries and were repaired "
                f"(shapely make_valid): {'; '.join(notes)}. Check them on the map.",
            )
        )
    stray = dropped_parts & repaired
    if stray.any():
        findings.append(
            row_finding(
                "geometry_repair_parts_dropped",
                "warning",
                rows[stray],
                f"Repairing {describe_rows(rows[stray])} left stray parts of another type "
                "(e.g. lines from a polygon spike); they were dropped.",
            )
        )
    if emptied.any():
        findings.append(
            row_finding(
                "geometry_repair_empty",
                "warning",
                rows[emptied],
                f"{describe_rows(rows[emptied])} had nothing of their geometry type left after "
                "repair (e.g. a polygon without area); they are skipped. Correct them in the "
                "file if they matter.",
            )
        )
    return findings
