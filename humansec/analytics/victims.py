"""Victims by sex and age, as the sources give them, and the events that give no breakdown."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import pandas as pd

from humansec.analytics._common import check_choice, columns

SEX_AGE_FIELDS: dict[tuple[str, str], str] = {
    ("female", "adult"): "victims_female_adult",
    ("female", "child"): "victims_female_child",
    ("male", "adult"): "victims_male_adult",
    ("male", "child"): "victims_male_child",
}
UNKNOWN_FIELD = "victims_unknown"


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
    numbers = table.apply(pd.to_numeric, errors="coerce")
    rows = [
        {"age": age, "sex": sex, "victims": int(numbers[field].fillna(0).sum())}
        for (sex, age), field in SEX_AGE_FIELDS.items()
    ]
    breakdown = numbers[list(SEX_AGE_FIELDS.values())]
    without = int(breakdown.isna().all(axis=1).sum())
    return VictimSummary(
        table=pd.DataFrame(rows, columns=["age", "sex", "victims"]),
        unknown_victims=int(numbers[UNKNOWN_FIELD].fillna(0).sum()),
        events=len(table),
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
    out = np.zeros(len(table), dtype=bool)
    for field in dict.fromkeys(fields):
        numbers = pd.to_numeric(table[field], errors="coerce").to_numpy(dtype=float, na_value=0.0)
        out |= numbers > 0
    return out
