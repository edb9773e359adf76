"""humansec: router and frame. Pages are declared in ui/navigation.py; each is a thin script."""

from __future__ import annotations

import streamlit as st

from humansec.errors import StoreError
from ui import access, frame, navigation, resources, state, text

# No page or page_icon icons: Streamlit fetches a Material icon used as favicon from a font
# CDN, which a mission network does not have (the browser test catches it).
st.set_page_config(page_title="humansec", layout="wide")

user = access.sign_in()  # stops the run with the sign-in page when nobody is signed in
allowed = navigation.permitted(user)
# Every page is registered, so opening a forbidden page's URL lands here (and is refused
# below) instead of silently on the default page; the navigation shows only the allowed ones.
pages = {
    spec: st.Page(
        spec.path,
        title=spec.title,
        default=spec.default,
        visibility="visible" if spec in allowed else "hidden",
    )
    for spec in navigation.PAGES
}
current = st.navigation(list(pages.values()))
frame.mark_routed(list(pages.values()))
with st.sidebar:
    st.caption("humansec · human security situational awareness")
    access.sidebar(user)
try:
    records = resources.read_catalogue()  # once per run: every reader below takes it
except StoreError as error:  # e.g. the PostGIS store cannot be reached: say so, no traceback
    text.show(error, "error")
    st.stop()
with resources.catalogue_of_run(records):
    banner = frame.banner()  # read once: the same line above and below the page
    frame.draw_banner(banner)
    access.notice(user)
    page = next(spec for spec, registered in pages.items() if registered is current)
    st.session_state[state.PAGE_RUN] = page.path  # a page's own reruns check they still hold
    if page not in allowed:
        access.not_permitted(user, page)
    else:
        access.allowed_page_shown(page)
        current.run()
    frame.draw_banner(banner)
