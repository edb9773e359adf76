"""Movements built from origin/destination columns."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from humansec.ingest.routes import lines_from_pairs, origin_destination
from humansec.ingest.types import SOURCE_ROW
from humansec.model import WGS84

FROM = {"y": "from_lat", "x": "from_lon", "prefix": "from"}
TO = {"y": "to_lat", "x": "to_lon", "prefix": "to"}


def corridors() -> gpd.GeoDataFrame:
    table = pd.DataFrame(
        {
            "from_lat": ["47.1", "48.0", "49.0", "50.0"],
            "from_lon": ["37.5", "35.0", "30.0", "30.0"],
            "to_lat": ["48.5", None, "49.0", "50,5"],
            "to_lon": ["35.0", "36.0", "30.0", "31"],
            SOURCE_ROW: [1, 2, 3, 4],
        }
    )
    points = gpd.points_from_xy(table["from_lon"].astype(float), table["from_lat"].astype(float))
    return gpd.GeoDataFrame(table, geometry=points, crs=WGS84)


def test_origin_and_destination_are_found_by_prefix() -> None:
    assert origin_destination([TO, FROM]) == (FROM, TO)
    assert origin_destination([FROM, {"y": "lat2", "x": "lon2", "prefix": ""}]) is None


def test_each_row_becomes_the_line_from_origin_to_destination() -> None:
    lines, findings = lines_from_pairs(corridors(), FROM, TO)
    assert lines[SOURCE_ROW].tolist() == [1, 4]
    assert lines.geometry.iloc[0].equals(shapely.LineString([(37.5, 47.1), (35.0, 48.5)]))
    assert lines.geometry.iloc[1].equals(shapely.LineString([(30.0, 50.0), (31.0, 50.5)]))
    assert lines.crs == WGS84
    by_code = {f.code: f for f in findings}
    assert by_code["route_without_destination"].rows == (2,)
    assert by_code["route_of_zero_length"].rows == (3,)
    assert by_code["routes_built"].count == 2
