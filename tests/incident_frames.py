"""Small incident layers built by the analytics tests."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from humansec.model import WGS84, LayerKind, conform


def point_incidents(
    points: list[tuple[float, float]], dates: list[pd.Timestamp]
) -> gpd.GeoDataFrame:
    """Protection-of-civilians incidents ``i0``, ``i1``, ... at (lon, lat) ``points``, conformed."""
    frame = gpd.GeoDataFrame(
        pd.DataFrame(
            {"id": [f"i{i}" for i in range(len(points))], "date": dates, "focus_area": "poc"}
        ),
        geometry=[shapely.Point(x, y) for x, y in points],
        crs=WGS84,
    )
    return conform(frame, LayerKind.INCIDENT)
