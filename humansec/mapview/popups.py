"""What a popup says: field labels in words, values with their units, dates as people write them.

A popup's title is the feature's name (its id when it has none); below it the kind, then one
row per field that has a value, then where the feature is (latitude/longitude and MGRS of the
point, or of a point inside a line or area). Internal fields (``layer_id`` and the like) are
never shown. Every label and value leaves here escaped (``humansec.escaping.escape_text``).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import shapely

from humansec.coords import format_latlon, to_mgrs
from humansec.escaping import escape_text, format_value, is_missing
from humansec.model import FOCUS_AREA_TITLES, FOCUS_CHOICE_TITLES, FOCUS_SEPARATOR, FocusArea

HIDDEN_FIELDS: frozenset[str] = frozenset({"layer_id", "name", "geometry", "_focus"})
"""Fields never listed in a popup (the name is the popup's title)."""

FIELD_LABELS: Mapping[str, str] = {
    "id": "ID",
    "precision_m": "Location uncertainty",
    "population": "Population",
    "share_female": "Women and girls",
    "share_children": "Children (under 18)",
    "share_elderly": "Older people (60+)",
    "date": "Date",
    "protection": "Protection",
    "category": "Category",
    "category_source": "Category in the source",
    "in_danger": "In danger",
    "organisation": "Organisation",
    "notified": "Notified to the forces",
    "valid_from": "Valid from",
    "valid_to": "Valid to",
    "route": "Route",
    "focus_area": "Focus area",
    "focus_areas": "Focus areas",
    "event_type": "Event type",
    "type": "Type",
    "killed": "Killed",
    "injured": "Injured",
    "victims_female_adult": "Victims: women",
    "victims_female_child": "Victims: girls",
    "victims_male_adult": "Victims: men",
    "victims_male_child": "Victims: boys",
    "victims_unknown": "Victims: sex or age unknown",
    "perpetrator": "Perpetrator",
    "target": "Target / other side",
    "source": "Source",
    "verification": "Verification",
    "start": "Start",
    "end": "End",
    "unit": "Unit",
    "hazard_radius_m": "Hazard radius",
    "status": "Conflict check",
    "worst_severity": "Worst severity",
    "conflicts": "Conflicts",
    "population_in_hazard": "Population in hazard area",
    "pcode": "P-code",
    "admin_level": "Administrative level",
    "parent_pcode": "P-code of the parent unit",
    "female": "Women and girls",
    "male": "Men and boys",
    "children": "Children (under 18)",
    "elderly": "Older people (60+)",
    "density_km2": "People per km²",
    "incidents": "Incidents (map filters)",
    "incidents_per_100k": "Incidents per 100,000 people",
    "population_date": "Population date",
    "population_source": "Population source",
}
PEOPLE_FIELDS = frozenset(
    {"population", "population_in_hazard", "female", "male", "children", "elderly"}
)
SHARE_FIELDS = frozenset({"share_female", "share_children", "share_elderly"})
CODE_FIELDS = frozenset(
    {"protection", "category", "type", "verification", "status", "worst_severity"}
)
"""Fields holding codes such as ``place_of_worship``: shown as words (``Place of worship``)."""
LOCATION_LABELS = ("Latitude, longitude", "MGRS")
_TIME_FORMAT = "%d %b %Y %H:%MZ"
_DATE_FORMAT = "%d %b %Y"


def field_label(name: str) -> str:
    """The field's label in words (not escaped).

    >>> field_label("precision_m"), field_label("victims_male_child"), field_label("my_col")
    ('Location uncertainty', 'Victims: boys', 'My col')
    """
    if name in FIELD_LABELS:
        return FIELD_LABELS[name]
    words = name.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def format_date(value: object) -> str:
    """``16 Feb 2021``, with the time in UTC (``16 Feb 2021 14:30Z``) when it is not midnight.

    >>> format_date(pd.Timestamp("2021-02-16T00:00Z")), format_date("2021-02-16T14:30:00Z")
    ('16 Feb 2021', '16 Feb 2021 14:30Z')
    """
    if is_missing(value):
        return ""
    try:
        stamp = pd.Timestamp(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return format_value(value)
    if is_missing(stamp):
        return ""
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC")
    midnight = stamp.hour == stamp.minute == stamp.second == 0
    return stamp.strftime(_DATE_FORMAT if midnight else _TIME_FORMAT)


def format_field(name: str, value: object) -> str:  # noqa: PLR0911 - one return per kind
    """The value of field ``name`` as display text with its unit (not escaped).

    >>> format_field("precision_m", 1200.0), format_field("population", 45123)
    ('1,200 m', '45,123 people')
    >>> format_field("focus_area", "crsv"), format_field("category", "place_of_worship")
    ('Conflict-related sexual violence', 'Place of worship')
    >>> format_field("focus_areas", "crsv;caac")
    'Conflict-related sexual violence; Children and armed conflict'
    >>> format_field("share_female", 0.52), format_field("date", "2021-02-16")
    ('52 %', '16 Feb 2021')
    """
    if is_missing(value) or (isinstance(value, str) and not value.strip()):
        return ""
    if isinstance(value, pd.Timestamp | np.datetime64) or name in {
        "date", "start", "end", "valid_from", "valid_to", "population_date",
    }:  # fmt: skip
        return format_date(value)
    number = _number(value)
    if name.endswith("_m") and number is not None:
        return f"{number:,.0f} m"
    if name in PEOPLE_FIELDS and number is not None:
        return f"{number:,.0f} people"
    if name == "density_km2" and number is not None:
        return f"{number:,.1f} people per km²"
    if name == "incidents_per_100k" and number is not None:
        return f"{number:,.2f} per 100,000 people"
    if name in SHARE_FIELDS and number is not None:
        return f"{number * 100:.0f} %"
    if name == "focus_area" and str(value) in set(FocusArea):
        return FOCUS_AREA_TITLES[FocusArea(str(value))]
    if name == "focus_areas":
        return "; ".join(FOCUS_CHOICE_TITLES.get(p, p) for p in str(value).split(FOCUS_SEPARATOR))
    if name in CODE_FIELDS and isinstance(value, str):
        words = value.replace("_", " ")
        return words[:1].upper() + words[1:]
    return format_value(value)


def _number(value: object) -> float | None:
    if isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, int | float | np.integer | np.floating):
        return float(value)
    return None


def shown_fields(columns: list[str]) -> list[str]:
    """The fields of ``columns`` a popup lists, in order, internal ones left out (and the
    single ``focus_area`` where ``focus_areas`` names them all)."""
    hidden = HIDDEN_FIELDS | ({"focus_area"} if "focus_areas" in columns else set())
    return [name for name in columns if name not in hidden]


def popup_columns(frame: pd.DataFrame, fields: list[str]) -> list[list[str]]:
    """Per field, the escaped display values of ``frame``'s rows (see ``format_field``).

    Each distinct value is formatted once (categories, dates and flags repeat a lot).

    >>> popup_columns(pd.DataFrame({"type": ["air_strike", None, "air_strike"]}), ["type"])
    [['Air strike', '', 'Air strike']]
    """
    columns = []
    for name in fields:
        codes, uniques = pd.factorize(frame[name], use_na_sentinel=True)
        shown = [escape_text(format_field(name, value)) for value in uniques.tolist()]
        shown.append("")  # code -1: missing
        columns.append([shown[code] for code in codes.tolist()])
    return columns


def location_columns(geoms: np.ndarray) -> list[list[str]]:
    """Escaped latitude/longitude and MGRS of each geometry's point (a point inside lines and
    areas), as two columns in the order of ``LOCATION_LABELS``.

    >>> location_columns(np.array([shapely.Point(22.93, 54.1)]))
    [['54.10000° N, 22.93000° E'], ['34U FE 26199 96369']]
    """
    points = np.asarray(geoms, dtype=object).copy()
    others = shapely.get_type_id(points) > 0  # lines, areas, multi-parts; not missing (-1)
    points[others] = shapely.point_on_surface(points[others])
    latlon, grid = [], []
    lons, lats = shapely.get_x(points).tolist(), shapely.get_y(points).tolist()
    for lon, lat in zip(lons, lats, strict=True):
        if not (np.isfinite(lon) and np.isfinite(lat)):
            latlon.append("")
            grid.append("")
            continue
        latlon.append(escape_text(format_latlon(lat, lon)))
        # MGRS covers 80° S to 84° N (UPS beyond): no reference shown there.
        grid.append(escape_text(to_mgrs(lat, lon)) if -80 <= lat <= 84 else "")
    return [latlon, grid]
