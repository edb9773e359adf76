"""Place names on products: placed for the zoom and area the page draws, without overlap."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from humansec.export import SIZES, export_product
from humansec.export.placenames import MARGIN, fit_zoom, map_size, product_labels, shown_bounds
from humansec.gazetteer import places_in
from humansec.mapview.aggregate import widen
from humansec.mapview.labels import LabelLayer, world_pixel
from humansec.model import LayerKind, conform
from humansec.settings import Settings
from tests.test_export_product import many_points, record

BOXES = [
    (22.0, 53.5, 24.0, 54.5),  # wider than tall on the map
    (23.0, 54.0, 23.2, 54.9),  # a tall strip
    (-74.1, 40.6, -73.8, 40.9),
    (170.0, -20.0, -170.0, -10.0),  # across the antimeridian
]
SIZES_PX = [map_size(SIZES["slide"]), map_size(SIZES["a4"]), map_size(SIZES["a3"]), (600, 400)]


def _pixels(box: tuple[float, float, float, float], zoom: float) -> tuple[float, float]:
    west, south, east, north = box
    east = east + 360 if west > east else east
    left, top = world_pixel(west, north, zoom)
    right, bottom = world_pixel(east, south, zoom)
    return right - left, bottom - top


@pytest.mark.parametrize(("box", "size"), list(itertools.product(BOXES, SIZES_PX)))
def test_fit_zoom_is_the_largest_tenth_at_which_the_box_fits(box, size) -> None:
    zoom = fit_zoom(box, size)
    assert round(zoom * 10) == pytest.approx(zoom * 10)
    width, height = _pixels(box, zoom)
    assert width <= size[0] + 1e-6 and height <= size[1] + 1e-6
    width, height = _pixels(box, zoom + 0.1)
    assert width > size[0] or height > size[1]


@pytest.mark.parametrize(("box", "size"), list(itertools.product(BOXES, SIZES_PX)))
def test_shown_bounds_are_the_map_around_the_box(box, size) -> None:
    zoom = fit_zoom(box, size)
    shown = shown_bounds(box, zoom, size)
    assert _pixels(shown, zoom) == pytest.approx(size, abs=1e-6)
    west, south, east, north = box
    assert shown[1] <= south + 1e-9 and shown[3] >= north - 1e-9
    lon_span = (shown[2] - shown[0]) % 360
    assert (west - shown[0]) % 360 <= lon_span and (east - shown[0]) % 360 <= lon_span


def _towns(names: list[str], pops: list[int], lonlats: list[tuple[float, float]]):
    frame = gpd.GeoDataFrame(
        {"id": [f"t{i}" for i in range(len(names))], "name": names, "population": pops},
        geometry=[shapely.Point(lon, lat) for lon, lat in lonlats],
        crs="EPSG:4326",
    )
    return conform(frame, LayerKind.POPULATION)


def test_product_labels_name_the_biggest_places_of_the_page_without_overlap() -> None:
    box = (22.0, 53.5, 24.0, 54.5)
    size = map_size(SIZES["slide"])
    # Far outside the box but inside what the slide shows (it is wider than the box).
    zoom = fit_zoom(box, size)
    shown = shown_bounds(box, zoom, size)
    towns = _towns(
        ["Big Town", "Next Door", "Edge Town", "Nowhere"],
        [900_000, 10, 5_000, 1_000_000],
        [(23.0, 54.0), (23.001, 54.0), ((shown[0] + box[0]) / 2, 54.0), (30.0, 50.0)],
    )
    group = product_labels(towns, box, size=size)
    texts = [label.text for label in group.labels]
    assert group.zoom == zoom
    assert texts[0] == "Big Town"  # the largest place in the area drawn comes first
    assert "Edge Town" in texts  # in what the page shows beyond the box
    assert "Nowhere" not in texts and "Next Door" not in texts  # outside; under Big Town
    gazetteer = set(places_in(widen(shown, MARGIN), zoom=zoom).names)
    assert set(texts) - {"Big Town", "Edge Town"} <= gazetteer
    assert len(texts) > 10  # the gazetteer names the towns around
    for a, b in itertools.combinations(group.labels, 2):
        assert not (
            a.box[0] < b.box[2] and b.box[0] < a.box[2] and a.box[1] < b.box[3]
            and b.box[1] < a.box[3]
        ), (a.text, b.text)  # fmt: skip
    (layer,) = [c for c in group._children.values() if isinstance(c, LabelLayer)]
    assert json.loads(layer.view_json)["fit"] is True  # fitted again in the page as drawn


def test_store_places_are_named_only_when_their_layer_is_in_the_product(tmp_path: Path) -> None:
    box = (22.5, 54.0, 23.5, 54.5)
    towns = _towns(["Zzyzx Settlement"], [2_000_000], [(23.0, 54.25)])
    frames = {LayerKind.POPULATION: towns, LayerKind.INCIDENT: many_points(50)}
    records = [record(LayerKind.POPULATION, "pop", "Towns"),
               record(LayerKind.INCIDENT, "points", "Incidents")]  # fmt: skip
    settings = Settings(data_dir=tmp_path)
    html = {
        kinds: export_product(
            frames, records, fmt="html", bbox=box, kinds=kinds, settings=settings
        ).decode()
        for kinds in ((LayerKind.POPULATION, LayerKind.INCIDENT), (LayerKind.INCIDENT,))
    }
    biggest = places_in(box, zoom=fit_zoom(box, (1000, 650))).names[0]
    with_towns, without = html.values()
    assert "Zzyzx Settlement" in with_towns and biggest in with_towns
    assert "Zzyzx Settlement" not in without and biggest in without
