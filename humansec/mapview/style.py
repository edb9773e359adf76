"""One symbol and one colour per layer kind, as data (DESIGN.md section 5).

Colours come from the Okabe–Ito palette, which stays distinguishable with the common forms
of colour blindness; every kind also has its own shape, so colour is never the only cue.
The same table drives the map symbols (see ``runtime.py``) and the legend.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from humansec.escaping import escape_text
from humansec.model import KIND_SPECS, LayerKind

Shape = Literal[
    "circle", "dot", "square", "diamond", "cross", "triangle", "triangle_down", "pentagon",
    "x", "line",
]  # fmt: skip

# Okabe, M. and Ito, K. (2008), "Color Universal Design".
OKABE_ITO: Mapping[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}


@dataclass(frozen=True)
class KindStyle:
    """How features of one kind are drawn.

    ``shape`` is the point symbol (``line`` for kinds drawn as lines); ``radius`` its size
    in pixels; ``dash`` a Leaflet ``dashArray`` for outlines and lines (None: solid).
    """

    kind: LayerKind
    colour: str
    shape: Shape
    radius: float
    weight: float = 1.5
    fill_opacity: float = 0.85
    area_fill_opacity: float = 0.2
    dash: str | None = None
    outline: str | None = None

    @property
    def title(self) -> str:
        """The kind's title from the domain model (not escaped)."""
        return KIND_SPECS[self.kind].title

    def point_options(self) -> dict[str, object]:
        """Leaflet path options for the kind's point symbol."""
        round_shape = self.shape in {"circle", "dot"}
        outline = self.outline or ("#ffffff" if round_shape else self.colour)
        return {
            "shape": self.shape,
            "radius": self.radius,
            "color": outline,
            "weight": 1 if round_shape or self.outline else self.weight,
            "fillColor": self.colour,
            "fillOpacity": self.fill_opacity,
            "opacity": 1,
        }

    def path_options(self) -> dict[str, object]:
        """Leaflet path options for the kind's lines and polygons."""
        options: dict[str, object] = {
            "color": self.colour,
            "weight": 3 if self.shape == "line" else 2,
            "opacity": 0.9,
            "fillColor": self.colour,
            "fillOpacity": self.area_fill_opacity,
        }
        if self.dash is not None:
            options["dashArray"] = self.dash
        return options


KIND_STYLES: Mapping[LayerKind, KindStyle] = {
    LayerKind.POPULATION: KindStyle(LayerKind.POPULATION, OKABE_ITO["blue"], "circle", 7),
    LayerKind.CULTURAL: KindStyle(LayerKind.CULTURAL, OKABE_ITO["reddish_purple"], "diamond", 8),
    LayerKind.HUMANITARIAN_SITE: KindStyle(
        LayerKind.HUMANITARIAN_SITE, OKABE_ITO["bluish_green"], "cross", 8
    ),
    LayerKind.HUMANITARIAN_MOVEMENT: KindStyle(
        LayerKind.HUMANITARIAN_MOVEMENT, OKABE_ITO["sky_blue"], "line", 6, dash="8 6"
    ),
    LayerKind.INFRASTRUCTURE: KindStyle(
        LayerKind.INFRASTRUCTURE, OKABE_ITO["orange"], "triangle", 8
    ),
    LayerKind.INCIDENT: KindStyle(LayerKind.INCIDENT, OKABE_ITO["vermillion"], "dot", 4.5),
    LayerKind.ACTIVITY: KindStyle(
        LayerKind.ACTIVITY,
        OKABE_ITO["black"],
        "square",
        7,
        fill_opacity=0.25,
        area_fill_opacity=0.08,
        weight=2,
        dash="6 4",
    ),
    # Reference areas organise the map: a thin yellow outline, almost no fill (a choropleth of
    # their population is drawn separately, humansec/mapview/choropleth.py).
    LayerKind.AREA: KindStyle(
        LayerKind.AREA,
        OKABE_ITO["yellow"],
        "pentagon",
        7,
        fill_opacity=0.1,
        area_fill_opacity=0.03,
        weight=1,
    ),
    # Its features are the footprints of stored grids; the grids are drawn as images with a
    # ramp of their own (``raster_overlay``); this symbol is for lists that name every kind.
    LayerKind.POPULATION_RASTER: KindStyle(
        LayerKind.POPULATION_RASTER, OKABE_ITO["yellow"], "triangle_down", 7, area_fill_opacity=0.0
    ),
}


def shape_points(  # noqa: PLR0911 - one return per shape
    shape: Shape, radius: float
) -> list[tuple[float, float]] | None:
    """Vertices of a polygonal symbol centred on (0, 0) in pixels (y down); None for circles.

    Mirrors ``vertices`` in the map runtime so the legend shows what the map draws.
    """
    r = radius
    if shape == "square":
        s = r * 0.85
        return [(-s, -s), (s, -s), (s, s), (-s, s)]
    if shape == "diamond":
        return [(0, -r), (r, 0), (0, r), (-r, 0)]
    if shape == "triangle":
        return [(0, -r), (r * 0.9, r * 0.7), (-r * 0.9, r * 0.7)]
    if shape == "triangle_down":
        return [(0, r), (r * 0.9, -r * 0.7), (-r * 0.9, -r * 0.7)]
    if shape == "pentagon":
        return [
            (round(r * math.sin(a), 4), round(-r * math.cos(a), 4))
            for a in (2 * math.pi * i / 5 for i in range(5))
        ]
    if shape == "x":
        a, b = r * 0.8, r * 0.3
        return [
            (-a, -a + b), (-a + b, -a), (0, -b), (a - b, -a), (a, -a + b), (b, 0),
            (a, a - b), (a - b, a), (0, b), (-a + b, a), (-a, a - b), (-b, 0),
        ]  # fmt: skip
    if shape == "cross":
        a, b = r, r / 3
        return [
            (-b, -a), (b, -a), (b, -b), (a, -b), (a, b), (b, b),
            (b, a), (-b, a), (-b, b), (-a, b), (-a, -b), (-b, -b),
        ]  # fmt: skip
    return None


def legend_symbol_svg(style: KindStyle, *, size: int = 18) -> str:
    """Return an inline SVG (no namespace URL needed inside HTML) of the kind's symbol."""
    half = size / 2
    head = f'<svg width="{size}" height="{size}" viewBox="{-half} {-half} {size} {size}">'
    if style.shape == "line":
        dash = f' stroke-dasharray="{style.dash}"' if style.dash else ""
        body = (
            f'<line x1="{-half + 1}" y1="0" x2="{half - 1}" y2="0" stroke="{style.colour}" '
            f'stroke-width="3"{dash}/>'
        )
        return head + body + "</svg>"
    options = style.point_options()
    paint = (
        f'fill="{style.colour}" fill-opacity="{options["fillOpacity"]}" '
        f'stroke="{options["color"]}" stroke-width="{options["weight"]}"'
    )
    points = shape_points(style.shape, style.radius)
    if points is None:
        body = f'<circle cx="0" cy="0" r="{style.radius}" {paint}/>'
    else:
        coords = " ".join(f"{x:.2f},{y:.2f}" for x, y in points)
        body = f'<polygon points="{coords}" {paint}/>'
    return head + body + "</svg>"


def legend_html(kinds: list[LayerKind] | tuple[LayerKind, ...]) -> str:
    """Return the legend's HTML: one row per kind, symbol and escaped title."""
    rows = [
        f'<div class="hs-legend-row">{legend_symbol_svg(KIND_STYLES[kind])}'
        f"<span>{escape_text(KIND_STYLES[kind].title)}</span></div>"
        for kind in dict.fromkeys(kinds)
    ]
    return '<div class="hs-legend-title">Legend</div>' + "".join(rows)
