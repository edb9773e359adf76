"""The MGRS grid on the live map: spacing by zoom, lines on UTM multiples, labels."""

from __future__ import annotations

import numpy as np
import pytest
from pyproj import Transformer

from humansec.export.mgrs_grid import grid_reference, mgrs_lines
from humansec.mapview.grid import (
    LABEL_PX,
    MIN_LINE_PX,
    GridLayer,
    grid_group,
    live_grid,
    metres_per_pixel,
    spacing_for_zoom,
)

TO_34N = Transformer.from_crs("EPSG:4326", "EPSG:32634", always_xy=True)
VIEW = (22.70, 54.00, 22.98, 54.12)  # zone 34 only, around Suwałki


@pytest.mark.parametrize(
    ("zoom", "expected"),
    [(4, None), (5, None), (6, 100_000), (8, 100_000), (10, 10_000), (12, 10_000), (13, 1_000)],
)
def test_spacing_by_zoom(zoom: int, expected: int | None) -> None:
    assert spacing_for_zoom(zoom, 54.0) == expected
    if expected is not None:  # lines at least MIN_LINE_PX apart, and the finest that are
        assert expected / metres_per_pixel(zoom, 54.0) >= MIN_LINE_PX
        finer = {100_000: 10_000, 10_000: 1_000}.get(expected)
        if finer is not None:
            assert finer / metres_per_pixel(zoom, 54.0) < MIN_LINE_PX


@pytest.mark.parametrize("spacing", [100_000, 10_000, 1_000])
def test_lines_lie_on_utm_multiples_of_the_spacing(spacing: int) -> None:
    bounds = (22.0, 53.6, 23.9, 54.9) if spacing == 100_000 else VIEW
    grid = mgrs_lines(bounds, spacing=spacing)
    assert grid.square_lines
    for line in grid.square_lines:
        lats, lons = np.array(line).T
        x, y = TO_34N.transform(lons, lats)
        # a line of constant easting or of constant northing, on a multiple of the spacing
        on_easting = np.allclose(x, np.round(x[0] / spacing) * spacing, atol=0.5)
        on_northing = np.allclose(y, np.round(y[0] / spacing) * spacing, atol=0.5)
        assert on_easting or on_northing, line[:2]
    eastings = {
        round(TO_34N.transform(v[1], v[0])[0] / spacing) for line in grid.square_lines for v in line
    }
    assert len(eastings) >= 2


def test_1_km_lines_count_and_labels_name_their_square() -> None:
    grid = mgrs_lines(VIEW, spacing=1_000)
    west, south, east, north = VIEW
    x0, y0 = TO_34N.transform(west, south)
    x1, y1 = TO_34N.transform(east, north)
    # about one line per km each way (the view is not a UTM rectangle: allow a few more)
    assert (
        abs(x1 - x0) / 1000 - 2
        <= len(grid.square_lines) - abs(y1 - y0) / 1000
        <= abs(x1 - x0) / 1000 + 4
    )
    texts = [text for text, _lat, _lon in grid.labels]
    assert len(texts) == len(set(texts))
    for text, lat, lon in grid.labels:
        assert west <= lon <= east and south <= lat <= north
        assert grid_reference(lat, lon, spacing=1_000) == text
        assert len(text.split()) == 4 and len(text.split()[2]) == 2  # 34U FE 24 96


def test_labels_are_thinned_to_stay_apart() -> None:
    every_one = mgrs_lines(VIEW, spacing=1_000, label_every=1)
    every_third = mgrs_lines(VIEW, spacing=1_000, label_every=3)
    assert 0 < len(every_third.labels) < len(every_one.labels) / 5
    for _text, lat, lon in every_third.labels:  # every third square, from the zone's origin
        x, y = TO_34N.transform(lon, lat)
        assert int(x // 1000) % 3 == int(y // 1000) % 3 == 0


def test_live_grid_keeps_labels_apart_on_screen() -> None:
    zoom = 13
    grid, spacing = live_grid(VIEW, zoom)
    assert spacing == 1_000
    scale = metres_per_pixel(zoom, 54.06)
    positions = np.array([TO_34N.transform(lon, lat) for _t, lat, lon in grid.labels])
    gaps = [np.min(np.hypot(*(positions[i + 1 :] - p).T)) for i, p in enumerate(positions[:-1])]
    assert min(gaps) / scale >= LABEL_PX * 0.9


def test_zoomed_out_view_draws_zone_lines_only() -> None:
    grid, spacing = live_grid((10.0, 45.0, 30.0, 56.0), 5)
    assert spacing is None
    assert grid.zone_lines and not grid.square_lines and not grid.labels


def test_grid_group_is_not_clickable_and_escapes_nothing_it_should_not() -> None:
    group = grid_group(VIEW, 13)
    assert group.layer_name.startswith("MGRS grid (1 km)")
    layer = next(iter(group._children.values()))
    assert isinstance(layer, GridLayer)
    script = layer._template.module.script(layer, {})  # type: ignore[attr-defined]
    assert "interactive: false" in script
    assert "textContent" in script  # labels go in as text, never as HTML


def test_small_pans_give_the_same_grid() -> None:
    # Views inside one 512 px cell at zoom 12 share one grid, which then need not be sent again.
    first, _ = live_grid((22.10, 54.05, 22.25, 54.12), 12)
    panned, _ = live_grid((22.12, 54.06, 22.27, 54.13), 12)
    assert first == panned
    elsewhere, _ = live_grid((23.10, 54.05, 23.25, 54.12), 12)
    assert elsewhere != first
