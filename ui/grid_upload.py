"""The Data page's upload of a population grid (GeoTIFF): band roles, marking, store."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from humansec.access import actions, markings_up_to
from humansec.access.identity import User, provenance_who
from humansec.errors import HumansecError
from humansec.ingest.pipeline import UploadMeta, discard, stage_upload, sweep_staging, work_folder
from humansec.model import LayerKind
from humansec.settings import Settings
from humansec.store import LayerRecord
from ui import state, text

NEW_LAYER = "a new layer"
ROLES_HELP = (
    "One per band, in band order, separated by commas: total, female, male, age:0-4 (all "
    "people of those ages), female:15-19, male:80+. A grid of one band counts everyone "
    "(total) unless you say otherwise."
)


def parse_roles(value: str) -> list[str]:
    """The roles typed as ``female, male`` (empty: none given).

    >>> parse_roles(" female, male:80+ ,"), parse_roles("")
    (['female', 'male:80+'], [])
    """
    return [part.strip() for part in value.split(",") if part.strip()]


def grid_form(
    settings: Settings, user: User, records: list[LayerRecord], staging_root: Path
) -> None:
    """Upload a GeoTIFF grid, say what its bands count and store it (one worker run)."""
    st.caption(
        "A GeoTIFF population grid (WorldPop, GHSL, HRSL: people per cell, one grid per band). "
        "It is checked in a separate process (GeoTIFF only, a coordinate system required) and "
        "stored as a Cloud-Optimized GeoTIFF; nothing is stored until you press *Store*."
    )
    uploaded = st.file_uploader("GeoTIFF", type=["tif", "tiff"], key=state.DATA_GRID_UPLOAD)
    grids = [r.layer_id for r in records if r.kind is LayerKind.POPULATION_RASTER and not r.retired]
    with st.form(state.DATA_GRID_STORE, border=False):
        first, second = st.columns(2)
        roles = first.text_input("What each band counts", "total", key=state.DATA_GRID_ROLES,
                                 help=ROLES_HELP)  # fmt: skip
        target = second.selectbox(
            "Store as",
            [NEW_LAYER, *grids],
            format_func=lambda v: v if v == NEW_LAYER else f"new bands of {v}",
            key=state.DATA_GRID_TARGET,
        )
        title = first.text_input("Title", key=state.DATA_TITLE)
        markings = markings_up_to(user, settings.classification_order)
        classification = second.selectbox("Classification", markings,
                                          key=state.DATA_CLASSIFICATION)  # fmt: skip
        source = first.text_input("Source", key=state.DATA_SOURCE)
        licence = second.text_input("Licence", key=state.DATA_LICENCE)
        who = first.text_input("Your name and unit", key=state.DATA_WHO)
        pressed = st.form_submit_button("Store", type="primary", disabled=uploaded is None)
    if not pressed or uploaded is None:
        return
    uploader = provenance_who(user, who)
    if not uploader:
        st.error("Say who you are (name and unit): it goes into the provenance.")
        return
    sweep_staging(staging_root)
    staged = stage_upload(uploaded, uploaded.name, staging_root)
    meta = UploadMeta(
        title=title.strip() or ("" if target != NEW_LAYER else Path(uploaded.name).stem),
        classification=classification,
        who=uploader,
        source=source.strip(),
        licence=licence.strip(),
    )
    progress = st.progress(0.0, text="Checking the grid…")
    try:
        record = actions.store_grid(
            settings, user, staged, uploaded.name, parse_roles(roles), meta=meta,
            layer_id=None if target == NEW_LAYER else target,
            on_progress=lambda stage, done: progress.progress(done, text=stage),
        )  # fmt: skip
    except HumansecError as error:
        progress.empty()
        text.show(f"{uploaded.name} was refused: {error}")
        return
    finally:
        discard(work_folder(staged))
    progress.empty()
    bands = ", ".join(f"{b['band']}: {b['role']}" for b in record["bands"])  # type: ignore[attr-defined]
    st.session_state[state.DATA_STORED] = (
        f"Stored the grid as layer {record['layer_id']} version {record['version']} "
        f"(bands {bands}). {' '.join(record['notes'])}"  # type: ignore[arg-type]
    )
    st.rerun()
