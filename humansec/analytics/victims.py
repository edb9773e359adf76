"""Victims by sex and age, as the sources give them, and the events that give no breakdown."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import pandas as pd

from humansec.analytics._common import check_choice, columns
from humansec.analytics.prepared import (
    SEX_AGE_FIELDS,
    UNKNOWN_FIELD,
    Prepared,
    in_victims_at,
    victim_parts,
)


@dataclass(frozen=True)
class VictimSummary:
    """Victims by sex and age (a pyramid), and how much of the picture has no breakdown."""

    table: pd.DataFrame
    """One row per (age, sex): ``age`` (child, adult), ``sex`` (female, male), ``victims``."""
    unknown_victims: int
    """Victims whose sex or age the source did not give (``victims_unknown``)."""
    events: int
    events_without_breakdown: int
    """Events with no sex/age figure at all (all four fields empty): a finding, not imputed."""


def victims(incidents: pd.DataFrame) -> VictimSummary:
    """Sum the sex/age victim fields; count the events that carry none of them.

    An empty field is "not given" and adds nothing; a 0 is a figure (nobody of that sex and
    age). Nothing is estimated or spread over the groups.
    """
    table = columns(incidents, (*SEX_AGE_FIELDS.values(), UNKNOWN_FIELD))
    return victims_at(Prepared(table), np.arange(len(table)))


def victims_at(prepared: Prepared, positions: np.ndarray) -> VictimSummary:
    """``victims`` of the incidents at ``positions`` of ``prepared`` (arrays made once)."""
    sums, unknown, without = victim_parts(prepared, positions)
    rows = [
        {"age": age, "sex": sex, "victims": total}
        for ((sex, age), _), total in zip(SEX_AGE_FIELDS.items(), sums, strict=True)
    ]
    return VictimSummary(
        table=pd.DataFrame(rows, columns=["age", "sex", "victims"]),
        unknown_victims=unknown,
        events=len(positions),
        events_without_breakdown=without,
    )


def in_victims_selection(
    incidents: pd.DataFrame, groups: Collection[tuple[str, str]]
) -> np.ndarray:
    """Which incidents have at least one victim in one of the picked (sex, age) bars of
    ``victims`` (``("female", "child")``, ...): the events behind those bars. An empty field
    is "not given" and never matches."""
    names = sorted(f"{sex}/{age}" for sex, age in SEX_AGE_FIELDS)
    for sex, age in groups:
        check_choice("victim group", f"{sex}/{age}", names)
    fields = [SEX_AGE_FIELDS[(str(sex), str(age))] for sex, age in groups]
    table = columns(incidents, fields)
    return in_victims_at(Prepared(table), np.arange(len(table)), fields)
