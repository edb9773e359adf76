"""Who: perpetrator / actor names as the source gives them."""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd

from humansec.analytics._common import NOT_GIVEN, columns


def actors(incidents: pd.DataFrame, top: int | None = 10) -> pd.DataFrame:
    """Events and fatalities per ``perpetrator`` as written by the source, most events first.

    Names are not merged or cleaned; an empty field is ``"(not given)"``. ``top`` keeps the
    most frequent (None: all).
    """
    table = columns(incidents, ("perpetrator", "killed"))
    names = _names(table["perpetrator"])
    killed = pd.to_numeric(table["killed"], errors="coerce").fillna(0).astype("int64")
    frame = pd.DataFrame({"actor": names.to_numpy(), "killed": killed.to_numpy()})
    out = (
        frame.groupby("actor")
        .agg(events=("killed", "size"), fatalities=("killed", "sum"))
        .reset_index()
        .sort_values(["events", "fatalities", "actor"], ascending=[False, False, True])
        .reset_index(drop=True)
    )
    out["events"] = out["events"].astype("int64")
    out["fatalities"] = out["fatalities"].astype("int64")
    return out if top is None else out.head(top)


def _names(perpetrators: pd.Series) -> pd.Series:
    """Each incident's actor as ``actors`` names it (stripped; empty: ``"(not given)"``)."""
    names = perpetrators.astype("string").str.strip()
    return names.mask(names == "").fillna(NOT_GIVEN).astype(object)


def in_actors_selection(incidents: pd.DataFrame, names: Collection[str]) -> np.ndarray:
    """Which incidents belong to the picked actor bars of ``actors`` (names as it gives them;
    ``"(not given)"`` picks the incidents with no perpetrator)."""
    table = columns(incidents, ("perpetrator",))
    return np.asarray(_names(table["perpetrator"]).isin(set(map(str, names))), dtype=bool)
