"""The Incidents page's hot-spot map: the Gi* layer, and a click on a cell filters the charts."""

from __future__ import annotations

from collections.abc import Hashable, Mapping

import geopandas as gpd
import h3
import streamlit as st
from streamlit_folium import st_folium

from humansec.mapview import STREAMLIT_ASSET_PREFIX, build_base_map, build_layer_control
from humansec.mapview.aggregate import zoom_for_bounds
from humansec.mapview.hotspots import (
    class_layers,
    hotspot_group,
    hotspot_legend,
    selected_cell_group,
)
from humansec.mapview.tools import fresh_group_list
from ui import analytics, resources, state
from ui.analytics import Cell

MAP_HEIGHT = 480


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
    )
    base.add_child(hotspot_legend())
    groups = [hotspot_group(cells, layers=_layers(key, cells))]
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
