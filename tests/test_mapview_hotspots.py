"""The hot-spot map layer: one layer per class, each cell's hexagon and popup, a legend."""

from __future__ import annotations

import json

import h3
import shapely

from humansec import analytics
from humansec.mapview.elements import KindLayer
from humansec.mapview.hotspots import class_layers, hotspot_group, hotspot_legend
from tests.test_analytics import _cluster


def test_every_drawn_cell_is_its_hexagon_with_its_class_and_count() -> None:
    cells = analytics.hotspots(_cluster(seed=7), 6)
    layers = dict(class_layers(cells, max_plain=10**6))
    assert set(layers) == set(cells["class"])
    for name, text in layers.items():
        features = json.loads(text)["features"]
        rows = cells[cells["class"] == name].reset_index(drop=True)
        assert len(features) == len(rows)
        for feature, (_, row) in zip(features, rows.iterrows(), strict=True):
            assert feature["properties"]["h3"] == row["h3"]
            assert feature["properties"]["v"][0] == name
            assert feature["properties"]["v"][1] == f"{row['count']:,}"
            ring = shapely.Polygon(feature["geometry"]["coordinates"][0])
            lat, lon = h3.cell_to_latlng(row["h3"])
            assert ring.contains(shapely.Point(lon, lat))
    assert any(name.startswith("hot") for name in layers)  # the built cluster is found


def test_plain_cells_are_left_out_beyond_the_limit_and_the_legend_names_every_class() -> None:
    cells = analytics.hotspots(_cluster(seed=7), 6)
    plain = int((cells["class"] == "not significant").sum())
    assert plain > 1
    names = [name for name, _ in class_layers(cells, max_plain=plain - 1)]
    assert "not significant" not in names
    group = hotspot_group(cells, max_plain=plain - 1)
    drawn = [child for child in group._children.values() if isinstance(child, KindLayer)]
    assert len(drawn) == len(names)
    significant = len(cells) - plain
    assert f"{significant} significant of {len(cells)} cells" in group.layer_name
    legend = hotspot_legend().html
    for name in analytics.CLASSES:
        assert name in legend
