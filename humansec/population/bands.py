"""Age bands of population figures: their labels, and how much of each is children or elderly.

Population tables (COD-PS ``F_00_04``, ``T_80Plus``), raster band roles (``age:0-4``, ``age:80+``)
and WorldPop's age grids name five-year bands. humansec reports two groups from them, with the
definitions of the population kind's ``share_children`` and ``share_elderly``:

- children: under 18. A band that straddles 18 (``15-19``) counts in proportion to its years
  under 18 (3 of 5), which assumes people are spread evenly over the years of a band; a report
  that uses such a band says so.
- elderly: 60 and over. A band that starts below 60 and ends at or above it counts likewise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from humansec.errors import SchemaError

CHILD_AGE_LIMIT = 18
"""Children are people under this age (the population kind's ``share_children``)."""
ELDERLY_AGE_START = 60
"""The elderly are people of this age and over (the population kind's ``share_elderly``)."""

_BAND = re.compile(
    r"^\s*(?P<low>\d{1,3})\s*(?:(?:-|_|–|to)\s*(?P<high>\d{1,3})|(?P<plus>\+|\s*plus|\s*and\s*over))\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class AgeBand:
    """Ages ``low`` to ``high`` inclusive, in whole years; ``high`` None for an open band (80+)."""

    low: int
    high: int | None

    @property
    def label(self) -> str:
        """The band as ``0-4`` or ``80+``."""
        return f"{self.low}+" if self.high is None else f"{self.low}-{self.high}"

    def share_below(self, age: int) -> float:
        """Return the part of this band younger than ``age``, assuming an even spread of years."""
        if self.low >= age:
            return 0.0
        if self.high is not None and self.high < age:
            return 1.0
        if self.high is None:
            # An open band that starts below ``age``: only possible for odd tables (0+).
            msg = f"The open age band {self.label} cannot be split at {age}; give closed bands."
            raise SchemaError(msg)
        years = self.high - self.low + 1
        return (age - self.low) / years

    @property
    def child_share(self) -> float:
        """The part of this band that is children (under 18)."""
        return self.share_below(CHILD_AGE_LIMIT)

    @property
    def elderly_share(self) -> float:
        """The part of this band that is elderly (60 and over)."""
        if self.high is None:
            return (
                1.0 if self.low >= ELDERLY_AGE_START else 1.0 - self.share_below(ELDERLY_AGE_START)
            )
        return 1.0 - self.share_below(ELDERLY_AGE_START)

    @property
    def is_split(self) -> bool:
        """True when the band straddles a group's limit (its share is neither 0 nor 1)."""
        return any(0.0 < s < 1.0 for s in (self.child_share, self.elderly_share))


def parse_age_band(text: str) -> AgeBand:
    """Read an age band label: ``0-4``, ``00_04``, ``80+``, ``80Plus``, ``65 and over``.

    >>> parse_age_band("00_04")
    AgeBand(low=0, high=4)
    >>> parse_age_band("80Plus").label
    '80+'
    """
    match = _BAND.match(text)
    if match is None:
        msg = (
            f"{text!r} is not an age band; write it as LOW-HIGH in whole years (0-4, 15-19) "
            "or LOW+ for an open band (80+)."
        )
        raise SchemaError(msg)
    low = int(match["low"])
    if match["plus"]:
        return AgeBand(low, None)
    high = int(match["high"])
    if high < low:
        msg = f"The age band {text!r} ends before it starts; write LOW-HIGH (15-19)."
        raise SchemaError(msg)
    return AgeBand(low, high)


Sex = Literal["total", "female", "male"]
SEXES: tuple[Sex, ...] = ("total", "female", "male")


def band_column(band: AgeBand, sex: Sex = "total") -> str:
    """Return the area field of a band's count: ``age_0_4``, ``female_age_80_plus``.

    >>> band_column(AgeBand(0, 4)), band_column(AgeBand(80, None), "female")
    ('age_0_4', 'female_age_80_plus')
    """
    stem = f"age_{band.low}_plus" if band.high is None else f"age_{band.low}_{band.high}"
    return stem if sex == "total" else f"{sex}_{stem}"


_BAND_COLUMN = re.compile(
    r"^(?:(?P<sex>female|male)_)?age_(?P<low>\d{1,3})_(?P<high>\d{1,3}|plus)$"
)


def column_band(column: str) -> tuple[Sex, AgeBand] | None:
    """Return the sex and band a field written by ``band_column`` holds, or None for other fields.

    >>> column_band("male_age_15_19")
    ('male', AgeBand(low=15, high=19))
    """
    match = _BAND_COLUMN.match(column)
    if match is None:
        return None
    sex: Sex = (
        "female" if match["sex"] == "female" else "male" if match["sex"] == "male" else "total"
    )
    high = None if match["high"] == "plus" else int(match["high"])
    return sex, AgeBand(int(match["low"]), high)


@dataclass(frozen=True)
class BandRole:
    """What one raster band (or one grid file) counts: people a sex, an age band, or all."""

    sex: Sex
    band: AgeBand | None

    @property
    def label(self) -> str:
        """The role as written on the command line: ``total``, ``age:0-4``, ``male:80+``."""
        if self.band is None:
            return self.sex
        return f"age:{self.band.label}" if self.sex == "total" else f"{self.sex}:{self.band.label}"


def parse_band_role(text: str) -> BandRole:
    """Read ``--band-role``: ``total``, ``female``, ``male``, ``age:0-4``, ``male:80+``.

    >>> parse_band_role("female:15-19").label
    'female:15-19'
    """
    value = text.strip().lower()
    if value in SEXES:
        return BandRole(value, None)
    head, sep, tail = value.partition(":")
    if sep and head == "age":
        return BandRole("total", parse_age_band(tail))
    if sep and head in ("female", "male"):
        return BandRole(head, parse_age_band(tail.removeprefix("age:")))  # type: ignore[arg-type]
    msg = (
        f"{text!r} is not a band role; use total, female, male, age:LOW-HIGH (all people of "
        "those ages), female:LOW-HIGH or male:LOW-HIGH, e.g. age:0-4 or male:80+."
    )
    raise SchemaError(msg)
