"""Place names on the map, chosen on the server for the current view and zoom.

Candidates are the store's population centres and areas (points, or a point inside each
polygon, with their ``name`` and ``population``) and the built-in gazetteer
(``humansec.gazetteer``). They are placed greedily, largest population first: a label is kept
only when its box, estimated in screen pixels at the view's zoom, overlaps no label already
kept. So at every zoom the biggest places are named, smaller ones appear as the map zooms in,
and no two labels ever overlap. Labels are drawn as non-interactive text with a white halo
(``L.Humansec.labels`` in the runtime), in their own pane above the data, so they read over
any basemap and never take a click.

Coordinates are WGS84 (EPSG:4326) longitude/latitude degrees.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from jinja2 import Template

from humansec import gazetteer
from humansec.escaping import escape_text, is_missing
from humansec.mapview import aggregate
from humansec.mapview.aggregate import Bounds
from humansec.mapview.elements import script_json

MAX_LABELS = 150
"""At most this many labels in one view (the margin around the view included)."""
GAP_PX = 3.0
"""Smallest gap between two labels, in pixels."""
DOT_PX = 4.0
"""Room left of the text for the place's dot (the label starts this far left of its point)."""
SAME_PLACE_DEGREES = 0.1
"""A gazetteer place within this distance of a store place of the same name is that place."""
TILE_PX = 256

# Font sizes by population (CSS class, pixels, bold): cities larger and bold.
SIZE_CLASSES: tuple[tuple[int, str, float, bool], ...] = (
    (1_000_000, "xl", 15.0, True),
    (100_000, "l", 13.0, True),
    (20_000, "m", 12.0, False),
    (0, "s", 11.0, False),
)
# Advance widths as a share of the font size, on the generous side for common sans-serif
# faces (DejaVu Sans, Liberation Sans, Arial): an estimate too small would let labels overlap.
_NARROW = frozenset("iljtfrI.,;:!'|()[] ")
_WIDE = frozenset("mwMWÆŒæœ@%")


@dataclass(frozen=True)
class Label:
    """One placed label: the text (not escaped), where, its size class and box in pixels.

    ``box`` is ``(left, top, right, bottom)`` in world pixels at the zoom it was placed for;
    ``width``/``height`` its size; ``dot`` whether the label draws its own dot (places from the
    gazetteer, which have no symbol of their own on the map).
    """

    text: str
    lon: float
    lat: float
    population: int
    size: str
    bold: bool
    dot: bool
    box: tuple[float, float, float, float]

    @property
    def width(self) -> float:
        """Width of the label in pixels."""
        return self.box[2] - self.box[0]

    @property
    def height(self) -> float:
        """Height of the label in pixels."""
        return self.box[3] - self.box[1]


def world_pixel(lon: float, lat: float, zoom: float) -> tuple[float, float]:
    """Web Mercator pixel of a point at ``zoom`` (Leaflet's CRS, 256-pixel tiles).

    >>> world_pixel(0.0, 0.0, 1)
    (256.0, 256.0)
    """
    scale = TILE_PX * 2.0**zoom
    lat = max(min(lat, 85.0511), -85.0511)
    x = (lon + 180.0) / 360.0 * scale
    y = (1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * scale
    return x, y


def size_class(population: int) -> tuple[str, float, bool]:
    """The label's size class, font size in pixels and boldness for ``population``.

    >>> size_class(2_000_000), size_class(5000)
    (('xl', 15.0, True), ('s', 11.0, False))
    """
    for floor, name, font_px, bold in SIZE_CLASSES:
        if population >= floor:
            return name, font_px, bold
    return SIZE_CLASSES[-1][1:]  # pragma: no cover - the last floor is 0


def text_width(text: str, font_px: float, *, bold: bool = False) -> float:
    """Estimated width of ``text`` in pixels (generous: better a gap than an overlap).

    >>> text_width("Ełk", 12) < text_width("Warszawa", 12) < text_width("Warszawa", 12, bold=True)
    True
    """
    units = 0.0
    for char in text:
        if char in _NARROW:
            units += 0.38
        elif char in _WIDE:
            units += 0.98
        elif char.isupper():
            units += 0.78
        else:
            units += 0.64
    return units * font_px * (1.1 if bold else 1.0)


def label_box(
    lon: float, lat: float, text: str, *, zoom: float, font_px: float, bold: bool
) -> tuple[float, float, float, float]:
    """``(left, top, right, bottom)`` world pixels of a label whose point is at lon/lat.

    The text starts just right of the point and is centred on it vertically; a halo of
    2 pixels each side is included.
    """
    x, y = world_pixel(lon, lat, zoom)
    width = DOT_PX + 4.0 + text_width(text, font_px, bold=bold) + 4.0
    height = math.ceil(font_px * 1.3) + 4.0
    left = x - DOT_PX
    top = y - height / 2
    return (left, top, left + width, top + height)


@dataclass(frozen=True)
class Candidates:
    """Places that may get a label (parallel sequences)."""

    names: Sequence[str]
    lons: Sequence[float]
    lats: Sequence[float]
    populations: Sequence[int]
    from_store: Sequence[bool]


def store_candidates(population: gpd.GeoDataFrame | None, bounds: Bounds) -> Candidates:
    """The named population centres and areas of the store inside ``bounds`` (EPSG:4326).

    Polygons are labelled at a point inside them (``shapely.point_on_surface``).
    """
    if population is None or population.empty or "name" not in population.columns:
        return Candidates((), (), (), (), ())
    geoms = population.geometry.to_numpy()
    keep = aggregate.valid_mask(geoms) & aggregate.in_bounds_mask(geoms, bounds)
    keep &= population["name"].notna().to_numpy()
    frame = population[keep]
    points = shapely.point_on_surface(frame.geometry.to_numpy())
    lons, lats = shapely.get_x(points), shapely.get_y(points)
    pops = frame["population"] if "population" in frame.columns else pd.Series(0, frame.index)
    names, out_lons, out_lats, out_pops = [], [], [], []
    for name, lon, lat, pop in zip(frame["name"].tolist(), lons, lats, pops.tolist(), strict=True):
        text = str(name).strip()
        if not text:
            continue
        names.append(text)
        out_lons.append(float(lon))
        out_lats.append(float(lat))
        out_pops.append(0 if is_missing(pop) else int(pop))
    return Candidates(names, out_lons, out_lats, out_pops, [True] * len(names))


def merge_candidates(store: Candidates, places: gazetteer.Places) -> Candidates:
    """The store's places and the gazetteer's, without gazetteer places the store has too.

    A gazetteer place is the store's when a store place of the same name (case-insensitive)
    lies within ``SAME_PLACE_DEGREES``.
    """
    by_name: dict[str, list[tuple[float, float]]] = {}
    for name, lon, lat in zip(store.names, store.lons, store.lats, strict=True):
        by_name.setdefault(name.casefold(), []).append((lon, lat))
    names, lons, lats, pops = list(store.names), list(store.lons), list(store.lats), []
    pops = list(store.populations)
    sources = [True] * len(names)
    for name, lon, lat, pop in zip(
        places.names, places.lons.tolist(), places.lats.tolist(), places.populations.tolist(),
        strict=True,
    ):  # fmt: skip
        known = by_name.get(name.casefold(), ())
        if any(abs(lon - x) < SAME_PLACE_DEGREES and abs(lat - y) < SAME_PLACE_DEGREES
               for x, y in known):  # fmt: skip
            continue
        names.append(name)
        lons.append(lon)
        lats.append(lat)
        pops.append(pop)
        sources.append(False)
    return Candidates(names, lons, lats, pops, sources)


def declutter(candidates: Candidates, *, zoom: float, max_labels: int = MAX_LABELS) -> list[Label]:
    """Place labels greedily by population (store places first on a tie), never overlapping.

    Returns the labels kept, largest population first.

    >>> c = Candidates(["Big", "Small", "Far"], [22.0, 22.001, 23.0], [54.0, 54.0, 54.0],
    ...                [50_000, 1_000, 10], [False] * 3)
    >>> [label.text for label in declutter(c, zoom=8)]
    ['Big', 'Far']
    """
    order = sorted(
        range(len(candidates.names)),
        key=lambda i: (-candidates.populations[i], not candidates.from_store[i]),
    )
    cell = 64.0
    grid: dict[tuple[int, int], list[tuple[float, float, float, float]]] = {}
    kept: list[Label] = []
    for i in order:
        if len(kept) >= max_labels:
            break
        text, pop = candidates.names[i], int(candidates.populations[i])
        size, font_px, bold = size_class(pop)
        box = label_box(candidates.lons[i], candidates.lats[i], text, zoom=zoom,
                        font_px=font_px, bold=bold)  # fmt: skip
        padded = (box[0] - GAP_PX, box[1] - GAP_PX, box[2] + GAP_PX, box[3] + GAP_PX)
        cells = [
            (cx, cy)
            for cx in range(math.floor(padded[0] / cell), math.floor(padded[2] / cell) + 1)
            for cy in range(math.floor(padded[1] / cell), math.floor(padded[3] / cell) + 1)
        ]
        if any(_overlaps(padded, other) for c in cells for other in grid.get(c, ())):
            continue
        for c in cells:
            grid.setdefault(c, []).append(box)
        dot = not candidates.from_store[i]
        lon, lat = candidates.lons[i], candidates.lats[i]
        kept.append(Label(text, lon, lat, pop, size, bold, dot, box))
    return kept


def _overlaps(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place_labels(
    population: gpd.GeoDataFrame | None,
    bounds: Bounds,
    *,
    zoom: float,
    use_gazetteer: bool = True,
    max_labels: int = MAX_LABELS,
) -> list[Label]:
    """The labels of the view ``bounds`` (EPSG:4326) at ``zoom``: store places and gazetteer."""
    store = store_candidates(population, bounds)
    places = (
        gazetteer.places_in(bounds, zoom=zoom, limit=40 * max_labels)
        if use_gazetteer
        else gazetteer.Places((), np.zeros(0), np.zeros(0), np.zeros(0, dtype=np.int64))
    )
    return declutter(merge_candidates(store, places), zoom=zoom, max_labels=max_labels)


class LabelLayer(folium.MacroElement):
    """The labels as one non-interactive layer (``L.Humansec.labels`` in the runtime).

    Each row is ``[lat, lon, escaped text, size class, dot, width, height]``; ``zoom`` and
    ``bounds`` are the zoom and area they were placed for (kept on the map as
    ``_hsLabelView``, so a test knows which view the labels drawn belong to). With ``fit`` the
    browser hides, at every zoom and pan, each label that overlaps one before it, a control or
    the map's edge, measured as drawn (``L.Humansec.fitLabels``): for maps whose labels are
    not placed again by the server for each view (products, the Planned activities map).
    On the live map they are drawn once its first view has painted
    (``L.Humansec.afterPaint``); in products at once.
    """

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "(function (group) {"
        "L.Humansec.afterPaint(group, function () {"
        "L.Humansec.labels({{ this.rows_json }}, {{ this.view_json }}).addTo(group);"
        "});"
        "})({{ this._parent.get_name() }});"
        "{% endmacro %}"
    )

    def __init__(
        self, labels: Sequence[Label], zoom: float, bounds: Bounds, *, fit: bool = False
    ) -> None:
        super().__init__()
        self._name = "LabelLayer"
        self.labels = list(labels)
        self.zoom = float(zoom)
        view: dict[str, object] = {"zoom": self.zoom, "bounds": [round(v, 6) for v in bounds]}
        if fit:
            view["fit"] = True
        self.view_json = script_json(view)
        self.rows_json = script_json([_row(label) for label in self.labels])


def _row(label: Label) -> list[object]:
    return [
        round(label.lat, 5),
        round(label.lon, 5),
        escape_text(label.text),
        label.size,
        label.dot,
        math.ceil(label.width),
        math.ceil(label.height),
    ]


class LabelGroup(folium.FeatureGroup):
    """The "Place names" overlay; ``labels`` holds what it draws."""

    def __init__(
        self, labels: Sequence[Label], zoom: float, bounds: Bounds, *, fit: bool = False
    ) -> None:
        super().__init__(name="Place names", overlay=True, control=True, show=True)
        self.labels = list(labels)
        self.zoom = zoom
        self.bounds = bounds
        self.add_child(LabelLayer(self.labels, zoom, bounds, fit=fit))


def label_group(
    population: gpd.GeoDataFrame | None,
    *,
    bounds: Bounds,
    zoom: float,
    use_gazetteer: bool = True,
    margin: float = 0.25,
    fit: bool = False,
    max_labels: int = MAX_LABELS,
) -> LabelGroup:
    """The "Place names" group of the view ``bounds`` (EPSG:4326) widened by ``margin``.

    ``fit``: decluttered again in the browser as drawn, at every zoom (see ``LabelLayer``).
    """
    wide = aggregate.widen(bounds, margin)
    placed = place_labels(
        population, wide, zoom=zoom, use_gazetteer=use_gazetteer, max_labels=max_labels
    )
    return LabelGroup(placed, zoom, wide, fit=fit)
