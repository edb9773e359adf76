"""Population grids on the map: one image per grid, made on the server for the current view.

No tile server: for the view's bounds the band is read at about the map's resolution (the
stored COG's overviews serve a zoomed-out view), reprojected to Web Mercator (so Leaflet's
linear stretch of an image between its corners puts every cell where it belongs), classed on
breaks of the whole grid (so the colours mean the same when panning) and coloured with a
sequential ramp that stays readable in colour-blind vision and in grey. Cells that are
nodata, NaN or zero are transparent. The image goes into the page as a PNG data URL
(folium's ``ImageOverlay``): nothing is fetched.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import folium
import numpy as np
import pandas as pd
import rasterio
from rasterio.enums import Resampling
from rasterio.transform import from_bounds
from rasterio.warp import reproject, transform_bounds
from rasterio.windows import Window
from rasterio.windows import from_bounds as window_from_bounds

from humansec.escaping import escape_text
from humansec.mapview.aggregate import Bounds
from humansec.mapview.elements import Legend
from humansec.population.rasters import RasterBand, raster_bands

MAX_IMAGE_PIXELS = 768
"""The longest side of a view's image, in pixels (about a map's width)."""
BREAK_SAMPLE_PIXELS = 512
"""The whole grid is read at most this wide (from its overviews) to find the class breaks."""
MERCATOR_LIMIT = 85.0511287798
WEB_MERCATOR = "EPSG:3857"
RAMP: tuple[str, ...] = ("#F1EEF6", "#D0D1E6", "#A6BDDB", "#74A9CF", "#2B8CBE", "#045A8D")
"""ColorBrewer's PuBu (colour-blind safe), lightest (fewest people) first: one colour per
class. Not the YlOrBr of the shaded reference areas and the heat map (``choropleth.RAMP``):
with a grid and shaded areas on one map, each colour says which layer it belongs to."""
ALPHA = 210
OPACITY = 0.8


@dataclass(frozen=True)
class GridImage:
    """A band drawn for one view: RGBA cells (rows north to south) and where they go."""

    rgba: np.ndarray
    bounds: Bounds
    """West, south, east, north in degrees of the image's edges."""
    breaks: tuple[float, ...]


def grid_breaks(band: RasterBand, *, classes: int = len(RAMP)) -> tuple[float, ...]:
    """Upper edges of the colour classes: quantiles of the grid's populated cells.

    Read from the whole band at most ``BREAK_SAMPLE_PIXELS`` wide (its overviews), so they do
    not change as the map pans. ``classes - 1`` breaks, rounded to two significant digits and
    increasing; fewer when the grid holds few distinct values.
    """
    with rasterio.open(band.path) as source:
        factor = max(1.0, max(source.width, source.height) / BREAK_SAMPLE_PIXELS)
        shape = (max(1, round(source.height / factor)), max(1, round(source.width / factor)))
        values = _valid(
            source.read(band.band, out_shape=shape, resampling=Resampling.average), band.nodata
        )
    populated = values[values > 0]
    if populated.size == 0:
        return ()
    quantiles = np.quantile(populated, np.linspace(0, 1, classes + 1)[1:-1])
    rounded = sorted({_two_digits(float(q)) for q in quantiles if q > 0})
    return tuple(rounded)


def render_band(
    band: RasterBand,
    view: Bounds,
    *,
    breaks: Sequence[float],
    max_pixels: int = MAX_IMAGE_PIXELS,
) -> GridImage | None:
    """Draw ``band`` for the ``view`` (west, south, east, north in degrees); None outside it."""
    with rasterio.open(band.path) as source:
        footprint = transform_bounds(source.crs, "EPSG:4326", *source.bounds, densify_pts=21)
        area = _intersection(view, footprint)
        if area is None:
            return None
        west, south, east, north = area
        target = transform_bounds("EPSG:4326", WEB_MERCATOR, west, south, east, north)
        width, height = _image_size(target, max_pixels)
        cells, cells_transform = _read_window(source, band, area, width, height)
        if cells is None:
            return None
        image = np.full((height, width), np.nan, dtype="float32")
        reproject(
            source=cells,
            destination=image,
            src_transform=cells_transform,
            src_crs=source.crs,
            src_nodata=np.nan,
            dst_transform=from_bounds(*target, width, height),
            dst_crs=WEB_MERCATOR,
            dst_nodata=np.nan,
            resampling=Resampling.nearest,
        )
    return GridImage(colour(image, breaks), area, tuple(breaks))


def colour(values: np.ndarray, breaks: Sequence[float]) -> np.ndarray:
    """RGBA of ``values`` classed on ``breaks``: NaN and values <= 0 transparent.

    >>> colour(np.array([[np.nan, 0.0, 1.0, 50.0]]), [2.0, 10.0])[0, :, 3].tolist()
    [0, 0, 210, 210]
    """
    palette = np.array([_rgb(c) for c in _ramp(len(breaks) + 1)], dtype=np.uint8)
    classes = np.searchsorted(np.asarray(breaks, dtype="float64"), values, side="left")
    classes = np.clip(classes, 0, len(palette) - 1)
    rgba = np.zeros((*values.shape, 4), dtype=np.uint8)
    rgba[..., :3] = palette[classes]
    shown = np.isfinite(values) & (values > 0)
    rgba[..., 3] = np.where(shown, ALPHA, 0)
    return rgba


@dataclass(frozen=True)
class DrawnGrid:
    """One grid layer drawn for a view: its name on the map and its image (None: not in view)."""

    layer: str
    name: str
    image: GridImage | None
    breaks: tuple[float, ...]


def draw_grids(
    frame: pd.DataFrame,
    data_dir: Path,
    view: Bounds,
    *,
    max_pixels: int = MAX_IMAGE_PIXELS,
) -> list[DrawnGrid]:
    """Draw every grid layer of ``frame`` (``population_raster`` features, with ``layer_id``)
    for the view: its ``total`` band, else its first. Breaks come from the whole band."""
    drawn = []
    bands = raster_bands(frame, data_dir)
    names = frame["name"].astype("string").fillna("").tolist()
    chosen: dict[str, tuple[RasterBand, str]] = {}
    for band, name in zip(bands, names, strict=True):
        held = chosen.get(band.layer)
        if held is None or (band.role.label == "total" and held[0].role.label != "total"):
            chosen[band.layer] = (band, name or f"Population grid ({band.role.label})")
    for layer, (band, name) in chosen.items():
        breaks = grid_breaks(band)
        image = render_band(band, view, breaks=breaks, max_pixels=max_pixels)
        drawn.append(DrawnGrid(layer, name, image, breaks))
    return drawn


def overlay(image: GridImage, name: str, *, show: bool = True) -> folium.FeatureGroup:
    """A layer-control entry holding the image (its name escaped here)."""
    group = folium.FeatureGroup(name=escape_text(name), overlay=True, control=True, show=show)
    west, south, east, north = image.bounds
    folium.raster_layers.ImageOverlay(
        image=image.rgba,
        bounds=[[south, west], [north, east]],
        opacity=OPACITY,
        interactive=False,
        cross_origin=False,
        zindex=1,
    ).add_to(group)
    return group


def legend(title: str, breaks: Sequence[float], *, overlay: str | None = None) -> Legend:
    """The grid's legend: one row per class (``up to 12``, ..., ``over 250``), escaped;
    hidden while the layer-control entry ``overlay`` (the grid's group) is switched off."""
    colours = _ramp(len(breaks) + 1)
    labels = [f"up to {_number(b)}" for b in breaks]
    labels.append(f"over {_number(breaks[-1])}" if breaks else "more than 0")
    rows = "".join(
        f'<div class="hs-legend-row"><span style="display:inline-block;width:14px;'
        f'height:14px;background:{c};margin-right:6px"></span>'
        f"<span>{escape_text(label)}</span></div>"
        for c, label in zip(colours, labels, strict=True)
    )
    note = '<div class="hs-legend-row"><span>0 or no data: not drawn</span></div>'
    head = f'<div class="hs-legend-title">{escape_text(title)}</div>'
    return Legend(head + rows + note, position="bottomleft", overlay=overlay)


def grid_layers(grids: Sequence[DrawnGrid]) -> list[tuple[folium.FeatureGroup, Legend]]:
    """Each grid drawn in view as a layer-control entry and the legend that follows it (the
    live map and the products name them alike)."""
    layers = []
    for grid in grids:
        if grid.image is None:
            continue
        group = overlay(grid.image, f"Population grid: {grid.name}")
        key = legend(f"{grid.name}: people per cell", grid.breaks, overlay=group.layer_name)
        layers.append((group, key))
    return layers


# --- helpers -----------------------------------------------------------------------------


def _read_window(
    source: rasterio.io.DatasetReader,
    band: RasterBand,
    area: Bounds,
    width: int,
    height: int,
) -> tuple[np.ndarray | None, rasterio.Affine | None]:
    """The cells under ``area``, read at about the image's resolution (overviews used)."""
    native = transform_bounds("EPSG:4326", source.crs, *area, densify_pts=21)
    window = window_from_bounds(*native, transform=source.transform)
    window = _clip(window, source.width, source.height)
    if window is None:
        return None, None
    factor = max(1.0, min(window.width / width, window.height / height))
    shape = (max(1, math.ceil(window.height / factor)), max(1, math.ceil(window.width / factor)))
    data = source.read(band.band, window=window, out_shape=shape, resampling=Resampling.average)
    cells = _valid(data, band.nodata).astype("float32")
    cells_transform = source.window_transform(window) @ rasterio.Affine.scale(
        window.width / shape[1], window.height / shape[0]
    )
    return cells, cells_transform


def _clip(window: Window, width: int, height: int) -> Window | None:
    col0 = max(0, math.floor(window.col_off))
    row0 = max(0, math.floor(window.row_off))
    col1 = min(width, math.ceil(window.col_off + window.width))
    row1 = min(height, math.ceil(window.row_off + window.height))
    if col1 <= col0 or row1 <= row0:
        return None
    return Window(col0, row0, col1 - col0, row1 - row0)


def _valid(data: np.ndarray, nodata: float | None) -> np.ndarray:
    """Cells as floats with nodata as NaN."""
    values = data.astype("float64")
    if nodata is not None:
        values[data == nodata] = np.nan
    return values


def _intersection(view: Bounds, footprint: Sequence[float]) -> Bounds | None:
    west = max(view[0], footprint[0])
    south = max(view[1], footprint[1], -MERCATOR_LIMIT)
    east = min(view[2], footprint[2])
    north = min(view[3], footprint[3], MERCATOR_LIMIT)
    if east <= west or north <= south:
        return None
    return (west, south, east, north)


def _image_size(target: Sequence[float], max_pixels: int) -> tuple[int, int]:
    span_x, span_y = target[2] - target[0], target[3] - target[1]
    scale = max_pixels / max(span_x, span_y)
    return max(1, round(span_x * scale)), max(1, round(span_y * scale))


def _ramp(count: int) -> list[str]:
    """``count`` colours spread over the ramp, light to dark."""
    if count >= len(RAMP):
        return list(RAMP)
    picks = np.linspace(0, len(RAMP) - 1, count).round().astype(int)
    return [RAMP[i] for i in picks]


def _rgb(colour_hex: str) -> tuple[int, int, int]:
    return (int(colour_hex[1:3], 16), int(colour_hex[3:5], 16), int(colour_hex[5:7], 16))


def _two_digits(value: float) -> float:
    if value == 0:
        return 0.0
    digits = 1 - math.floor(math.log10(abs(value)))
    return round(value, digits)


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 else f"{value:,.2g}"
