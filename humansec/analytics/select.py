"""The incidents a question is about: a time range, an area and focus areas."""

from __future__ import annotations

from collections.abc import Collection

import geopandas as gpd
import pandas as pd

from humansec.errors import SchemaError, choices
from humansec.model import FOCUS_CHOICES, focus_mask

BBox = tuple[float, float, float, float]


def select(
    incidents: gpd.GeoDataFrame,
    *,
    since: pd.Timestamp | None = None,
    until: pd.Timestamp | None = None,
    bbox: BBox | None = None,
    focus: Collection[str] | None = None,
) -> gpd.GeoDataFrame:
    """The incidents dated in [since, until] (UTC), inside ``bbox`` (W, S, E, N degrees; W > E
    crosses the antimeridian) and under one of ``focus`` (focus areas and ``conflict_event``
    for incidents with none; an incident with several counts when any is chosen; None: no
    limit on that)."""
    keep = pd.Series(True, index=incidents.index)
    if since is not None or until is not None:
        dates = pd.to_datetime(incidents["date"], utc=True)
        if since is not None:
            keep &= (dates >= _utc(since)).fillna(False)
        if until is not None:
            keep &= (dates <= _utc(until)).fillna(False)
    if focus is not None:
        unknown = sorted(set(map(str, focus)) - set(FOCUS_CHOICES))
        if unknown:
            msg = f"Focus area(s) {choices(unknown)} unknown; choose from {choices(FOCUS_CHOICES)}."
            raise SchemaError(msg)
        keep &= focus_mask(incidents, [str(area) for area in focus])
    if bbox is not None:
        west, south, east, north = bbox
        x = incidents.geometry.x
        y = incidents.geometry.y
        inside_x = (x >= west) & (x <= east) if west <= east else (x >= west) | (x <= east)
        keep &= (inside_x & (y >= south) & (y <= north)).fillna(False)
    return incidents[keep.to_numpy()]


def _utc(stamp: pd.Timestamp) -> pd.Timestamp:
    value = pd.Timestamp(stamp)
    return value.tz_localize("UTC") if value.tzinfo is None else value.tz_convert("UTC")
