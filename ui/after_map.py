"""Parts of a map page drawn after its map on a session's first view of the page.

In a fresh browser a page's widgets and tables are Streamlit code (the date picker, multiselect,
data grid, ... chunks) that the browser fetches from the server process that is building the
map and runs on the main thread that the map's frame shares (same origin); measured, they held
the first drawn map back by 0.3-0.5 s (benchmarks/README.md, issue 10). So a session's first
run of the page, when the session holds none of those parts' values, draws the map with the
values the parts start with and leaves them out; the map's first report (sent once its basemap
is painted: ``ReportAfterBasemap``) runs the page again, which draws them with the same values:
the same map, nothing drawn twice. Every later run draws them at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from ui import state


@dataclass(frozen=True)
class AfterMap:
    """The parts of one page that wait for its map."""

    map_key: str
    """The map component's key: its first report ends the wait."""
    opened_key: str
    """Set by the first run of the page (not a widget's key, so it outlives a page change)."""
    widget_keys: tuple[str, ...]
    """The parts' widgets: a value of any of them in the session means they were drawn."""

    def waits(self) -> bool:
        """Whether this run draws the map without the parts. Only the session's first run of
        the page can: the next run draws them whatever brings it (the map's report, or any
        other rerun should the map never report, e.g. a browser that cannot draw it)."""
        waiting = not (
            st.session_state.get(self.opened_key)
            or st.session_state.get(self.map_key)
            or any(key in st.session_state for key in self.widget_keys)
        )
        st.session_state[self.opened_key] = True
        return waiting

    def rerun_once_reported(self, waited: bool, page_path: str) -> None:
        """In the map's fragment, on a run that waited (a report from the map reruns only the
        fragment): run the whole page once the map has reported, to draw the parts. Only while
        ``page_path`` (this page's script, as in ``ui/navigation.PAGES``) is the one the router
        ran last: a report that comes late, after the user has moved to another page, must not
        take them back (a rerun the page asks for runs the page it names, whatever the browser
        asked for meanwhile; the map itself stops reporting once another page is clicked:
        ``humansec/mapview/page_change.py``). A click on another page that reaches the server
        as the run asked for here starts is run in its place, since Streamlit's fast reruns are
        off (``.streamlit/config.toml``; ``tests/browser/test_page_change_during_rerun.py``);
        one that arrives while this fragment runs stops it at its next reading of the session
        (the checks below), except in the few statements between the last reading and the
        request, where Streamlit folds the two and the request's page wins."""
        if (
            waited
            and st.session_state.get(self.map_key)
            and st.session_state.get(state.PAGE_RUN, page_path) == page_path
        ):
            st.rerun(scope="app")


def waiting_note(what: str) -> str:
    """The caption that holds the place of ``what`` (plural) until the map is drawn."""
    return f"{what} follow as soon as the map is drawn."
