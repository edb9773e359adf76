"""Incidents as column arrays, made once per data version, so that every filter state is a
set of row positions and every analysis of it a few ``numpy.bincount`` calls.

``Prepared`` reads each column the first time an analysis needs it (dates as integers, the
focus areas, event types and actors as integer codes into their few distinct values, the
figures as numbers) and keeps it. ``positions`` cuts them to a filter state; ``trend_at``,
``victims_at`` and ``actors_at`` count the incidents at given positions. The public
``trend``, ``victims`` and ``actors`` are these over every row of a frame, so there is one
way of counting, whichever path asks.
"""

from __future__ import annotations

import threading
from collections.abc import Collection
from functools import cached_property

import numpy as np
import pandas as pd

from humansec.analytics._common import NOT_GIVEN, columns, utc_naive
from humansec.analytics.select import BBox
from humansec.errors import SchemaError, choices
from humansec.model import CONFLICT_EVENT, FOCUS_CHOICES, FOCUS_SEPARATOR, focus_mask

_FOCUS_COLUMNS = ("focus_areas", "focus_area")
SEX_AGE_FIELDS: dict[tuple[str, str], str] = {
    ("female", "adult"): "victims_female_adult",
    ("female", "child"): "victims_female_child",
    ("male", "adult"): "victims_male_adult",
    ("male", "child"): "victims_male_child",
}
UNKNOWN_FIELD = "victims_unknown"
_NAT = np.iinfo(np.int64).min


def stamp_of(naive: pd.Timestamp, unit: str) -> int:
    """A UTC wall time as the int64 count of ``unit`` since 1970 (as ``Prepared.stamps``)."""
    value = np.array([naive.to_datetime64()]).astype(f"datetime64[{unit}]")
    return int(value.astype(np.int64)[0])


class Codes:
    """A column as integer codes (one per row) into its distinct ``names``."""

    def __init__(self, codes: np.ndarray, names: np.ndarray) -> None:
        self.codes = codes
        self.names = names


class Prepared:
    """The columns of ``incidents`` the analyses read, as arrays (each made on first use).

    Shared by every filter state of a data version: never modified after it is made.
    """

    def __init__(self, incidents: pd.DataFrame) -> None:
        self.frame = incidents
        self.n = len(incidents)
        self._lock = threading.Lock()

    def _column(self, name: str) -> pd.Series:
        return columns(self.frame, (name,))[name]

    @cached_property
    def dates(self) -> pd.Series:
        """The dates, UTC wall time (the unit of the source)."""
        return utc_naive(self._column("date"))

    @cached_property
    def stamps(self) -> np.ndarray:
        """The dates as int64 in their unit (``_NAT`` where missing)."""
        return np.asarray(self.dates.to_numpy().astype(np.int64))

    @cached_property
    def dated(self) -> np.ndarray:
        """Which incidents have a date."""
        return np.asarray(self.dates.notna().to_numpy(), dtype=bool)

    @cached_property
    def unit(self) -> str:
        """The unit of ``stamps`` ("ns", "us", ...)."""
        return str(np.datetime_data(self.dates.to_numpy().dtype)[0])

    def period_codes(self, freq: str) -> np.ndarray:
        """The period of every incident as a day count from 1970-01-01 of its first day
        (``D`` the day, ``W`` the Monday, ``M`` the first of the month); NaT as ``_NAT``."""
        with self._lock:
            cache = self.__dict__.setdefault("_periods", {})
            if freq not in cache:
                values = self.dates.to_numpy()
                days = values.astype("datetime64[D]")
                if freq == "M":
                    days = days.astype("datetime64[M]").astype("datetime64[D]")
                ints = days.astype(np.int64)
                if freq == "W":  # 1970-01-05 was a Monday: weeks run Monday to Sunday
                    ints = (ints - 4) // 7 * 7 + 4
                cache[freq] = np.where(self.dated, ints, _NAT)
            return np.asarray(cache[freq])

    @cached_property
    def focus(self) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """(code of every row's focus-area value, membership of each value (bool, one row per
        distinct value and a last one for none) in the ``categories``, ``categories``)."""
        column = next((c for c in _FOCUS_COLUMNS if c in self.frame.columns), None)
        if column is None:
            codes = np.zeros(self.n, dtype=np.int64)
            uniques: list[object] = []
        else:
            raw, found = pd.Series(self.frame[column]).factorize(use_na_sentinel=True)
            uniques = list(found)
            codes = np.where(raw < 0, len(uniques), raw).astype(np.int64)
        names = [
            [t for t in str(u).split(FOCUS_SEPARATOR) if t] or [CONFLICT_EVENT] for u in uniques
        ]
        names.append([CONFLICT_EVENT])
        categories = sorted({name for row in names for name in row})
        index = {name: i for i, name in enumerate(categories)}
        member = np.zeros((len(names), len(categories)), dtype=bool)
        for i, row in enumerate(names):
            member[i, [index[name] for name in row]] = True
        return codes, member, categories

    def focus_keep(self, focus: Collection[str]) -> np.ndarray:
        """Which incidents carry one of ``focus`` (as ``humansec.model.focus_mask``)."""
        column = next((c for c in _FOCUS_COLUMNS if c in self.frame.columns), None)
        wanted = [str(area) for area in focus]
        if column is None:
            return np.full(self.n, CONFLICT_EVENT in wanted)
        codes = self.focus[0]
        values = pd.Series(self.frame[column]).factorize(use_na_sentinel=True)[1]
        distinct = pd.DataFrame({column: pd.Series([*values, None], dtype=object)})
        return np.asarray(focus_mask(distinct, wanted)[codes], dtype=bool)

    @cached_property
    def event_types(self) -> Codes:
        """The source's event type (``type`` in layers without one), empty as not given."""
        column = (
            "event_type"
            if "event_type" in self.frame.columns and self.frame["event_type"].notna().any()
            else "type"
        )
        raw, uniques = pd.factorize(self._column(column), use_na_sentinel=True)
        names = pd.Series([*uniques, None], dtype="string").fillna(NOT_GIVEN).astype(object)
        merged, distinct = pd.factorize(names.to_numpy())
        codes = merged[np.where(raw < 0, len(uniques), raw)]
        return Codes(np.asarray(codes, dtype=np.int64), np.asarray(distinct, dtype=object))

    @cached_property
    def killed(self) -> np.ndarray:
        """Fatalities (int64; no figure: 0, never imputed)."""
        values = pd.to_numeric(self._column("killed"), errors="coerce").fillna(0)
        return np.asarray(values.astype("int64").to_numpy())

    def numbers(self, field: str) -> np.ndarray:
        """A victim field as float (NaN: not given)."""
        with self._lock:
            cache = self.__dict__.setdefault("_numbers", {})
            if field not in cache:
                values = pd.to_numeric(self._column(field), errors="coerce")
                cache[field] = values.to_numpy(dtype=float, na_value=np.nan)
            return np.asarray(cache[field])

    @cached_property
    def actors(self) -> Codes:
        """``perpetrator`` as codes into the names ``actors`` lists."""
        from humansec.analytics.actors import _name_codes  # noqa: PLC0415 -- imports this

        codes, names = _name_codes(self._column("perpetrator"))
        return Codes(np.asarray(codes, dtype=np.int64), names)

    @cached_property
    def lonlat(self) -> tuple[np.ndarray, np.ndarray]:
        """Longitude and latitude of every point (NaN without one)."""
        geoms = self.frame.geometry
        empty = geoms.is_empty.to_numpy() | geoms.isna().to_numpy()
        x = np.where(empty, np.nan, geoms.x.to_numpy(dtype=float, na_value=np.nan))
        y = np.where(empty, np.nan, geoms.y.to_numpy(dtype=float, na_value=np.nan))
        return x, y

    def positions(
        self,
        *,
        since: pd.Timestamp | None = None,
        until: pd.Timestamp | None = None,
        bbox: BBox | None = None,
        focus: Collection[str] | None = None,
    ) -> np.ndarray:
        """Row positions of the incidents ``humansec.analytics.select`` keeps."""
        keep = np.ones(self.n, dtype=bool)
        for bound, before in ((since, False), (until, True)):
            if bound is None:
                continue
            limit = pd.Timestamp(bound)
            limit = limit.tz_localize("UTC") if limit.tzinfo is None else limit.tz_convert("UTC")
            stamp = stamp_of(limit.tz_localize(None), self.unit)
            keep &= self.dated & ((self.stamps <= stamp) if before else (self.stamps >= stamp))
        if focus is not None:
            unknown = sorted(set(map(str, focus)) - set(FOCUS_CHOICES))
            if unknown:
                msg = (
                    f"Focus area(s) {choices(unknown)} unknown; "
                    f"choose from {choices(FOCUS_CHOICES)}."
                )
                raise SchemaError(msg)
            keep &= self.focus_keep(focus)
        if bbox is not None:
            west, south, east, north = bbox
            x, y = self.lonlat
            with np.errstate(invalid="ignore"):
                inside_x = (x >= west) & (x <= east) if west <= east else (x >= west) | (x <= east)
                keep &= inside_x & (y >= south) & (y <= north)
        return np.flatnonzero(keep)


def trend_at(prepared: Prepared, positions: np.ndarray, freq: str, by: str) -> pd.DataFrame:
    """``humansec.analytics.trend`` of the incidents at ``positions`` (checked arguments)."""
    periods = prepared.period_codes(freq)[positions]
    dated = periods != _NAT
    periods = periods[dated]
    killed = prepared.killed[positions][dated]
    if by == "focus_area":
        codes, member, categories = prepared.focus
        group_codes = codes[positions][dated]
        n_codes = member.shape[0]
    else:
        types = prepared.event_types
        group_codes = types.codes[positions][dated]
        n_codes = len(types.names)
    unit = prepared.unit
    if not len(periods):
        return pd.DataFrame(
            {
                "period": pd.Series([], dtype="datetime64[ns]"),
                "group": pd.Series([], dtype=object),
                "events": pd.Series([], dtype="int64"),
                "fatalities": pd.Series([], dtype="int64"),
            }
        )
    first = int(periods.min())
    n_periods = int(periods.max()) - first + 1
    flat = (periods - first) * n_codes + group_codes
    events = np.bincount(flat, minlength=n_periods * n_codes).reshape(n_periods, n_codes)
    fatal = np.bincount(flat, weights=killed, minlength=n_periods * n_codes)
    fatal = np.rint(fatal).astype(np.int64).reshape(n_periods, n_codes)
    if by == "focus_area":
        weights = member.astype(np.int64)
        names = np.asarray(categories, dtype=object)
    else:
        order = np.argsort(types.names.astype(str), kind="stable")
        weights = np.zeros((n_codes, n_codes), dtype=np.int64)
        weights[order, np.arange(n_codes)] = 1  # columns: the names, sorted
        names = types.names[order]
    events = events @ weights
    fatal = fatal @ weights
    period_index, group_index = np.nonzero(events)
    starts = (first + period_index).astype("datetime64[D]").astype(f"datetime64[{unit}]")
    return pd.DataFrame(
        {
            "period": starts,
            "group": pd.Series(names[group_index], dtype=object),
            "events": events[period_index, group_index].astype("int64"),
            "fatalities": fatal[period_index, group_index].astype("int64"),
        }
    )


def victim_parts(prepared: Prepared, positions: np.ndarray) -> tuple[list[int], int, int]:
    """(victims of each ``SEX_AGE_FIELDS`` field, unknown victims, events without any sex/age
    figure) of the incidents at ``positions``."""
    sums, missing = [], np.ones(len(positions), dtype=bool)
    for field in SEX_AGE_FIELDS.values():
        values = prepared.numbers(field)[positions]
        given = ~np.isnan(values)
        missing &= ~given
        sums.append(int(values[given].sum()))
    unknown = prepared.numbers(UNKNOWN_FIELD)[positions]
    return sums, int(unknown[~np.isnan(unknown)].sum()), int(missing.sum())


def in_trend_at(
    prepared: Prepared,
    positions: np.ndarray,
    freq: str,
    by: str,
    picks: Collection[tuple[pd.Timestamp, str]],
) -> np.ndarray:
    """Which incidents at ``positions`` fall in the picked (period start, group) bars of
    ``trend_at(freq, by)`` (a period is the naive UTC start of the bar, as ``trend`` gives it)."""
    out = np.zeros(len(positions), dtype=bool)
    if not picks or not len(positions):
        return out
    periods = prepared.period_codes(freq)[positions]
    if by == "focus_area":
        codes, member, categories = prepared.focus
        names = list(categories)
    else:
        types = prepared.event_types
        codes, names = types.codes, [str(name) for name in types.names]
        member = np.eye(len(names), dtype=bool)
    index = {name: i for i, name in enumerate(names)}
    wanted: dict[int, list[int]] = {}
    for period, group in picks:
        stamp = pd.Timestamp(period)
        day = stamp.floor("D") if stamp.tzinfo is None else None
        if day is None or day != stamp or str(group) not in index:
            continue  # not the start of a bar: no incident in it
        days = (day - pd.Timestamp(0)) // pd.Timedelta(days=1)
        wanted.setdefault(index[str(group)], []).append(int(days))
    if not wanted:
        return out
    at = codes[positions]
    for column, starts in wanted.items():
        out |= member[at, column] & np.isin(periods, starts)
    return out


def in_victims_at(prepared: Prepared, positions: np.ndarray, fields: Collection[str]) -> np.ndarray:
    """Which incidents at ``positions`` have at least one victim in one of the ``fields``
    (an empty field is "not given" and never matches)."""
    out = np.zeros(len(positions), dtype=bool)
    for field in dict.fromkeys(fields):
        with np.errstate(invalid="ignore"):
            out |= prepared.numbers(field)[positions] > 0
    return out


def in_actors_at(prepared: Prepared, positions: np.ndarray, names: Collection[str]) -> np.ndarray:
    """Which incidents at ``positions`` belong to the actors ``names`` (as ``actors`` gives
    them; ``"(not given)"``: no perpetrator)."""
    actors = prepared.actors
    wanted = np.isin(actors.names.astype(str), [str(name) for name in names])
    return np.asarray(wanted[actors.codes[positions]], dtype=bool)
