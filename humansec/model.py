"""The domain model: layer kinds, their fields, incident focus areas (DESIGN.md section 3).

Every layer has one kind. A kind fixes the geometry types a layer may hold, the fields that
matter, which fields carry time, and whether its features are protected (checked against planned
activities). ``conform`` makes a GeoDataFrame fit its kind or says exactly why it cannot.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from humansec.errors import SchemaError, choices
from humansec.population.bands import column_band

WGS84 = "EPSG:4326"


class LayerKind(StrEnum):
    """What a layer holds."""

    POPULATION = "population"
    CULTURAL = "cultural"
    HUMANITARIAN_SITE = "humanitarian_site"
    HUMANITARIAN_MOVEMENT = "humanitarian_movement"
    INFRASTRUCTURE = "infrastructure"
    INCIDENT = "incident"
    ACTIVITY = "activity"
    AREA = "area"
    POPULATION_RASTER = "population_raster"


class FocusArea(StrEnum):
    """The human security focus areas that an incident is counted under (NATO, 2022)."""

    POC = "poc"  # protection of civilians
    CRSV = "crsv"  # conflict-related sexual violence
    THB = "thb"  # trafficking in human beings
    CAAC = "caac"  # children and armed conflict
    CPP = "cpp"  # cultural property protection
    HUMANITARIAN_ACCESS = "humanitarian_access"


FOCUS_AREA_TITLES: Mapping[FocusArea, str] = {
    FocusArea.POC: "Protection of civilians",
    FocusArea.CRSV: "Conflict-related sexual violence",
    FocusArea.THB: "Trafficking in human beings",
    FocusArea.CAAC: "Children and armed conflict",
    FocusArea.CPP: "Cultural property protection",
    FocusArea.HUMANITARIAN_ACCESS: "Humanitarian access",
}

CONFLICT_EVENT = "conflict_event"
"""The filter value (and chart group) of incidents with no focus area: battles, shelling, ..."""
CONFLICT_EVENT_TITLE = "Conflict events (no focus area)"
FOCUS_CHOICES: tuple[str, ...] = (*(str(area) for area in FocusArea), CONFLICT_EVENT)
"""What the filters offer: the six focus areas and the conflict events."""
FOCUS_CHOICE_TITLES: Mapping[str, str] = {
    **{str(area): title for area, title in FOCUS_AREA_TITLES.items()},
    CONFLICT_EVENT: CONFLICT_EVENT_TITLE,
}
FOCUS_SEPARATOR = ";"
"""Between the focus areas of one incident in the ``focus_areas`` field (``crsv;caac``)."""

ACTIVITY_TYPES: tuple[str, ...] = (
    "air_strike",
    "indirect_fire",
    "ground_manoeuvre",
    "patrol",
    "checkpoint",
    "engineering_demolition",
    "convoy",
    "exercise",
)

GEOMETRY_TYPE_NAMES: tuple[str, ...] = (
    "Point",
    "LineString",
    "LinearRing",
    "Polygon",
    "MultiPoint",
    "MultiLineString",
    "MultiPolygon",
    "GeometryCollection",
)
"""Geometry type names indexed by shapely's type id (``shapely.get_type_id``)."""

GeometryFamily = Literal["point", "line", "polygon"]
FieldType = Literal["text", "float", "int", "bool", "datetime"]

_FAMILY_OF_GEOM_TYPE: Mapping[str, GeometryFamily] = {
    "Point": "point",
    "MultiPoint": "point",
    "LineString": "line",
    "MultiLineString": "line",
    "Polygon": "polygon",
    "MultiPolygon": "polygon",
}


@dataclass(frozen=True)
class FieldSpec:
    """One attribute of a kind: its name, type, whether it must be present, allowed values."""

    name: str
    type: FieldType
    required: bool = False
    allowed: tuple[str, ...] | None = None
    description: str = ""


@dataclass(frozen=True)
class KindSpec:
    """What a layer of one kind holds."""

    kind: LayerKind
    title: str
    geometries: frozenset[GeometryFamily]
    fields: tuple[FieldSpec, ...]
    protected: bool
    # The fields that bound a feature in time (start, end); None where the kind has no time
    # or only a single instant (then both name the same field).
    time_fields: tuple[str, str] | None = None

    def field(self, name: str) -> FieldSpec:
        """Return the spec of field ``name``."""
        for spec in self.fields:
            if spec.name == name:
                return spec
        msg = f"{self.kind} has no field {name!r}; its fields are {choices(self.field_names)}."
        raise SchemaError(msg)

    @property
    def field_names(self) -> tuple[str, ...]:
        """Names of all fields, in schema order."""
        return tuple(spec.name for spec in self.fields)


_COMMON: tuple[FieldSpec, ...] = (
    FieldSpec("id", "text", required=True, description="identifier, unique within the layer"),
    FieldSpec("name", "text", description="name shown on the map"),
    FieldSpec("precision_m", "float", description="location uncertainty in metres"),
)

CULTURAL_PROTECTION = ("general", "special", "enhanced", "world_heritage", "national_list")
CULTURAL_CATEGORIES = (
    "monument",
    "archaeological_site",
    "museum",
    "library_archive",
    "place_of_worship",
    "centre_containing_monuments",
)
HUMANITARIAN_SITE_CATEGORIES = (
    "hospital",
    "clinic",
    "school",
    "idp_site",
    "refugee_site",
    "warehouse",
    "office",
    "water_point",
    "distribution_point",
)
INFRASTRUCTURE_CATEGORIES = ("dam", "dyke", "nuclear_plant", "water", "power", "food")
OTHER_CATEGORY = "other"
"""The category of a feature whose source value fits none of its kind's (the original is kept
in ``category_source``)."""
VERIFICATION_STATUS = ("verified", "reported", "unverified")

KIND_SPECS: Mapping[LayerKind, KindSpec] = {
    LayerKind.POPULATION: KindSpec(
        LayerKind.POPULATION,
        "Population centres",
        frozenset({"point", "polygon"}),
        (
            *_COMMON,
            FieldSpec("population", "int", required=True),
            FieldSpec("share_female", "float", description="0..1"),
            FieldSpec("share_children", "float", description="under 18, 0..1"),
            FieldSpec("share_elderly", "float", description="60 and over, 0..1"),
            FieldSpec("date", "datetime", description="date of the population figure"),
        ),
        protected=True,
    ),
    LayerKind.CULTURAL: KindSpec(
        LayerKind.CULTURAL,
        "Cultural property",
        frozenset({"point", "polygon"}),
        (
            *_COMMON,
            FieldSpec("protection", "text", required=True, allowed=CULTURAL_PROTECTION),
            FieldSpec("category", "text", allowed=(*CULTURAL_CATEGORIES, OTHER_CATEGORY)),
            FieldSpec("in_danger", "bool"),
        ),
        protected=True,
    ),
    LayerKind.HUMANITARIAN_SITE: KindSpec(
        LayerKind.HUMANITARIAN_SITE,
        "Humanitarian sites",
        frozenset({"point", "polygon"}),
        (
            *_COMMON,
            FieldSpec("organisation", "text"),
            FieldSpec(
                "category",
                "text",
                required=True,
                allowed=(*HUMANITARIAN_SITE_CATEGORIES, OTHER_CATEGORY),
            ),
            FieldSpec("notified", "bool", description="notified to the forces (HNS)"),
            FieldSpec("valid_from", "datetime"),
            FieldSpec("valid_to", "datetime"),
        ),
        protected=True,
        time_fields=("valid_from", "valid_to"),
    ),
    LayerKind.HUMANITARIAN_MOVEMENT: KindSpec(
        LayerKind.HUMANITARIAN_MOVEMENT,
        "Humanitarian movements",
        frozenset({"line"}),
        (
            *_COMMON,
            FieldSpec("organisation", "text"),
            FieldSpec("route", "text"),
            FieldSpec("notified", "bool"),
            FieldSpec("valid_from", "datetime", description="movement window start"),
            FieldSpec("valid_to", "datetime", description="movement window end"),
        ),
        protected=True,
        time_fields=("valid_from", "valid_to"),
    ),
    LayerKind.INFRASTRUCTURE: KindSpec(
        LayerKind.INFRASTRUCTURE,
        "Critical infrastructure",
        frozenset({"point", "line", "polygon"}),
        (
            *_COMMON,
            FieldSpec(
                "category",
                "text",
                required=True,
                allowed=(*INFRASTRUCTURE_CATEGORIES, OTHER_CATEGORY),
            ),
        ),
        protected=True,
    ),
    LayerKind.INCIDENT: KindSpec(
        LayerKind.INCIDENT,
        "Incidents",
        frozenset({"point"}),
        (
            *_COMMON,
            FieldSpec("date", "datetime", required=True),
            FieldSpec(
                "focus_area",
                "text",
                allowed=tuple(FocusArea),
                description="the first of focus_areas (its map symbol); empty: a conflict event",
            ),
            FieldSpec(
                "focus_areas",
                "text",
                description="every focus area, ';'-separated (crsv;caac); empty: a conflict event",
            ),
            FieldSpec("event_type", "text", description="the source's event type (Battles, ...)"),
            FieldSpec("type", "text", description="the source's sub-type, as reported"),
            FieldSpec("killed", "int"),
            FieldSpec("injured", "int"),
            FieldSpec("victims_female_adult", "int"),
            FieldSpec("victims_female_child", "int"),
            FieldSpec("victims_male_adult", "int"),
            FieldSpec("victims_male_child", "int"),
            FieldSpec("victims_unknown", "int", description="sex or age not known"),
            FieldSpec("perpetrator", "text", description="actor 1, as reported"),
            FieldSpec("target", "text", description="actor 2 (the other side), as reported"),
            FieldSpec("source", "text"),
            FieldSpec("verification", "text", allowed=VERIFICATION_STATUS),
        ),
        protected=False,
        time_fields=("date", "date"),
    ),
    LayerKind.ACTIVITY: KindSpec(
        LayerKind.ACTIVITY,
        "Planned activities",
        frozenset({"point", "line", "polygon"}),
        (
            *_COMMON,
            FieldSpec("type", "text", required=True, allowed=ACTIVITY_TYPES),
            FieldSpec("start", "datetime"),
            FieldSpec("end", "datetime"),
            FieldSpec("unit", "text"),
            FieldSpec("hazard_radius_m", "float", description="overrides the rule's distance"),
        ),
        protected=False,
        time_fields=("start", "end"),
    ),
    LayerKind.AREA: KindSpec(
        LayerKind.AREA,
        "Reference areas",
        frozenset({"polygon"}),
        (
            FieldSpec(
                "id", "text", required=True, description="identifier (the P-code when there is one)"
            ),
            FieldSpec("name", "text", description="name shown on the map"),
            FieldSpec("pcode", "text", description="P-code (COD-AB ADMn_PCODE)"),
            FieldSpec("admin_level", "int", description="0 country, 1 region, ... (COD-AB n)"),
            FieldSpec("parent_pcode", "text", description="P-code of the unit one level up"),
            FieldSpec("population", "int", description="people living in the area"),
            FieldSpec("female", "int", description="women and girls"),
            FieldSpec("male", "int", description="men and boys"),
            FieldSpec("population_date", "datetime", description="date of the population"),
            FieldSpec("population_source", "text", description="where the population comes from"),
        ),
        protected=False,
    ),
    # A population grid is catalogued as one feature per band: its footprint in EPSG:4326 and
    # where its cells are stored (``humansec.population.rasters``).
    LayerKind.POPULATION_RASTER: KindSpec(
        LayerKind.POPULATION_RASTER,
        "Population grids",
        frozenset({"polygon"}),
        (
            *_COMMON,
            FieldSpec(
                "file", "text", required=True, description="the COG, relative to the data folder"
            ),
            FieldSpec("band", "int", required=True, description="1-based band in the file"),
            FieldSpec(
                "role",
                "text",
                required=True,
                description="what the band counts: total, female, male, age:0-4, male:80+",
            ),
            FieldSpec("nodata", "float", description="the band's nodata value; empty: none"),
            FieldSpec("crs", "text", required=True, description="the grid's CRS (EPSG:n or WKT)"),
            FieldSpec("width", "int", required=True, description="columns of the grid"),
            FieldSpec("height", "int", required=True, description="rows of the grid"),
            FieldSpec("sha256", "text", required=True, description="of the stored COG"),
        ),
        protected=False,
    ),
}
AREA_COUNT_FIELDS: tuple[str, ...] = ("population", "female", "male")
"""The area fields that count people; the band counts (``age_0_4``, ``female_age_80_plus``,
named by ``humansec.population.bands.band_column``) are further int fields of an area layer."""

PROTECTED_KINDS: tuple[LayerKind, ...] = tuple(k for k, s in KIND_SPECS.items() if s.protected)
RASTER_KINDS: frozenset[LayerKind] = frozenset({LayerKind.POPULATION_RASTER})
"""Kinds whose features catalogue stored grids: drawn as images, never as vector features."""
VECTOR_KINDS: tuple[LayerKind, ...] = tuple(k for k in LayerKind if k not in RASTER_KINDS)
"""Kinds whose features are drawn, filtered and exported as features."""


def parse_kind(value: str) -> LayerKind:
    """Return the kind named ``value`` or raise a SchemaError listing the valid kinds."""
    try:
        return LayerKind(value)
    except ValueError:
        msg = f"Unknown layer kind {value!r}. Valid kinds: {choices(LayerKind)}."
        raise SchemaError(msg) from None


def geometry_family(geom_type: str) -> GeometryFamily:
    """Return point, line or polygon for a geometry type name such as ``MultiLineString``."""
    try:
        return _FAMILY_OF_GEOM_TYPE[geom_type]
    except KeyError:
        msg = (
            f"Geometry type {geom_type!r} is not supported; use points, lines or polygons "
            "(GeometryCollections must be split first)."
        )
        raise SchemaError(msg) from None


def conform(frame: gpd.GeoDataFrame, kind: LayerKind) -> gpd.GeoDataFrame:
    """Return a copy of ``frame`` that fits ``kind``: every schema field present and typed.

    ``frame`` must be in EPSG:4326. Extra columns are kept as they are. Raises SchemaError
    naming the field or rows that do not fit.

    >>> import shapely
    >>> f = gpd.GeoDataFrame({"id": ["a"], "category": ["dam"]},
    ...                      geometry=[shapely.Point(30, 50)], crs=WGS84)
    >>> list(conform(f, LayerKind.INFRASTRUCTURE).columns)[:4]
    ['id', 'name', 'precision_m', 'category']
    """
    spec = KIND_SPECS[kind]
    if frame.crs is None or frame.crs.to_epsg() != 4326:
        msg = (
            f"A {kind} layer must be in WGS84 (EPSG:4326), got {frame.crs!s}. "
            "Reproject it first (GeoDataFrame.to_crs('EPSG:4326'))."
        )
        raise SchemaError(msg)
    out = frame.copy()
    if kind is LayerKind.INCIDENT:
        out = migrate_focus_areas(out)
    for field in spec.fields:
        if field.name not in out.columns:
            if field.required:
                msg = (
                    f"A {kind} layer needs the field {field.name!r}; the layer has "
                    f"{choices(c for c in out.columns if c != out.geometry.name)}."
                )
                raise SchemaError(msg)
            out[field.name] = None
        out[field.name] = _coerce(out[field.name], field, kind)
    if kind is LayerKind.AREA:  # band counts (age_0_4, female_age_80_plus): whole people
        for column in [c for c in out.columns if isinstance(c, str) and column_band(c)]:
            out[column] = _coerce(out[column], FieldSpec(column, "int"), kind)
    _check_geometries(out, spec)
    if out["id"].isna().any():
        msg = f"{kind}: rows {_rows(out['id'].isna())} have no id; every feature needs one."
        raise SchemaError(msg)
    ordered = [*spec.field_names, *[c for c in out.columns if c not in spec.field_names]]
    return out[ordered]


def migrate_focus_areas(frame: pd.DataFrame) -> pd.DataFrame:
    """Give incidents both focus-area fields, agreeing: the migration of the single field.

    Layers written before an incident could carry several focus areas (main at ede3ef9 and
    earlier) hold one ``focus_area`` and no ``focus_areas``; a mapping may fill either. The
    set of an incident is the union of both fields (``focus_areas`` split on ``;``, ``,`` or
    spaces), written back in the order of ``FocusArea``; ``focus_area`` becomes its first
    (the map symbol). Stored versions are never rewritten (they are immutable): this runs on
    every read and every write (``conform``). An unknown name is a SchemaError naming it.

    >>> f = pd.DataFrame({"focus_area": ["poc", None, None],
    ...                   "focus_areas": [None, "caac,crsv", ""]})
    >>> migrate_focus_areas(f)[["focus_area", "focus_areas"]].fillna("").to_numpy().tolist()
    [['poc', 'poc'], ['crsv', 'crsv;caac'], ['', '']]
    """
    empty = pd.Series(None, index=frame.index, dtype=object)
    single = frame["focus_area"] if "focus_area" in frame.columns else empty
    many = frame["focus_areas"] if "focus_areas" in frame.columns else empty
    codes_a, uniques_a = pd.Series(single).factorize(use_na_sentinel=True)
    codes_b, uniques_b = pd.Series(many).factorize(use_na_sentinel=True)
    width = len(uniques_b) + 1
    combined = (np.asarray(codes_a, dtype=np.int64) + 1) * width + (codes_b + 1)
    present = np.bincount(combined, minlength=(len(uniques_a) + 1) * width) > 0
    pairs = np.flatnonzero(present)
    lookup = np.zeros(len(present), dtype=np.int64)
    lookup[pairs] = np.arange(len(pairs))
    order = {str(area): i for i, area in enumerate(FocusArea)}
    texts: list[str | None] = []
    firsts: list[str | None] = []
    unchanged = "focus_areas" in frame.columns and "focus_area" in frame.columns
    single_is_the_set = "focus_areas" not in frame.columns
    bad: set[str] = set()
    for pair in pairs.tolist():
        a, b = divmod(int(pair), width)
        given_a = str(uniques_a[a - 1]) if a else None
        given_b = str(uniques_b[b - 1]) if b else None
        names: set[str] = set()
        for part in (given_a, given_b):
            if part is not None:
                names.update(t for t in _FOCUS_SPLIT.split(part.strip().lower()) if t)
        bad |= names - set(order)
        ordered = sorted(names & set(order), key=order.__getitem__)
        texts.append(FOCUS_SEPARATOR.join(ordered) or None)
        firsts.append(ordered[0] if ordered else None)
        unchanged &= texts[-1] == given_b and firsts[-1] == given_a
        single_is_the_set &= texts[-1] == firsts[-1] == given_a
    if bad:
        msg = (
            f"incident focus areas: {choices(bad)} unknown; valid values are "
            f"{choices(FocusArea)} (several separated by ';'), or empty for a conflict event."
        )
        raise SchemaError(msg)
    if unchanged:  # what the store holds since several focus areas: nothing to migrate
        return frame
    out = frame.copy()
    if single_is_the_set:  # a layer of one canonical focus area each: the same column
        out["focus_areas"] = out["focus_area"]
        return out
    rows = lookup[combined]
    out["focus_area"] = pd.Series(pd.array(firsts, dtype="string").take(rows), index=out.index)
    out["focus_areas"] = pd.Series(pd.array(texts, dtype="string").take(rows), index=out.index)
    return out


_FOCUS_SPLIT = re.compile(r"[;,\s|]+")


def focus_mask(incidents: pd.DataFrame, wanted: Collection[str]) -> np.ndarray:
    """Which incidents carry one of ``wanted`` (focus areas, and ``conflict_event`` for those
    with none). Reads ``focus_areas`` (``focus_area`` in a frame without it).

    >>> f = pd.DataFrame({"focus_areas": ["crsv;caac", None, "poc"]})
    >>> focus_mask(f, ["caac"]).tolist(), focus_mask(f, ["conflict_event"]).tolist()
    ([True, False, False], [False, True, False])
    """
    column = "focus_areas" if "focus_areas" in incidents.columns else "focus_area"
    if column not in incidents.columns:
        return np.full(len(incidents), CONFLICT_EVENT in set(wanted))
    wanted_set = {str(w) for w in wanted}
    codes, uniques = pd.Series(incidents[column]).factorize(use_na_sentinel=True)
    hits = [
        bool(wanted_set & set(_FOCUS_SPLIT.split(str(u))))
        if str(u).strip()
        else CONFLICT_EVENT in wanted_set
        for u in uniques
    ]
    lookup = np.array([*hits, CONFLICT_EVENT in wanted_set], dtype=bool)
    return np.asarray(lookup[codes], dtype=bool)  # -1 (missing): the last, a conflict event


def focus_lists(values: pd.Series) -> pd.Series:
    """Each incident's focus areas as a tuple (``("conflict_event",)`` for none)."""
    codes, uniques = pd.Series(values).factorize(use_na_sentinel=True)
    lists = [
        tuple(t for t in _FOCUS_SPLIT.split(str(u)) if t) or (CONFLICT_EVENT,) for u in uniques
    ]
    table = np.empty(len(lists) + 1, dtype=object)
    for i, item in enumerate([*lists, (CONFLICT_EVENT,)]):
        table[i] = item
    return pd.Series(table[codes], index=values.index)


def empty_frame(kind: LayerKind) -> gpd.GeoDataFrame:
    """A frame of ``kind`` with no features: every schema field, typed, in EPSG:4326."""
    columns = {name: pd.Series([], dtype=object) for name in KIND_SPECS[kind].field_names}
    return conform(gpd.GeoDataFrame(columns, geometry=[], crs=WGS84), kind)


def _coerce(values: pd.Series, field: FieldSpec, kind: LayerKind) -> pd.Series:
    """Return ``values`` as the field's type; refuse values outside its allowed set."""
    if field.type == "text":
        result = values.astype("string")
        if field.allowed is not None:
            bad = result.notna() & ~result.isin(field.allowed)
            if bad.any():
                msg = (
                    f"{kind}.{field.name}: rows {_rows(bad)} hold "
                    f"{choices(set(result[bad]))}; valid values are {choices(field.allowed)}."
                )
                raise SchemaError(msg)
        return result
    if field.type == "datetime":
        parsed = pd.to_datetime(values, utc=True, errors="coerce", format="mixed")
        bad = parsed.isna() & values.notna()
        if bad.any():
            msg = (
                f"{kind}.{field.name}: rows {_rows(bad)} are not dates; "
                "write them as ISO 8601, e.g. 2026-11-26T14:30:00Z."
            )
            raise SchemaError(msg)
        return parsed.dt.as_unit("us")
    numeric = pd.to_numeric(values, errors="coerce")
    bad = numeric.isna() & values.notna()
    if bad.any():
        msg = f"{kind}.{field.name}: rows {_rows(bad)} are not numbers."
        raise SchemaError(msg)
    if field.type == "int":
        return numeric.astype("Int64")
    if field.type == "bool":
        return numeric.astype("boolean")
    return numeric.astype("float64")


def _check_geometries(frame: gpd.GeoDataFrame, spec: KindSpec) -> None:
    geoms = frame.geometry
    missing = geoms.isna() | geoms.is_empty
    if missing.any():
        msg = f"{spec.kind}: rows {_rows(missing)} have no geometry."
        raise SchemaError(msg)
    families = {geometry_family(t) for t in geoms.geom_type.unique()}
    wrong = families - spec.geometries
    if wrong:
        msg = (
            f"A {spec.kind} layer holds {choices(spec.geometries)} geometries, "
            f"not {choices(wrong)}."
        )
        raise SchemaError(msg)
    coords = geoms.get_coordinates()
    finite = np.isfinite(coords.to_numpy()).all(axis=1)
    in_range = coords["x"].between(-180, 180) & coords["y"].between(-90, 90)
    bad_rows = coords.index[~(finite & in_range.to_numpy())].unique()
    if len(bad_rows):
        msg = (
            f"{spec.kind}: rows {_rows(frame.index.isin(bad_rows))} have coordinates that are "
            "not finite or outside longitude -180..180 / latitude -90..90."
        )
        raise SchemaError(msg)


def _rows(mask: pd.Series | np.ndarray, limit: int = 10) -> str:
    """Name the first rows where ``mask`` holds, as 1-based row numbers."""
    positions = np.flatnonzero(np.asarray(mask)) + 1
    shown = ", ".join(str(p) for p in positions[:limit])
    more = len(positions) - limit
    return shown + (f" and {more} more" if more > 0 else "")
