"""Place names on a briefing product: placed for the view and zoom the page will draw.

A product's map is fitted to its box by Leaflet at a fractional zoom that depends on the
size of the map on the page (the page size less the side panel, banners and title). The
labels are placed on the server (``humansec.mapview.labels``: the store's population centres
and areas and the built-in gazetteer, largest first, never overlapping) for that zoom and for
the area the page shows, then checked again in the page as drawn
(``L.Humansec.fitLabels``): a name that overlaps another, a control, the grid labels or the
north arrow, or is cut by the map's edge, is hidden before the page says it is ready. Labels
live inside the map, so they never cover the banners, the title or the side panel.

The store's places are named only when the population layer is in the product: its marking
and source are then the product's. Otherwise the gazetteer (public GeoNames data) names them.

Coordinates are WGS84 (EPSG:4326) degrees; sizes are CSS pixels.
"""

from __future__ import annotations

import math

import geopandas as gpd

from humansec.export.render import PageSize
from humansec.mapview import labels
from humansec.mapview.aggregate import Bounds

SIDE_PX = 300
"""Width of the side panel beside the map (``--hsx-side`` in ``FURNITURE_CSS``)."""
CHROME_PX = 88
"""Height of the two banners and the title row above and below the map."""
DEFAULT_MAP_PX = (1000, 650)
"""The map's size when the page's is not known (an interactive HTML in any window)."""
MARGIN = 0.05
"""Labels are placed for the area shown widened by this share (estimates are not exact)."""
MAX_ZOOM = 18.0


def map_size(page: PageSize, *, bare: bool = False) -> tuple[int, int]:
    """The map's width and height in CSS pixels on ``page`` (``bare``: without banners and
    title, the picture of a slide).

    >>> from humansec.export.render import SIZES
    >>> map_size(SIZES["slide"]), map_size(SIZES["slide"], bare=True)
    ((980, 632), (980, 720))
    """
    chrome = 0 if bare else CHROME_PX
    return (max(page.css_width - SIDE_PX, 100), max(page.css_height - chrome, 100))


def fit_zoom(bounds: Bounds, size: tuple[int, int]) -> float:
    """The zoom (a multiple of 0.1, as the product map snaps) at which ``bounds`` fills a map
    of ``size`` pixels: what Leaflet's ``fitBounds`` chooses.

    >>> box = (22.0, 53.5, 24.0, 54.5)
    >>> fit_zoom(box, (980, 632)), fit_zoom(box, (600, 400))
    (9.0, 8.3)
    """
    west, south, east, north = bounds
    east = east + 360 if west > east else east
    left, top = labels.world_pixel(west, north, 0)
    right, bottom = labels.world_pixel(east, south, 0)
    scales = [px / extent for px, extent in zip(size, (right - left, bottom - top), strict=True)
              if extent > 1e-12]  # fmt: skip
    if not scales:
        return MAX_ZOOM
    zoom = math.log2(min(scales))
    return min(max(math.floor(zoom * 10 + 1e-6) / 10, 0.0), MAX_ZOOM)


def shown_bounds(bounds: Bounds, zoom: float, size: tuple[int, int]) -> Bounds:
    """The area a map of ``size`` pixels centred on ``bounds`` shows at ``zoom`` (WGS84).

    >>> [round(v, 2) for v in shown_bounds((22.0, 53.5, 24.0, 54.5), 9.0, (980, 632))]
    [21.65, 53.49, 24.35, 54.51]
    """
    west, south, east, north = bounds
    east = east + 360 if west > east else east
    scale = labels.TILE_PX * math.pow(2.0, zoom)
    left, top = labels.world_pixel(west, north, zoom)
    right, bottom = labels.world_pixel(east, south, zoom)
    cx, cy = (left + right) / 2, (top + bottom) / 2
    half_w, half_h = size[0] / 2, size[1] / 2

    def lon(x: float) -> float:  # wrapped into [-180, 180)
        return (x / scale * 360.0) % 360.0 - 180.0

    def lat(y: float) -> float:
        y = min(max(y, 0.0), scale)
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / scale))))

    if size[0] >= scale:
        return (-180.0, lat(cy + half_h), 180.0, lat(cy - half_h))
    return (lon(cx - half_w), lat(cy + half_h), lon(cx + half_w), lat(cy - half_h))


def product_labels(
    population: gpd.GeoDataFrame | None,
    bounds: Bounds,
    *,
    size: tuple[int, int] | None = None,
) -> labels.LabelGroup:
    """The "Place names" layer of a product of ``bounds`` (WGS84) whose map is ``size`` CSS
    pixels: the store's ``population`` places and the gazetteer's, placed for the zoom and
    area the page draws, and fitted again in the page as drawn.
    """
    size = size or DEFAULT_MAP_PX
    zoom = fit_zoom(bounds, size)
    area = shown_bounds(bounds, zoom, size)
    return labels.label_group(population, bounds=area, zoom=zoom, margin=MARGIN, fit=True)
