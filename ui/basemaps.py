"""Basemap packages in the app: the choice in the map pages' sidebar and the Basemaps page."""

from __future__ import annotations

import uuid

import pandas as pd
import streamlit as st

from humansec.access import Permission
from humansec.access.actions import checked
from humansec.access.policy import cleared
from humansec.basemaps import STREAMLIT_BASEMAP_PREFIX, BasemapCatalogue, BasemapRecord
from humansec.errors import HumansecError
from humansec.mapview import STREAMLIT_ASSET_PREFIX
from humansec.mapview.basemap_layer import PackageBasemap
from ui import resources, state, text

BUILT_IN = ""
"""The choice that stands for the built-in countries basemap alone."""
BUILT_IN_LABEL = "Countries (built in)"


@st.cache_resource
def catalogue() -> BasemapCatalogue:
    """The basemap catalogue of this server's data folder (it reads its file when asked)."""
    settings = resources.settings()
    return BasemapCatalogue(settings.data_dir, audit_to=settings.audit_location)


def _chosen(records: list[BasemapRecord]) -> BasemapRecord | None:
    wanted = st.session_state.get(state.BASEMAP_CHOSEN, BUILT_IN)
    return next((r for r in records if r.basemap_id == wanted), None)


def _cleared(records: list[BasemapRecord]) -> list[BasemapRecord]:
    """The packages at or below this session's clearance (the only ones it may choose)."""
    user, order = resources.session_user(), resources.settings().classification_order
    return [r for r in records if r.marking in order and cleared(user, r.marking, order)]


def shown_markings() -> list[str]:
    """The marking of the basemap this session draws (none for the built-in one)."""
    try:
        record = _chosen(_cleared(catalogue().records()))
    except HumansecError:
        return []
    return [record.marking] if record else []


def _keep_choice() -> None:
    st.session_state[state.BASEMAP_CHOSEN] = st.session_state[state.BASEMAP]


def choose(*, draw: bool = True) -> PackageBasemap | None:
    """The sidebar's basemap choice; the chosen package's map element, or None (countries).

    With ``draw=False`` the choice kept in this session (``BASEMAP_CHOSEN``), not drawn."""
    try:
        records = _cleared(catalogue().records())
    except HumansecError as error:
        text.show(error)
        return None
    titles = {r.basemap_id: f"{r.title} ({r.marking})" for r in records}
    options = [BUILT_IN, *titles]
    chosen = _chosen(records)
    if st.session_state.get(state.BASEMAP, BUILT_IN) not in options:  # retired meanwhile
        st.session_state[state.BASEMAP] = BUILT_IN
        st.session_state[state.BASEMAP_CHOSEN] = BUILT_IN
    if draw:
        st.selectbox(
            "Basemap",
            options,
            index=options.index(chosen.basemap_id) if chosen else 0,
            format_func=lambda value: titles.get(value, BUILT_IN_LABEL),
            key=state.BASEMAP,
            on_change=_keep_choice,
            help="Basemap packages are added by an admin on the Basemaps page.",
        )
    record = _chosen(records)
    if record is None:
        return None
    try:
        catalogue().ensure_served(record)
    except HumansecError as error:
        text.show(error)
        return None
    return PackageBasemap(
        record, tiles_prefix=STREAMLIT_BASEMAP_PREFIX, asset_prefix=STREAMLIT_ASSET_PREFIX
    )


def add_form() -> None:
    """Upload a package, give it a title and a marking, and add it."""
    settings = resources.settings()
    message = st.session_state.pop(state.BASEMAP_MESSAGE, None)
    if message:
        text.show(message, "success")
    with st.form(state.BASEMAP_ADD, clear_on_submit=True, border=False):
        upload = st.file_uploader(
            "MBTiles or PMTiles file", type=["mbtiles", "pmtiles"], key=state.BASEMAP_UPLOAD
        )
        first, second = st.columns(2)
        title = first.text_input("Title (default: the package's name)", key=state.BASEMAP_TITLE)
        marking = second.selectbox(
            "Classification",
            settings.classification_order,
            index=settings.classification_order.index(settings.default_classification),
            key=state.BASEMAP_MARKING,
        )
        attribution = first.text_input(
            "Attribution (default: the package's own)", key=state.BASEMAP_ATTRIBUTION
        )
        if not st.form_submit_button("Add basemap", type="primary"):
            return
    if upload is None:
        text.show("Choose an .mbtiles or .pmtiles file first.")
        return
    user = resources.session_user()
    try:  # checked again here, not only by the page: a crafted widget event cannot pass
        checked(settings, user, Permission.MANAGE_BASEMAPS, what="add a basemap package")
    except HumansecError as error:
        text.show(error)
        return
    staging = catalogue().package_dir / "staging"
    staging.mkdir(parents=True, exist_ok=True)
    received = staging / f"upload-{uuid.uuid4().hex}"
    try:
        received.write_bytes(upload.getbuffer())
        with st.spinner("Checking every tile…"):
            record = catalogue().add(
                received,
                original_name=upload.name,
                title=title,
                marking=marking,
                markings=settings.classification_order,
                who=user.label,
                attribution=attribution,
            )
    except HumansecError as error:
        text.show(f"{upload.name} was refused: {error}")
        return
    finally:
        received.unlink(missing_ok=True)
    st.session_state[state.BASEMAP_MESSAGE] = (
        f"Added {record.title} ({record.tile_count:,} {record.tile_format.upper()} tiles, "
        f"zoom {record.min_zoom}-{record.max_zoom}, {record.marking}). Choose it in the "
        "sidebar of the Situation map."
    )
    st.rerun()


def catalogue_table(records: list[BasemapRecord]) -> pd.DataFrame:
    """One row per basemap package, with its provenance."""
    return pd.DataFrame(
        [
            {
                "basemap": r.basemap_id,
                "title": r.title,
                "classification": r.marking,
                "format": f"{r.container} / {r.tile_format}",
                "tiles": r.tile_count,
                "zoom": f"{r.min_zoom}-{r.max_zoom}",
                "bounds (W,S,E,N)": ", ".join(f"{v:.3f}" for v in r.bounds),
                "status": "retired" if r.retired else "active",
                "added": r.added_at,
                "by": r.added_by,
                "file": r.original_name,
                "sha256": r.sha256,
            }
            for r in records
        ]
    )


def catalogue_section() -> None:
    """The catalogue, and retire or restore."""
    try:
        records = catalogue().records(include_retired=True)
    except HumansecError as error:
        text.show(error)
        return
    if not records:
        st.info("No basemap package has been added yet.")
        return
    st.dataframe(catalogue_table(records), hide_index=True, key="basemap_catalogue")
    basemap_id = st.selectbox(
        "Basemap", [r.basemap_id for r in records], key=state.BASEMAP_SELECTED
    )
    chosen = next(r for r in records if r.basemap_id == basemap_id)
    label = "Restore" if chosen.retired else "Retire"
    if st.button(f"{label} {basemap_id}", key=state.BASEMAP_RETIRE):
        user = resources.session_user()
        try:
            checked(resources.settings(), user, Permission.MANAGE_BASEMAPS, what=label.lower())
            catalogue().set_retired(basemap_id, retired=not chosen.retired, who=user.label)
        except HumansecError as error:
            text.show(error)
            return
        st.rerun()
