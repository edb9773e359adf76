"""Who: perpetrator / actor names as the source gives them."""

from __future__ import annotations

import pandas as pd

from humansec.analytics._common import NOT_GIVEN, columns


def actors(incidents: pd.DataFrame, top: int | None = 10) -> pd.DataFrame:
    """Events and fatalities per ``perpetrator`` as written by the source, most events first.

    Names are not merged or cleaned; an empty field is ``"(not given)"``. ``top`` keeps the
    most frequent (None: all).
    """
    table = columns(incidents, ("perpetrator", "killed"))
    names = table["perpetrator"].astype("string").str.strip()
    names = names.mask(names == "").fillna(NOT_GIVEN).astype(object)
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
