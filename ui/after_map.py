"""Parts of a map page drawn after its map on a session's first view of the page.

In a fresh browser a page's widgets and tables are Streamlit code (the date picker, multiselect,
data grid, ... chunks) that the browser fetches from the server process that is building the
map and runs on the main thread that the map's frame shares (same origin); measured, they held
the first drawn map back by 0.3-0.5 s (benchmarks/README.md, issue 10). So while a session has
never shown a page's parts and holds none of their values, the page's first run draws the map
with the values those parts start with and leaves them out; the map's first report (sent once
its basemap is painted: ``ReportAfterBasemap``) runs the page again, which draws them with the
same values: the same map, nothing drawn twice. Every later run draws them at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st


@dataclass(frozen=True)
class AfterMap:
    """The parts of one page that wait for its map."""

    map_key: str
    """The map component's key: its first report ends the wait."""
    shown_key: str
    """Set once the parts were drawn (not a widget's key, so it outlives a page change)."""
    widget_keys: tuple[str, ...]
    """The parts' widgets: a value of any of them in the session means they were drawn."""

    def waits(self) -> bool:
        """Whether this run draws the map without the parts (and then marks nothing)."""
        waiting = not (
            st.session_state.get(self.shown_key)
            or st.session_state.get(self.map_key)
            or any(key in st.session_state for key in self.widget_keys)
        )
        if not waiting:
            st.session_state[self.shown_key] = True
        return waiting

    def rerun_once_reported(self, waited: bool) -> None:
        """After the map, in a run that waited (a fragment's rerun: the map reporting reruns
        only the fragment): run the whole page once the map has reported, to draw the parts."""
        if waited and st.session_state.get(self.map_key):
            st.rerun(scope="app")
