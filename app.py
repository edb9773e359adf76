"""humansec: router and frame. Pages are declared here; each page is a thin script."""

from __future__ import annotations

import streamlit as st

from ui import frame

# No page or page_icon icons: Streamlit fetches a Material icon used as favicon from a font
# CDN, which a mission network does not have (the browser test catches it).
st.set_page_config(page_title="humansec", layout="wide")

pages = [
    st.Page("pages/situation_map.py", title="Situation map", default=True),
    st.Page("pages/planned_activities.py", title="Planned activities"),
    st.Page("pages/incidents.py", title="Incidents"),
    st.Page("pages/briefing.py", title="Briefing"),
    st.Page("pages/data.py", title="Data"),
]
navigation = st.navigation(pages)
frame.mark_routed(pages)
with st.sidebar:
    st.caption("humansec · human security situational awareness")
banner = frame.banner()  # read once: the same line above and below the page
frame.draw_banner(banner)
navigation.run()
frame.draw_banner(banner)
