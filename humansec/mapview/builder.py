"""The situation map: a base map that stays, and one feature group per layer kind.

The page builds the base map (basemap, optional tiles, legend, scale) and hands the data layers
to streamlit-folium's ``feature_group_to_add``, so panning or filtering redraws the data layers
without rebuilding the map. Every frame is in WGS84 (EPSG:4326); another CRS is refused.

Only features inside the current view (plus a margin) are sent. A kind with more than
``point_limit`` features there is drawn as H3 hexagons with counts, sized for the zoom; the
individual, clickable features appear once the view is small enough (DESIGN.md section 8).
Place names for the view come from ``build_label_group`` (``labels.py``), symbols per focus
area and APP-6 codes from ``symbols.py``, popup text from ``popups.py``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from humansec import gazetteer
from humansec.errors import SchemaError
from humansec.escaping import escape_text
from humansec.mapview import aggregate, labels, popups
from humansec.mapview import symbols as symbols_mod
from humansec.mapview.aggregate import Bounds
from humansec.mapview.assets import (
    BASEMAP_PATH,
    COARSE_BASEMAP_PATH,
    LIVE_MAP_JS,
    MAP_CSS,
    MAP_JS,
    MILSYMBOL_JS,
    PACKED_SUFFIX,
    asset_url,
    links,
)
from humansec.mapview.elements import (
    CountriesBasemap,
    HeatLayer,
    KindLayer,
    LazySymbols,
    Legend,
    Runtime,
    safe_json_text,
    script_json,
)
from humansec.mapview.page_change import StopReportsOnPageChange
from humansec.mapview.style import KIND_STYLES, KindStyle
from humansec.model import KIND_SPECS, VECTOR_KINDS, LayerKind

DEFAULT_POINT_LIMIT = 5000
"""More features of one kind than this in the view: draw hexagons instead."""
CLUSTER_THRESHOLD = 200
"""More points of one kind than this: cluster them (leaflet.markercluster)."""
HEAT_POINT_LIMIT = 20_000
"""More incidents than this for the heat map: send binned weights instead of points."""
VIEW_MARGIN = 0.25
"""Features this far (a fraction of the view's size) outside the view are sent too."""
MAX_HEXAGONS = 5000
MIN_ZOOM, MAX_ZOOM = 2, 19
COORDINATE_DECIMALS = 5  # about 1 m
BASEMAP_ATTRIBUTION = "Countries: Natural Earth (public domain), via world-atlas"
# A sequential ramp (Tol's "YlOrBr") that stays readable in colour-blind vision and in grey.
HEAT_GRADIENT = {
    "0.0": "#FFF7BC", "0.25": "#FEC44F", "0.5": "#FB9A29", "0.75": "#CC4C02", "1.0": "#662506",
}  # fmt: skip

Mode = Literal["features", "hexagons", "heat", "empty"]


@dataclass(frozen=True)
class MapView:
    """What the page knows of the current view.

    ``bounds`` is ``(west, south, east, north)`` in degrees, or None for the data extent;
    ``zoom`` the Leaflet zoom, or None to derive it from the bounds.
    """

    bounds: Bounds | None
    zoom: int | None

    @classmethod
    def from_component(cls, value: Mapping[str, Any] | None) -> MapView:
        """Read the view from streamlit-folium's returned value (``bounds`` and ``zoom``).

        Missing or partial values (before the map first reports) give ``MapView(None, None)``.

        >>> MapView.from_component({"zoom": 7, "bounds": {
        ...     "_southWest": {"lat": 44, "lng": 22}, "_northEast": {"lat": 52, "lng": 40}}})
        MapView(bounds=(22.0, 44.0, 40.0, 52.0), zoom=7)
        """
        value = value or {}
        zoom = value.get("zoom")
        zoom_level = int(zoom) if isinstance(zoom, int | float) and math.isfinite(zoom) else None
        bounds = value.get("bounds") or {}
        try:
            south_west, north_east = bounds["_southWest"], bounds["_northEast"]
            raw = (
                float(south_west["lng"]),
                float(south_west["lat"]),
                float(north_east["lng"]),
                float(north_east["lat"]),
            )
        except (KeyError, TypeError, ValueError):
            return cls(bounds=None, zoom=zoom_level)
        if not all(math.isfinite(v) for v in raw) or raw[3] <= raw[1] or raw[2] == raw[0]:
            return cls(bounds=None, zoom=zoom_level)
        return cls(bounds=aggregate.normalise_bounds(raw), zoom=zoom_level)

    def snapped(self) -> MapView:
        """The view with its bounds widened to the tile grid of its zoom.

        Panning by a few pixels then gives the same view, so the layers built for it can be
        reused (the layers carry a margin around the view anyway).

        >>> MapView((22.1, 44.2, 39.9, 52.4), 6).snapped()
        MapView(bounds=(16.875, 39.375, 45.0, 56.25), zoom=6)
        """
        if self.bounds is None or self.zoom is None:
            return self
        step = 360.0 / 2**self.zoom
        west, south, east, north = self.bounds
        snapped = (
            math.floor(west / step) * step,
            max(-90.0, math.floor(south / step) * step),
            math.ceil(east / step) * step,
            min(90.0, math.ceil(north / step) * step),
        )
        if west > east or snapped[2] - snapped[0] >= 360:  # across the antimeridian: keep
            return self
        return MapView(bounds=snapped, zoom=self.zoom)


@dataclass(frozen=True)
class LayerSummary:
    """What one kind's layer holds: counts of features given, dropped, in view, drawn."""

    kind: LayerKind
    total: int
    dropped: int
    in_view: int
    drawn: int
    mode: Mode
    resolution: int | None = None


class KindGroup(folium.FeatureGroup):
    """A FeatureGroup for one kind, carrying the ``summary`` of what it draws."""

    def __init__(self, name: str, summary: LayerSummary) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self.summary = summary


def build_base_map(
    *,
    center: tuple[float, float],
    zoom: int,
    asset_prefix: str,
    tile_url: str | None = None,
    tile_attribution: str = "",
    kinds_shown: Sequence[LayerKind],
    heatmap: bool = False,
    basemap: folium.MacroElement | None = None,
    live: bool = False,
) -> folium.Map:
    """Return the map without data: countries basemap, optional tiles, legend, scale bar.

    Parameters
    ----------
    center
        ``(latitude, longitude)`` of the first view, as folium takes it.
    zoom
        First zoom level.
    asset_prefix
        URL prefix of ``static/vendor/`` (``assets.STREAMLIT_ASSET_PREFIX`` in the app).
    tile_url, tile_attribution
        An optional XYZ tile server drawn above the countries (e.g. a local MBTiles server).
    kinds_shown
        One legend row per kind, in this order (incidents: one per focus area).
    heatmap
        Incidents are drawn as a heat map: the legend shows its colour ramp instead.
    basemap
        An optional basemap package drawn above the countries
        (``basemap_layer.PackageBasemap``).
    live
        The app's own map (streamlit-folium): the plugins come as one bundle, the countries
        as a light version first, and milsymbol after the first paint (the first drawn map
        sooner; benchmarks/README.md, issue 10); it reports nothing once the user has clicked
        another page (``page_change``). Exports leave it off: they inline ``MAP_JS`` and hand
        the countries over themselves.

    """
    fmap = folium.Map(
        location=list(center),
        zoom_start=zoom,
        tiles=None,
        control_scale=False,
        prefer_canvas=True,
        attribution_control=True,
        # No tile layer sets the zoom range, and leaflet.markercluster needs one.
        maxZoom=MAX_ZOOM,
        minZoom=MIN_ZOOM,
    )
    # Only local files: no CDN, no jQuery/bootstrap/font-awesome (set on this instance only).
    fmap.default_js = links(LIVE_MAP_JS if live else MAP_JS, asset_prefix)
    fmap.default_css = links(MAP_CSS, asset_prefix)
    fmap.add_child(Runtime())
    coarse = asset_url(COARSE_BASEMAP_PATH, asset_prefix) if live else None
    basemap_url = asset_url(BASEMAP_PATH, asset_prefix)
    packed = PACKED_SUFFIX if live else None
    fmap.add_child(CountriesBasemap(basemap_url, coarse_url=coarse, packed=packed))
    if live:
        fmap.add_child(StopReportsOnPageChange())  # before any other wrapper of the reports
        fmap.add_child(LazySymbols(asset_url(MILSYMBOL_JS, asset_prefix), packed=packed))
    if basemap is not None:
        fmap.add_child(basemap)
    attribution = escape_text(BASEMAP_ATTRIBUTION)
    if tile_url:
        folium.TileLayer(
            tiles=tile_url,
            attr=escape_text(tile_attribution) or "Tiles",
            name="Tiles",
            overlay=False,
            control=False,
        ).add_to(fmap)
    fmap.add_child(_Attribution(attribution))
    fmap.add_child(_Attribution(escape_text(gazetteer.ATTRIBUTION)))  # the place names
    fmap.add_child(_ScaleBar())
    gradient = HEAT_GRADIENT if heatmap else None
    fmap.add_child(Legend(symbols_mod.map_legend_html(list(kinds_shown), heat_gradient=gradient)))
    return fmap


def build_data_layers(
    frames: Mapping[LayerKind, gpd.GeoDataFrame],
    *,
    view: MapView,
    heatmap: bool = False,
    point_limit: int = DEFAULT_POINT_LIMIT,
    static: bool = False,
) -> list[KindGroup]:
    """Return one FeatureGroup per kind present in ``frames`` (WGS84), in model order.

    Missing or empty frames give no group. NaN/inf, out-of-range or empty geometries are
    dropped and counted (``group.summary.dropped``). With ``heatmap`` the incidents are drawn
    as a heat map. ``static`` (printed products) never clusters points.
    """
    for kind, frame in frames.items():
        _check_frame(kind, frame)
    groups = []
    for kind in VECTOR_KINDS:  # grids are drawn as images (``raster_overlay``)
        frame = frames.get(kind)
        if frame is None or len(frame) == 0:
            continue
        groups.append(
            _build_group(
                kind, frame, view=view, heatmap=heatmap and kind == LayerKind.INCIDENT,
                point_limit=point_limit, static=static,
            )
        )  # fmt: skip
    return groups


def build_label_group(
    population: gpd.GeoDataFrame | None,
    *,
    view: MapView,
    fallback_bounds: Bounds | None = None,
    use_gazetteer: bool = True,
    fit: bool = False,
    max_labels: int = labels.MAX_LABELS,
) -> labels.LabelGroup:
    """The "Place names" layer for ``view``: the store's ``population`` places (WGS84) and the
    gazetteer's, decluttered at the view's zoom (``labels.py``).

    Without bounds in ``view`` the labels are placed for ``fallback_bounds`` (else the
    population's extent, else the world) at the zoom that fits it. ``fit``: the browser
    declutters them again as drawn at every zoom (a map the server does not redraw per view).
    """
    if population is not None:
        _check_frame(LayerKind.POPULATION, population)
    bounds = view.bounds or fallback_bounds
    if bounds is None and population is not None:
        bounds = data_bounds({LayerKind.POPULATION: population})
    bounds = bounds or aggregate.WORLD
    zoom = view.zoom if view.zoom is not None else aggregate.zoom_for_bounds(bounds)
    return labels.label_group(
        population, bounds=bounds, zoom=zoom, use_gazetteer=use_gazetteer, margin=VIEW_MARGIN,
        fit=fit, max_labels=max_labels,
    )  # fmt: skip


def build_layer_control() -> folium.LayerControl:
    """Return the layer control, collapsed so that it does not hide the map (legend stays)."""
    return folium.LayerControl(position="topright", collapsed=True)


def build_situation_map(
    frames: Mapping[LayerKind, gpd.GeoDataFrame],
    *,
    view: MapView,
    asset_prefix: str,
    tile_url: str | None = None,
    tile_attribution: str = "",
    heatmap: bool = False,
    point_limit: int = DEFAULT_POINT_LIMIT,
    place_names: bool = True,
    static: bool = False,
) -> folium.Map:
    """Return one map holding everything: base map, data layers, place names, layer control.

    The view's bounds (or, when None, the extent of the data) frame the map. ``static``
    (printed products): no clustering and no zoom or fade animations.
    """
    groups = build_data_layers(
        frames, view=view, heatmap=heatmap, point_limit=point_limit, static=static
    )
    bounds = view.bounds or data_bounds(frames) or aggregate.WORLD
    west, south, east, north = bounds
    zoom = view.zoom if view.zoom is not None else aggregate.zoom_for_bounds(bounds)
    center_lon = (west + ((east - west) % 360 if west > east else east - west) / 2 + 180) % 360
    fmap = build_base_map(
        center=((south + north) / 2, center_lon - 180),
        zoom=zoom,
        asset_prefix=asset_prefix,
        tile_url=tile_url,
        tile_attribution=tile_attribution,
        kinds_shown=[group.summary.kind for group in groups],
        heatmap=heatmap,
    )
    for group in groups:
        group.add_to(fmap)
    if place_names:
        build_label_group(frames.get(LayerKind.POPULATION), view=MapView(bounds, zoom)).add_to(fmap)
    build_layer_control().add_to(fmap)
    if static:
        fmap.options.update(zoomAnimation=False, fadeAnimation=False, markerZoomAnimation=False)
    if view.zoom is None:
        fmap.fit_bounds([[south, west], [north, east]])
    return fmap


# --- helpers -----------------------------------------------------------------------------


class _ScaleBar(folium.MacroElement):
    _template = folium.template.Template(
        "{% macro script(this, kwargs) %}"
        "L.control.scale({imperial: false, position: 'bottomleft'})"
        ".addTo({{ this._parent.get_name() }});"
        "{% endmacro %}"
    )


class _Attribution(folium.MacroElement):
    _template = folium.template.Template(
        "{% macro script(this, kwargs) %}"
        "{{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.text_json }});"
        "{% endmacro %}"
    )

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text_json = script_json(text)


def _check_frame(kind: LayerKind, frame: object) -> None:
    if not isinstance(frame, gpd.GeoDataFrame):
        msg = f"The {kind} layer must be a GeoDataFrame, got {type(frame).__name__}."
        raise SchemaError(msg)
    crs = frame.crs
    if crs is None or crs.to_epsg() != 4326:
        msg = (
            f"The map draws layers in WGS84 (EPSG:4326); the {kind} layer is in {crs!s}. "
            "Reproject it first (GeoDataFrame.to_crs('EPSG:4326'))."
        )
        raise SchemaError(msg)


def data_bounds(frames: Mapping[LayerKind, gpd.GeoDataFrame]) -> Bounds | None:
    """West, south, east, north of every drawable geometry in ``frames``, or None."""
    boxes = []
    for frame in frames.values():
        geoms = frame.geometry.to_numpy()
        good = geoms[aggregate.valid_mask(geoms)]
        if len(good):
            boxes.append(shapely.total_bounds(good))
    if not boxes:
        return None
    stacked = np.vstack(boxes)
    west, south = stacked[:, 0].min(), stacked[:, 1].min()
    east, north = stacked[:, 2].max(), stacked[:, 3].max()
    if east - west < 1e-6 or north - south < 1e-6:  # one point: show some surroundings
        west, east, south, north = west - 0.05, east + 0.05, south - 0.05, north + 0.05
    return (float(west), float(south), float(east), float(north))


def _build_group(
    kind: LayerKind,
    frame: gpd.GeoDataFrame,
    *,
    view: MapView,
    heatmap: bool,
    point_limit: int,
    static: bool = False,
) -> KindGroup:
    style = KIND_STYLES[kind]
    geoms = frame.geometry.to_numpy()
    valid = aggregate.valid_mask(geoms)
    dropped = int((~valid).sum())
    if view.bounds is not None:
        valid &= aggregate.in_bounds_mask(geoms, aggregate.widen(view.bounds, VIEW_MARGIN))
    shown = frame[valid]
    in_view = len(shown)
    bounds = view.bounds or data_bounds({kind: shown}) or aggregate.WORLD
    zoom = view.zoom if view.zoom is not None else aggregate.zoom_for_bounds(bounds)
    latitude = (bounds[1] + bounds[3]) / 2
    element: folium.MacroElement | None
    resolution = None
    if in_view == 0:
        mode: Mode = "empty"
        element, drawn = None, 0
    elif heatmap:
        mode = "heat"
        element, drawn = _heat_element(shown, zoom, latitude), in_view
    elif in_view > point_limit:
        mode = "hexagons"
        resolution = aggregate.h3_resolution(zoom, latitude)
        element, drawn, resolution = _hexagon_element(kind, shown, resolution)
    else:
        mode = "features"
        element, drawn = feature_element(kind, shown, cluster=False if static else None), in_view
    summary = LayerSummary(kind, len(frame), dropped, in_view, drawn, mode, resolution)
    suffix = {"hexagons": ", in hexagons", "heat": ", heat map"}.get(mode, "")
    name = f"{escape_text(style.title)} ({in_view:,}{suffix})"
    group = KindGroup(name, summary)
    if element is not None:
        group.add_child(element)
    return group


def _layer_meta(
    kind: LayerKind,
    fields: list[str],
    *,
    cluster: bool,
    note: str = "",
    style: KindStyle | None = None,
    title: str | None = None,
) -> dict[str, Any]:
    style = style or KIND_STYLES[kind]
    return {
        "kind": str(kind),
        "title": escape_text(title or style.title),
        "fields": [escape_text(name) for name in fields],
        "note": escape_text(note),
        "point": style.point_options(),
        "path": style.path_options(),
        "cluster": cluster,
    }


def feature_element(
    kind: LayerKind,
    frame: gpd.GeoDataFrame,
    *,
    style: KindStyle | None = None,
    title: str | None = None,
    extra_fields: Sequence[str] = (),
    cluster: bool | None = None,
    symbols: bool = True,
) -> KindLayer:
    """One canvas layer of ``frame``'s features with popups of the kind's fields.

    ``style`` and ``title`` replace the kind's own (e.g. activities coloured by status);
    ``extra_fields`` are shown in the popups before the kind's fields. Incidents get the
    symbol of their focus area; activities (unless ``symbols`` is False, e.g. for hazard
    areas) an APP-6 symbol filled with ``style``'s colour (``symbols.py``).
    """
    spec = KIND_SPECS[kind]
    geometry_name = frame.geometry.name
    names = (*extra_fields, *spec.field_names)
    fields = [name for name in dict.fromkeys(names) if name in frame.columns]
    fields = popups.shown_fields([name for name in fields if name != geometry_name])
    columns = popups.popup_columns(frame, fields)
    columns += popups.location_columns(frame.geometry.to_numpy())
    labels_shown = [popups.field_label(name) for name in fields] + list(popups.LOCATION_LABELS)
    extra_props = _symbol_properties(kind, frame, symbols=symbols)
    label_source = frame["name"] if "name" in frame.columns else pd.Series(None, frame.index)
    ids = frame["id"] if "id" in frame.columns else pd.Series(None, frame.index)
    labels = [
        escape_text(label if escape_text(label) else fallback)
        for label, fallback in zip(label_source.tolist(), ids.tolist(), strict=True)
    ]
    geoms = shapely.transform(frame.geometry.to_numpy(), lambda c: np.round(c, COORDINATE_DECIMALS))
    geojson = shapely.to_geojson(geoms)
    parts = []
    for row, geometry in enumerate(geojson):
        values = [column[row] for column in columns]
        while values and values[-1] == "":
            values.pop()
        record: dict[str, object] = {"t": labels[row], "v": values}
        for key, column in extra_props.items():
            record[key] = column[row]
        props = json.dumps(record, separators=(",", ":"), ensure_ascii=False)
        parts.append(f'{{"type":"Feature","geometry":{geometry},"properties":{props}}}')
    data = safe_json_text('{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}")
    points = int(np.isin(shapely.get_type_id(geoms), (0, 4)).sum())
    clustered = points > CLUSTER_THRESHOLD if cluster is None else cluster
    meta = _layer_meta(kind, labels_shown, cluster=clustered, style=style, title=title)
    if kind == LayerKind.INCIDENT:
        meta["styles"] = [focus.point_options() for focus in symbols_mod.FOCUS_STYLES.values()]
        # Clusters mix focus areas: a neutral colour, not the red of an activity's status.
        meta["point"] = {**meta["point"], "fillColor": symbols_mod.CLUSTER_COLOUR}
    if "sidc" in extra_props:
        fill = style.colour if style is not None else symbols_mod.UNCHECKED_COLOUR
        meta["milsymbol"] = {"fill": escape_text(fill), "size": symbols_mod.SYMBOL_SIZE}
    return KindLayer(data, meta)


def _symbol_properties(
    kind: LayerKind, frame: gpd.GeoDataFrame, *, symbols: bool
) -> dict[str, list[Any]]:
    """Per-feature symbol keys: ``s`` (focus-area symbol of incidents), ``sidc`` (APP-6)."""
    if kind == LayerKind.INCIDENT:
        focus = (
            frame["focus_area"]
            if "focus_area" in frame.columns
            else pd.Series(None, frame.index, dtype=object)
        )
        return {"s": symbols_mod.focus_index(focus).tolist()}
    if kind == LayerKind.ACTIVITY and symbols:
        types = frame["type"] if "type" in frame.columns else pd.Series(None, frame.index)
        return {"sidc": [escape_text(symbols_mod.sidc_for(t)) for t in types.tolist()]}
    return {}


def _hexagon_element(
    kind: LayerKind, frame: gpd.GeoDataFrame, resolution: int
) -> tuple[KindLayer, int, int]:
    lons, lats = aggregate.representative_points(frame.geometry.to_numpy())
    cells, counts, used = aggregate.hexbin(lons, lats, resolution, max_cells=MAX_HEXAGONS)
    title = KIND_STYLES[kind].title
    top = math.log1p(int(counts.max()))
    features = []
    for cell, count in zip(cells, counts.tolist(), strict=True):
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [aggregate.hex_ring(cell)]},
                "properties": {
                    "t": escape_text(f"{count:,} × {title}"),
                    "v": [escape_text(f"{count:,}")],
                    "fo": round(0.2 + 0.6 * math.log1p(count) / top, 3) if top else 0.5,
                },
            }
        )
    data = json.dumps(
        {"type": "FeatureCollection", "features": features},
        separators=(",", ":"),
        ensure_ascii=False,
    )
    meta = _layer_meta(
        kind, ["features here"], cluster=False, note="Zoom in to see the individual features."
    )
    meta["path"] = {**meta["path"], "weight": 1, "dashArray": None}
    meta["aggregate"] = True
    return KindLayer(safe_json_text(data), meta), len(cells), used


def _heat_element(frame: gpd.GeoDataFrame, zoom: int, latitude: float) -> HeatLayer:
    lons, lats = aggregate.representative_points(frame.geometry.to_numpy())
    if len(lons) <= HEAT_POINT_LIMIT:
        points = [[round(y, 4), round(x, 4), 1] for x, y in zip(lons, lats, strict=True)]
        peak = 1
    else:
        resolution = min(aggregate.h3_resolution(zoom, latitude) + 2, 12)
        cells, counts, _ = aggregate.hexbin(lons, lats, resolution, max_cells=HEAT_POINT_LIMIT)
        import h3  # noqa: PLC0415 - only needed on this path

        points = []
        for cell, count in zip(cells, counts.tolist(), strict=True):
            lat, lon = h3.cell_to_latlng(cell)
            points.append([round(lat, 4), round(lon, 4), count])
        peak = max(1, int(np.percentile(counts, 95)))
    options: dict[str, Any] = {"radius": 18, "blur": 14, "minOpacity": 0.5, "max": peak}
    options["gradient"] = HEAT_GRADIENT
    return HeatLayer(points, options)
