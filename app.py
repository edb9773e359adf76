"""humansec: router and frame. Pages are declared here; each page is a thin script."""

from __future__ import annotations

import streamlit as st

from ui import frame

st.set_page_config(page_title="humansec", page_icon=":material/shield:", layout="wide")

pages = [
    st.Page("pages/situation_map.py", title="Situation map", icon=":material/map:", default=True),
]
navigation = st.navigation(pages)
with st.sidebar:
    st.caption("humansec · human security situational awareness")
frame.banner()
navigation.run()
frame.banner()
