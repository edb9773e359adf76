"""Need-to-know conflicts: the check runs against every protected layer, whatever the user's
clearance, and a pair whose feature is above it is told without naming the feature.

The planner learns that the activity conflicts with a feature at a higher marking, the
severity, a distance band and whom to ask; never the feature's id, name, kind, category,
layer, location, the rule or its exact distance (which, with the activity, would locate it).
This post-processes the engine's pair table (``CONFLICT_COLUMNS``); the engine is unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import geopandas as gpd
import pandas as pd

from humansec.access.identity import User
from humansec.access.policy import rank
from humansec.conflicts.check import CheckResult
from humansec.conflicts.rules import RuleSet
from humansec.conflicts.summary import summarise

WITHHELD = "conflicts with a feature at a higher marking"
DISTANCE_BAND = "distance_band"
NEED_TO_KNOW = "need_to_know"
"""Added columns: the distance band of every pair; for a withheld pair, what to do."""

BAND_EDGES_M: tuple[float, ...] = (100.0, 250.0, 500.0, 1000.0, 2000.0, 5000.0, 10000.0)
_HIDDEN_TEXT = (
    "feature_id",
    "feature_layer",
    "feature_kind",
    "feature_category",
    "rule",
    "rationale",
)
_HIDDEN_NUMBERS = ("distance_m", "threshold_m")


def distance_band(distance_m: float) -> str:
    """The band a distance falls in, e.g. ``"250-500 m"``.

    >>> distance_band(0.0), distance_band(320.5), distance_band(7000.0), distance_band(2e4)
    ('under 100 m', '250-500 m', '5-10 km', '10 km or more')
    """
    if distance_m is None or not math.isfinite(distance_m):
        return "unknown"
    lower = 0.0
    for edge in BAND_EDGES_M:
        if distance_m < edge:
            if lower == 0.0:
                return f"under {_metres(edge)}"
            return f"{_range(lower, edge)}"
        lower = edge
    return f"{_metres(lower)} or more"


def _metres(value: float) -> str:
    return f"{value / 1000:g} km" if value >= 1000 else f"{value:g} m"


def _range(lower: float, upper: float) -> str:
    if lower >= 1000:
        return f"{lower / 1000:g}-{upper / 1000:g} km"
    if upper >= 1000:
        return f"{lower:g} m-{upper / 1000:g} km"
    return f"{lower:g}-{upper:g} m"


def hidden_pairs(
    conflicts: pd.DataFrame, layer_markings: Mapping[str, str], clearance: str, order: Sequence[str]
) -> pd.Series:
    """True for each pair whose feature's layer is above ``clearance`` (unknown layers too)."""
    limit = rank(clearance, order)
    layers = conflicts.get(
        "feature_layer", pd.Series([None] * len(conflicts), index=conflicts.index, dtype=object)
    )
    hidden = [
        pd.notna(layer) and rank(layer_markings.get(str(layer), order[-1]), order) > limit
        for layer in layers
    ]
    return pd.Series(hidden, index=conflicts.index, dtype=bool)


def withhold_conflicts(
    conflicts: pd.DataFrame,
    layer_markings: Mapping[str, str],
    clearance: str,
    order: Sequence[str],
    *,
    contact: str,
) -> pd.DataFrame:
    """The pair table as a user cleared to ``clearance`` may see it.

    ``layer_markings`` maps every layer id to its marking; a pair whose ``feature_layer`` is
    above ``clearance`` keeps only the activity, the severity, the time overlap, the
    distance band and a line saying whom to ask (``contact``).
    """
    out = conflicts.copy()
    mask = hidden_pairs(conflicts, layer_markings, clearance, order)
    distances = (
        pd.to_numeric(out["distance_m"], errors="coerce")
        if "distance_m" in out
        else pd.Series(float("nan"), index=out.index)
    )
    out[DISTANCE_BAND] = [distance_band(float(d)) for d in distances]
    out[NEED_TO_KNOW] = ""
    if not mask.any():
        return out
    for column in _HIDDEN_TEXT:
        if column in out:
            out[column] = out[column].astype(object)
            out.loc[mask, column] = None
    for column in _HIDDEN_NUMBERS:
        if column in out:
            out[column] = pd.to_numeric(out[column], errors="coerce").astype(float)
            out.loc[mask, column] = float("nan")
    out.loc[mask, NEED_TO_KNOW] = [
        f"{activity} {WITHHELD} ({severity}, {band}): ask {contact}"
        for activity, severity, band in zip(
            out.loc[mask, "activity_id"],
            out.loc[mask, "severity"].astype(str),
            out.loc[mask, DISTANCE_BAND],
            strict=True,
        )
    ]
    return out


def for_user(
    result: CheckResult,
    layer_markings: Mapping[str, str],
    user: User,
    order: Sequence[str],
    *,
    contact: str,
    rules: RuleSet | None = None,
    visible_population: gpd.GeoDataFrame | None = None,
) -> CheckResult:
    """``result`` (of a check against every protected layer) as ``user`` may see it.

    The pair table is withheld as ``withhold_conflicts`` says; the features drawn on the map
    (``conflicting``) keep only those of layers within the clearance. Each activity keeps its
    status, worst severity and number of conflicts (the planner must know); with ``rules``,
    its per-kind counts, nearest distances and population in the hazard area are recounted
    from what the user may see (``visible_population``), so they do not hint at hidden data.
    """
    limit = rank(user.clearance, order)
    activities = result.activities
    hidden_layers = any(rank(m, order) > limit for m in layer_markings.values())
    if rules is not None and hidden_layers and len(activities):
        mask = hidden_pairs(result.conflicts, layer_markings, user.clearance, order)
        recount = summarise(activities, result.conflicts[~mask], visible_population, rules=rules)
        activities = activities.copy()
        for column in recount.columns:
            if column.startswith(("n_", "nearest_")) or column == "population_in_hazard":
                activities[column] = recount[column].to_numpy()

    def visible(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        if "layer_id" not in frame:
            return frame
        keep = [
            pd.isna(layer) or rank(layer_markings.get(str(layer), order[-1]), order) <= limit
            for layer in frame["layer_id"]
        ]
        return frame[keep]

    conflicting = {kind: visible(frame) for kind, frame in result.conflicting.items()}
    return CheckResult(
        activities=activities,
        conflicts=withhold_conflicts(
            result.conflicts, layer_markings, user.clearance, order, contact=contact
        ),
        hazard_areas=result.hazard_areas,
        conflicting={kind: frame for kind, frame in conflicting.items() if not frame.empty},
    )
