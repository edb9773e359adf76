"""The frame every page shares: classification banners and the sidebar header."""

from __future__ import annotations

import html

import streamlit as st

from humansec.marking import banner_text, highest_marking
from ui import resources

_BANNER_STYLE = (
    "background:#007a33;color:#fff;text-align:center;font-weight:700;"
    "letter-spacing:.05em;padding:2px 0;margin:0 0 .4rem 0;border-radius:2px"
)


def banner() -> None:
    """Draw the classification banner for the layers currently active."""
    records = resources.catalogue()
    marking = highest_marking(
        (record.classification for record in records), resources.settings().classification_order
    )
    text = banner_text(marking, exercise=any(record.exercise for record in records))
    st.markdown(
        f'<div class="humansec-banner" style="{_BANNER_STYLE}">{html.escape(text)}</div>',
        unsafe_allow_html=True,
    )
