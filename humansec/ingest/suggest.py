"""Suggest how the columns of an upload fill the fields of a layer kind.

``suggest_mapping`` proposes a ``FieldMapping`` from column names (case, spacing and
diacritics ignored; synonyms and HXL hashtags understood) and, for fields with a fixed set of
values, from the values themselves; the analyst confirms or edits it, and
``humansec.ingest.mapping.apply_mapping`` applies it.

Decisions:

* A column fills at most one field. ``name`` never doubles as ``id``: an id column must be
  unique and complete.
* A column must hold values of the field's type (judged on a sample with
  ``humansec.ingest.convert``); a number is never a date.
* Leaving rows out (``LEAVE_OUT`` in a value table) is never proposed.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import pandas as pd

from humansec.ingest.category_terms import category_for
from humansec.ingest.convert import (
    MAX_CATEGORIES,
    choose_date_format,
    distinct_sample,
    normalise_name,
    parse_dates,
    to_bools,
    to_numbers,
)
from humansec.ingest.types import SOURCE_ROW, FieldMapping
from humansec.model import KIND_SPECS, FieldSpec, LayerKind
from humansec.population.areas import codab_columns

_COVERAGE_ROWS = 20_000  # rows looked at to judge whether a column's values map

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
        # OCHA COD-AB boundaries: the deepest level's P-code identifies the unit
        *(f"adm{level}_pcode" for level in range(4, -1, -1)),
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
        # OCHA COD-AB boundaries: the deepest level's English name, else its first name
        *(f"adm{level}_{suffix}" for level in range(4, -1, -1) for suffix in ("en", "name")),
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
    # Reference areas (COD-AB files are recognised as a whole: humansec.population.areas)
    "pcode": ("pcode", "p_code", "admin_pcode", "adm_pcode"),
    "parent_pcode": ("parent_pcode", "parent_code", "parent_p_code"),
    "admin_level": ("admin_level", "adm_level", "admin_lvl"),
    "female": ("female", "f_tl", "women", "pop_female", "female_total"),
    "male": ("male", "m_tl", "men", "pop_male", "male_total"),
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
    "focus_areas": ("focus_areas", "focus_list", "hs_focus_areas"),
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
    "target": ("target", "actor2", "targets", "side_b"),
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
    if kind is LayerKind.AREA:
        return _area_mapping(columns, ordered, values)
    return FieldMapping(kind=str(kind), columns=ordered, values=values)


def _area_mapping(
    columns: list[str], suggested: dict[str, str], values: dict[str, dict[str, str]]
) -> FieldMapping:
    """Areas: COD-AB columns fill the P-code, parent, name and level without hand work; else
    a P-code column is also the id."""
    codab = codab_columns(columns)
    constants: dict[str, object] = {}
    ordered = dict(suggested)
    if codab is not None:
        taken = set(codab.columns.values())
        ordered = {f: c for f, c in ordered.items() if c not in taken or f in codab.columns}
        ordered.update(codab.columns)
        ordered.pop("admin_level", None)
        constants["admin_level"] = codab.admin_level
    elif "pcode" in ordered and "id" not in ordered:
        ordered["id"] = ordered["pcode"]
    spec = KIND_SPECS[LayerKind.AREA]
    ordered = {f: ordered[f] for f in spec.field_names if f in ordered}
    return FieldMapping(
        kind=str(LayerKind.AREA), columns=ordered, constants=constants, values=values
    )


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


def _fits_type(values: pd.Series, field: FieldSpec) -> bool:
    """Whether a column holds values of the field's type (judged on a sample).

    An id column must be complete and unique; a date column must not hold numbers (a year or
    a Unix timestamp is not the date of a feature).
    """
    if field.name == "id":
        present = values.dropna()
        return len(present) == len(values) and present.is_unique
    sample = distinct_sample(values)
    share, needed = 1.0, 0.5
    if not len(sample):
        share = 0.0
    elif field.type in ("int", "float"):
        share = float(to_numbers(sample, field).notna().mean())
    elif field.type == "bool":
        share, needed = float(to_bools(sample).notna().mean()), 0.8
    elif field.type == "datetime" and not pd.api.types.is_datetime64_any_dtype(values):
        fmt, _ = choose_date_format(sample.astype("string"))
        numeric = pd.api.types.is_numeric_dtype(values)
        share = 0.0 if numeric or fmt is None else float(parse_dates(sample, fmt).notna().mean())
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
    if not len(counts) or len(counts) > MAX_CATEGORIES:
        return {}, 0.0
    mapping: dict[str, str] = {}
    mapped_rows = 0
    for value, count in counts.items():
        target = _map_value(value, field.allowed, synonyms)
        if target is None and field.name == "category":  # 'Centre Médical', 'лікарня', ...
            target = category_for(value, field.allowed)
        if target is not None and target in field.allowed:
            mapped_rows += int(count)
            if str(value) != target:
                mapping[str(value)] = target
    return mapping, mapped_rows / float(len(values))
