"""The frame every page shares: classification banners and the sidebar header."""

from __future__ import annotations

import html
import sys
from pathlib import Path

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from humansec.marking import banner_text, highest_marking
from ui import access, basemaps, connection, navigation, resources

_ROUTED = "_humansec_routed"
_REQUESTED = "_humansec_requested_page"  # url_path of the page a first run asked for

_BANNER_STYLE = (
    "background:#007a33;color:#fff;text-align:center;font-weight:700;"
    "letter-spacing:.05em;padding:2px 0;margin:0 0 .4rem 0;border-radius:2px"
)

# The banner and the notice as tight as they were as markdown blocks (an ``st.html`` block
# keeps its own margins): the page's map keeps its place and the window.
_TIGHT_CSS = (
    "<style>"
    '[data-testid="stMainBlockContainer"] [data-testid="stHtml"]:has(.humansec-banner),'
    '[data-testid="stMainBlockContainer"] [data-testid="stHtml"]:has(.humansec-caption)'
    "{margin-bottom:-.5rem}</style>"
)


def banner() -> str:
    """The classification banner's line for the layers currently active."""
    records = resources.catalogue()
    # The marking of the basemap package the session draws counts too.
    marking = highest_marking(
        [*(record.classification for record in records), *basemaps.shown_markings()],
        resources.settings().classification_order,
    )
    return banner_text(marking, exercise=any(record.exercise for record in records))


def draw_banner(text: str) -> None:
    """Draw a classification banner (top and bottom of every page).

    ``st.html``, not markdown with HTML: the browser then needs no HTML-in-markdown parser
    (rehype-raw, 190 KB) before the page's map (benchmarks/README.md, issue 10).
    """
    st.html(_TIGHT_CSS)  # style only: it takes no room on the page
    st.html(f'<div class="humansec-banner" style="{_BANNER_STYLE}">{html.escape(text)}</div>')


def mark_routed(pages: list[StreamlitPage]) -> None:
    """Record that this session's runs go through ``app.py`` (the router), and open the page
    a bookmarked URL asked for if the first run had to hand it to the router (see below)."""
    st.session_state[_ROUTED] = True
    requested = st.session_state.pop(_REQUESTED, None)
    for page in pages:
        if requested is not None and page.url_path == requested:
            st.switch_page(page)


def require_router() -> None:
    """Send a page that was started without ``app.py`` to the router, and then back to it.

    With a ``pages/`` folder, Streamlit's first run in a new server process falls back to its
    old folder-based navigation when the browser asks for a page's URL (a bookmark): the page
    then runs without ``app.py`` (no banner, no shared sidebar, no page checks). Every page
    calls this first; it hands such a run to ``app.py``, which takes over the navigation from
    then on and opens the page that was asked for (:func:`mark_routed`).
    """
    if not st.session_state.get(_ROUTED):
        script = sys._getframe(1).f_globals.get("__file__")  # the page that called
        if script:
            st.session_state[_REQUESTED] = Path(script).stem
        st.switch_page("app.py")
    # The page checks its own permission too: the router is not the only way in.
    caller = sys._getframe(1).f_code.co_filename  # the page script that called
    page = navigation.spec_for_file(caller)
    user = access.user()
    if page is None or not user.may(page.permission):
        access.not_permitted(user, page)
        st.stop()
    connection.notice_reconnected()  # once, after PostgreSQL came back
