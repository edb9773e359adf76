"""Filters the commander applies to what the map shows: a time range and focus areas."""

from __future__ import annotations

from collections.abc import Collection, Mapping

import geopandas as gpd
import pandas as pd

from humansec.model import KIND_SPECS, LayerKind, focus_mask
from humansec.timerange import TimeRange, time_mask


def apply_filters(
    frames: Mapping[LayerKind, gpd.GeoDataFrame],
    *,
    kinds: Collection[LayerKind],
    time_range: TimeRange | None = None,
    focus_areas: Collection[str] | None = None,
) -> dict[LayerKind, gpd.GeoDataFrame]:
    """Return the frames of ``kinds``, cut to ``time_range`` and (incidents) ``focus_areas``.

    ``focus_areas`` holds focus areas and ``"conflict_event"`` (incidents with none); an
    incident is shown when any of its focus areas is chosen.
    """
    shown: dict[LayerKind, gpd.GeoDataFrame] = {}
    for kind in kinds:
        frame = frames.get(kind)
        if frame is None:
            continue
        keep = time_mask(frame, kind, time_range)
        if kind is LayerKind.INCIDENT and focus_areas is not None:
            keep &= focus_mask(frame, [str(area) for area in focus_areas])
        shown[kind] = frame[keep.to_numpy()]
    return shown


def time_extent(frames: Mapping[LayerKind, gpd.GeoDataFrame]) -> TimeRange:
    """The earliest and latest time found in any time field of ``frames`` (UTC)."""
    stamps: list[pd.Timestamp] = []
    for kind, frame in frames.items():
        fields = KIND_SPECS[kind].time_fields
        if fields is None or frame.empty:
            continue
        for name in set(fields):
            if name in frame.columns:
                column = frame[name].dropna()
                if not column.empty:
                    stamps.extend([column.min(), column.max()])
    if not stamps:
        return TimeRange()
    return TimeRange(min(stamps), max(stamps))
