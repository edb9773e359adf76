"""Place names: candidates from the store and the gazetteer, placed without overlap."""

from __future__ import annotations

import itertools
import json
import re

import geopandas as gpd
import numpy as np
import pytest
import shapely

from humansec.gazetteer import places_in
from humansec.mapview import MapView, build_label_group, build_situation_map
from humansec.mapview.labels import (
    Candidates,
    declutter,
    label_box,
    merge_candidates,
    place_labels,
    size_class,
    store_candidates,
    text_width,
    world_pixel,
)
from humansec.model import LayerKind, conform

SUWALKI_GAP = (21.5, 53.4, 24.8, 55.0)
HOSTILE = "<img src=x onerror=alert(1)>`${x}`\\"


def _population(names, pops, geoms):
    frame = gpd.GeoDataFrame(
        {"id": [f"p{i}" for i in range(len(names))], "name": names, "population": pops},
        geometry=geoms,
        crs="EPSG:4326",
    )
    return conform(frame, LayerKind.POPULATION)


def _overlapping_pairs(labels):
    return [
        (a.text, b.text)
        for a, b in itertools.combinations(labels, 2)
        if a.box[0] < b.box[2]
        and b.box[0] < a.box[2]
        and a.box[1] < b.box[3]
        and b.box[1] < a.box[3]
    ]


def _dense_candidates(n=3000, seed=1):
    rng = np.random.default_rng(seed)
    return Candidates(
        [f"Place {i}" for i in range(n)],
        rng.uniform(22, 24, n).tolist(),
        rng.uniform(53.5, 54.5, n).tolist(),
        rng.integers(100, 2_000_000, n).tolist(),
        [False] * n,
    )


@pytest.mark.parametrize("zoom", [7, 9, 12])
def test_no_two_labels_overlap(zoom):
    labels = declutter(_dense_candidates(), zoom=zoom, max_labels=400)
    assert len(labels) >= 8
    assert _overlapping_pairs(labels) == []


@pytest.mark.parametrize("zoom", [7, 9, 12])
def test_real_places_do_not_overlap(zoom):
    labels = place_labels(None, SUWALKI_GAP, zoom=zoom)
    assert labels
    assert _overlapping_pairs(labels) == []


def test_higher_population_wins_a_contested_spot():
    candidates = Candidates(
        ["Village", "City", "Town"],
        [22.0, 22.0005, 22.001],
        [54.0, 54.0, 54.0],
        [800, 250_000, 12_000],
        [False, False, False],
    )
    assert [label.text for label in declutter(candidates, zoom=8)] == ["City"]


def test_every_dropped_label_was_beaten_by_a_larger_one():
    candidates = _dense_candidates(800, seed=3)
    kept = declutter(candidates, zoom=9, max_labels=10_000)
    kept_names = {label.text for label in kept}
    kept_pops = [label.population for label in kept]
    assert kept_pops == sorted(kept_pops, reverse=True)
    for i, name in enumerate(candidates.names):
        if name in kept_names:
            continue
        _, font_px, bold = size_class(candidates.populations[i])
        size_box = label_box(candidates.lons[i], candidates.lats[i], name, zoom=9,
                             font_px=font_px, bold=bold)  # fmt: skip
        blockers = [
            label for label in kept
            if label.box[0] - 4 < size_box[2] and size_box[0] < label.box[2] + 4
            and label.box[1] - 4 < size_box[3] and size_box[1] < label.box[3] + 4
        ]  # fmt: skip
        assert blockers, name
        assert max(b.population for b in blockers) >= candidates.populations[i]


def test_more_labels_as_the_map_zooms_in_on_the_same_area():
    counts = [len(place_labels(None, SUWALKI_GAP, zoom=zoom)) for zoom in (7, 9, 11)]
    assert counts[0] <= counts[1] <= counts[2]
    assert counts[2] > counts[0]


def test_store_places_and_areas_are_named_and_win_over_the_gazetteer():
    population = _population(
        ["Suwałki", "Camp Alpha", None],
        [70_000, 5_000, 10],
        [shapely.Point(22.93, 54.1), shapely.box(23.3, 54.3, 23.4, 54.35), shapely.Point(23, 54)],
    )
    store = store_candidates(population, SUWALKI_GAP)
    assert list(store.names) == ["Suwałki", "Camp Alpha"]
    assert shapely.box(23.3, 54.3, 23.4, 54.35).contains(
        shapely.Point(store.lons[1], store.lats[1])
    )
    merged = merge_candidates(store, places_in(SUWALKI_GAP, zoom=9))
    suwalki = [i for i, name in enumerate(merged.names) if name == "Suwałki"]
    assert len(suwalki) == 1 and merged.from_store[suwalki[0]]
    labels = place_labels(population, SUWALKI_GAP, zoom=9)
    names = [label.text for label in labels]
    assert "Camp Alpha" in names and "Suwałki" in names
    assert not next(label for label in labels if label.text == "Suwałki").dot


def test_without_the_gazetteer_only_store_places():
    population = _population(["A", "B"], [10, 20], [shapely.Point(22, 54), shapely.Point(23, 54)])
    labels = place_labels(population, SUWALKI_GAP, zoom=8, use_gazetteer=False)
    assert sorted(label.text for label in labels) == ["A", "B"]


def test_pixels_and_widths():
    x0, _ = world_pixel(0.0, 0.0, 3)
    x1, _ = world_pixel(45.0, 0.0, 3)
    assert x1 - x0 == pytest.approx(256 * 8 / 8)
    _, y_north = world_pixel(0.0, 60.0, 3)
    assert y_north < 1024  # north is up
    assert text_width("WWW", 12) > text_width("iii", 12)
    assert text_width("Ab", 12, bold=True) > text_width("Ab", 12)


def test_label_group_is_escaped_and_not_interactive():
    population = _population([HOSTILE], [100_000], [shapely.Point(23, 54)])
    group = build_label_group(population, view=MapView(SUWALKI_GAP, 9), use_gazetteer=False)
    assert [label.text for label in group.labels] == [HOSTILE]
    html = (
        build_situation_map(
            {LayerKind.POPULATION: population}, view=MapView(SUWALKI_GAP, 9), asset_prefix="v/"
        )
        .get_root()
        .render()
    )
    assert "<img src=x" not in html and "${x}" not in html
    rows = json.loads(re.search(r"L\.Humansec\.labels\((\[.*?\]\]), ", html).group(1))
    assert any(
        row[2] == "&lt;img src=x onerror=alert(1)&gt;&#96;&#36;{x}&#96;&#92;" for row in rows
    )
    assert "interactive: false" in html  # the runtime draws labels that take no click


def test_view_without_bounds_uses_the_fallback():
    group = build_label_group(None, view=MapView(None, None), fallback_bounds=SUWALKI_GAP)
    assert group.labels
    assert group.zoom >= 6
