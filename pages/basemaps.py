"""Basemaps: add an MBTiles or PMTiles package the mission has; list, retire, restore."""

from __future__ import annotations

import streamlit as st

from ui import basemaps, frame, text

frame.require_router()

st.title("Basemaps")
st.caption(
    "A basemap package (MBTiles with PNG, JPEG, WebP or vector tiles; PMTiles v3) is checked "
    "tile by tile, kept in the data folder with its classification and served by this app "
    "itself: no tile server, nothing fetched from outside. Users choose it in the sidebar of "
    "the map pages."
)
text.show(
    "The tiles are served as the app's static files, which Streamlit hands out without a "
    "sign-in check: anyone who can reach this server and knows a tile's address can fetch it. "
    "The sidebar offers a package only to users cleared for its marking, but add only packages "
    "that every user of this server may see.",
    "warning",
)
add_tab, list_tab = st.tabs(["Add a package", "Packages"])
with add_tab:
    basemaps.add_form()
with list_tab:
    basemaps.catalogue_section()
