"""The Gi* hot and cold spots as a map layer: H3 hexagons coloured by class, with a legend.

One canvas layer per class (``humansec.analytics.CLASSES``), drawn by the map's own runtime
(``L.Humansec.layer``) in the hexagon pane, so the layer works offline like every other. The
colours are ``humansec.analytics.charts.CLASS_COLOURS`` (a diverging red-blue scheme), and
every cell's popup says its class in words, so colour is never the only cue.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import folium
import geopandas as gpd
import numpy as np
import shapely

from humansec.analytics.charts import CLASS_COLOURS
from humansec.analytics.hotspots import CLASSES
from humansec.escaping import escape_text
from humansec.mapview import aggregate
from humansec.mapview.elements import KindLayer, Legend, safe_json_text

LAYER_TITLE = "Hot spots (Gi*)"
MAX_PLAIN_CELLS = 2_000
"""Cells that are not significant are drawn only up to this many (context, not findings)."""
FIELDS = ("Class", "Incidents", "Gi* z", "p (FDR)", "H3 cell")


def _rings(rows: gpd.GeoDataFrame) -> list[str]:
    """The hexagons of ``rows`` as GeoJSON geometries (5 decimals, antimeridian kept whole)."""
    geoms = shapely.transform(rows.geometry.to_numpy(), lambda c: np.round(c, 5))
    texts = [str(text) for text in shapely.to_geojson(geoms)]
    west, _, east, _ = shapely.bounds(geoms).T
    for i in np.flatnonzero(east - west > 180).tolist():  # across the antimeridian
        cell = str(rows["h3"].iloc[i])
        texts[i] = json.dumps({"type": "Polygon", "coordinates": [aggregate.hex_ring(cell)]})
    return texts


def class_layers(
    cells: gpd.GeoDataFrame, *, max_plain: int = MAX_PLAIN_CELLS
) -> list[tuple[str, str]]:
    """(class, script-safe GeoJSON of its cells) of each class drawn, hottest first; the
    not-significant cells only when there are at most ``max_plain`` of them."""
    out = []
    for name in CLASSES:
        rows = cells[cells["class"] == name]
        if rows.empty or (name == "not significant" and len(rows) > max_plain):
            continue
        parts = []
        for geometry, cell, count, z, p in zip(
            _rings(rows), rows["h3"].astype(str), rows["count"], rows["gi_z"], rows["p_fdr"],
            strict=True,
        ):  # fmt: skip
            props = {
                "t": escape_text(f"{name}: {int(count):,} incidents"),
                "v": [escape_text(name), f"{int(count):,}", f"{float(z):.2f}",
                      f"{float(p):.3g}", escape_text(cell)],
                "h3": escape_text(cell),
            }  # fmt: skip
            parts.append(
                f'{{"type":"Feature","geometry":{geometry},'
                f'"properties":{json.dumps(props, separators=(",", ":"))}}}'
            )
        data = '{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}"
        out.append((name, safe_json_text(data)))
    return out


def _class_layer(name: str, data_json: str) -> KindLayer:
    colour = CLASS_COLOURS[name]
    plain = name == "not significant"
    meta = {
        "kind": "hotspot",
        "title": escape_text(f"{LAYER_TITLE}: {name}"),
        "fields": [escape_text(field) for field in FIELDS],
        "note": escape_text("Getis-Ord Gi* on H3 cells, FDR-corrected. Click to filter."),
        "point": {},
        "path": {
            "color": "#888888" if plain else "#444444",
            "weight": 0.5 if plain else 1,
            "opacity": 0.8,
            "fillColor": colour,
            "fillOpacity": 0.25 if plain else 0.7,
        },
        "cluster": False,
        "aggregate": True,
        "clickThrough": True,  # the page filters by the clicked cell (the map's own click)
    }
    return KindLayer(data_json, meta)


def hotspot_group(
    cells: gpd.GeoDataFrame,
    *,
    max_plain: int = MAX_PLAIN_CELLS,
    layers: Sequence[tuple[str, str]] | None = None,
) -> folium.FeatureGroup:
    """The "Hot spots (Gi*)" group of ``cells`` (``humansec.analytics.hotspots``' result).

    One layer per class present, hottest first; the not-significant cells only when there are
    at most ``max_plain`` of them. ``layers``: ``class_layers(cells)`` made before (cached).
    """
    significant = int((cells["class"] != "not significant").sum())
    group = folium.FeatureGroup(
        name=escape_text(f"{LAYER_TITLE}: {significant} significant of {len(cells)} cells"),
        overlay=True,
        control=True,
    )
    if layers is None:
        layers = class_layers(cells, max_plain=max_plain)
    for name, data_json in layers:
        group.add_child(_class_layer(name, data_json))
    return group


def hotspot_legend(*, position: str = "bottomleft", overlay: str | None = None) -> Legend:
    """The legend of the seven classes (hot/cold at 99, 95 and 90 %, not significant);
    hidden while the layer-control entry ``overlay`` (the hot-spot group) is switched off."""
    rows = "".join(
        '<div class="hs-legend-row">'
        f'<span style="display:inline-block;width:14px;height:12px;margin-right:6px;'
        f'border:1px solid #444;background:{CLASS_COLOURS[name]}"></span>'
        f"<span>{escape_text(name)}</span></div>"
        for name in CLASSES
    )
    return Legend(
        '<div class="hs-legend-title">Hot spots (Gi*, FDR)</div>' + rows,
        position=position,
        overlay=overlay,
    )


def selected_cell_group(cell: str) -> folium.FeatureGroup:
    """The outline of the cell the charts are filtered to (thick black, not filled)."""
    feature = {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [aggregate.hex_ring(cell)]},
        "properties": {"t": escape_text(f"Charts filtered to cell {cell}"), "v": []},
    }
    data = json.dumps({"type": "FeatureCollection", "features": [feature]}, separators=(",", ":"))
    meta = {
        "kind": "hotspot",
        "title": escape_text("Selected cell"),
        "fields": [],
        "note": escape_text("Click the cell again (or the button under the map) to clear."),
        "point": {},
        "path": {"color": "#000000", "weight": 4, "opacity": 1, "fill": False},
        "cluster": False,
    }
    group = folium.FeatureGroup(name=escape_text("Selected cell"), overlay=True, control=True)
    group.add_child(KindLayer(safe_json_text(data), meta))
    return group
