"""Known conflict-event schemas (ACLED, UCDP GED) translated into incidents with focus areas.

``detect_preset`` recognises a schema from its column names; ``apply_preset`` turns such a
frame (the file's columns, ``_source_row`` and point geometry in EPSG:4326, as the readers
return it) into the fields of an incident layer (``humansec.model``, DESIGN.md section 3),
which ``conform(frame, LayerKind.INCIDENT)`` accepts.

An incident has one focus area. Events that concern none of the human-security focus areas
(battles between armed forces, protests, strategic developments without civilian victims)
are left out of the layer and counted in an info Finding: a map of every battle would bury
the incidents the analyst is looking for, and the events stay in the source file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from humansec.errors import IngestError, choices
from humansec.ingest.types import SOURCE_ROW, Finding
from humansec.model import KIND_SPECS, FocusArea, LayerKind

ACLED_COLUMNS = frozenset(
    {"event_id_cnty", "event_date", "event_type", "sub_event_type", "actor1", "fatalities"}
)
UCDP_COLUMNS = frozenset(
    {"type_of_violence", "date_start", "where_prec", "best", "side_a", "deaths_civilians"}
)

# ACLED Codebook (2023), "Geo-precision": 1 = the named town, village or coordinates;
# 2 = near a town or in a part of a region (the nearest town is coded); 3 = only a larger
# region is named (its capital or centre is coded). Metres: the extent of a town, a ~25 km
# neighbourhood, a province-sized area.
ACLED_PRECISION_M: Mapping[int, float] = {1: 2_000.0, 2: 25_000.0, 3: 50_000.0}

# UCDP GED Codebook (version 21.1), "where_prec": 1 exact location; 2 within ~25 km of a
# known point; 3 a second-order administrative division; 4 a first-order division; 5 a
# linear feature or an area between divisions; 6 the country; 7 international waters or
# airspace. Metres: a typical radius of such an area.
UCDP_PRECISION_M: Mapping[int, float] = {
    1: 1_000.0,
    2: 25_000.0,
    3: 50_000.0,
    4: 150_000.0,
    5: 100_000.0,
    6: 500_000.0,
    7: 500_000.0,
}
UCDP_VIOLENCE_TYPES: Mapping[int, str] = {
    1: "state-based conflict",
    2: "non-state conflict",
    3: "one-sided violence",
}

# Keyword heuristics over ACLED's free-text notes (word starts, case-insensitive). They find
# most such events and some false ones; the analyst sees the counts before storing.
CHILD_WORDS = re.compile(r"\b(?:child|children|minor|minors|boy|boys|girl|girls|teenager|orphan)")
CULTURAL_WORDS = re.compile(
    r"\b(?:church|mosque|monaster|museum|cathedral|heritage|monument|library|archive|"
    r"synagogue|temple|chapel|lavra|memorial|theatre|theater)",
)
# Event types in which a mentioned cultural site can have been attacked (not a protest
# held outside a church).
ACLED_VIOLENT_TYPES = frozenset(
    {"Explosions/Remote violence", "Battles", "Violence against civilians", "Riots"}
)
VERIFICATION = "reported"  # ACLED and UCDP code events from media and partner reports


def detect_preset(columns: Sequence[str]) -> str | None:
    """``"acled"`` or ``"ucdp_ged"`` when the column names are those schemas, else None.

    >>> detect_preset(["event_id_cnty", "event_date", "event_type", "sub_event_type",
    ...                "actor1", "fatalities", "latitude", "longitude"])
    'acled'
    """
    names = {str(c).strip().lower() for c in columns}
    if names.issuperset(ACLED_COLUMNS):
        return "acled"
    if names.issuperset(UCDP_COLUMNS):
        return "ucdp_ged"
    return None


def apply_preset(name: str, frame: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, list[Finding]]:
    """Translate an ACLED or UCDP GED frame into incident fields.

    ``frame`` is in EPSG:4326 and holds the file's columns (any case) and ``_source_row``.
    Returns the incident fields of ``humansec.model`` (id, name, precision_m, date,
    focus_area, type, killed, injured, victims_*, perpetrator, source, verification), the
    geometry and ``_source_row``, with info Findings counting each focus area and the events
    left out, and an error Finding naming rows whose date cannot be read.
    """
    translate = _PRESETS.get(name)
    if translate is None:
        msg = f"Unknown preset {name!r}; the presets are {choices(_PRESETS)}."
        raise IngestError(msg)
    columns = {str(c).strip().lower(): c for c in frame.columns}
    required = ACLED_COLUMNS if name == "acled" else UCDP_COLUMNS
    missing = sorted(required - set(columns))
    if missing:
        msg = (
            f"The {name} preset needs the columns {choices(missing)}, which the file lacks. "
            "Upload the export as it came, or map the columns yourself instead of the preset."
        )
        raise IngestError(msg)
    table = frame.rename(columns={v: k for k, v in columns.items()})
    return translate(table)


# --- ACLED --------------------------------------------------------------------------------


def _acled(table: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, list[Finding]]:
    """ACLED (old and new schemas) to incidents.

    Focus area, first match wins:

    1. ``sub_event_type`` 'Sexual violence' -> crsv.
    2. 'Abduction/forced disappearance' -> caac when the notes mention a child (child,
       minor, boy, girl, teenager, orphan: a keyword heuristic), else thb.
    3. Civilians deliberately targeted (``civilian_targeting`` == 'Civilian targeting', or
       ``event_type`` 'Violence against civilians') -> poc.
    4. A violent event whose notes mention a cultural site (church, mosque, monastery,
       museum, cathedral, heritage, monument, library, archive, ...: a keyword heuristic)
       -> cpp.
    5. Civilians among the targets (``actor2`` or ``assoc_actor_2`` names 'Civilians') -> poc.
    6. Anything else is left out (counted in an info Finding by event type).

    id = event_id_cnty, name = location, date = event_date ("13 May 2022", "2022-05-13",
    Excel's "14/08/2020 00:00:00" day first, or an Excel serial number), type =
    sub_event_type, killed = fatalities, perpetrator = actor1, source = source,
    precision_m from geo_precision (``ACLED_PRECISION_M``), verification 'reported'.
    """
    text = {c: _text(table, c) for c in ("sub_event_type", "event_type", "actor2", "notes")}
    targeted = _text(table, "civilian_targeting").str.strip().eq("Civilian targeting")
    civilians_named = text["actor2"].str.contains("Civilians", regex=False) | _text(
        table, "assoc_actor_2"
    ).str.contains("Civilians", regex=False)
    notes = text["notes"].str.lower()
    abduction = text["sub_event_type"].eq("Abduction/forced disappearance")
    violent = text["event_type"].isin(ACLED_VIOLENT_TYPES)
    conditions = [
        (text["sub_event_type"].eq("Sexual violence"), FocusArea.CRSV),
        (abduction & notes.str.contains(CHILD_WORDS), FocusArea.CAAC),
        (abduction, FocusArea.THB),
        (targeted | text["event_type"].eq("Violence against civilians"), FocusArea.POC),
        (violent & notes.str.contains(CULTURAL_WORDS), FocusArea.CPP),
        (civilians_named, FocusArea.POC),
    ]
    focus = _first_match(conditions, len(table))
    dates, bad_dates = _acled_dates(table["event_date"])
    precision = pd.to_numeric(table.get("geo_precision"), errors="coerce").map(ACLED_PRECISION_M)
    out = _incidents(
        table,
        id=_text(table, "event_id_cnty"),
        name=_text(table, "location"),
        precision_m=precision,
        date=dates,
        focus_area=focus,
        type=text["sub_event_type"],
        killed=_number(table, "fatalities"),
        perpetrator=_text(table, "actor1"),
        source=_text(table, "source"),
    )
    return _finish(
        "ACLED", table, out, focus=focus, bad_dates=bad_dates, event_types=text["event_type"]
    )


def _acled_dates(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """ACLED dates in every form seen: returns UTC dates and the rows that did not parse."""
    if pd.api.types.is_datetime64_any_dtype(values):
        parsed = pd.to_datetime(values, utc=True)
        return parsed, (parsed.isna() & values.notna()).to_numpy()
    if pd.api.types.is_numeric_dtype(values):
        return _excel_serial(values), (values.isna()).to_numpy()
    text = values.astype("str").str.strip().where(values.notna())
    parsed = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us, UTC]")
    formats = ("%d %B %Y", "%Y-%m-%d", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S")
    for fmt in formats:
        todo = parsed.isna() & text.notna()
        if not todo.any():
            break
        parsed[todo] = pd.to_datetime(text[todo], format=fmt, errors="coerce", utc=True)
    todo = parsed.isna() & text.notna()
    if todo.any():  # Excel serial numbers written out as text
        serial = pd.to_numeric(text[todo], errors="coerce")
        parsed[todo] = _excel_serial(serial)
    bad = (parsed.isna() & text.notna()) | text.isna()
    return parsed, bad.to_numpy()


def _excel_serial(values: pd.Series) -> pd.Series:
    """Excel day numbers (1900 system, the one every current Excel writes) as UTC dates."""
    numbers = pd.to_numeric(values, errors="coerce")
    plausible = numbers.between(1, 2_958_465)  # 1900-01-01 .. 9999-12-31
    days = pd.to_timedelta(numbers.where(plausible), unit="D")
    return (pd.Timestamp("1899-12-30", tz="UTC") + days).astype("datetime64[us, UTC]")


# --- UCDP GED -----------------------------------------------------------------------------


def _ucdp(table: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, list[Finding]]:
    """UCDP GED to incidents.

    Focus area poc for one-sided violence against civilians (``type_of_violence`` 3) and for
    any event with civilian deaths (``deaths_civilians`` > 0); other events (fighting
    between armed actors without civilian deaths) are left out and counted.

    id = id, name = where_coordinates (the place), date = date_start, type = the violence
    type in words, killed = best (UCDP's best estimate), perpetrator = side_a, source =
    source_office (source_article where empty), precision_m from where_prec
    (``UCDP_PRECISION_M``), verification 'reported': UCDP codes events from news and NGO
    reports; it checks them but does not verify each on the ground.
    """
    violence = _number(table, "type_of_violence")
    civilians = _number(table, "deaths_civilians")
    poc = violence.eq(3).fillna(False) | civilians.gt(0).fillna(False)
    focus = _first_match([(poc.astype(bool), FocusArea.POC)], len(table))
    raw_dates = table["date_start"]
    if pd.api.types.is_datetime64_any_dtype(raw_dates):
        dates = pd.to_datetime(raw_dates, utc=True)
    else:
        dates = pd.to_datetime(raw_dates, utc=True, errors="coerce", format="mixed")
    bad_dates = dates.isna().to_numpy()
    source = _text(table, "source_office")
    source = source.where(source.str.strip().ne(""), _text(table, "source_article"))
    out = _incidents(
        table,
        id=_text(table, "id") if "id" in table.columns else _text(table, "relid"),
        name=_text(table, "where_coordinates"),
        precision_m=_number(table, "where_prec").map(UCDP_PRECISION_M),
        date=dates,
        focus_area=focus,
        type=violence.map(UCDP_VIOLENCE_TYPES),
        killed=_number(table, "best"),
        perpetrator=_text(table, "side_a"),
        source=source,
    )
    types = violence.map(UCDP_VIOLENCE_TYPES).fillna("")
    return _finish("UCDP GED", table, out, focus=focus, bad_dates=bad_dates, event_types=types)


# --- shared -------------------------------------------------------------------------------


def _text(table: pd.DataFrame, column: str) -> pd.Series:
    """A column as text with empty cells as ''; a column the file lacks is all ''."""
    if column not in table.columns:
        return pd.Series("", index=table.index, dtype="str")
    values = table[column]
    if pd.api.types.is_float_dtype(values) and values.dropna().eq(values.dropna().round()).all():
        values = values.astype("Int64")
    return values.astype("str").where(values.notna(), "")


def _number(table: pd.DataFrame, column: str) -> pd.Series:
    if column not in table.columns:
        return pd.Series(np.nan, index=table.index, dtype="float64")
    return pd.to_numeric(table[column], errors="coerce").astype("float64")


def _first_match(conditions: list[tuple[pd.Series, FocusArea]], size: int) -> pd.Series:
    """The focus area of the first condition that holds, per row; None where none does."""
    masks = [np.asarray(mask.fillna(False), dtype=bool) for mask, _ in conditions]
    values = [str(area) for _, area in conditions]
    chosen = np.select(masks, values, default="") if masks else np.full(size, "")
    return pd.Series(chosen, dtype=object).replace("", None)


def _incidents(table: gpd.GeoDataFrame, **fields: pd.Series) -> gpd.GeoDataFrame:
    """A frame of every incident field (those not given left empty), geometry, source row."""
    data: dict[str, object] = {}
    for name in KIND_SPECS[LayerKind.INCIDENT].field_names:
        given = fields.get(name)
        if given is None:
            data[name] = pd.Series(None, index=table.index, dtype=object)
        else:
            data[name] = given.set_axis(table.index) if len(given) == len(table) else given
    text_fields = ("id", "name", "type", "perpetrator", "source")
    for name in text_fields:
        series = data[name]
        assert isinstance(series, pd.Series)
        data[name] = series.astype(object).where(series.astype("str").str.strip().ne(""), None)
    data["verification"] = pd.Series(VERIFICATION, index=table.index, dtype=object)
    data[SOURCE_ROW] = table[SOURCE_ROW]
    return gpd.GeoDataFrame(data, geometry=table.geometry, crs=table.crs)


def _finish(
    title: str,
    table: gpd.GeoDataFrame,
    out: gpd.GeoDataFrame,
    *,
    focus: pd.Series,
    bad_dates: np.ndarray,
    event_types: pd.Series,
) -> tuple[gpd.GeoDataFrame, list[Finding]]:
    findings: list[Finding] = []
    rows = table[SOURCE_ROW].to_numpy()
    kept = focus.notna().to_numpy()
    counts = focus[kept].value_counts()
    summary = ", ".join(f"{area} {int(counts.get(str(area), 0))}" for area in FocusArea)
    findings.append(
        Finding(
            "preset_focus_areas",
            "info",
            f"{title}: {int(kept.sum())} of {len(table)} events are incidents by focus area: "
            f"{summary}.",
            count=int(kept.sum()),
        )
    )
    if (~kept).any():
        left = event_types[~kept].replace("", "unknown").value_counts()
        by_type = ", ".join(f"{k} {int(v)}" for k, v in left.items())
        findings.append(
            Finding(
                "preset_events_left_out",
                "info",
                f"{title}: {int((~kept).sum())} events involve no civilians, sexual violence, "
                f"abduction or cultural property and were left out ({by_type}). They stay in "
                "the source file; map the file yourself to keep every event.",
                rows=tuple(int(r) for r in rows[~kept][:200]),
                count=int((~kept).sum()),
            )
        )
    bad = bad_dates & kept
    if bad.any():
        findings.append(
            Finding(
                "dates_unparsed",
                "error",
                f"{title}: the dates of {int(bad.sum())} events cannot be read. Write them as "
                "'13 May 2022' or 2022-05-13 and upload again.",
                rows=tuple(int(r) for r in rows[bad][:200]),
                count=int(bad.sum()),
            )
        )
    return out.loc[kept].reset_index(drop=True), findings


_PRESETS: Mapping[str, Callable[[gpd.GeoDataFrame], tuple[gpd.GeoDataFrame, list[Finding]]]] = {
    "acled": _acled,
    "ucdp_ged": _ucdp,
}
