"""One conflict check as the planner sees it: conflicts, statuses, hazard areas, features hit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from humansec.conflicts.engine import find_conflicts
from humansec.conflicts.inputs import protected_features
from humansec.conflicts.rules import RuleSet
from humansec.conflicts.summary import hazard_area, summarise
from humansec.model import PROTECTED_KINDS, WGS84, LayerKind


@dataclass(frozen=True)
class CheckResult:
    """Everything a check produced, all in EPSG:4326."""

    activities: gpd.GeoDataFrame
    """The activities with the summary's columns (``status``, ``worst_severity``, ...)."""
    conflicts: pd.DataFrame
    """One row per conflicting pair, critical first (see ``find_conflicts``)."""
    hazard_areas: gpd.GeoDataFrame
    """``id``, ``status`` and the hazard area polygon of each activity."""
    conflicting: dict[LayerKind, gpd.GeoDataFrame]
    """Per protected kind, the features some activity conflicts with."""


def run_check(
    activities: gpd.GeoDataFrame,
    frames: Mapping[LayerKind, gpd.GeoDataFrame],
    rules: RuleSet,
) -> CheckResult:
    """Check ``activities`` against the protected layers in ``frames`` (EPSG:4326)."""
    features = protected_features(frames)
    conflicts = find_conflicts(activities, features, rules)
    population = frames.get(LayerKind.POPULATION)
    summary = summarise(activities, conflicts, population, rules=rules)
    with_status = activities.reset_index(drop=True).copy()
    for column in summary.columns.drop("activity_id"):
        with_status[column] = summary[column].to_numpy()
    hazard = gpd.GeoDataFrame(
        {"id": with_status["id"].astype(str), "status": with_status["status"]},
        geometry=[hazard_area(row, rules) for _, row in with_status.iterrows()],
        crs=WGS84,
    )
    conflicting = {}
    for kind in PROTECTED_KINDS:
        frame = frames.get(kind)
        if frame is None or frame.empty:
            continue
        hit = conflicts[conflicts["feature_kind"] == str(kind)]
        keys = set(
            zip(_layer_keys(hit["feature_layer"]), hit["feature_id"].astype(str), strict=True)
        )
        layers = _layer_keys(frame.get("layer_id"), len(frame))
        mask = [key in keys for key in zip(layers, frame["id"].astype(str), strict=True)]
        if any(mask):
            conflicting[kind] = frame[mask]
    return CheckResult(with_status, conflicts, hazard, conflicting)


def _layer_keys(values: pd.Series | None, length: int = 0) -> list[str]:
    """Layer ids as text, "" where there is none (features not read from the store)."""
    if values is None:
        return [""] * length
    return ["" if pd.isna(value) else str(value) for value in values]
