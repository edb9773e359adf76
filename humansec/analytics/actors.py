"""Who: perpetrator / actor names as the source gives them."""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd

from humansec.analytics._common import NOT_GIVEN, columns
from humansec.analytics.prepared import Prepared, in_actors_at


def actors(incidents: pd.DataFrame, top: int | None = 10) -> pd.DataFrame:
    """Events and fatalities per ``perpetrator`` as written by the source, most events first.

    Names are not merged or cleaned; an empty field is ``"(not given)"``. ``top`` keeps the
    most frequent (None: all).
    """
    table = columns(incidents, ("perpetrator", "killed"))
    return actors_at(Prepared(table), np.arange(len(table)), top)


def actors_at(prepared: Prepared, positions: np.ndarray, top: int | None) -> pd.DataFrame:
    """``actors`` of the incidents at ``positions`` of ``prepared`` (codes made once)."""
    names = prepared.actors
    codes = names.codes[positions]
    events = np.bincount(codes, minlength=len(names.names))
    fatalities = np.bincount(codes, weights=prepared.killed[positions], minlength=len(names.names))
    out = pd.DataFrame(
        {"actor": names.names, "events": events.astype("int64"),
         "fatalities": np.round(fatalities).astype("int64")}
    )  # fmt: skip
    out = (
        out[out["events"] > 0]
        .sort_values(["events", "fatalities", "actor"], ascending=[False, False, True])
        .reset_index(drop=True)
    )
    return out if top is None else out.head(top)


def _names(perpetrators: pd.Series) -> pd.Series:
    """Each incident's actor as ``actors`` names it (stripped; empty: ``"(not given)"``)."""
    names = perpetrators.astype("string").str.strip()
    return names.mask(names == "").fillna(NOT_GIVEN).astype(object)


def _name_codes(perpetrators: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each incident's actor as a code into the distinct names (``_names`` of each), so that
    a million incidents are named through their few distinct values."""
    raw, uniques = pd.factorize(perpetrators, use_na_sentinel=True)
    named = _names(pd.Series(uniques, dtype=object)).to_numpy(dtype=object)
    labels = np.append(named, NOT_GIVEN)  # code -1: no perpetrator
    label_codes, names = pd.factorize(labels)  # " a" and "a" are one name
    return label_codes[np.where(raw < 0, len(uniques), raw)], np.asarray(names, dtype=object)


def in_actors_selection(incidents: pd.DataFrame, names: Collection[str]) -> np.ndarray:
    """Which incidents belong to the picked actor bars of ``actors`` (names as it gives them;
    ``"(not given)"`` picks the incidents with no perpetrator)."""
    table = columns(incidents, ("perpetrator",))
    return in_actors_at(Prepared(table), np.arange(len(table)), names)
