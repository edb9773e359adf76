"""Known conflict-event schemas (ACLED, UCDP GED) translated into incidents with focus areas.

``detect_preset`` recognises a schema from its column names; ``apply_preset`` turns such a
frame (the file's columns, ``_source_row`` and point geometry in EPSG:4326, as the readers
return it) into the fields of an incident layer (``humansec.model``, DESIGN.md section 3),
which ``conform(frame, LayerKind.INCIDENT)`` accepts.

Every event with a date and a location is kept. An incident carries zero or more focus areas
(``focus_areas``, e.g. ``crsv;caac`` for sexual violence against a child); an event with none
is a *conflict event* (a battle, shelling, a protest, a strategic development) and keeps the
source's event type and sub-type, fatalities and actors, so the commander sees the fighting
that puts civilians at risk beside the harm done to them. The report counts the events per
event type and per focus area. Dates are read in every form the files carry
(``humansec.ingest.dates``); a date still ambiguous or unreadable is an error naming the rows,
unless the analyst chose to leave those rows out (``drop_bad_dates``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from humansec.errors import IngestError, choices
from humansec.ingest.dates import DateReading, read_dates
from humansec.ingest.types import SOURCE_ROW, Finding
from humansec.model import FOCUS_SEPARATOR, KIND_SPECS, FocusArea, LayerKind

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
HUMANITARIAN_WORDS = re.compile(
    r"\b(?:humanitarian|aid worker|aid convoy|red cross|icrc|unhcr|unicef|wfp|ocha)"
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


def apply_preset(
    name: str, frame: gpd.GeoDataFrame, *, drop_bad_dates: bool = False
) -> tuple[gpd.GeoDataFrame, list[Finding]]:
    """Translate an ACLED or UCDP GED frame into incident fields, one incident per row.

    ``frame`` is in EPSG:4326 and holds the file's columns (any case) and ``_source_row``.
    Returns the incident fields of ``humansec.model`` (id, name, precision_m, date,
    focus_area, focus_areas, event_type, type, killed, perpetrator, target, source,
    verification, ...), the geometry and ``_source_row``, with info Findings counting the
    events per focus area and per event type, and error Findings naming the rows whose date is
    ambiguous or cannot be read; with ``drop_bad_dates`` those rows are left out instead and
    the Findings are warnings that still name them.
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
    return translate(table, drop_bad_dates)


# --- ACLED --------------------------------------------------------------------------------


def _acled(table: gpd.GeoDataFrame, drop_bad_dates: bool) -> tuple[gpd.GeoDataFrame, list[Finding]]:
    """ACLED (old and new schemas) to incidents.

    Focus areas, each by its own rule (an event can carry several, or none):

    - crsv: ``sub_event_type`` 'Sexual violence';
    - thb: 'Abduction/forced disappearance' whose notes mention no child;
    - caac: sexual violence, an abduction or civilian harm (below) whose notes mention a
      child (child, minor, boy, girl, teenager, orphan: a keyword heuristic);
    - poc: civilians deliberately targeted (``civilian_targeting`` 'Civilian targeting', or
      ``event_type`` 'Violence against civilians') or named among the targets (``actor2`` or
      ``assoc_actor_2`` 'Civilians'), other than sexual violence and abductions (counted
      under their own areas);
    - cpp: a violent event whose notes mention a cultural site (church, mosque, monastery,
      museum, heritage, monument, library, archive, ...: a keyword heuristic);
    - humanitarian_access: a violent event whose notes mention humanitarian actors
      (humanitarian, aid worker, aid convoy, Red Cross, ICRC, UNHCR, UNICEF, WFP, OCHA).

    Events with none are conflict events. id = event_id_cnty, name = location, date =
    event_date (``humansec.ingest.dates``), event_type = event_type, type = sub_event_type,
    killed = fatalities, perpetrator = actor1, target = actor2, source = source, precision_m
    from geo_precision (``ACLED_PRECISION_M``), verification 'reported'.
    """
    text = {c: _text(table, c) for c in ("sub_event_type", "event_type", "actor2", "notes")}
    targeted = _text(table, "civilian_targeting").str.strip().eq("Civilian targeting") | text[
        "event_type"
    ].eq("Violence against civilians")
    civilians_named = text["actor2"].str.contains("Civilians", regex=False) | _text(
        table, "assoc_actor_2"
    ).str.contains("Civilians", regex=False)
    notes = text["notes"].str.lower()
    sexual = text["sub_event_type"].eq("Sexual violence")
    abduction = text["sub_event_type"].eq("Abduction/forced disappearance")
    child = notes.str.contains(CHILD_WORDS)
    violent = text["event_type"].isin(ACLED_VIOLENT_TYPES)
    harm = sexual | abduction | targeted | civilians_named
    focus = _focus_areas(
        {
            FocusArea.POC: (targeted | civilians_named) & ~sexual & ~abduction,
            FocusArea.CRSV: sexual,
            FocusArea.THB: abduction & ~child,
            FocusArea.CAAC: child & harm,
            FocusArea.CPP: violent & notes.str.contains(CULTURAL_WORDS),
            FocusArea.HUMANITARIAN_ACCESS: violent & notes.str.contains(HUMANITARIAN_WORDS),
        },
        len(table),
    )
    dates = read_dates(table["event_date"])
    precision = _number(table, "geo_precision").map(ACLED_PRECISION_M)
    out = _incidents(
        table,
        id=_text(table, "event_id_cnty"),
        name=_text(table, "location"),
        precision_m=precision,
        date=dates.dates,
        focus_areas=focus,
        event_type=text["event_type"],
        type=text["sub_event_type"],
        killed=_number(table, "fatalities"),
        perpetrator=_text(table, "actor1"),
        target=text["actor2"],
        source=_text(table, "source"),
    )
    return _finish("ACLED", table, out, dates=dates, raw_dates=table["event_date"],
                   drop_bad_dates=drop_bad_dates)  # fmt: skip


# --- UCDP GED -----------------------------------------------------------------------------


def _ucdp(table: gpd.GeoDataFrame, drop_bad_dates: bool) -> tuple[gpd.GeoDataFrame, list[Finding]]:
    """UCDP GED to incidents.

    Focus area poc for one-sided violence against civilians (``type_of_violence`` 3) and for
    any event with civilian deaths (``deaths_civilians`` > 0); other events (fighting
    between armed actors without civilian deaths) are conflict events.

    id = id, name = where_coordinates (the place), date = date_start, event_type and type =
    the violence type in words, killed = best (UCDP's best estimate), perpetrator = side_a,
    target = side_b, source = source_office (source_article where empty), precision_m from
    where_prec (``UCDP_PRECISION_M``), verification 'reported': UCDP codes events from news
    and NGO reports; it checks them but does not verify each on the ground.
    """
    violence = _number(table, "type_of_violence")
    civilians = _number(table, "deaths_civilians")
    poc = violence.eq(3).fillna(False) | civilians.gt(0).fillna(False)
    focus = _focus_areas({FocusArea.POC: poc.astype(bool)}, len(table))
    dates = read_dates(table["date_start"])
    source = _text(table, "source_office")
    source = source.where(source.str.strip().ne(""), _text(table, "source_article"))
    types = violence.map(UCDP_VIOLENCE_TYPES).fillna("")
    out = _incidents(
        table,
        id=_text(table, "id") if "id" in table.columns else _text(table, "relid"),
        name=_text(table, "where_coordinates"),
        precision_m=_number(table, "where_prec").map(UCDP_PRECISION_M),
        date=dates.dates,
        focus_areas=focus,
        event_type=types,
        type=types,
        killed=_number(table, "best"),
        perpetrator=_text(table, "side_a"),
        target=_text(table, "side_b"),
        source=source,
    )
    return _finish("UCDP GED", table, out, dates=dates, raw_dates=table["date_start"],
                   drop_bad_dates=drop_bad_dates)  # fmt: skip


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


def _focus_areas(masks: Mapping[FocusArea, pd.Series], size: int) -> pd.Series:
    """Each row's focus areas, ';'-joined in the order of ``FocusArea``; None for none."""
    bits = np.zeros(size, dtype=np.int64)
    areas = list(FocusArea)
    for area, mask in masks.items():
        bits |= np.asarray(mask.fillna(False), dtype=bool).astype(np.int64) << areas.index(area)
    codes, inverse = np.unique(bits, return_inverse=True)
    names = [
        FOCUS_SEPARATOR.join(str(a) for i, a in enumerate(areas) if int(code) >> i & 1) or None
        for code in codes
    ]
    return pd.Series(np.asarray(names, dtype=object)[inverse.reshape(size)], dtype=object)


def _incidents(table: gpd.GeoDataFrame, **fields: pd.Series) -> gpd.GeoDataFrame:
    """A frame of every incident field (those not given left empty), geometry, source row."""
    data: dict[str, object] = {}
    for name in KIND_SPECS[LayerKind.INCIDENT].field_names:
        given = fields.get(name)
        if given is None:
            data[name] = pd.Series(None, index=table.index, dtype=object)
        else:
            data[name] = given.set_axis(table.index) if len(given) == len(table) else given
    text_fields = ("id", "name", "event_type", "type", "perpetrator", "target", "source")
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
    dates: DateReading,
    raw_dates: pd.Series,
    drop_bad_dates: bool,
) -> tuple[gpd.GeoDataFrame, list[Finding]]:
    rows = table[SOURCE_ROW].to_numpy()
    findings = _date_findings(title, rows, dates, raw_dates, drop_bad_dates=drop_bad_dates)
    keep = ~(dates.unreadable | dates.ambiguous) if drop_bad_dates else np.ones(len(out), bool)
    kept = out.loc[keep].reset_index(drop=True)
    findings += counts_findings(title, kept)
    return kept, findings


def counts_findings(title: str, incidents: pd.DataFrame) -> list[Finding]:
    """Info Findings: the events per focus area (an event can count under several) and per
    event type (the source's ``event_type``)."""
    areas = incidents["focus_areas"].dropna().astype(str).str.split(FOCUS_SEPARATOR).explode()
    by_area = areas.value_counts()
    n = len(incidents)
    with_focus = int(incidents["focus_areas"].notna().sum())
    summary = ", ".join(f"{area} {int(by_area.get(str(area), 0)):,}" for area in FocusArea)
    types = incidents["event_type"].astype("string").fillna("(not given)").value_counts()
    by_type = ", ".join(f"{k} {int(v):,}" for k, v in types.items())
    return [
        Finding(
            "preset_focus_areas",
            "info",
            f"{title}: all {n:,} events are kept: {with_focus:,} with a human-security focus "
            f"area ({summary}; an event can count under several) and {n - with_focus:,} "
            "conflict events with none.",
            count=with_focus,
        ),
        Finding(
            "preset_event_types",
            "info",
            f"{title}: events per event type: {by_type}.",
            count=n,
        ),
    ]


def _date_findings(
    title: str,
    rows: np.ndarray,
    dates: DateReading,
    raw: pd.Series,
    *,
    drop_bad_dates: bool,
) -> list[Finding]:
    findings: list[Finding] = []
    order = f" (the file's dates read {dates.order})" if dates.order else ""
    cases = (
        (
            dates.ambiguous,
            "dates_ambiguous",
            "could be day/month or month/day and no date of the file tells which",
        ),
        (dates.unreadable, "dates_unparsed", "cannot be read or are missing"),
    )
    for mask, code, what in cases:
        if not mask.any():
            continue
        n = int(mask.sum())
        examples = ", ".join(
            f"row {int(r)}: {v!r}" for r, v in zip(rows[mask][:5], raw[mask][:5], strict=True)
        )
        if drop_bad_dates:
            message = (
                f"{title}: the dates of {n:,} events {what}{order}; as you chose, those "
                f"rows are left out ({examples})."
            )
            severity: Literal["error", "warning"] = "warning"
        else:
            message = (
                f"{title}: the dates of {n:,} events {what}{order} ({examples}). Write them "
                "as 2022-05-13 or '13 May 2022' and upload again, or choose to leave these "
                "rows out (Data page: 'Leave out the events whose date cannot be read'; "
                "CLI: --drop-bad-dates)."
            )
            severity = "error"
        findings.append(
            Finding(code, severity, message, rows=tuple(int(r) for r in rows[mask][:200]), count=n)
        )
    return findings


_PRESETS: Mapping[
    str, Callable[[gpd.GeoDataFrame, bool], tuple[gpd.GeoDataFrame, list[Finding]]]
] = {
    "acled": _acled,
    "ucdp_ged": _ucdp,
}
