"""Small pieces of UI that more than one page shows."""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from humansec.coords import format_latlon, to_mgrs


def clicked_point(result: Mapping[str, object] | None) -> None:
    """Show the latitude, longitude and MGRS of the map's last clicked point."""
    clicked = (result or {}).get("last_clicked")
    if isinstance(clicked, Mapping):
        lat, lon = float(clicked["lat"]), float(clicked["lng"])
        left, right = st.columns(2)
        left.metric("Last clicked (lat, lon)", format_latlon(lat, lon))
        right.metric("MGRS", to_mgrs(lat, lon))
    else:
        st.caption("Click the map for the latitude, longitude and MGRS of a point.")
