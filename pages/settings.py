"""Settings (admin): what this server runs with, and where each setting is changed."""

from __future__ import annotations

import streamlit as st

from humansec.settings import settings_rows
from ui import frame, resources, text

frame.require_router()

st.title("Settings")
text.show(
    "Settings are read once when the server starts, from the environment and the TOML file "
    "named by HUMANSEC_CONFIG (environment variables win). To change one, set it there and "
    "restart the app; the stand-off rules are edited on the Stand-off rules page and basemaps "
    "on the Basemaps page, which take effect at once.",
    "info",
)
st.dataframe(settings_rows(resources.settings()), hide_index=True, key="settings_table")
