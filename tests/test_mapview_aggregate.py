import math

import h3
import numpy as np
import pytest
import shapely

from humansec.mapview import aggregate


def test_valid_mask_drops_missing_empty_nonfinite_and_out_of_range():
    geoms = [
        shapely.Point(30, 50),
        None,
        shapely.Point(),
        shapely.Point(math.nan, 50),
        shapely.Point(math.inf, 50),
        shapely.LineString([(0, 0), (200, 0)]),
        shapely.Polygon([(0, 0), (1, 0), (1, 1)]),
    ]
    assert aggregate.valid_mask(geoms).tolist() == [True, False, False, False, False, False, True]


def test_in_bounds_mask_handles_the_antimeridian():
    geoms = [shapely.Point(179, 0), shapely.Point(-179, 0), shapely.Point(0, 0)]
    assert aggregate.in_bounds_mask(geoms, (170, -10, -170, 10)).tolist() == [True, True, False]
    assert aggregate.in_bounds_mask(geoms, (-10, -10, 10, 10)).tolist() == [False, False, True]


def test_widen_and_normalise():
    assert aggregate.widen((0, 0, 10, 10), 0.1) == (-1, -1, 11, 11)
    assert aggregate.widen((-170, 0, 170, 10), 0.1)[::2] == (-180, 180)
    assert aggregate.normalise_bounds((190, -95, 200, 95)) == (-170, -90, -160, 90)
    assert aggregate.normalise_bounds((-400, 0, 400, 1)) == (-180, 0, 180, 1)


def test_zoom_and_resolution_grow_together():
    zooms = [aggregate.zoom_for_bounds((0, 0, w, w)) for w in (90, 10, 1, 0.1)]
    assert zooms == sorted(zooms)
    assert zooms[0] < zooms[-1]
    resolutions = [aggregate.h3_resolution(z, 48) for z in range(2, 16)]
    assert resolutions == sorted(resolutions)
    assert resolutions[0] < resolutions[-1]


def test_hexbin_counts_every_point_and_coarsens_to_the_cell_limit():
    rng = np.random.default_rng(0)
    lons, lats = rng.uniform(30, 31, 2000), rng.uniform(50, 51, 2000)
    cells, counts, res = aggregate.hexbin(lons, lats, 8, max_cells=50)
    assert counts.sum() == 2000
    assert len(cells) <= 50
    assert res < 8
    assert all(h3.get_resolution(c) == res for c in cells)


def test_hex_ring_is_closed_lon_lat():
    cell = h3.latlng_to_cell(50.0, 30.0, 5)
    ring = aggregate.hex_ring(cell)
    assert ring[0] == ring[-1]
    assert len(ring) == 7
    assert all(29 < lon < 31 and 49 < lat < 51 for lon, lat in ring)


@pytest.mark.parametrize("geom", [shapely.LineString([(0, 0), (2, 0)]), shapely.box(0, 0, 2, 2)])
def test_representative_points_lie_on_the_geometry(geom):
    lons, lats = aggregate.representative_points([geom])
    assert geom.buffer(1e-9).contains(shapely.Point(lons[0], lats[0]))
