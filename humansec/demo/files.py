"""Write the demo as byte-stable GeoJSON files and read them back.

The writer is our own (json, not GDAL) so that the bytes depend only on the data: fixed column
order, one feature per line, coordinates already rounded, times as ``YYYY-MM-DDTHH:MM:SSZ``,
UTF-8 without escapes. The reader parses those files with json and shapely, never with GDAL.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from humansec.demo.build import build_demo, demo_metadata
from humansec.demo.scenario import DEMO_AREA, DEMO_CENTER, SEED, iso
from humansec.errors import StoreError
from humansec.model import VECTOR_KINDS, WGS84, LayerKind, conform

MANIFEST = "manifest.json"
FORMAT_VERSION = 1


def write_demo(out_dir: Path) -> list[Path]:
    """Build the demo and write ``<kind>.geojson`` per kind and ``manifest.json`` to ``out_dir``.

    Returns the written paths, the manifest last. Writing twice gives identical bytes.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    layers = build_demo()
    written: list[Path] = []
    entries: list[dict[str, object]] = []
    for kind, frame in layers.items():
        path = out_dir / f"{kind}.geojson"
        path.write_text(_geojson(frame, kind), encoding="utf-8", newline="\n")
        written.append(path)
        meta = demo_metadata(kind)
        entries.append(
            {
                "kind": str(kind),
                "file": path.name,
                "feature_count": len(frame),
                "title": meta.title,
                "source": meta.source,
                "licence": meta.licence,
                "classification": meta.classification,
                "exercise": meta.exercise,
                "provenance": dict(meta.provenance),
            }
        )
    manifest = {
        "format": FORMAT_VERSION,
        "seed": SEED,
        "area": list(DEMO_AREA),
        "center": list(DEMO_CENTER),
        "layers": entries,
    }
    path = out_dir / MANIFEST
    path.write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8", newline="\n"
    )
    written.append(path)
    return written


def load_demo(demo_dir: Path) -> dict[LayerKind, gpd.GeoDataFrame]:
    """Read the demo written by ``write_demo`` back: conformed frames in EPSG:4326, times UTC.

    Raises StoreError when a file is missing or is not a demo GeoJSON file.
    """
    layers: dict[LayerKind, gpd.GeoDataFrame] = {}
    for kind in VECTOR_KINDS:
        path = demo_dir / f"{kind}.geojson"
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            features = document["features"]
            columns = document["columns"]
            rows = [feature["properties"] for feature in features]
            geoms = [shapely.geometry.shape(feature["geometry"]) for feature in features]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            msg = (
                f"Cannot read the demo layer {path}: {exc}. Rebuild the demo with "
                "`python scripts/build_demo.py`."
            )
            raise StoreError(msg) from exc
        frame = gpd.GeoDataFrame(pd.DataFrame(rows, columns=columns), geometry=geoms, crs=WGS84)
        layers[kind] = conform(frame, kind)
    return layers


def _geojson(frame: gpd.GeoDataFrame, kind: LayerKind) -> str:
    """Serialise ``frame`` as GeoJSON text, one feature per line."""
    columns = [c for c in frame.columns if c != frame.geometry.name]
    header = {"type": "FeatureCollection", "name": str(kind), "columns": columns}
    lines = []
    for row, geom in zip(
        frame[columns].itertuples(index=False, name=None), frame.geometry, strict=True
    ):
        properties = {c: _value(v) for c, v in zip(columns, row, strict=True)}
        feature = {
            "type": "Feature",
            "properties": properties,
            "geometry": shapely.geometry.mapping(geom),
        }
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    opening = json.dumps(header, ensure_ascii=False)[:-1] + ', "features": [\n'
    return opening + ",\n".join(lines) + "\n]}\n"


def _value(value: object) -> object:
    """A JSON-ready property value: None for missing, ISO text for times, plain Python types."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return iso(value)
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value
