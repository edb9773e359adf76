"""The rule matrix: which rule applies to each (activity type, feature class), and times."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from humansec.conflicts.geometry import IntArray
from humansec.conflicts.pairs import _Pairs
from humansec.conflicts.rules import Rule, RuleSet
from humansec.model import ACTIVITY_TYPES


def _rule_matrix(
    feats: pd.DataFrame, rules: RuleSet
) -> tuple[list[Rule], IntArray, IntArray, list[tuple[str, str | None, str | None]]]:
    """Return the rules used, the rule index (or -1) per (activity type, group), group codes,
    and the (kind, category, protection) of each group.

    A group is a distinct (kind, category, protection) among the features.
    """
    columns = [feats["kind"].astype(str), feats["category"], feats["protection"]]
    parts = [pd.factorize(col, use_na_sentinel=True) for col in columns]
    combined = np.zeros(len(feats), dtype=np.int64)
    for part_codes, part_uniques in parts:
        combined = combined * (len(part_uniques) + 1) + (part_codes + 1)
    codes, distinct = pd.factorize(combined)  # hashing: no sort of a million keys
    first = np.full(len(distinct), len(feats), dtype=np.intp)
    np.minimum.at(first, codes, np.arange(len(feats), dtype=np.intp))
    kind_of, category_of, protection_of = (
        [_opt(part_uniques[c]) if c >= 0 else None for c in part_codes[first]]
        for part_codes, part_uniques in parts
    )
    uniques = [
        (str(kind), category, protection)
        for kind, category, protection in zip(kind_of, category_of, protection_of, strict=True)
    ]
    used: list[Rule] = []
    index_of: dict[int, int] = {}
    table = np.full((len(ACTIVITY_TYPES), len(uniques)), -1, dtype=np.intp)
    for t, activity in enumerate(ACTIVITY_TYPES):
        for u, (kind, category, protection) in enumerate(uniques):
            rule = rules.lookup(activity, kind, category, protection)
            if rule is not None:
                if id(rule) not in index_of:
                    index_of[id(rule)] = len(used)
                    used.append(rule)
                table[t, u] = index_of[id(rule)]
    return used, table, np.asarray(codes, dtype=np.intp), uniques


def _opt(value: object) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    return str(value)


def _time_overlap(
    acts: pd.DataFrame, feats: pd.DataFrame, pairs: _Pairs
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Closed-interval overlap per pair, and whether both sides carry any time."""

    def ns(frame: pd.DataFrame, col: str, missing: int) -> npt.NDArray[np.int64]:
        values = pd.to_datetime(frame[col], utc=True).dt.as_unit("ns")
        arr = values.to_numpy(dtype="datetime64[ns]").view(np.int64).copy()
        arr[values.isna().to_numpy()] = missing
        return arr

    a_any = (acts["start"].notna() | acts["end"].notna()).to_numpy()
    f_any = (feats["valid_from"].notna() | feats["valid_to"].notna()).to_numpy()
    if not (a_any.any() and f_any.any()):  # one side has no times: every pair overlaps
        return np.ones(pairs.act.size, dtype=bool), np.zeros(pairs.act.size, dtype=bool)
    lo, hi = np.iinfo(np.int64).min, np.iinfo(np.int64).max
    a0, a1 = ns(acts, "start", lo)[pairs.act], ns(acts, "end", hi)[pairs.act]
    f0, f1 = ns(feats, "valid_from", lo)[pairs.feat], ns(feats, "valid_to", hi)[pairs.feat]
    return (a0 <= f1) & (f0 <= a1), a_any[pairs.act] & f_any[pairs.feat]
