"""Population grids drawn as images for the view (``humansec.mapview.raster_overlay``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin

from humansec.ingest.raster import GridFacts, grid_frame
from humansec.mapview import choropleth
from humansec.mapview.builder import HEAT_GRADIENT
from humansec.mapview.raster_overlay import (
    ALPHA,
    RAMP,
    colour,
    draw_grids,
    grid_breaks,
    legend,
    overlay,
    render_band,
)
from humansec.population.rasters import raster_bands, raster_file_name
from tests import raster_files

DIGEST = "cd" * 32


@pytest.fixture
def stored(tmp_path: Path) -> tuple[Path, np.ndarray]:
    """A 2-band grid (female, male) stored in a data folder as the ingest would."""
    path = tmp_path / "rasters" / raster_file_name(DIGEST)
    path.parent.mkdir()
    return tmp_path, raster_files.two_band_grid(path)


def _frame(data_dir: Path, roles: list[str], title: str = "WorldPop") -> object:
    facts = GridFacts(
        width=8, height=6, count=len(roles), dtype="float32", crs="EPSG:4326",
        nodata=(raster_files.NODATA,) * len(roles), bounds=(30.0, 49.94, 30.08, 50.0),
        resolution=(0.01, 0.01),
    )  # fmt: skip
    return grid_frame(facts, roles, DIGEST, title).assign(layer_id="wp")


def test_the_view_image_keeps_nodata_transparent_and_darkens_with_people(
    stored: tuple[Path, np.ndarray],
) -> None:
    data_dir, _ = stored
    band = raster_bands(_frame(data_dir, ["female", "male"]), data_dir)[0]
    breaks = grid_breaks(band)
    assert list(breaks) == sorted(breaks) and len(breaks) == 5
    image = render_band(band, (29.0, 49.0, 31.0, 51.0), breaks=breaks, max_pixels=80)
    assert image is not None
    assert image.bounds == pytest.approx((30.0, 49.94, 30.08, 50.0))
    height, width, _ = image.rgba.shape
    # 0.08 x 0.06 degrees; Web Mercator stretches latitude by 1/cos(50N) = 1.56.
    assert height == 80 and 66 <= width <= 71
    assert image.rgba[0, 0, 3] == 0  # the nodata cell
    assert image.rgba[-1, -1, 3] == ALPHA
    # Cell values grow along each row and down: the darkest class is bottom right.
    assert image.rgba[-1, -1, :3].sum() < image.rgba[0, 20, :3].sum()
    shown = image.rgba[..., 3] > 0
    assert shown.mean() == pytest.approx(1 - 1 / 48, abs=0.02)  # one cell of 48 is nodata


def test_a_projected_grid_lands_on_its_footprint(tmp_path: Path) -> None:
    path = tmp_path / "rasters" / raster_file_name(DIGEST)
    path.parent.mkdir()
    raster_files.projected_grid(path)
    facts = GridFacts(
        width=10, height=10, count=1, dtype="float32", crs="EPSG:32636", nodata=(None,),
        bounds=(320_000.0, 5_599_000.0, 321_000.0, 5_600_000.0), resolution=(100.0, 100.0),
    )  # fmt: skip
    frame = grid_frame(facts, ["total"], DIGEST, "UTM grid").assign(layer_id="utm")
    band = raster_bands(frame, tmp_path)[0]
    footprint = frame.geometry.iloc[0].bounds
    image = render_band(band, (29.0, 49.0, 32.0, 52.0), breaks=[1.0, 10.0])
    assert image is not None
    assert image.bounds == pytest.approx(footprint, abs=1e-9)
    assert (image.rgba[..., 3] > 0).mean() > 0.9  # a rotated square in its bounding box


def test_a_view_away_from_the_grid_draws_nothing(stored: tuple[Path, np.ndarray]) -> None:
    data_dir, _ = stored
    band = raster_bands(_frame(data_dir, ["female", "male"]), data_dir)[0]
    assert render_band(band, (10.0, 10.0, 11.0, 11.0), breaks=[1.0]) is None


def test_a_zoomed_in_view_reads_only_its_window(stored: tuple[Path, np.ndarray]) -> None:
    data_dir, cells = stored
    band = raster_bands(_frame(data_dir, ["female", "male"]), data_dir)[1]
    # The view covers the bottom-right cell only (people: the largest value of band 2).
    view = (30.0705, 49.9405, 30.0795, 49.9495)
    image = render_band(band, view, breaks=[float(cells[1].max()) - 1], max_pixels=16)
    assert image is not None
    assert (image.rgba[..., 3] == ALPHA).all()
    assert tuple(image.rgba[0, 0, :3]) == (0xFE, 0xE3, 0x91) or image.rgba[0, 0, 2] < 0x91


def test_a_grid_is_coloured_apart_from_shaded_areas_and_the_heat_map() -> None:
    # Both can be on one map or sheet: no colour of one may stand for the other.
    assert set(RAMP).isdisjoint(choropleth.RAMP)
    assert set(RAMP).isdisjoint(HEAT_GRADIENT.values())
    assert len(set(RAMP)) == len(RAMP)


def test_colour_classes_and_transparency() -> None:
    rgba = colour(np.array([[np.nan, -1.0, 0.0, 1.0, 5.0, 99.0]]), [2.0, 10.0])
    assert rgba[0, :, 3].tolist() == [0, 0, 0, ALPHA, ALPHA, ALPHA]
    assert len({tuple(c) for c in rgba[0, 3:, :3].tolist()}) == 3


def test_the_overlay_is_an_inline_png_with_an_escaped_name(
    stored: tuple[Path, np.ndarray],
) -> None:
    data_dir, _ = stored
    band = raster_bands(_frame(data_dir, ["total", "male"]), data_dir)[0]
    image = render_band(band, (29.0, 49.0, 31.0, 51.0), breaks=[10.0, 50.0])
    assert image is not None
    import folium  # noqa: PLC0415

    fmap = folium.Map(tiles=None)
    overlay(image, "<img src=x onerror=alert(1)> grid").add_to(fmap)
    key = legend("People per cell <b>", [10.0, 50.0])
    key.add_to(fmap)
    folium.LayerControl().add_to(fmap)
    html = fmap.get_root().render()
    assert "data:image/png;base64," in html
    assert "<img src=x" not in html
    assert "\\u0026lt;img src=x" in html  # escaped, then made script-safe by folium
    assert "People per cell &lt;b&gt;" in key.html
    assert "up to 10" in key.html and "over 50" in key.html


def test_draw_grids_draws_the_total_band_of_each_layer(tmp_path: Path) -> None:
    path = tmp_path / "rasters" / raster_file_name(DIGEST)
    path.parent.mkdir()
    cells = raster_files.two_band_grid(path)
    frame = _frame(tmp_path, ["female", "total"], title="Sex grid")
    (drawn,) = draw_grids(frame, tmp_path, (29.0, 49.0, 31.0, 51.0))
    assert drawn.layer == "wp"
    assert drawn.name == "Sex grid (total)"
    assert drawn.image is not None
    populated = cells[1][cells[1] > 0]
    assert drawn.breaks[-1] <= populated.max() and drawn.breaks[0] >= populated.min() * 0.9
    with rasterio.open(path) as check:
        assert check.count == 2
    assert from_origin  # the grids above are built with it


def test_briefing_products_leave_grids_out_rather_than_list_them(tmp_path: Path) -> None:
    """Products do not draw grids yet: their legend and layer list must not claim them."""
    from humansec.demo import DEMO_DIR, load_demo  # noqa: PLC0415
    from humansec.export.product import prepare  # noqa: PLC0415
    from humansec.model import LayerKind  # noqa: PLC0415
    from humansec.settings import Settings  # noqa: PLC0415
    from tests.test_export_product import MOMENT, record  # noqa: PLC0415

    frames = {
        LayerKind.POPULATION: load_demo(DEMO_DIR)[LayerKind.POPULATION],
        LayerKind.POPULATION_RASTER: _frame(tmp_path, ["total"]),
    }
    records = [record(LayerKind.POPULATION, "pop", "Places")]
    shown, furniture = prepare(frames, records, settings=Settings(data_dir=tmp_path), moment=MOMENT)
    assert list(shown) == [LayerKind.POPULATION]
    assert furniture.kinds == (LayerKind.POPULATION,)
