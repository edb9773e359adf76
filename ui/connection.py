"""Say once, on the page, that the store's database was lost and reached again.

The PostGIS store reconnects by itself after PostgreSQL restarts (``PostGISStore._guard``) and
counts each time (``LayerStore.reconnections``). Each session remembers the count it last saw:
a session's next run after a reconnection shows the notice once, and never again for it.
Every page calls this at its start (``frame.require_router``).
"""

from __future__ import annotations

import streamlit as st

from humansec.errors import StoreError
from ui import resources, text

_SEEN = "_humansec_reconnections_seen"
RECONNECTED = (
    "The database connection was lost and restored; the page shows the store as it is now. "
    "If you were uploading, retiring or restoring a layer just then, check that it is listed "
    "as you expect on the Data page."
)


def notice_reconnected() -> None:
    """Show ``RECONNECTED`` when the store reconnected since this session's last run."""
    if not resources.settings().store_url:
        return  # the embedded GeoPackage has no connection to lose
    try:
        layer_store = resources.store()
        # One cheap read first, so that a connection lost since the last run is found (and
        # reopened) now, not later in the page.
        layer_store.is_empty()
    except StoreError:
        return  # unreachable now: the router says so (app.py), no notice yet
    count = layer_store.reconnections
    seen = st.session_state.setdefault(_SEEN, count)  # a new session: nothing to say
    if count > seen:
        st.session_state[_SEEN] = count
        text.show(RECONNECTED, "info")
