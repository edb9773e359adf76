"""People inside each planned activity's hazard area, from every population source (issue 13).

The hazard area is the geodesic buffer the conflict check uses (``hazard_area``: the activity
buffered by its hazard radius plus precision in an azimuthal equidistant plane centred on it).
Each source gives its own estimate; when sources disagree, each is shown, never merged:

- a population **raster** (``RasterSource``): the sum of its cells weighted by the exact fraction
  of each cell inside the hazard area (``exactextract``), computed in the raster's own CRS (the
  hazard areas are reprojected to it explicitly); nodata cells count nothing; cells outside the
  grid count nothing, so a hazard area that runs off the grid's edge gets a lower bound, said in
  its row's ``method`` (``OFF_GRID_NOTE``) and as "at least" by ``people_text``;
- a reference **area** layer (``AreaSource``): each area's figures times the share of its area
  inside, which assumes people are spread evenly over the area; areas are measured geodesically
  on the WGS84 ellipsoid (``pyproj.Geod``), the intersection is cut in longitude/latitude;
- a **point** population layer (``PointSource``, the ``population`` kind): a point inside counts
  in full; a polygon of that kind counts by the share of its area inside, like an area.

Children are people under 18 and the elderly people 60 and over (``humansec.population.bands``);
a five-year band that straddles a limit (15-19) is prorated by its years (3/5 children), and the
``method`` column says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from pyproj import Geod

from humansec.conflicts.distances import _centres
from humansec.conflicts.geodesic import aeqd_inverse
from humansec.conflicts.geometry import prepare, project_geometries
from humansec.conflicts.pairs import MAX_EDGE_M
from humansec.conflicts.rules import RuleSet
from humansec.conflicts.summary import _BUFFER_QUAD_SEGS, hazard_radius
from humansec.errors import SchemaError
from humansec.model import WGS84
from humansec.population.bands import (
    CHILD_AGE_LIMIT,
    ELDERLY_AGE_START,
    SEXES,
    AgeBand,
    BandRole,
    Sex,
    column_band,
)

Array = npt.NDArray[np.float64]
SourceKind = Literal["raster", "area", "point"]

EXPOSURE_COLUMNS = (
    "activity_id",
    "source_kind",
    "source_layer",
    "population",
    "female",
    "male",
    "children",
    "elderly",
    "method",
)
FIGURES = ("population", "female", "male", "children", "elderly")
OFF_GRID_NOTE = (
    "the hazard area runs off the grid's edge: people outside the grid are not counted "
    "(a lower bound)"
)

_OLDEST = 130  # the last year of an open band (80+), for checking that bands cover every age
_GEOD = Geod(ellps="WGS84")


@dataclass(frozen=True)
class RasterSource:
    """A population grid: one or more bands, each ``(role, file, 1-based band, nodata)``.

    ``nodata`` None uses the file's own nodata value (and mask); a number is treated as nodata
    in addition. NaN cells never count.
    """

    layer: str
    bands: Sequence[tuple[BandRole, Path, int, float | None]]


@dataclass(frozen=True)
class AreaSource:
    """Reference areas: EPSG:4326 polygons with ``population``, ``female``, ``male`` and band
    count fields (``age_0_4``, ``female_age_80_plus``: ``bands.band_column``), any of them."""

    layer: str
    frame: gpd.GeoDataFrame = field(repr=False)


@dataclass(frozen=True)
class PointSource:
    """A layer of the ``population`` kind: EPSG:4326 points (or polygons) with ``population``
    and optional ``share_female``, ``share_children``, ``share_elderly`` (0..1)."""

    layer: str
    frame: gpd.GeoDataFrame = field(repr=False)


Source = RasterSource | AreaSource | PointSource


def hazard_areas(activities: gpd.GeoDataFrame, rules: RuleSet) -> gpd.GeoSeries:
    """The hazard area of every activity (as ``hazard_area`` gives one), EPSG:4326, vectorised."""
    _check_frame(activities, "activities", ("id", "type"))
    geoms = np.asarray(activities.geometry.array, dtype=object)
    bad = np.flatnonzero(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if bad.size:
        ids = ", ".join(str(v) for v in activities["id"].to_numpy()[bad[:5]])
        msg = f"Activities {ids} have no geometry; draw or enter their location first."
        raise SchemaError(msg)
    if len(geoms) == 0:
        return gpd.GeoSeries([], crs=WGS84, index=activities.index)
    lines = prepare(geoms, MAX_EDGE_M)
    lon0, lat0, _ = _centres(lines)
    plane = project_geometries(lines.dense, lon0, lat0)
    table = pd.DataFrame(activities.drop(columns=activities.geometry.name))
    rows: list[dict[str, object]] = table.to_dict("records")  # type: ignore[assignment]
    radii = np.array([hazard_radius(row, rules) for row in rows], dtype=np.float64)
    buffered = shapely.buffer(plane, np.maximum(radii, 0.0), quad_segs=_BUFFER_QUAD_SEGS)
    buffered = np.where(radii > 0, buffered, plane)
    counts = shapely.get_num_coordinates(buffered)
    c_lon, c_lat = np.repeat(lon0, counts), np.repeat(lat0, counts)

    def to_lonlat(coords: Array) -> Array:
        lon, lat = aeqd_inverse(c_lon, c_lat, coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    areas = shapely.transform(buffered, to_lonlat)
    return gpd.GeoSeries(areas, crs=WGS84, index=activities.index)


def exposure(
    activities: gpd.GeoDataFrame, rules: RuleSet, sources: Iterable[Source]
) -> pd.DataFrame:
    """People inside each activity's hazard area, one row per activity and source.

    Parameters
    ----------
    activities
        EPSG:4326 planned activities (``id``, ``type``, optional ``hazard_radius_m``,
        ``precision_m``), as given to ``find_conflicts``.
    rules
        The rules that size the hazard areas (``load_rules``).
    sources
        ``RasterSource``, ``AreaSource`` and ``PointSource`` objects.

    Returns
    -------
    pandas.DataFrame
        ``EXPOSURE_COLUMNS``: ``activity_id``, ``source_kind`` (raster, area, point),
        ``source_layer``, ``population``, ``female``, ``male``, ``children``, ``elderly`` (NaN
        where the source has no such figure) and ``method`` (how the figures were made).

    """
    areas = hazard_areas(activities, rules)
    ids = activities["id"].astype(str).to_numpy(dtype=object)
    tables = []
    for source in sources:
        off_grid = np.zeros(len(ids), dtype=bool)
        if isinstance(source, RasterSource):
            sums = raster_sums(source, areas)
            figures, notes = _figures(sums, len(ids))
            off_grid = beyond_grid(source, areas)
            kind: SourceKind = "raster"
            how = "exact fractional cell coverage (exactextract), in the raster's CRS"
        elif isinstance(source, AreaSource):
            sums = _area_sums(source.frame, areas, source.layer)
            figures, notes = _figures(sums, len(ids))
            kind = "area"
            how = (
                "share of each area inside the hazard area, assuming people spread evenly "
                "over the area (areas measured geodesically on WGS84)"
            )
        elif isinstance(source, PointSource):
            figures = _point_figures(source.frame, areas, source.layer)
            notes = []
            kind = "point"
            how = (
                "points inside counted in full (polygons by the share of their area inside); "
                "female, children and elderly from the features' shares"
            )
        else:  # pragma: no cover - typed away, kept for callers without type checks
            msg = f"{source!r} is not a population source; give a Raster, Area or Point source."  # type: ignore[unreachable]
            raise SchemaError(msg)
        table = pd.DataFrame(
            {"activity_id": ids, "source_kind": kind, "source_layer": source.layer}
        )
        for name in FIGURES:
            table[name] = figures.get(name, np.full(len(ids), np.nan))
        method = "; ".join([how, *notes])
        table["method"] = np.where(off_grid, f"{method}; {OFF_GRID_NOTE}", method)
        tables.append(table)
    if not tables:
        return pd.DataFrame(
            {
                c: pd.Series(
                    dtype=object
                    if c in {"activity_id", "source_kind", "source_layer", "method"}
                    else float
                )
                for c in EXPOSURE_COLUMNS
            }
        )
    return pd.concat(tables, ignore_index=True).loc[:, list(EXPOSURE_COLUMNS)]


def people_text(table: pd.DataFrame) -> dict[str, str]:
    """Per activity, its people by source in one line: ``1,234 (villages, points); 980 (...)``.

    ``table`` is ``exposure``'s result; a source with no population figure is left out; a grid
    figure of a hazard area that runs off the grid reads ``at least 1,234 (...)``.
    """
    lines: dict[str, list[str]] = {}
    for row in table.itertuples(index=False):
        people = float(row.population)  # type: ignore[arg-type]
        if np.isnan(people):
            continue
        words = {"raster": "grid", "area": "areas", "point": "points"}[str(row.source_kind)]
        bound = "at least " if OFF_GRID_NOTE in str(row.method) else ""
        lines.setdefault(str(row.activity_id), []).append(
            f"{bound}{people:,.0f} ({row.source_layer}, {words})"
        )
    return {activity: "; ".join(parts) for activity, parts in lines.items()}


# --- rasters ---------------------------------------------------------------------------------


def raster_sums(source: RasterSource, areas: gpd.GeoSeries) -> dict[BandRole, Array]:
    """The sum of each band of ``source`` inside each area, by exact fractional cell coverage.

    The areas are reprojected to the raster's CRS and handed to exactextract in the order of
    the grid's blocks (by the row of blocks their top is in), and the grid is read a row of
    blocks at a time, so that each compressed block is decoded once.
    """
    import rasterio  # noqa: PLC0415 - heavy; only rasters need it
    from exactextract import exact_extract  # noqa: PLC0415

    if not source.bands:
        msg = f"The raster source {source.layer!r} has no bands; give at least one band role."
        raise SchemaError(msg)
    roles = [role for role, _, _, _ in source.bands]
    if len(set(roles)) != len(roles):
        msg = f"The raster source {source.layer!r} names a band role twice; give each role once."
        raise SchemaError(msg)
    out: dict[BandRole, Array] = {}
    by_file: dict[Path, list[tuple[BandRole, int, float | None]]] = {}
    for role, path, band, nodata in source.bands:
        by_file.setdefault(Path(path), []).append((role, band, nodata))
    with rasterio.Env(GDAL_CACHEMAX=_BLOCK_CACHE_MB):
        for path, bands in by_file.items():
            with rasterio.open(path) as ds:
                _check_raster(ds, path, [band for _, band, _ in bands])
                if len(areas) == 0:
                    out.update({role: np.zeros(0) for role, _, _ in bands})
                    continue
                zones = np.asarray(areas.to_crs(ds.crs).array, dtype=object)
                order = _block_order(zones, ds)
                rasters = [
                    _band_source(ds, band, nodata, f"b{i}")
                    for i, (_, band, nodata) in enumerate(bands)
                ]
                features = _WkbFeatures(zones[order], order, ds.crs.to_wkt())
                result = exact_extract(rasters, features, "sum", include_cols=["zone"])
                props = [feature["properties"] for feature in result]
                zone = np.array([p["zone"] for p in props], dtype=np.intp)
                for i, (role, _, _) in enumerate(bands):
                    column = f"b{i}_sum" if len(bands) > 1 else "sum"
                    values = np.zeros(len(areas))
                    values[zone] = np.array([p[column] for p in props], dtype=np.float64)
                    out[role] = values
    return out


def beyond_grid(source: RasterSource, areas: gpd.GeoSeries) -> npt.NDArray[np.bool_]:
    """Whether each area reaches outside any of ``source``'s grids (in each grid's CRS), where
    ``raster_sums`` counts nothing: its sum is then a lower bound."""
    import rasterio  # noqa: PLC0415 - heavy; only rasters need it

    out = np.zeros(len(areas), dtype=bool)
    if len(areas) == 0:
        return out
    for path in {Path(path) for _, path, _, _ in source.bands}:
        with rasterio.open(path) as ds:
            if ds.crs is None:
                continue  # raster_sums refuses it with the fix
            extent = shapely.box(*ds.bounds)
            zones = np.asarray(areas.to_crs(ds.crs).array, dtype=object)
            out |= ~shapely.covers(extent, zones)
    return out


_BLOCK_CACHE_MB = 64
"""GDAL's block cache while summing (each row of blocks is read once and kept by the source)."""


def _check_raster(ds: Any, path: Path, bands: Sequence[int]) -> None:  # noqa: ANN401
    if ds.crs is None:
        msg = f"{path.name} has no CRS; store the grid again with its coordinate system."
        raise SchemaError(msg)
    for band in bands:
        if not 1 <= band <= ds.count:
            msg = f"{path.name} has {ds.count} band(s); band {band} does not exist."
            raise SchemaError(msg)


def _block_order(zones: npt.NDArray[np.object_], ds: Any) -> npt.NDArray[np.intp]:  # noqa: ANN401
    """Zones sorted by the row of blocks their top edge is in, then west to east."""
    bounds = shapely.bounds(zones)
    t = ds.transform  # north-up (exactextract refuses rotated grids)
    col, row = (bounds[:, 0] - t.c) / t.a, (bounds[:, 3] - t.f) / t.e
    block_rows = max(int(ds.block_shapes[0][0]), 1) if ds.block_shapes else 256
    key = np.lexsort((np.nan_to_num(col), np.floor(np.nan_to_num(row) / block_rows)))
    return key.astype(np.intp)


def _band_source(ds: Any, band: int, nodata: float | None, name: str) -> Any:  # noqa: ANN401
    """An exactextract raster source for one band: nodata cells (the file's nodata value or mask,
    ``nodata`` if given, NaN) are read as NaN, which exactextract leaves out (a numpy mask on
    the windows was not honoured on a tiled grid in our runs: nodata cells were summed)."""
    from exactextract.raster import RasterioRasterSource  # noqa: PLC0415
    from rasterio.enums import MaskFlags  # noqa: PLC0415
    from rasterio.windows import Window  # noqa: PLC0415

    flags = set(ds.mask_flag_enums[band - 1])
    plain = flags <= {MaskFlags.all_valid, MaskFlags.nodata}  # no mask band or alpha to read
    file_nodata = ds.nodata

    block = max(int(ds.block_shapes[band - 1][0]), 1)
    rows_of_blocks = -(-ds.height // block)
    band_dtype = np.dtype(ds.dtypes[band - 1])
    dtype = band_dtype if plain and band_dtype.kind == "f" else np.dtype(np.float64)

    class _Source(RasterioRasterSource):  # type: ignore[misc]
        """Reads the grid a whole-width row of blocks at a time and serves each area's window
        from the rows it spans: with the areas in block order (see ``_block_order``) every
        compressed block is decoded once, and only the rows in use are kept."""

        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)
            self.rows: dict[int, npt.NDArray[np.floating]] = {}

        def nodata_value(self) -> None:
            return None  # NaN marks nodata

        def read_window(self, x0: int, y0: int, nx: int, ny: int) -> npt.NDArray[np.floating]:
            if nx <= 0 or ny <= 0:  # the same dtype as every other window (exactextract needs it)
                return np.empty((max(ny, 0), max(nx, 0)), dtype=dtype)
            first, last = y0 // block, min((y0 + ny - 1) // block, rows_of_blocks - 1)
            for index in [i for i in self.rows if i < first - 1]:
                # The areas come in block order: not needed again (the row above is kept for
                # a window that starts a cell or two above its area's top).
                del self.rows[index]
            parts = []
            for index in range(first, last + 1):
                if index not in self.rows:
                    top = index * block
                    height = min(block, self.ds.height - top)
                    self.rows[index] = self._read(Window(0, top, self.ds.width, height))
                top = index * block
                lo, hi = max(y0 - top, 0), min(y0 + ny - top, block)
                parts.append(self.rows[index][lo:hi, x0 : x0 + nx])
            window: npt.NDArray[np.floating] = parts[0] if len(parts) == 1 else np.vstack(parts)
            return window

        def _read(self, window: Window) -> npt.NDArray[np.floating]:
            if plain:
                raw = self.ds.read(self.band_idx, window=window)
                values = raw if raw.dtype.kind == "f" else raw.astype(np.float64)
                if file_nodata is not None:
                    values[raw == file_nodata] = np.nan
            else:
                masked = self.ds.read(self.band_idx, window=window, masked=True)
                values = masked.astype(np.float64).filled(np.nan)
            if nodata is not None:
                values[values == nodata] = np.nan
            if self.scaled:
                values = values * self.scale + self.offset
            out: npt.NDArray[np.floating] = values
            return out

    return _Source(ds, band, name=name)


def _wkb_feature_classes() -> tuple[type, type]:
    from exactextract.feature import Feature, FeatureSource  # noqa: PLC0415

    class Wkb(Feature):  # type: ignore[misc]
        def __init__(self, wkb: bytes, zone: int) -> None:
            Feature.__init__(self)
            self.wkb = wkb
            self.props: dict[str, object] = {"zone": zone}

        def get(self, name: str) -> object:
            return self.props[name]

        def set(self, name: str, value: object) -> None:
            self.props[name] = value

        def geometry(self) -> bytes:
            return self.wkb

        def set_geometry(self, wkb: bytes) -> None:
            self.wkb = wkb

        def set_geometry_format(self) -> str:
            return "wkb"

        def fields(self) -> list[str]:
            return list(self.props)

    class Source(FeatureSource):  # type: ignore[misc]
        def __init__(
            self, geoms: npt.NDArray[np.object_], zones: npt.NDArray[np.intp], srs: str
        ) -> None:
            FeatureSource.__init__(self)
            self.wkbs = shapely.to_wkb(geoms)
            self.zones = zones
            self.srs = srs

        def count(self) -> int:
            return len(self.wkbs)

        def __iter__(self) -> Iterator[Feature]:
            for wkb, zone in zip(self.wkbs, self.zones, strict=True):
                yield Wkb(bytes(wkb), int(zone))

        def srs_wkt(self) -> str:
            return self.srs

    return Wkb, Source


def _WkbFeatures(  # noqa: N802 - builds an object, read as a class
    geoms: npt.NDArray[np.object_], zones: npt.NDArray[np.intp], srs: str
) -> Any:  # noqa: ANN401
    """Features for exactextract as WKB with a ``zone`` field (GeoJSON costs a dump per area)."""
    return _wkb_feature_classes()[1](geoms, zones, srs)


# --- areas and points ------------------------------------------------------------------------


def _pairs(
    frame: gpd.GeoDataFrame, areas: gpd.GeoSeries, layer: str
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], Array]:
    """(activity, feature, share inside) for every feature touching a hazard area."""
    _check_frame(frame, f"layer {layer!r}", ())
    geoms = np.asarray(frame.geometry.array, dtype=object)
    hazard = np.asarray(areas.array, dtype=object)
    if len(geoms) == 0 or len(hazard) == 0:
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty, np.zeros(0)
    tree = shapely.STRtree(geoms)
    act, feat = tree.query(hazard, predicate="intersects")
    share = np.ones(len(act))
    is_poly = shapely.get_dimensions(geoms[feat]) == 2
    if is_poly.any():
        inter = shapely.intersection(hazard[act[is_poly]], geoms[feat[is_poly]])
        part = _geodesic_areas(inter)
        whole = _geodesic_areas(geoms[feat[is_poly]])
        share[is_poly] = np.divide(part, whole, out=np.zeros_like(part), where=whole > 0)
    lines = shapely.get_dimensions(geoms[feat]) == 1
    share[lines] = 0.0  # a line holds no people; population layers are points or polygons
    return act.astype(np.intp), feat.astype(np.intp), np.clip(share, 0.0, 1.0)


def _geodesic_areas(geoms: npt.NDArray[np.object_]) -> Array:
    return np.array([abs(_GEOD.geometry_area_perimeter(g)[0]) for g in geoms], dtype=np.float64)


def _column(frame: gpd.GeoDataFrame, name: str) -> Array:
    values: Array = pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=np.float64)
    return values


def _area_sums(frame: gpd.GeoDataFrame, areas: gpd.GeoSeries, layer: str) -> dict[BandRole, Array]:
    act, feat, share = _pairs(frame, areas, layer)
    roles: dict[BandRole, str] = {}
    for sex in SEXES:
        field_name = "population" if sex == "total" else str(sex)
        if field_name in frame.columns:
            roles[BandRole(sex, None)] = field_name
    for column in frame.columns:
        found = column_band(str(column))
        if found is not None:
            roles[BandRole(found[0], found[1])] = str(column)
    out: dict[BandRole, Array] = {}
    for role, name in roles.items():
        values = _column(frame, name)
        if np.isnan(values).all():
            continue  # an empty field: the layer has no such figure
        total = np.zeros(len(areas))
        np.add.at(total, act, np.nan_to_num(values[feat]) * share)
        out[role] = total
    return out


def _point_figures(frame: gpd.GeoDataFrame, areas: gpd.GeoSeries, layer: str) -> dict[str, Array]:
    if "population" not in frame.columns:
        msg = f"The population layer {layer!r} needs a 'population' column (people per feature)."
        raise SchemaError(msg)
    act, feat, share = _pairs(frame, areas, layer)
    people = np.nan_to_num(_column(frame, "population"))[feat] * share
    out = {"population": _sum_by(act, people, len(areas))}
    for figure, column in (
        ("female", "share_female"),
        ("children", "share_children"),
        ("elderly", "share_elderly"),
    ):
        if column not in frame.columns:
            continue
        shares = _column(frame, column)
        if np.isnan(shares).all():
            continue
        used = shares[feat]
        value = _sum_by(act, people * np.nan_to_num(used), len(areas))
        # An activity whose people include features without the share gets no figure.
        missing = _sum_by(act, (np.isnan(used) & (people > 0)).astype(float), len(areas)) > 0
        value[missing] = np.nan
        out[figure] = value
        if figure == "female":
            out["male"] = out["population"] - value
    return out


def _sum_by(index: npt.NDArray[np.intp], values: Array, n: int) -> Array:
    total = np.zeros(n)
    np.add.at(total, index, values)
    return total


# --- figures from band sums ------------------------------------------------------------------


def _figures(sums: Mapping[BandRole, Array], n: int) -> tuple[dict[str, Array], list[str]]:
    """Population, female, male, children, elderly from the sums of a source's band roles."""
    notes: list[str] = []
    out: dict[str, Array] = {}
    by_sex: dict[Sex, dict[AgeBand, Array]] = {"total": {}, "female": {}, "male": {}}
    for role, values in sums.items():
        if role.band is not None:
            by_sex[role.sex][role.band] = values

    def whole(sex: Sex) -> Array | None:
        if BandRole(sex, None) in sums:
            return sums[BandRole(sex, None)]
        bands = by_sex[sex]
        if bands and _covers(bands, 0, _OLDEST):
            notes.append(f"{'population' if sex == 'total' else sex} summed from the age bands")
            summed: Array = np.sum(list(bands.values()), axis=0)
            return summed
        return None

    female, male, total = whole("female"), whole("male"), whole("total")
    if total is None and female is not None and male is not None:
        total = female + male
        notes.append("population = female + male")
    for name, value in (("population", total), ("female", female), ("male", male)):
        if value is not None:
            out[name] = value
    for figure, low, high in (
        ("children", 0, CHILD_AGE_LIMIT - 1),
        ("elderly", ELDERLY_AGE_START, _OLDEST),
    ):
        value = _group(by_sex, figure, low, high, notes)
        if value is not None:
            out[figure] = value
    return out, notes


def _group(
    by_sex: Mapping[Sex, Mapping[AgeBand, Array]],
    figure: str,
    low: int,
    high: int,
    notes: list[str],
) -> Array | None:
    """Children (0-17) or elderly (60+) from total age bands, else female + male bands."""
    groups: tuple[tuple[Sex, ...], ...] = (("total",), ("female", "male"))
    for sexes in groups:
        parts = []
        for sex in sexes:
            bands = {b: v for b, v in by_sex[sex].items() if _overlaps(b, low, high)}
            if not bands or not _covers(bands, low, high):
                break
            parts.append(bands)
        else:
            total = None
            split = set()
            for bands in parts:
                for band, values in bands.items():
                    share = band.child_share if figure == "children" else band.elderly_share
                    if 0.0 < share < 1.0:
                        part = _fraction(band, low, high)
                        split.add(f"age band {band.label} prorated {part} as {figure}")
                    total = values * share if total is None else total + values * share
            notes.extend(sorted(split))
            return total
    return None


def _fraction(band: AgeBand, low: int, high: int) -> str:
    years = band.high - band.low + 1 if band.high is not None else 1
    inside = min(band.high if band.high is not None else high, high) - max(band.low, low) + 1
    return f"{inside}/{years}"


def _overlaps(band: AgeBand, low: int, high: int) -> bool:
    top = _OLDEST if band.high is None else band.high
    return band.low <= high and top >= low


def _covers(bands: Iterable[AgeBand], low: int, high: int) -> bool:
    """True when the bands count every year from ``low`` to ``high`` exactly once."""
    years = np.zeros(_OLDEST + 1, dtype=int)
    for band in bands:
        top = _OLDEST if band.high is None else min(band.high, _OLDEST)
        years[band.low : top + 1] += 1
    return bool((years[low : high + 1] == 1).all())


def _check_frame(frame: gpd.GeoDataFrame, what: str, columns: Sequence[str]) -> None:
    if frame.crs is None or frame.crs.to_epsg() != 4326:
        msg = f"The {what} must be in EPSG:4326, got {frame.crs!s}; reproject them."
        raise SchemaError(msg)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        msg = f"The {what} need the column(s) {', '.join(missing)}."
        raise SchemaError(msg)
