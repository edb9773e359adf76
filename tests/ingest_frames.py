"""Small helpers shared by the mapping and suggestion tests (not a test module)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np

from humansec.ingest.types import SOURCE_ROW, Finding


def make(
    columns: dict[str, list[object]], *, hxl: dict[str, str] | None = None
) -> gpd.GeoDataFrame:
    """A WGS84 frame of these columns, points across Ukraine, ``_source_row`` 1..n."""
    n = len(next(iter(columns.values())))
    frame = gpd.GeoDataFrame(
        {**columns, SOURCE_ROW: np.arange(1, n + 1)},
        geometry=gpd.points_from_xy(np.linspace(24, 38, n), np.linspace(45, 52, n)),
        crs="EPSG:4326",
    )
    if hxl is not None:
        frame.attrs["hxl"] = hxl
    return frame


def by_code(findings: list[Finding]) -> dict[str, Finding]:
    """Findings by code (each code at most once)."""
    codes = [f.code for f in findings]
    assert len(codes) == len(set(codes)), codes
    return {f.code: f for f in findings}


def errors(findings: list[Finding]) -> list[Finding]:
    """The error findings."""
    return [f for f in findings if f.severity == "error"]
