"""The result table of the conflict check: one row per conflicting pair, sorted."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from humansec.conflicts.geodesic import Array
from humansec.conflicts.geometry import IntArray
from humansec.conflicts.pairs import _Hits, _Pairs
from humansec.conflicts.rules import SEVERITY_RANK, Rule

CONFLICT_COLUMNS: tuple[str, ...] = (
    "activity_id",
    "activity_type",
    "feature_id",
    "feature_layer",
    "feature_kind",
    "feature_category",
    "distance_m",
    "threshold_m",
    "severity",
    "rule",
    "rationale",
    "time_overlap",
)


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in CONFLICT_COLUMNS}).astype(
        {"distance_m": float, "threshold_m": float}
    )


def _severity_ranks(rule_list: list[Rule]) -> npt.NDArray[np.int8]:
    return np.array([SEVERITY_RANK[x.severity] for x in rule_list], dtype=np.int8)


def _presorted(hits: _Hits, rule_list: list[Rule]) -> _Hits:
    """``hits`` in the table's order of severity, then distance (a chunk's part of the sort:
    the table then merges the chunks' runs instead of sorting all rows at random)."""
    severity = _severity_ranks(rule_list)[hits.rule_idx]
    order = np.argsort(hits.dist)
    order = order[np.argsort(severity[order], kind="stable")]
    return _Hits(
        _Pairs(hits.pairs.act[order], hits.pairs.feat[order]),
        hits.dist[order],
        hits.threshold[order],
        hits.rule_idx[order],
        hits.timed[order],
    )


def _table(
    acts: pd.DataFrame,
    feats: pd.DataFrame,
    hits: _Hits,
    rule_list: list[Rule],
    classes: tuple[IntArray, list[tuple[str, str | None, str | None]]],
    *,
    presorted: bool = False,
) -> pd.DataFrame:
    """The output rows, sorted; each text column is built from its distinct values and codes.

    ``hits`` is taken apart: each of its arrays is dropped once its columns are made, so that
    the caller must not keep it (13M rows held a few hundred MB twice). ``classes``: the group
    of each feature and each group's (kind, category, protection), from ``_rule_matrix``; the
    kind and category columns are made from them. ``presorted``: ``hits`` are runs (one per
    chunk) each ordered by ``_presorted``.
    """
    act, feat, dist = hits.pairs.act, hits.pairs.feat, hits.dist
    threshold, rule, timed = hits.threshold, hits.rule_idx, hits.timed
    del hits
    if dist.size == 0:
        return _empty()
    used_a, code_a = _used(act, len(acts))
    used_f, code_f = _used(feat, len(feats))
    f_class = classes[0][feat]
    del act, feat
    # only the columns the table shows (taking whole rows copied every text column)
    a_id = acts["id"].iloc[used_a].to_numpy(dtype=object)
    a_type = acts["type"].iloc[used_a].to_numpy(dtype=object)
    # kept as a pandas text column: no round trip through a million Python strings
    f_id = feats["id"].iloc[used_f].astype("str").reset_index(drop=True)
    severity = _severity_ranks(rule_list)[rule]
    order = _row_order(severity, dist, (a_id, code_a), (f_id, code_f), runs=presorted)
    del severity
    columns: dict[str, pd.Series | Array] = {}
    code_a = code_a[order]
    columns["activity_id"] = _column(a_id, code_a)
    columns["activity_type"] = _categorical(a_type, code_a)
    del code_a
    code_f = code_f[order]
    columns["feature_id"] = f_id.take(code_f).reset_index(drop=True)
    columns["feature_layer"] = _column(_nullable(feats["layer_id"].iloc[used_f]), code_f)
    del code_f, f_id
    f_class = f_class[order]
    columns["feature_kind"] = _categorical(_of_classes(classes[1], 0), f_class)
    columns["feature_category"] = _categorical(_of_classes(classes[1], 1), f_class)
    del f_class
    columns["distance_m"] = dist[order]
    del dist
    columns["threshold_m"] = threshold[order]
    del threshold
    used_r, code_r = _used(rule[order], len(rule_list))
    del rule

    def by_rule(values: list[str]) -> npt.NDArray[np.object_]:
        return np.array(values, dtype=object)[used_r]

    columns["severity"] = _column(by_rule([x.severity for x in rule_list]), code_r)
    columns["rule"] = _categorical(by_rule([x.label for x in rule_list]), code_r)
    columns["rationale"] = _categorical(by_rule([x.rationale for x in rule_list]), code_r)
    del code_r
    used_t, code_t = _used(timed[order].astype(np.intp), 2)
    del timed, order
    time_values = np.array([None, True], dtype=object)[used_t.astype(np.intp)]
    columns["time_overlap"] = _column(time_values, code_t)
    # the columns are new: copying them would double the table in memory
    return pd.DataFrame({c: columns[c] for c in CONFLICT_COLUMNS}, copy=False)


def _of_classes(
    classes: list[tuple[str, str | None, str | None]], field: int
) -> npt.NDArray[np.object_]:
    """One field (0: kind, 1: category) of each feature class."""
    return np.array([c[field] for c in classes], dtype=object)


def _row_order(
    severity: npt.NDArray[np.int8],
    dist: Array,
    a_ids: tuple[npt.NDArray[np.object_], IntArray],
    f_ids: tuple[pd.Series, IntArray],
    *,
    runs: bool = False,
) -> IntArray:
    """Row order by severity, then distance, then activity id, then feature id.

    A sort on distance, then a stable one on severity (small integers, sorted by radix); the
    ids only matter among rows with the same severity and distance (inside areas, equal
    points), so they are ranked there alone, which also fixes the order the first sort left
    among them. ``a_ids`` / ``f_ids``: the distinct ids and each row's code. ``runs``: the
    rows are runs already in order (``_presorted``), which a stable sort merges.
    """
    order = np.argsort(dist, kind="stable" if runs else "quicksort")
    if severity.size and severity.min() != severity.max():  # one severity: sorted already
        order = order[np.argsort(severity[order], kind="stable")]
    s, d = severity[order], dist[order]
    same = (s[1:] == s[:-1]) & (d[1:] == d[:-1])
    if not same.any():
        return order
    tied = np.zeros(order.size, dtype=bool)
    tied[1:] |= same
    tied[:-1] |= same
    pos = np.flatnonzero(tied)
    run = np.cumsum(~np.concatenate(([False], same)))[pos]  # equal keys: one run
    rows = order[pos]
    a_id, code_a = a_ids
    f_id, code_f = f_ids
    a_used, a_code = _used(code_a[rows], a_id.size)
    f_used, f_code = _used(code_f[rows], len(f_id))
    a_rank = _dense_rank(a_id[a_used])[a_code]
    f_rank = f_id.take(f_used).rank(method="dense").to_numpy(dtype=np.float64)[f_code]
    order[pos] = rows[np.lexsort((f_rank, a_rank, run))]
    return order


def _used(index: IntArray, n: int) -> tuple[IntArray, IntArray]:
    """``np.unique(index, return_inverse=True)`` for indices below ``n``, without sorting."""
    present = np.bincount(index, minlength=n) > 0
    used = np.flatnonzero(present)
    rank = np.cumsum(present) - 1
    return used.astype(np.intp, copy=False), rank[index].astype(np.intp, copy=False)


def _categorical(values: npt.NDArray[np.object_], codes: IntArray) -> pd.Series:
    """``values[codes]`` as a categorical column (a small code per row, each text stored once).

    For the texts repeated on many rows (types, kinds, categories, rules, rationales): a 1M-row
    table of plain strings spent hundreds of MB on copies of the same few rationales.
    Missing values (None) are missing in the column.
    """
    distinct_codes, distinct = pd.factorize(values, use_na_sentinel=True)
    categories = pd.Index(np.asarray(distinct, dtype=object)).astype(str)
    return pd.Series(pd.Categorical.from_codes(distinct_codes[codes], categories=categories))


def _column(values: npt.NDArray[np.object_], codes: IntArray) -> pd.Series:
    """The column pandas would build from ``values[codes]``, when every value occurs in it.

    pandas infers an object column's dtype from the set of values in it, so inferring it from
    the distinct values and then taking gives the same column at a fraction of the cost.
    """
    return pd.Series(values).take(codes).reset_index(drop=True)


def _dense_rank(values: npt.NDArray[np.object_]) -> Array:
    """Dense rank of each value in the sort order of the column pandas builds from them."""
    ranks = pd.Series(values).rank(method="dense").to_numpy(dtype=np.float64)
    return np.asarray(ranks, dtype=np.float64)


def _nullable(values: pd.Series) -> npt.NDArray[np.object_]:
    """Values as an object array of str, with None for every kind of missing value."""
    arr = values.astype(object).to_numpy(dtype=object)
    out = np.full(arr.size, None, dtype=object)
    present = values.notna().to_numpy()
    out[present] = values[present].astype(str).to_numpy(dtype=object)
    return out
