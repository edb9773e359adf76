"""One self-contained HTML document of a map product: works from disk, with no network.

The situation map (``humansec.mapview.build_situation_map``) is rendered with a placeholder
asset prefix; every ``<script src>`` and stylesheet link is then replaced by the file's
content, the stylesheets' images become ``data:`` URLs and the countries basemap is handed to
the runtime as a ``data:`` URL, so the document asks for nothing outside itself.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import json
import mimetypes
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import folium
import geopandas as gpd
import shapely
import shapely.geometry
from branca.element import Element, Figure
from jinja2 import Template

from humansec.errors import ConfigurationError
from humansec.escaping import escape_text
from humansec.export.furniture import (
    FURNITURE_CSS,
    Furniture,
    PrintFurniture,
    annex_html,
    banner_html,
    header_html,
    north_arrow_html,
    side_panel_html,
    sources_fit_script,
)
from humansec.export.mgrs_grid import mgrs_grid
from humansec.export.overlays import Overlay
from humansec.export.placenames import product_labels
from humansec.mapview import (
    DEFAULT_POINT_LIMIT,
    KindGroup,
    MapView,
    activity_status_groups,
    build_situation_map,
)
from humansec.mapview.aggregate import WORLD
from humansec.mapview.assets import BASEMAP_PATH, DRAW_CSS, DRAW_JS, VENDOR_DIR
from humansec.mapview.elements import CountriesBasemap, script_json
from humansec.model import KIND_SPECS, LayerKind
from humansec.settings import PROJECT_DIR

Mode = Literal["interactive", "print", "bare"]
DEFAULT_VENDOR_DIR = PROJECT_DIR / VENDOR_DIR
_PLACEHOLDER = "hsx-vendor:"
_SCRIPT = re.compile(r'<script src="hsx-vendor:/([^"]+)"></script>')
_LINK = re.compile(r'<link rel="stylesheet" href="hsx-vendor:/([^"]+)"\s*/?>')
_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")
_UNUSED = {DRAW_JS.path, DRAW_CSS.path}  # nothing is drawn on an exported map
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_JS_HEADER = re.compile(r"/\*(?:!|\s*@preserve|\n).*?\*/", re.DOTALL)
# Leaflet's attribution prefix links to its web site; an offline product links nowhere.
_LEAFLET_LINK = '<a href="https://leafletjs.com" title="A JavaScript library for interactive maps">'
# A printed map never pans: Leaflet's canvases need no margin beyond the view (the runtime
# asks for half the view each side, four times the pixels to draw, composite and print).
_PRINT_CANVAS = "<script>L.Canvas.addInitHook(function () { this.options.padding = 0; });</script>"
_TEXT_URLS = ("http://www.spatialillusions.com",)
"""URLs that vendored code holds only as text (milsymbol's version banner), never fetched."""
NAMESPACE_URLS: tuple[str, ...] = ("http://www.w3.org/2000/svg",)
"""XML namespace names in the inlined code: identifiers, never fetched."""


def _vendor_file(vendor_dir: Path, path: str) -> Path:
    file = (vendor_dir / path).resolve()
    if not file.is_file() or vendor_dir.resolve() not in file.parents:
        msg = (
            f"The map asset {path} is missing from {vendor_dir}; run `make setup` "
            "(scripts/build_assets.py) to vendor the map's JavaScript, CSS and basemap."
        )
        raise ConfigurationError(msg)
    return file


def data_url(data: bytes, mime: str) -> str:
    """``data:`` URL of ``data`` (base64)."""
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


def _inline_css(css: str, css_file: Path) -> str:
    def replace(match: re.Match[str]) -> str:
        target = match.group(2).strip()
        if target.startswith(("#", "data:")):
            return match.group(0)
        file = (css_file.parent / target).resolve()
        if not file.is_file():
            return "none"  # e.g. an SVG sprite that is not vendored: no request for it
        mime = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        return f"url({data_url(file.read_bytes(), mime)})"

    css = _CSS_COMMENT.sub("", css)  # comments cite bug trackers by URL
    return _CSS_URL.sub(replace, css).replace("</style", "<\\/style")


def _inline_js(code: str) -> str:
    # Licence headers (``/*!``, ``/* @preserve``, ``/*`` + newline) stay, their URLs
    # written so that nothing reads them as links.
    code = _JS_HEADER.sub(lambda m: m.group(0).replace("://", "[:]//"), code)
    for url in _TEXT_URLS:
        code = code.replace(url, url.replace("://", "[:]//"))
    code = code.replace(_LEAFLET_LINK, '<a title="A JavaScript library for interactive maps">')
    return code.replace("</script", "<\\/script")


def inline_assets(html: str, vendor_dir: Path = DEFAULT_VENDOR_DIR) -> str:
    """Replace the placeholder script and stylesheet links of ``html`` by the files' content."""

    def script(match: re.Match[str]) -> str:
        path = match.group(1)
        if path in _UNUSED:
            return ""
        code = _vendor_file(vendor_dir, path).read_text(encoding="utf-8")
        return "<script>" + _inline_js(code) + "</script>"

    def link(match: re.Match[str]) -> str:
        path = match.group(1)
        if path in _UNUSED:
            return ""
        file = _vendor_file(vendor_dir, path)
        return "<style>" + _inline_css(file.read_text(encoding="utf-8"), file) + "</style>"

    return _LINK.sub(link, _SCRIPT.sub(script, html))


@functools.lru_cache(maxsize=2)
def _basemap_shapes(path: Path) -> tuple[tuple[dict[str, Any], shapely.Geometry], ...]:
    """The basemap's countries, made valid once (``make_valid`` is the slow part of a clip)."""
    collection = json.loads(path.read_text(encoding="utf-8"))
    return tuple(
        (feature.get("properties") or {}, shapely.make_valid(shapely.geometry.shape(geometry)))
        for feature in collection["features"]
        if (geometry := feature.get("geometry"))
    )


def clipped_basemap(path: Path, bounds: tuple[float, float, float, float]) -> bytes:
    """The countries of the basemap GeoJSON at ``path`` clipped to ``bounds`` (WGS84) widened
    by half its size each side: a printed product never pans, and a smaller page draws faster.
    """
    west, south, east, north = bounds
    if west > east:  # across the antimeridian: keep the whole world
        return path.read_bytes()
    dx, dy = (east - west) / 2, (north - south) / 2
    area = shapely.box(max(west - dx, -180), max(south - dy, -90), min(east + dx, 180),
                       min(north + dy, 90))  # fmt: skip
    features = []
    for properties, geometry in _basemap_shapes(path):
        if not geometry.intersects(area):
            continue
        part = geometry.intersection(area)
        if not part.is_empty:
            geojson = shapely.geometry.mapping(part)
            features.append({"type": "Feature", "properties": properties, "geometry": geojson})
    return json.dumps({"type": "FeatureCollection", "features": features}).encode("utf-8")


def product_html(
    frames: Mapping[LayerKind, gpd.GeoDataFrame],
    furniture: Furniture,
    *,
    mode: Mode = "interactive",
    page_css: str = "",
    vendor_dir: Path = DEFAULT_VENDOR_DIR,
    point_limit: int | None = None,
    more_sources: str | None = None,
    map_px: tuple[int, int] | None = None,
    overlays: Sequence[Overlay] = (),
) -> str:
    """Return the whole product (map and furniture) as one self-contained HTML document.

    Printed modes never cluster or animate: every point is drawn where it is (or, above
    ``point_limit``, counted in hexagons). Planned activities that carry a ``status`` column
    (``product.with_status``) are drawn in their red/amber/green status colour.

    Parameters
    ----------
    frames
        The layers to draw (WGS84, EPSG:4326), already limited to the kinds shown.
    furniture
        Title, markings, DTG, legend kinds, sources, conflicts (``furniture.make_furniture``).
    mode
        ``interactive`` keeps the zoom and layer controls (HTML export); ``print`` hides them
        and adds a conflicts annex page for PDF; ``bare`` is ``print`` without banners and
        title (the picture of a slide that carries them as text).
    page_css
        Extra CSS, e.g. the page size (``--hsx-w``, ``--hsx-h``) set by the renderer.
    vendor_dir
        The vendored assets (``static/vendor``).
    point_limit
        Passed to the map builder (features in view above which hexagons are drawn, with a
        note beside the map).
    more_sources
        Where the sources that do not fit beside the map can be read (default by ``mode``:
        ``on the next page``, ``in the slide notes``, ``in the PDF product``).
    map_px
        The map's size on the page in CSS pixels (``placenames.map_size``), so that the
        names are placed for the zoom the page draws; default 1000x650 (interactive HTML).
    overlays
        Drawn under the kinds' layers with their legends (``overlays``: the population
        grids, the reference areas shaded by a measure, which then replace their outlines).

    """
    view = MapView(bounds=furniture.bounds, zoom=None)
    limit = DEFAULT_POINT_LIMIT if point_limit is None else point_limit
    fmap = _data_map(frames, view, limit, static=mode != "interactive", overlays=overlays)
    furniture = dataclasses.replace(
        furniture,
        notes=(*furniture.notes, *_map_notes(fmap, limit)),
        legends=(*furniture.legends, *((o.kind, o.legend_html) for o in overlays)),
        empty_kinds=tuple(k for k in furniture.kinds if k not in frames or frames[k].empty),
    )
    fmap.options["zoomSnap"] = 0.1  # fit the requested box closely, not to a whole zoom
    fmap.options["zoomDelta"] = 0.5
    basemap_file = _vendor_file(vendor_dir, BASEMAP_PATH)
    if mode != "interactive" and furniture.bounds is not None:
        basemap_data = clipped_basemap(basemap_file, furniture.bounds)
    else:
        basemap_data = basemap_file.read_bytes()
    basemaps = [c for c in fmap._children.values() if isinstance(c, CountriesBasemap)]
    for basemap in basemaps:
        basemap.url_json = script_json(data_url(basemap_data, "application/json"))
    mgrs_json = ""
    if furniture.grid == "mgrs" and furniture.bounds is not None:
        grid = mgrs_grid(furniture.bounds, margin=0.5)  # the map shows more than the box
        mgrs_json = script_json(grid.to_json())
    fmap.add_child(PrintFurniture(basemaps[0].get_name(), mgrs_json=mgrs_json))
    # After the grid: its labels are in place when the names are fitted around them.
    # The store's places only when their layer is shown: its marking is then the product's.
    population = frames.get(LayerKind.POPULATION)
    fmap.add_child(product_labels(population, view.bounds or WORLD, size=map_px))
    _layer_control_last(fmap)
    root = fmap.get_root()
    if not isinstance(root, Figure):  # pragma: no cover - folium maps live in a Figure
        msg = "The map is not inside a folium Figure."
        raise TypeError(msg)
    root.header.add_child(_Raw(f"<style>{FURNITURE_CSS}{page_css}</style>"), name="hsx_css")
    html_el = root.html
    html_el.add_child(_Raw(banner_html(furniture, "top")), name="hsx_banner_top")
    html_el.add_child(_Raw(header_html(furniture)), name="hsx_head")
    html_el.add_child(_Raw(north_arrow_html()), name="hsx_north")
    html_el.add_child(_Raw(side_panel_html(furniture)), name="hsx_side")
    html_el.add_child(_Raw(banner_html(furniture, "bottom")), name="hsx_banner_bottom")
    if mode == "print":
        html_el.add_child(_Raw(annex_html(furniture)), name="hsx_annex")
    if more_sources is None:
        more_sources = {"print": "on the next page", "bare": "in the slide notes"}.get(
            mode, "in the PDF product"
        )
    html_el.add_child(_Raw(sources_fit_script(more_sources)), name="hsx_fit")
    html = root.render()
    classes = "hsx hsx-print hsx-bare" if mode == "bare" else f"hsx hsx-{mode}"
    canvas = "" if mode == "interactive" else _PRINT_CANVAS  # Leaflet is loaded in <head>
    html = html.replace("<body>", f'<body class="{classes}">{canvas}', 1)
    title = f"<title>{_escape_title(furniture)}</title>"
    html = html.replace("<head>", "<head>" + title, 1)
    return inline_assets(html, vendor_dir)


def _data_map(
    frames: Mapping[LayerKind, gpd.GeoDataFrame],
    view: MapView,
    limit: int,
    *,
    static: bool,
    overlays: Sequence[Overlay],
) -> folium.Map:
    """The map with the layers of ``frames``: planned activities with a ``status`` in their
    status colours, ``overlays`` under the rest (a kind overlaid is not drawn again)."""
    activities = frames.get(LayerKind.ACTIVITY)
    by_status = activities is not None and "status" in activities.columns
    drawn = {
        k: f
        for k, f in frames.items()
        if not (by_status and k == LayerKind.ACTIVITY)
        and k not in {overlay.kind for overlay in overlays}
    }
    fmap = build_situation_map(
        drawn,
        view=view,
        asset_prefix=_PLACEHOLDER + "/",
        point_limit=limit,
        static=static,
        place_names=False,
    )
    if overlays:
        _under_kind_layers(fmap, [group for overlay in overlays for group in overlay.groups])
    if by_status and activities is not None and not activities.empty:
        for group in activity_status_groups(activities):
            fmap.add_child(group)
    _layer_control_last(fmap)
    return fmap


def _under_kind_layers(fmap: folium.Map, groups: list[folium.FeatureGroup]) -> None:
    """Add ``groups`` before the kinds' layers, so that those are drawn over them."""
    for group in groups:
        fmap.add_child(group)
    added = {group.get_name() for group in groups}
    children = list(fmap._children.items())
    first = next((i for i, (_, c) in enumerate(children) if isinstance(c, KindGroup)), None)
    if first is None:
        return
    ours = [item for item in children if item[0] in added]
    rest = [item for item in children if item[0] not in added]
    fmap._children.clear()
    fmap._children.update(rest[:first] + ours + rest[first:])


def _layer_control_last(fmap: folium.Map) -> None:
    """Move the layer control after the groups added since (its script names them)."""
    for name, child in list(fmap._children.items()):
        if isinstance(child, folium.LayerControl):
            del fmap._children[name]
            fmap._children[name] = child


def _map_notes(fmap: Any, limit: int) -> list[str]:  # noqa: ANN401 - a folium Map
    """Notes on the layers drawn as hexagons (too many features in view to draw each one)."""
    notes = []
    for child in fmap._children.values():
        if isinstance(child, KindGroup) and child.summary.mode == "hexagons":
            summary = child.summary
            notes.append(
                f"{KIND_SPECS[summary.kind].title}: {summary.in_view:,} features in view, more "
                f"than {limit:,}, so counted in {summary.drawn:,} hexagons."
            )
    return notes


def _escape_title(furniture: Furniture) -> str:
    return escape_text(f"{furniture.banner} | {furniture.title} | {furniture.dtg}")


class _Raw(Element):
    """A branca element that renders fixed, already escaped HTML (never as a template)."""

    _template = Template("{{ this.html }}")

    def __init__(self, html: str) -> None:
        super().__init__()
        self._name = "Raw"
        self.html = html
