"""Process-wide resources, cached once per server process (thread-safe, read-mostly)."""

from __future__ import annotations

import geopandas as gpd
import streamlit as st

from humansec.bootstrap import ensure_demo
from humansec.model import LayerKind
from humansec.settings import Settings, load_settings
from humansec.store import LayerRecord, LayerStore, open_store


@st.cache_resource
def settings() -> Settings:
    """The settings of this server process, read once from the environment."""
    return load_settings()


@st.cache_resource
def store() -> LayerStore:
    """The layer store; an empty store gets the embedded demo on first start."""
    layer_store = open_store(settings())
    ensure_demo(layer_store)
    return layer_store


def catalogue() -> list[LayerRecord]:
    """The active layers (read each run: another analyst may have added one)."""
    return store().catalogue()


@st.cache_data(max_entries=4, show_spinner="Reading layers…")
def frames_by_kind(versions: tuple[tuple[str, int], ...]) -> dict[LayerKind, gpd.GeoDataFrame]:
    """All features of the active layers, per kind; cached on the (layer, version) list."""
    del versions  # the cache key: a new version or a retirement changes it
    layer_store = store()
    return {kind: layer_store.read_kind(kind) for kind in LayerKind}


def current_frames() -> dict[LayerKind, gpd.GeoDataFrame]:
    """Frames of the current catalogue, re-read only when a layer version changes."""
    key = tuple((record.layer_id, record.version) for record in catalogue())
    return frames_by_kind(key)
