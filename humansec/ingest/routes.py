"""Movements from tables that give an origin and a destination per row.

A humanitarian corridor or convoy is often listed as a table with ``from_latitude`` /
``from_longitude`` and ``to_latitude`` / ``to_longitude``. Read as points, such a table shows
only the origins; for a line kind (``humanitarian_movement``) each row becomes the line from
its origin to its destination. The edge is a geodesic for the conflict check, as every edge is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from humansec.ingest.types import SOURCE_ROW, Finding
from humansec.ingest.validate import describe_rows, row_finding

ORIGIN_PREFIXES = ("from", "origin", "start", "departure", "src")
DESTINATION_PREFIXES = ("to", "destination", "end", "arrival", "dest", "dst")


def origin_destination(
    candidates: Sequence[Mapping[str, str]],
) -> tuple[Mapping[str, str], Mapping[str, str]] | None:
    """The origin and destination column pairs among ``candidates`` (tabular's facts), if any.

    >>> origin_destination([{"y": "from_lat", "x": "from_lon", "prefix": "from"},
    ...                     {"y": "to_lat", "x": "to_lon", "prefix": "to"}])[1]["y"]
    'to_lat'
    """
    origin = next((c for c in candidates if c.get("prefix") in ORIGIN_PREFIXES), None)
    destination = next((c for c in candidates if c.get("prefix") in DESTINATION_PREFIXES), None)
    if origin is None or destination is None:
        return None
    return origin, destination


def lines_from_pairs(
    frame: gpd.GeoDataFrame, origin: Mapping[str, str], destination: Mapping[str, str]
) -> tuple[gpd.GeoDataFrame, list[Finding]]:
    """``frame`` (EPSG:4326 degrees) with each row's geometry the line origin -> destination.

    Rows whose destination is missing or not a number are left out and named in a warning.
    """
    coords = {
        name: pd.to_numeric(
            frame[pair[axis]].astype("string").str.replace(",", ".", regex=False),
            errors="coerce",
        ).to_numpy(dtype="float64")
        for name, pair, axis in (
            ("x0", origin, "x"),
            ("y0", origin, "y"),
            ("x1", destination, "x"),
            ("y1", destination, "y"),
        )
    }
    finite = np.isfinite(np.column_stack(list(coords.values()))).all(axis=1)
    same = (coords["x0"] == coords["x1"]) & (coords["y0"] == coords["y1"])
    usable = finite & ~same
    maybe = [
        _left_out(frame, ~finite, "route_without_destination", f"have no usable "
                  f"{destination['y']}/{destination['x']}", "Fill them in the file to keep them"),
        _left_out(frame, finite & same, "route_of_zero_length", "have the same origin and "
                  "destination", "Correct one end in the file to keep them"),
    ]  # fmt: skip
    findings = [f for f in maybe if f is not None]
    kept = frame.loc[usable].copy()
    starts = np.column_stack([coords["x0"][usable], coords["y0"][usable]])
    ends = np.column_stack([coords["x1"][usable], coords["y1"][usable]])
    lines = shapely.linestrings(np.stack([starts, ends], axis=1))
    kept = kept.set_geometry(gpd.GeoSeries(lines, index=kept.index, crs=frame.crs))
    findings.append(
        Finding(
            code="routes_built",
            severity="info",
            message=(
                f"Each row became the line from {origin['y']}/{origin['x']} to "
                f"{destination['y']}/{destination['x']} ({len(kept)} movements)."
            ),
            count=len(kept),
        )
    )
    return kept, findings


def _left_out(
    frame: gpd.GeoDataFrame, mask: np.ndarray, code: str, what: str, fix: str
) -> Finding | None:
    if not mask.any():
        return None
    rows = frame[SOURCE_ROW].to_numpy()[mask]
    return row_finding(
        code,
        "warning",
        rows,
        f"{len(rows)} rows {what} ({describe_rows(rows)}) and were left out: a movement needs "
        f"two different ends. {fix}.",
    )
