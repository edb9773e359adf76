"""The frame every page shares: classification banners and the sidebar header."""

from __future__ import annotations

import html
import sys

import streamlit as st

from humansec.marking import banner_text, highest_marking
from ui import access, navigation, resources

_ROUTED = "_humansec_routed"

_BANNER_STYLE = (
    "background:#007a33;color:#fff;text-align:center;font-weight:700;"
    "letter-spacing:.05em;padding:2px 0;margin:0 0 .4rem 0;border-radius:2px"
)


def banner() -> str:
    """The classification banner's line for the layers currently active."""
    records = resources.catalogue()
    marking = highest_marking(
        (record.classification for record in records), resources.settings().classification_order
    )
    return banner_text(marking, exercise=any(record.exercise for record in records))


def draw_banner(text: str) -> None:
    """Draw a classification banner (top and bottom of every page)."""
    st.markdown(
        f'<div class="humansec-banner" style="{_BANNER_STYLE}">{html.escape(text)}</div>',
        unsafe_allow_html=True,
    )


def mark_routed() -> None:
    """Record that this session's script runs went through ``app.py`` (the router)."""
    st.session_state[_ROUTED] = True


def require_router() -> None:
    """Send a page that was started without ``app.py`` to the router.

    With a ``pages/`` folder, Streamlit's first run in a new server process falls back to its
    old folder-based navigation when the browser asks for a page's URL: the page then runs
    without ``app.py`` (no banner, no shared sidebar, no page checks). Every page calls this
    first; it hands such a run to ``app.py``, which takes over the navigation from then on.
    """
    if not st.session_state.get(_ROUTED):
        st.switch_page("app.py")
    # The page checks its own permission too: the router is not the only way in.
    caller = sys._getframe(1).f_code.co_filename  # the page script that called
    page = navigation.spec_for_file(caller)
    user = access.user()
    if page is None or not user.may(page.permission):
        access.not_permitted(user, page)
        st.stop()
