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
