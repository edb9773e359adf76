"""The floor of the map benchmark: a bare Streamlit page with one empty offline Leaflet map.

What any Streamlit + streamlit-folium app pays before it draws anything of its own: Streamlit's
frontend, the component's frame, and Leaflet from the app's own static files (no basemap, no
data, no other plugin). ``benchmarks/map_load.py`` serves it with ``streamlit run`` beside the
app in the same run and reports the app's first drawn map as a multiple of it.
"""

from __future__ import annotations

import folium
import streamlit as st
from streamlit_folium import st_folium

from humansec.mapview.assets import LEAFLET_CSS, LEAFLET_JS, STREAMLIT_ASSET_PREFIX, links

st.set_page_config(page_title="floor", layout="wide")
fmap = folium.Map(location=[54.3, 23.2], zoom_start=8, tiles=None)
fmap.default_js = links([LEAFLET_JS], STREAMLIT_ASSET_PREFIX)
fmap.default_css = links([LEAFLET_CSS], STREAMLIT_ASSET_PREFIX)
st_folium(fmap, key="floor_map", height=640, use_container_width=True, returned_objects=[])
