"""The Gi* hot-spot layer on a map: the Incidents page's map (a click on a cell filters the
charts) and the situation map's optional overlay, both from ``humansec.mapview.hotspots``."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import folium
import geopandas as gpd
import h3
import streamlit as st
from streamlit_folium import st_folium

from humansec.mapview import STREAMLIT_ASSET_PREFIX, build_base_map, build_layer_control
from humansec.mapview.aggregate import zoom_for_bounds
from humansec.mapview.elements import Legend
from humansec.mapview.hotspots import (
    class_layers,
    hotspot_group,
    hotspot_legend,
    selected_cell_group,
)
from humansec.mapview.tools import fresh_group_list
from ui import analytics, resources, state
from ui.analytics import Cell, Times

MAP_HEIGHT = 480
DEFAULT_RESOLUTION = 6
"""The H3 resolution of the hot spots until one is chosen (as on the Incidents page)."""


def cell_at(click: Mapping[str, float] | None, resolution: int) -> str | None:
    """The H3 cell (id) of a map click ``{"lat": ..., "lng": ...}`` at ``resolution``."""
    if not click or click.get("lat") is None or click.get("lng") is None:
        return None
    lng = (float(click["lng"]) + 180.0) % 360.0 - 180.0  # a wrapped world: back to -180..180
    return str(h3.latlng_to_cell(float(click["lat"]), lng, resolution))


def clicked_cell(resolution: int) -> Cell:
    """The cell the charts are filtered to: a new click on the map picks its cell (clicking
    the same cell again clears it); a cell of another resolution does not count."""
    value = st.session_state.get(state.INCIDENTS_MAP) or {}
    click = value.get("last_clicked") if isinstance(value, Mapping) else None
    if click and click != st.session_state.get(state.INCIDENTS_SEEN_CLICK):
        st.session_state[state.INCIDENTS_SEEN_CLICK] = click
        cell_id = cell_at(click, resolution)
        chosen = (resolution, cell_id) if cell_id else None
        current = st.session_state.get(state.INCIDENTS_CELL)
        st.session_state[state.INCIDENTS_CELL] = None if chosen == current else chosen
    chosen = st.session_state.get(state.INCIDENTS_CELL)
    if chosen is None or chosen[0] != resolution:
        return None
    return (int(chosen[0]), str(chosen[1]))


def clear_cell() -> None:
    """Forget the clicked cell (a button's callback)."""
    st.session_state[state.INCIDENTS_CELL] = None


@st.cache_resource(max_entries=16, show_spinner=False)
def _layers(key: Hashable, _cells: gpd.GeoDataFrame) -> list[tuple[str, str]]:
    """``class_layers`` of the cells of the filter state ``key`` (made once per state)."""
    return class_layers(_cells)


def hotspot_map(cells: gpd.GeoDataFrame, chosen: Cell, key: Hashable) -> None:
    """The offline map of the hot and cold spots (``cells``, the result for the filter state
    ``key``), the chosen cell outlined."""
    west, south, east, north = (float(v) for v in cells.total_bounds)
    settings = resources.settings()
    base = build_base_map(
        center=((south + north) / 2, (west + east) / 2),
        zoom=zoom_for_bounds((west, south, east, north), height_px=MAP_HEIGHT),
        asset_prefix=STREAMLIT_ASSET_PREFIX,
        tile_url=settings.tile_url,
        tile_attribution=settings.tile_attribution,
        kinds_shown=[],
        live=True,
    )
    hot = hotspot_group(cells, layers=_layers(key, cells))
    base.add_child(hotspot_legend(overlay=hot.layer_name))
    groups = [hot]
    if chosen is not None:
        groups.append(selected_cell_group(chosen[1]))
    st_folium(
        base,
        key=state.INCIDENTS_MAP,
        feature_group_to_add=fresh_group_list(groups),
        layer_control=build_layer_control(),
        returned_objects=["last_clicked"],
        height=MAP_HEIGHT,
        use_container_width=True,
    )


def hotspot_cells(key: analytics.PermutationKey, *, run: bool) -> tuple[gpd.GeoDataFrame, int]:
    """The Gi* cells of the filter state ``key`` and the permutations behind their p-values
    (0: analytic). With ``run``, the permutation run of ``key`` is made first, with a
    progress bar; once made it is used for that filter state until the data change."""
    permutations = key[5]
    if run:
        bar = st.progress(0.0, text=f"{permutations} permutations per cell…")
        analytics.run_permutations(
            key,
            lambda done, total: bar.progress(
                done / total, text=f"{permutations} permutations: {done:,} of {total:,} cells"
            ),
        )
        bar.empty()
    permuted = analytics.permutation_run(key)
    if permuted is not None:
        return permuted, permutations
    data_versions, times, focus, bbox, resolution, _, picks = key
    analytic = analytics.hotspots(data_versions, times, focus, bbox, resolution=resolution,
                                  permutations=0, picks=picks)  # fmt: skip
    return analytic, 0


def overlay_resolution(*, draw: bool = True) -> int | None:
    """The situation map's sidebar switch of the hot-spot overlay (off by default) and, when
    on, its H3 resolution; None when off (and with ``draw=False``: the switch not drawn)."""
    if not draw or not st.toggle(
        "Hot spots (Gi*)",
        key=state.MAP_HOTSPOTS,
        help="Getis-Ord Gi* hot and cold spots of the incidents that pass the filters, on H3 "
        "cells (as on the Incidents page): an overlay in the map's layer control.",
    ):
        return None
    return int(
        st.select_slider(
            "Hot-spot H3 resolution", options=list(range(3, 10)), value=DEFAULT_RESOLUTION,
            key=state.MAP_HOTSPOT_RESOLUTION,
            help="6: cells of about 36 km²; each step down is 7 times larger.",
        )
    )  # fmt: skip


def overlay(
    data_versions: resources.Versions, times: Times, focus: Sequence[str], resolution: int
) -> tuple[folium.FeatureGroup, Legend] | None:
    """The hot-spot overlay of the situation map and its legend: the analytic Gi* of the
    incidents that pass the filters (every area), the same cells, classes and legend as the
    Incidents page's map and the same cache (computed once per filter state). None when no
    incident passes."""
    key: analytics.PermutationKey = (data_versions, times, tuple(focus), None, resolution, 0, None)
    cells = analytics.hotspots(data_versions, times, tuple(focus), None, resolution=resolution,
                               permutations=0)  # fmt: skip
    if cells.empty:
        return None
    group = hotspot_group(cells, layers=_layers(key, cells))
    return group, hotspot_legend(overlay=group.layer_name)
