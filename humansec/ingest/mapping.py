"""Map the columns of an upload onto the fields of a layer kind: suggest, then apply.

``suggest_mapping`` proposes a ``FieldMapping`` from column names (case, spacing and
diacritics ignored; synonyms and HXL hashtags understood) and, for fields with a fixed set of
values, from the values themselves; the analyst confirms or edits it. ``apply_mapping`` builds
the layer's frame from it, converting and checking every value, and reports each problem as a
``Finding`` naming rows by ``_source_row``.

Decisions:

* A column fills at most one field. ``name`` never doubles as ``id``: without an id column
  that is unique and complete, ids are made from the source rows (stable and unique).
* Unmapped source columns are kept as extra attributes, their names made lower-case
  ``[a-z0-9_]``, unique, and kept clear of the kind's fields and of the names the store
  reserves (``fid``, ``geom``, ``geometry``, ``layer_id``) and ``_source_row``.
* Dates: per column, ISO 8601 is tried first, then the one format that parses most values
  (day-first wins a tie with month-first); the format assumed is reported.
* A value that cannot be converted is never dropped silently: for a required field it is an
  error, for an optional field the value is left empty with a warning.
* Rows are left out only when the analyst says so: a value table entry whose target is
  ``LEAVE_OUT`` (``""``) drops the rows holding that source value (e.g. the ``Natural`` sites of
  the World Heritage list in a ``cultural`` layer), reported in one warning. ``suggest_mapping``
  never proposes it.
"""

from __future__ import annotations

import re
import shlex
import unicodedata
from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd

from humansec.errors import IngestError, choices
from humansec.ingest.types import SOURCE_ROW, FieldMapping, Finding, Severity
from humansec.ingest.validate import describe_rows, row_finding
from humansec.model import (
    KIND_SPECS,
    WGS84,
    FieldSpec,
    LayerKind,
    parse_kind,
)

LEAVE_OUT = ""
"""Target in a ``FieldMapping.values`` table meaning "leave out the rows holding this value"."""

RESERVED_COLUMNS = frozenset({"fid", "geom", "geometry", "layer_id", SOURCE_ROW})
"""Names an extra attribute may not take (the store's own columns and the source row)."""

_SAMPLE = 2000  # distinct values looked at to judge a column or a date format
_MAX_CATEGORIES = 1000  # a column with more distinct values is not categorical
_COVERAGE_ROWS = 20_000  # rows looked at to judge whether a column's values map
_SHOWN_VALUES = 5
_DISTINCT_PROBE = 10_000  # rows first looked at by distinct_values to rule a column out fast
_DISTINCT_CHUNK = 200_000  # rows counted at a time by distinct_values (stops when too many)

# Column names (normalised: lower case, [a-z0-9_]) that fill a field, best first.
_SYNONYMS: Mapping[str, tuple[str, ...]] = {
    "id": (
        "id",
        "fid",
        "uid",
        "feature_id",
        "site_id",
        "event_id",
        "event_id_cnty",
        "incident_id",
        "data_id",
        "id_no",
        "id_number",
        "geonameid",
        "objectid",
        "pcode",
        "code",
        "ref",
        "unique_number",
    ),
    "name": (
        "name",
        "name_en",
        "name_eng",
        "name_english",
        "english_name",
        "title",
        "site",
        "site_name",
        "facility_name",
        "location",
        "location_name",
        "place",
        "place_name",
        "placename",
        "settlement",
        "label",
        "nameascii",
    ),
    "precision_m": (
        "precision_m",
        "precision",
        "accuracy_m",
        "accuracy",
        "uncertainty_m",
        "uncertainty",
        "location_precision_m",
        "error_m",
    ),
    "population": (
        "population",
        "pop",
        "pop_max",
        "pop_est",
        "pop_total",
        "total_population",
        "t_tl",
        "inhabitants",
        "total",
    ),
    "share_female": ("share_female", "female_share", "pct_female", "female_pct", "prop_female"),
    "share_children": (
        "share_children",
        "children_share",
        "pct_children",
        "children_pct",
        "prop_children",
    ),
    "share_elderly": ("share_elderly", "elderly_share", "pct_elderly", "elderly_pct"),
    "date": (
        "date",
        "event_date",
        "date_start",
        "start_date",
        "date_occurred",
        "incident_date",
        "datetime",
        "reported_date",
        "date_reported",
        "snapshot_date",
    ),
    "organisation": (
        "organisation",
        "organization",
        "org",
        "org_name",
        "organisation_name",
        "organization_name",
        "agency",
        "partner",
        "implementing_partner",
        "operator",
        "ngo",
    ),
    "category": (
        "category",
        "type",
        "class",
        "site_type",
        "facility_type",
        "amenity",
        "kind",
        "subcategory",
    ),
    "protection": (
        "protection",
        "protection_level",
        "protection_status",
        "protection_regime",
        "heritage_status",
        "designation",
    ),
    "in_danger": ("in_danger", "danger", "endangered", "at_risk", "is_in_danger"),
    "notified": ("notified", "hns", "notification", "is_notified", "deconflicted"),
    "valid_from": (
        "valid_from",
        "start",
        "from",
        "start_date",
        "date_from",
        "date_start",
        "opened",
        "open_date",
        "begin",
    ),
    "valid_to": (
        "valid_to",
        "end",
        "to",
        "end_date",
        "date_to",
        "date_end",
        "closed",
        "close_date",
    ),
    "route": ("route", "route_name", "road", "corridor", "itinerary"),
    "focus_area": ("focus_area", "focus", "hs_focus"),
    "type": (
        "type",
        "event_type",
        "incident_type",
        "activity_type",
        "activity",
        "task",
        "category",
    ),
    "killed": ("killed", "fatalities", "deaths", "best", "dead", "deaths_total", "num_killed"),
    "injured": ("injured", "wounded", "injuries", "num_injured"),
    "victims_female_adult": ("victims_female_adult", "women", "female_adult"),
    "victims_female_child": ("victims_female_child", "girls", "female_child"),
    "victims_male_adult": ("victims_male_adult", "men", "male_adult"),
    "victims_male_child": ("victims_male_child", "boys", "male_child"),
    "victims_unknown": ("victims_unknown", "unknown_victims"),
    "perpetrator": ("perpetrator", "alleged_perpetrator", "perpetrators", "actor1", "actor"),
    "source": ("source", "sources", "source_name", "reported_by", "info_source"),
    "verification": ("verification", "verification_status", "verified", "confidence"),
    "start": ("start", "start_time", "start_date", "date_start", "begin", "from", "valid_from"),
    "end": ("end", "end_time", "end_date", "date_end", "to", "valid_to"),
    "unit": ("unit", "unit_name", "formation", "callsign"),
    "hazard_radius_m": (
        "hazard_radius_m",
        "hazard_radius",
        "radius_m",
        "radius",
        "safety_distance_m",
        "buffer_m",
    ),
}

# Tokens that, found among a column's name tokens, make a weaker match ("admin4Name_eng").
_TOKENS: Mapping[str, tuple[str, ...]] = {
    "id": ("id", "pcode", "code", "uid"),
    "name": ("name", "title"),
    "population": ("population", "pop"),
    "date": ("date",),
    "organisation": ("organisation", "organization", "org", "agency", "partner"),
    "category": ("category", "type", "class"),
    "protection": ("protection",),
    "type": ("type",),
    "killed": ("killed", "fatalities", "deaths"),
    "injured": ("injured", "wounded"),
    "source": ("source",),
}
_ENGLISH = frozenset({"en", "eng", "english"})

# HXL hashtag and the attributes it must carry, best first.
_HXL: Mapping[str, tuple[tuple[str, frozenset[str]], ...]] = {
    "id": (
        ("#loc", frozenset({"code"})),
        ("#event", frozenset({"id"})),
        ("#meta", frozenset({"id"})),
        ("#activity", frozenset({"code"})),
    ),
    "name": (("#loc", frozenset({"name"})), ("#site", frozenset({"name"}))),
    "population": (("#population", frozenset()),),
    "share_female": (
        ("#population", frozenset({"f", "pct"})),
        ("#affected", frozenset({"f", "pct"})),
    ),
    "share_children": (
        ("#population", frozenset({"children", "pct"})),
        ("#affected", frozenset({"children", "pct"})),
    ),
    "share_elderly": (
        ("#population", frozenset({"elderly", "pct"})),
        ("#affected", frozenset({"elderly", "pct"})),
    ),
    "date": (("#date", frozenset({"occurred"})), ("#date", frozenset())),
    "organisation": (("#org", frozenset()),),
    "category": (("#loc", frozenset({"type"})), ("#service", frozenset())),
    "type": (("#event", frozenset({"type"})), ("#activity", frozenset())),
    "valid_from": (("#date", frozenset({"start"})),),
    "valid_to": (("#date", frozenset({"end"})),),
    "start": (("#date", frozenset({"start"})),),
    "end": (("#date", frozenset({"end"})),),
    "killed": (("#affected", frozenset({"killed"})),),
    "injured": (("#affected", frozenset({"injured"})),),
    "victims_female_adult": (("#affected", frozenset({"f", "adults"})),),
    "victims_female_child": (("#affected", frozenset({"f", "children"})),),
    "victims_male_adult": (("#affected", frozenset({"m", "adults"})),),
    "victims_male_child": (("#affected", frozenset({"m", "children"})),),
    "perpetrator": (("#group", frozenset({"perpetrator"})),),
    "source": (("#meta", frozenset({"source"})),),
}
# Hashtags whose attributes change the meaning: a share is not a count and vice versa.
_HXL_EXCLUDE: Mapping[str, frozenset[str]] = {
    "population": frozenset({"pct", "f", "m", "children", "elderly", "adults"}),
    "killed": frozenset({"pct"}),
    "injured": frozenset({"pct"}),
}

# Source values (normalised) that mean an allowed value, per field.
_VALUE_SYNONYMS: Mapping[str, Mapping[str, str]] = {
    "category": {
        # humanitarian sites
        "hospital": "hospital",
        "hospitals": "hospital",
        "health_centre": "clinic",
        "health_center": "clinic",
        "health_post": "clinic",
        "clinic": "clinic",
        "polyclinic": "clinic",
        "primary_health_care": "clinic",
        "phc": "clinic",
        "medical_point": "clinic",
        "school": "school",
        "kindergarten": "school",
        "idp_camp": "idp_site",
        "idp_site": "idp_site",
        "idp_centre": "idp_site",
        "idp_center": "idp_site",
        "collective_centre": "idp_site",
        "collective_center": "idp_site",
        "transit_centre": "idp_site",
        "transit_center": "idp_site",
        "refugee_camp": "refugee_site",
        "refugee_site": "refugee_site",
        "warehouse": "warehouse",
        "storage": "warehouse",
        "office": "office",
        "water_point": "water_point",
        "well": "water_point",
        "borehole": "water_point",
        "distribution_point": "distribution_point",
        "distribution_site": "distribution_point",
        "distribution_centre": "distribution_point",
        "distribution_center": "distribution_point",
        # cultural property
        "monument": "monument",
        "memorial": "monument",
        "historic_building": "monument",
        "archaeological_site": "archaeological_site",
        "archaeology": "archaeological_site",
        "ruins": "archaeological_site",
        "museum": "museum",
        "library": "library_archive",
        "archive": "library_archive",
        "archives": "library_archive",
        "church": "place_of_worship",
        "mosque": "place_of_worship",
        "cathedral": "place_of_worship",
        "synagogue": "place_of_worship",
        "temple": "place_of_worship",
        "monastery": "place_of_worship",
        "chapel": "place_of_worship",
        "shrine": "place_of_worship",
        "historic_centre": "centre_containing_monuments",
        "historic_center": "centre_containing_monuments",
        "old_town": "centre_containing_monuments",
        # infrastructure
        "dike": "dyke",
        "levee": "dyke",
        "nuclear_power_plant": "nuclear_plant",
        "npp": "nuclear_plant",
        "nuclear": "nuclear_plant",
        "water_supply": "water",
        "water_treatment": "water",
        "pumping_station": "water",
        "power_plant": "power",
        "power_station": "power",
        "substation": "power",
        "electricity": "power",
        "grain_storage": "food",
        "silo": "food",
        "bakery": "food",
    },
    "protection": {
        "world_heritage": "world_heritage",
        "world_heritage_site": "world_heritage",
        "whs": "world_heritage",
        "general_protection": "general",
        "special_protection": "special",
        "enhanced_protection": "enhanced",
        "national": "national_list",
        "national_register": "national_list",
        "national_heritage": "national_list",
        "listed": "national_list",
    },
    "focus_area": {
        "protection_of_civilians": "poc",
        "civilians": "poc",
        "civilian_targeting": "poc",
        "sexual_violence": "crsv",
        "conflict_related_sexual_violence": "crsv",
        "trafficking": "thb",
        "trafficking_in_human_beings": "thb",
        "human_trafficking": "thb",
        "children": "caac",
        "children_and_armed_conflict": "caac",
        "cultural_property": "cpp",
        "cultural_property_protection": "cpp",
        "access": "humanitarian_access",
    },
    "type": {
        "airstrike": "air_strike",
        "air_strikes": "air_strike",
        "artillery": "indirect_fire",
        "mortar": "indirect_fire",
        "shelling": "indirect_fire",
        "ground_maneuver": "ground_manoeuvre",
        "manoeuvre": "ground_manoeuvre",
        "maneuver": "ground_manoeuvre",
        "demolition": "engineering_demolition",
        "engineering": "engineering_demolition",
    },
    "verification": {
        "confirmed": "verified",
        "unconfirmed": "unverified",
        "not_verified": "unverified",
    },
}
# In a World Heritage list (recognised by its columns), a site of category Cultural or Mixed
# has protection world_heritage; Natural sites are not cultural property and stay unmapped.
_WHC_COLUMNS = frozenset({"date_inscribed", "criteria_txt", "danger_list", "id_no"})
_WHC_PROTECTION = {"cultural": "world_heritage", "mixed": "world_heritage"}

_TRUE = frozenset({"1", "1.0", "true", "yes", "y", "t", "x", "oui", "si", "да", "так"})
_FALSE = frozenset({"0", "0.0", "false", "no", "n", "f", "non", "нет", "ні"})

# Date formats tried after ISO 8601 (day-first before month-first: a tie goes to day-first).
_DATE_FORMATS: tuple[str, ...] = (
    "%d/%m/%Y",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d.%m.%Y",
    "%d.%m.%Y %H:%M",
    "%d-%m-%Y",
    "%d %B %Y",
    "%d %b %Y",
    "%d-%b-%Y",
    "%d-%b-%y",
    "%d/%m/%y",
    "%m/%d/%Y",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%Y/%m/%d",
    "%Y%m%d",
    "%Y",
)
_ISO = "ISO8601"


# --- suggesting ---------------------------------------------------------------------------


def normalise_name(name: object) -> str:
    """Lower-case ``[a-z0-9_]`` form of a column name or value, diacritics and camelCase split.

    >>> normalise_name("Name - English"), normalise_name("admin4Name_eng"), normalise_name("Été")
    ('name_english', 'admin4_name_eng', 'ete')
    """
    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", text)
    return re.sub(r"[^0-9a-z]+", "_", text.lower()).strip("_")


def suggest_mapping(frame: gpd.GeoDataFrame, kind: LayerKind) -> FieldMapping:
    """Propose which column fills each field of ``kind``, and how categorical values map.

    Column names are compared without case, spacing or diacritics against synonyms of each
    field (``name_en`` -> name, ``fatalities`` -> killed); HXL hashtags (in
    ``frame.attrs["hxl"]`` as ``{column: tag}``, or as column names) count most. A column
    must hold values of the field's type (numbers, dates, yes/no; ids unique and complete);
    for a field with allowed values, the column's values must mostly map onto them, and a
    column whose values map well is proposed even when its name does not match. Each column
    fills at most one field. ``values`` maps each source value that means an allowed value.

    >>> f = gpd.GeoDataFrame({"geonameid": [1, 2], "name": ["Kyiv", "Lviv"],
    ...                       "population": [2900000, 720000], "_source_row": [1, 2]},
    ...                      geometry=gpd.points_from_xy([30.5, 24.0], [50.4, 49.8]),
    ...                      crs="EPSG:4326")
    >>> dict(suggest_mapping(f, LayerKind.POPULATION).columns)
    {'id': 'geonameid', 'name': 'name', 'population': 'population'}
    """
    spec = KIND_SPECS[kind]
    columns = [c for c in frame.columns if c not in (frame.geometry.name, SOURCE_ROW)]
    hxl = _hxl_tags(frame, columns)
    whc = bool(_WHC_COLUMNS & {normalise_name(c) for c in columns})
    candidates: list[tuple[float, int, int, str, str]] = []
    for f_order, field in enumerate(spec.fields):
        synonyms = _value_synonyms(field.name, whc=whc)
        for c_order, column in enumerate(columns):
            score = _name_score(field.name, column, hxl.get(column))
            if field.allowed is not None:
                _, coverage = _suggest_values(frame[column].head(_COVERAGE_ROWS), field, synonyms)
                if score > 0 and coverage == 0:
                    score = 0.0
                elif score == 0 and coverage >= 0.6:
                    score = 40 + 20 * coverage
            if score > 0 and _fits_type(frame[column], field):
                candidates.append((score, f_order, c_order, field.name, column))
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    chosen: dict[str, str] = {}
    for _, _, _, field_name, column in candidates:
        if field_name not in chosen and column not in chosen.values():
            chosen[field_name] = column
    ordered = {f: chosen[f] for f in spec.field_names if f in chosen}
    values: dict[str, dict[str, str]] = {}
    for field_name, column in ordered.items():
        field = spec.field(field_name)
        if field.allowed is not None:
            synonyms = _value_synonyms(field_name, whc=whc)
            found, _ = _suggest_values(frame[column], field, synonyms)
            if found:
                values[field_name] = found
    return FieldMapping(kind=str(kind), columns=ordered, values=values)


def _hxl_tags(frame: gpd.GeoDataFrame, columns: list[str]) -> dict[str, str]:
    tags: dict[str, str] = {}
    attrs = frame.attrs.get("hxl")
    if isinstance(attrs, Mapping):
        tags.update({str(k): str(v) for k, v in attrs.items() if k in columns and v})
    for column in columns:
        if column not in tags and str(column).strip().startswith("#"):
            tags[column] = str(column)
    return tags


def _parse_hxl(tag: str) -> tuple[str, frozenset[str]]:
    parts = [p.strip().lower() for p in tag.strip().split("+")]
    return parts[0], frozenset(p for p in parts[1:] if p)


def _name_score(field: str, column: str, tag: str | None) -> float:
    best = 0.0
    if tag:
        hashtag, attributes = _parse_hxl(tag)
        if not attributes & _HXL_EXCLUDE.get(field, frozenset()):
            for rank, (want, needed) in enumerate(_HXL.get(field, ())):
                if hashtag == want and needed <= attributes:
                    best = max(best, 120.0 - rank - len(attributes - needed))
    if best:
        return best
    name = normalise_name(column.lstrip("#") if tag else column)
    if not name:
        return 0.0
    synonyms = _SYNONYMS.get(field, ())
    if name in synonyms:
        return 100.0 - synonyms.index(name)
    tokens = set(name.split("_"))
    for token in _TOKENS.get(field, ()):
        if token in tokens:
            bonus = 5.0 if tokens & _ENGLISH else 0.0
            return 50.0 - len(tokens) + bonus
    return 0.0


def _sample(values: pd.Series) -> pd.Series:
    present = values.dropna()
    return present.head(20 * _SAMPLE).drop_duplicates().head(_SAMPLE)


def _fits_type(values: pd.Series, field: FieldSpec) -> bool:
    """Whether a column holds values of the field's type (judged on a sample).

    An id column must be complete and unique; a date column must not hold numbers (a year or
    a Unix timestamp is not the date of a feature).
    """
    if field.name == "id":
        present = values.dropna()
        return len(present) == len(values) and present.is_unique
    sample = _sample(values)
    share, needed = 1.0, 0.5
    if not len(sample):
        share = 0.0
    elif field.type in ("int", "float"):
        share = float(_to_numbers(sample, field).notna().mean())
    elif field.type == "bool":
        share, needed = float(_to_bools(sample).notna().mean()), 0.8
    elif field.type == "datetime" and not pd.api.types.is_datetime64_any_dtype(values):
        fmt, _ = _choose_date_format(sample.astype("string"))
        numeric = pd.api.types.is_numeric_dtype(values)
        share = 0.0 if numeric or fmt is None else float(_parse_dates(sample, fmt).notna().mean())
    return share >= needed


def _value_synonyms(field: str, *, whc: bool) -> Mapping[str, str]:
    synonyms = dict(_VALUE_SYNONYMS.get(field, {}))
    if field == "protection" and whc:
        synonyms.update(_WHC_PROTECTION)
    return synonyms


def _map_value(value: object, allowed: tuple[str, ...], synonyms: Mapping[str, str]) -> str | None:
    key = normalise_name(value)
    if key in allowed:
        return key
    if key in synonyms:
        return synonyms[key]
    tokens = key.split("_")
    # "Central District Hospital" -> hospital: the longest synonym found among the words
    found = [
        (len(s), target)
        for s, target in (*synonyms.items(), *((a, a) for a in allowed))
        if _contains(tokens, s.split("_"))
    ]
    return max(found)[1] if found else None


def _contains(tokens: list[str], wanted: list[str]) -> bool:
    n = len(wanted)
    return any(tokens[i : i + n] == wanted for i in range(len(tokens) - n + 1))


def _suggest_values(
    values: pd.Series, field: FieldSpec, synonyms: Mapping[str, str]
) -> tuple[dict[str, str], float]:
    """Source value -> allowed value for the values that map, and the share of rows mapped.

    Empty rows count as not mapped: a column that is mostly empty does not fill a field.
    """
    assert field.allowed is not None
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return {}, 0.0
    counts = values.dropna().astype("string").str.strip().value_counts()
    if not len(counts) or len(counts) > _MAX_CATEGORIES:
        return {}, 0.0
    mapping: dict[str, str] = {}
    mapped_rows = 0
    for value, count in counts.items():
        target = _map_value(value, field.allowed, synonyms)
        if target is not None:
            mapped_rows += int(count)
            if str(value) != target:
                mapping[str(value)] = target
    return mapping, mapped_rows / float(len(values))


# --- applying -----------------------------------------------------------------------------


def apply_mapping(
    frame: gpd.GeoDataFrame, mapping: FieldMapping
) -> tuple[gpd.GeoDataFrame, list[Finding]]:
    """Build the layer frame of ``mapping.kind`` from an upload, converting every value.

    Parameters
    ----------
    frame
        The upload in EPSG:4326 with a ``_source_row`` column.
    mapping
        ``columns`` and ``constants`` fill the fields (a constant fills the rows its column
        leaves empty, or every row without a column); ``values`` translates categorical
        values (a value equal to an allowed one but for case or spacing is accepted too).
        A value mapped onto ``LEAVE_OUT`` (``""``) leaves out every row whose mapped column
        holds it (compared as text, spaces at the ends ignored, ``3.0`` read as ``3``); those
        rows are dropped before anything else is checked, so they cause no other finding, and
        one ``rows_left_out`` warning names them (an error if no row is left).
        ``preset`` is not read here: the presets translate their files before this.

    Returns
    -------
    A frame with the kind's fields (typed as ``humansec.model.conform`` expects), the unmapped
    source columns as extra attributes (names sanitised, see the module docstring),
    ``_source_row`` and the geometry, in the order and index of ``frame`` less the rows left
    out; and the findings. When no finding is an error the frame passes
    ``conform(frame, kind)``.

    >>> f = gpd.GeoDataFrame({"Name": ["Dnipro dam"], "_source_row": [1]},
    ...                      geometry=gpd.points_from_xy([35.1], [47.8]), crs="EPSG:4326")
    >>> m = FieldMapping("infrastructure", columns={"name": "Name"},
    ...                  constants={"category": "dam"})
    >>> out, found = apply_mapping(f, m)
    >>> out["id"].tolist(), out["category"].tolist(), [x.code for x in found]
    (['1'], ['dam'], ['ids_from_rows'])

    """
    if SOURCE_ROW not in frame.columns:
        msg = f"The frame has no {SOURCE_ROW!r} column; the reader must add the source rows."
        raise IngestError(msg)
    if frame.crs is None or frame.crs.to_epsg() != 4326:
        msg = f"Mapping expects EPSG:4326, got {frame.crs!s}; transform the frame first."
        raise IngestError(msg)
    kind = parse_kind(mapping.kind)
    spec = KIND_SPECS[kind]
    available = [c for c in frame.columns if c not in (frame.geometry.name, SOURCE_ROW)]
    findings = _check_mapping(mapping, spec.field_names, available, kind)
    frame, left_out = _leave_out(frame, mapping, spec.fields, available)
    findings.extend(left_out)
    rows = frame[SOURCE_ROW].to_numpy(dtype=np.int64)

    data: dict[str, pd.Series] = {}
    for field in spec.fields:
        column = mapping.columns.get(field.name)
        column = column if column in available else None
        constant = mapping.constants.get(field.name)
        if column is None and constant is None:
            data[field.name] = _empty(field, frame.index)
            if field.name == "id":
                data["id"] = pd.Series(rows.astype(str), index=frame.index, dtype="string")
                findings.append(
                    Finding(
                        "ids_from_rows",
                        "info",
                        "No column is mapped to 'id', so each feature's id is its row in the "
                        "file. Map an id column if the source has stable ids (needed to match "
                        "features when the layer is replaced).",
                        count=len(frame),
                    )
                )
            elif field.required and field.name not in mapping.columns:
                findings.append(
                    Finding(
                        "field_unmapped",
                        "error",
                        f"The {kind} field {field.name!r} is required but mapped to no column. "
                        f"Choose one of the columns {choices(available)}, or give it one value "
                        "for every row.",
                        count=len(frame),
                    )
                )
            continue
        raw = (
            frame[column]
            if column is not None
            else pd.Series([constant] * len(frame), index=frame.index, dtype=object)
        )
        if column is not None and constant is not None:
            raw = raw.astype(object).where(~_blank(raw), constant)
        label = f"{kind}.{field.name} (column {column!r})" if column else f"{kind}.{field.name}"
        blank = _blank(raw).to_numpy()
        value_map = {k: v for k, v in mapping.values.get(field.name, {}).items() if v != LEAVE_OUT}
        converted, found = _convert(
            raw, field, rows=rows, label=label, value_map=value_map, blank=blank
        )
        data[field.name] = converted
        findings.extend(found)
        empty = blank
        if field.required and empty.any():
            findings.append(
                row_finding(
                    "required_empty",
                    "error",
                    rows[empty],
                    f"{label}: {describe_rows(rows[empty])} are empty, but every feature needs "
                    f"a {field.name}. Fill them in the file, or give the field a value for "
                    "every empty row.",
                )
            )
    findings.extend(_duplicate_ids(data["id"], rows, kind))

    used = set(mapping.columns.values())
    extras, renamed = _extra_columns(
        frame, [c for c in available if c not in used], spec.field_names
    )
    data.update(extras)
    if renamed:
        pairs = ", ".join(f"{old!r} as {new}" for old, new in list(renamed.items())[:10])
        more = f" and {len(renamed) - 10} more" if len(renamed) > 10 else ""
        findings.append(
            Finding(
                "columns_renamed",
                "info",
                f"Unmapped columns are kept as extra attributes; renamed: {pairs}{more}.",
            )
        )
    data[SOURCE_ROW] = frame[SOURCE_ROW]
    out = gpd.GeoDataFrame(
        pd.DataFrame(data, index=frame.index),
        geometry=gpd.GeoSeries(frame.geometry.array, index=frame.index, crs=WGS84),
        crs=WGS84,
    )
    out.attrs = dict(frame.attrs)
    return out, findings


def _check_mapping(
    mapping: FieldMapping, fields: tuple[str, ...], available: list[str], kind: LayerKind
) -> list[Finding]:
    findings: list[Finding] = []
    unknown_fields = sorted(set(mapping.columns) | set(mapping.constants) | set(mapping.values))
    unknown_fields = [f for f in unknown_fields if f not in fields]
    if unknown_fields:
        findings.append(
            Finding(
                "mapping_unknown_field",
                "error",
                f"The mapping names {choices(unknown_fields)}, which a {kind} layer does not "
                f"have; its fields are {choices(fields)}.",
            )
        )
    missing = sorted({c for c in mapping.columns.values() if c not in available})
    if missing:
        findings.append(
            Finding(
                "mapping_unknown_column",
                "error",
                f"The mapping uses the columns {choices(missing)}, which the file does not "
                f"have; its columns are {choices(available)}.",
            )
        )
    return findings


def _leave_out(
    frame: gpd.GeoDataFrame,
    mapping: FieldMapping,
    fields: tuple[FieldSpec, ...],
    available: list[str],
) -> tuple[gpd.GeoDataFrame, list[Finding]]:
    """``frame`` without the rows whose values the mapping leaves out, and the finding."""
    drop = np.zeros(len(frame), dtype=bool)
    parts: list[str] = []
    for field in fields:
        wanted = [s for s, t in mapping.values.get(field.name, {}).items() if t == LEAVE_OUT]
        column = mapping.columns.get(field.name)
        if not wanted or column is None or column not in available:
            continue
        raw = frame[column]
        text = _source_text(raw, _blank(raw).to_numpy())
        hit = text.isin(wanted).fillna(False).to_numpy(dtype=bool)
        drop |= hit
        for value, count in text[hit].value_counts().items():
            noun = "row whose" if count == 1 else "rows whose"
            parts.append(f"{count} {noun} {column} is {str(value)!r}")
    if not drop.any():
        return frame, []
    rows = frame[SOURCE_ROW].to_numpy(dtype=np.int64)[drop]
    shown = parts[:_SHOWN_VALUES]
    if len(parts) > _SHOWN_VALUES:
        shown.append(f"rows of {len(parts) - _SHOWN_VALUES} more values")
    said = (", ".join(shown[:-1]) + " and " + shown[-1]) if len(shown) > 1 else shown[0]
    verb = "was" if len(rows) == 1 else "were"
    findings = [
        row_finding(
            "rows_left_out",
            "warning",
            rows,
            f"{said} {verb} left out, as the mapping says ({describe_rows(rows)}). To keep "
            "them, map those values onto valid ones instead.",
        )
    ]
    if drop.all():
        findings.append(
            Finding(
                "all_rows_left_out",
                "error",
                "The mapping leaves out every row, so nothing would be stored. Map at least "
                "one of those values onto a valid value, or choose another layer kind.",
                count=len(rows),
            )
        )
    return frame[~drop], findings


def _source_text(raw: pd.Series, blank: np.ndarray) -> pd.Series:
    """A column's values as the text a value table is matched on (blank rows missing).

    Spaces at the ends are stripped and whole floats read as integers (``123.0`` -> ``"123"``).
    """
    if pd.api.types.is_float_dtype(raw) and bool((raw.dropna() % 1 == 0).all()):
        raw = raw.astype("Int64")  # ids such as 123.0 read back as 123
    return raw.astype("string").str.strip().mask(blank)


def distinct_values(frame: gpd.GeoDataFrame, *, limit: int = 50) -> dict[str, list[str]]:
    """The values of each column with at most ``limit`` distinct ones, most common first.

    For the value table of the mapping: the geometry and ``_source_row`` are skipped, as are
    columns with more than ``limit`` distinct values. Values are given as the text a value
    table is matched on (see ``apply_mapping``); missing and blank values are not listed.
    Columns are ruled out on their first rows before all rows are counted.

    >>> f = gpd.GeoDataFrame({"category": ["Cultural", "Natural", "Cultural"],
    ...                       "id_no": [1.0, 2.0, 3.0], "_source_row": [1, 2, 3]},
    ...                      geometry=gpd.points_from_xy([30, 24, 28], [50, 49, 47]),
    ...                      crs="EPSG:4326")
    >>> distinct_values(f, limit=2)
    {'category': ['Cultural', 'Natural']}
    """
    out: dict[str, list[str]] = {}
    geometry = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    for column in frame.columns:
        if column in (geometry, SOURCE_ROW):
            continue
        values = frame[column]
        if isinstance(values, pd.DataFrame):  # a repeated column name: not one column
            continue
        if _more_than(values.iloc[:_DISTINCT_PROBE].drop_duplicates(), limit):
            continue
        counts = _counts(values, limit)
        if counts is None:
            continue
        uniques = pd.Series(counts.index)
        text = _source_text(uniques, _blank(uniques).to_numpy())
        present = text.notna().to_numpy()
        merged = (
            pd.Series(counts.to_numpy()[present], index=text.to_numpy()[present])
            .groupby(level=0, sort=False)
            .sum()
            .sort_values(ascending=False, kind="stable")
        )
        if 0 < len(merged) <= limit:
            out[str(column)] = [str(v) for v in merged.index]
    return out


def _counts(values: pd.Series, limit: int) -> pd.Series | None:
    """How often each value occurs, or None as soon as there are surely too many values."""
    total: pd.Series | None = None
    for start in range(0, len(values), _DISTINCT_CHUNK):
        counts = values.iloc[start : start + _DISTINCT_CHUNK].value_counts(sort=False)
        if _more_than(pd.Series(counts.index), limit):
            return None
        total = counts if total is None else total.add(counts, fill_value=0)
        if _more_than(pd.Series(total.index), limit):
            return None
    return None if total is None else total.astype("int64")


def _more_than(uniques: pd.Series, limit: int) -> bool:
    """Whether distinct raw values surely give more than ``limit`` distinct texts.

    Raw values that differ may give one text (``"a "`` and ``"a"``; a blank gives none), so
    above ``limit`` the texts of the first few are counted: cheap, and never wrongly true.
    """
    if len(uniques) <= limit:
        return False
    head = uniques.iloc[: 10 * limit + 1]
    return int(_source_text(head, _blank(head).to_numpy()).nunique()) > limit


def _empty(field: FieldSpec, index: pd.Index) -> pd.Series:
    dtype = {
        "text": "string",
        "int": "Int64",
        "float": "float64",
        "bool": "boolean",
        "datetime": "datetime64[us, UTC]",
    }[field.type]
    return pd.Series(index=index, dtype=dtype)


def _blank(values: pd.Series) -> pd.Series:
    missing = values.isna()
    if values.dtype == object or pd.api.types.is_string_dtype(values):
        text = values.astype("string").str.strip()
        missing = missing | (text == "").fillna(False)
    return missing.astype(bool)


def _convert(
    raw: pd.Series,
    field: FieldSpec,
    *,
    rows: np.ndarray,
    label: str,
    value_map: Mapping[str, str],
    blank: np.ndarray,
) -> tuple[pd.Series, list[Finding]]:
    if field.type == "text":
        return _convert_text(raw, field, rows=rows, label=label, value_map=value_map, blank=blank)
    findings: list[Finding] = []
    problem = ""
    if field.type in ("int", "float"):
        result = _to_numbers(raw, field)
        bad = ~blank & result.isna().to_numpy()
        problem = "are not numbers"
        if field.type == "int":
            fractional = result.notna().to_numpy() & (result.fillna(0) % 1 != 0).to_numpy()
            if fractional.any():
                findings.append(
                    _value_finding(field, rows, fractional, label, "are not whole numbers")
                )
                result = result.mask(fractional)
        low, high = _range_of(field)
        outside = result.notna().to_numpy() & ~result.between(low, high).to_numpy()
        if outside.any():
            findings.append(
                _value_finding(field, rows, outside, label, f"lie outside {low:g}..{high:g}")
            )
            result = result.mask(outside)
        converted: pd.Series = result.round().astype("Int64") if field.type == "int" else result
    elif field.type == "bool":
        converted = _to_bools(raw)
        bad = ~blank & converted.isna().to_numpy()
        problem = "are not yes/no values (1/0, true/false, yes/no)"
    else:
        converted, note = _to_dates(raw)
        bad = ~blank & converted.isna().to_numpy()
        problem = (
            "are not dates (or not in the format of the other rows); write them as ISO 8601, "
            "e.g. 2022-03-08"
        )
        if note:
            findings.append(
                Finding(
                    "date_format_assumed", "info", f"{label}: {note}", count=int((~blank).sum())
                )
            )
    if bad.any():
        findings.insert(0, _value_finding(field, rows, bad, label, problem, raw=raw))
    return converted, findings


def _convert_text(
    raw: pd.Series,
    field: FieldSpec,
    *,
    rows: np.ndarray,
    label: str,
    value_map: Mapping[str, str],
    blank: np.ndarray,
) -> tuple[pd.Series, list[Finding]]:
    text = _source_text(raw, blank)
    if field.allowed is None:
        return text, []
    mapped = text.map(dict(value_map), na_action="ignore") if value_map else text.copy()
    result = mapped.astype("string").fillna(text) if value_map else text
    # a value equal to an allowed one but for case or spacing ("Hospital") is that value
    result = _normalise_allowed(result.astype("string"), field.allowed)
    bad = (result.notna() & ~result.isin(field.allowed)).to_numpy()
    if not bad.any():
        return result.astype("string"), []
    unmapped = pd.unique(text[bad])
    shown = choices(unmapped[:_SHOWN_VALUES])
    if field.required:
        example = shlex.quote(f"{field.name}:{unmapped[0]}=")
        severity: Severity = "error"
        how = (
            "Map them onto a valid value or leave those rows out (Data page: the value "
            f"table; CLI: --value {example}), or correct the file."
        )
    else:
        example = shlex.quote(f"{field.name}:{unmapped[0]}={field.allowed[0]}")
        severity = "warning"
        how = (
            "Map them onto a valid value (Data page: the value table; CLI: --value "
            f"{example}), or correct the file. They are left empty."
        )
    finding = row_finding(
        "value_not_allowed",
        severity,
        rows[bad],
        f"{label}: {describe_rows(rows[bad])} hold {shown}, which are not valid values "
        f"({choices(field.allowed)}). {how}",
    )
    return result.mask(bad).astype("string"), [finding]


def _normalise_allowed(values: pd.Series, allowed: tuple[str, ...]) -> pd.Series:
    """``values`` with each value that is an allowed one but for case or spacing replaced."""
    other = values.notna() & ~values.isin(allowed).fillna(False)
    if not other.any():
        return values
    codes, uniques = pd.factorize(values[other])
    if len(uniques) > 10 * _MAX_CATEGORIES:  # not categorical: leave the values as they are
        return values
    normal = np.array([normalise_name(u) for u in uniques], dtype=object)[codes]
    fits = np.isin(normal, allowed)
    result = values.copy()
    result.loc[values.index[other.to_numpy()][fits]] = normal[fits]
    return result


def _value_finding(
    field: FieldSpec,
    rows: np.ndarray,
    bad: np.ndarray,
    label: str,
    problem: str,
    *,
    raw: pd.Series | None = None,
) -> Finding:
    examples = ""
    if raw is not None:
        shown = [str(v) for v in pd.unique(raw[bad])[:3]]
        examples = " (e.g. " + ", ".join(repr(v) for v in shown) + ")"
    if field.required:
        return row_finding(
            "value_invalid",
            "error",
            rows[bad],
            f"{label}: {describe_rows(rows[bad])} {problem}{examples}. Correct them in the file "
            "or map another column.",
        )
    return row_finding(
        "value_invalid",
        "warning",
        rows[bad],
        f"{label}: {describe_rows(rows[bad])} {problem}{examples}; they are left empty. "
        "Correct them in the file if they matter.",
    )


def _range_of(field: FieldSpec) -> tuple[float, float]:
    if field.name.startswith("share_"):
        return 0.0, 1.0
    return 0.0, float("inf")


def _to_numbers(values: pd.Series, field: FieldSpec) -> pd.Series:
    """Numbers (float64, NaN where not a finite number); text like '1 234' or '3,5' read too."""
    if pd.api.types.is_bool_dtype(values):
        return values.astype("float64")
    if pd.api.types.is_numeric_dtype(values):
        numbers = pd.to_numeric(values, errors="coerce").astype("float64")
    else:
        text = values.astype("string").str.strip()
        numbers = pd.to_numeric(text, errors="coerce").astype("float64")
        retry = numbers.isna() & text.notna()
        if retry.any():
            cleaned = text[retry].str.replace(r"[\s\u00a0\u202f']", "", regex=True)
            if field.type == "float":
                has_point = cleaned.str.contains(".", regex=False)
                cleaned = cleaned.where(has_point, cleaned.str.replace(",", ".", regex=False))
            cleaned = cleaned.str.replace(",", "", regex=False)
            numbers[retry] = pd.to_numeric(cleaned, errors="coerce").astype("float64")
    return numbers.where(np.isfinite(numbers))


def _to_bools(values: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(values):
        return values.astype("boolean")
    if pd.api.types.is_numeric_dtype(values):
        numbers = pd.to_numeric(values, errors="coerce")
        return (numbers != 0).astype("boolean").mask(numbers.isna())
    key = values.astype("string").str.strip().str.lower()
    truth = key.isin(_TRUE).fillna(False)
    false = key.isin(_FALSE).fillna(False)
    result = pd.Series(index=values.index, dtype="boolean")
    result[truth] = True
    result[false] = False
    return result


def _choose_date_format(sample: pd.Series) -> tuple[str | None, str]:
    """The format that parses most of ``sample`` (ISO first) and a note when it is not ISO."""
    sample = sample.dropna().str.strip()
    sample = sample[sample != ""]
    if not len(sample):
        return _ISO, ""
    scores = {fmt: int(_parse_dates(sample, fmt).notna().sum()) for fmt in (_ISO, *_DATE_FORMATS)}
    best = max(scores.values())
    if best == 0:
        return None, ""
    fmt = next(f for f, s in scores.items() if s == best)
    if fmt == _ISO:
        return fmt, ""
    note = f"dates read as {fmt!r} (the format that fits most rows)."
    swapped = _month_first(fmt)
    if swapped and scores.get(swapped) == best:
        note += (
            " Day and month are both 12 or less in every row, so day first is assumed; if the "
            "file writes the month first, rewrite the dates as ISO 8601 (2022-03-08)."
        )
    return fmt, note


def _month_first(fmt: str) -> str | None:
    if fmt.startswith("%d/%m/"):
        return "%m/%d/" + fmt[6:]
    return None


def _parse_dates(values: pd.Series, fmt: str) -> pd.Series:
    text = values.astype("string")
    return pd.to_datetime(text, format=fmt, utc=True, errors="coerce")


def _to_dates(values: pd.Series) -> tuple[pd.Series, str]:
    """UTC datetimes (microseconds) and a note on the format assumed."""
    if pd.api.types.is_datetime64_any_dtype(values):
        parsed = pd.to_datetime(values, utc=True)
        return parsed.dt.as_unit("us"), ""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = pd.to_numeric(values, errors="coerce")
        present = numbers.dropna()
        if len(present) and present.between(1000, 2999).all() and (present % 1 == 0).all():
            parsed = pd.to_datetime(numbers.astype("Int64").astype("string"), format="%Y", utc=True)
            return parsed.dt.as_unit("us"), "numbers read as years (1 January of each)."
        if len(present) and present.between(1, 109_575).all():  # Excel serial days to 2199
            parsed = pd.to_datetime(numbers, unit="D", origin="1899-12-30", utc=True)
            return parsed.dt.as_unit("us"), "numbers read as Excel day serials."
        text = values.astype("string")
    else:
        text = values.astype("string").str.strip()
    codes, uniques = pd.factorize(text)
    unique_series = pd.Series(uniques, dtype="string")
    fmt, note = _choose_date_format(_sample(unique_series))
    if fmt is None or not len(uniques):
        empty = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us, UTC]")
        return empty, ""
    parsed = _parse_dates(unique_series, fmt).dt.tz_convert(None).dt.as_unit("us").to_numpy()
    # code -1 (missing) takes the NaT appended at the end
    result = np.append(parsed, np.datetime64("NaT", "us"))[codes]
    series = pd.Series(result, index=values.index).dt.tz_localize("UTC")
    return series, note


def _duplicate_ids(ids: pd.Series, rows: np.ndarray, kind: LayerKind) -> list[Finding]:
    duplicated = (ids.notna() & ids.duplicated(keep=False)).to_numpy()
    if not duplicated.any():
        return []
    shown = choices(pd.unique(ids[duplicated])[:_SHOWN_VALUES])
    return [
        row_finding(
            "id_duplicate",
            "error",
            rows[duplicated],
            f"{kind}.id: {describe_rows(rows[duplicated])} share ids ({shown}); every feature "
            "needs its own. Map another id column, or leave id unmapped to number the rows.",
        )
    ]


def _extra_columns(
    frame: gpd.GeoDataFrame, columns: list[str], fields: tuple[str, ...]
) -> tuple[dict[str, pd.Series], dict[str, str]]:
    """Unmapped columns under sanitised unique names, and the renames made."""
    taken = set(fields) | RESERVED_COLUMNS
    extras: dict[str, pd.Series] = {}
    renamed: dict[str, str] = {}
    for column in columns:
        base = re.sub(r"[^a-z0-9_]+", "_", normalise_name(column)).strip("_") or "column"
        if base[0].isdigit():
            base = "c_" + base
        name, n = base, 1
        while name in taken:
            n += 1
            name = f"{base}_{n}"
        taken.add(name)
        values = frame[column]
        if values.dtype == object:
            values = values.astype("string")
        extras[name] = values
        if name != column:
            renamed[str(column)] = name
    return extras, renamed
