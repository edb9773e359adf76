"""Briefing: the map as a finished product (PNG, PDF, PPTX, offline HTML) and tables."""

from __future__ import annotations

import streamlit as st

from humansec import audit
from humansec.access import actions, cleared, markings_up_to
from humansec.errors import HumansecError
from humansec.export import (
    DEFAULT_TITLE,
    GRIDS,
    PRODUCT_FORMATS,
    SIZES,
    TABLE_FORMATS,
    product_marking,
    unavailable_reason,
)
from humansec.export.analysis import ANALYSES
from humansec.filters import apply_filters
from humansec.model import FOCUS_CHOICES, KIND_SPECS, LayerKind
from ui import brief_areas, frame, resources, state, text

frame.require_router()

MIME_TYPES = {
    "png": "image/png",
    "pdf": "application/pdf",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "html": "text/html",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json",
}
FORMAT_TITLES = {
    "png": "PNG picture",
    "pdf": "PDF sheet",
    "pptx": "PowerPoint slide",
    "html": "Offline HTML (interactive)",
    "csv": "Conflicts table (CSV)",
    "xlsx": "Conflicts table (Excel)",
    "geojson": "Conflicts (GeoJSON)",
    "layers-csv": "Layer attributes (CSV)",
    "layers-xlsx": "Layer attributes (Excel)",
    "layers-geojson": "Layer attributes (GeoJSON)",
}
ANALYSIS_TITLES = {
    "trend": "Trend (events per week)",
    "victims": "Victims by sex and age",
    "hotspots": "Hot spots (Gi*)",
}
LAYER_TABLES = tuple(f"layers-{fmt}" for fmt in TABLE_FORMATS)
# Choices for the attributes of the chosen layers in the area (table="layers").

st.title("Briefing")
settings = resources.settings()
records = resources.catalogue()
data_versions = resources.versions(records)
frames = resources.frames_by_kind(data_versions)
renderer = resources.renderer()

left, right = st.columns(2)
title = left.text_input("Title", value=DEFAULT_TITLE, key=state.BRIEF_TITLE)
subtitle = right.text_input("Subtitle", key=state.BRIEF_SUBTITLE)
formats = [
    f
    for f in (*PRODUCT_FORMATS, *TABLE_FORMATS, *LAYER_TABLES)
    if renderer or f not in {"png", "pdf", "pptx"}
]
choice = left.selectbox(
    "Format", formats, format_func=FORMAT_TITLES.__getitem__, key=state.BRIEF_FORMAT
)
table, _, fmt = choice.rpartition("-")
table = table or "conflicts"
size = right.selectbox(
    "Size",
    list(SIZES),
    format_func={"slide": "Slide 1920×1080", "a4": "A4 landscape", "a3": "A3 landscape"}.get,
    key=state.BRIEF_SIZE,
    disabled=fmt not in {"png", "pdf", "pptx"},
)
if renderer is None and (reason := unavailable_reason()) is not None:
    st.warning(reason)
grid = right.radio(
    "Grid",
    list(GRIDS),
    format_func={
        "latlon": "Latitude/longitude",
        "mgrs": "MGRS (100 km squares; 10 or 1 km lines in a small view)",
    }.get,
    horizontal=True,
    key=state.BRIEF_GRID,
    disabled=fmt not in PRODUCT_FORMATS,
)
shown_before = st.session_state.get(state.LAST_KINDS) or list(LayerKind)
kinds = st.multiselect(
    "Layers",
    list(LayerKind),
    default=shown_before,
    format_func=lambda kind: KIND_SPECS[kind].title,
    key=state.BRIEF_KINDS,
)
last_view = st.session_state.get(state.LAST_VIEW)
extent_choice = st.radio(
    "Area",
    ["current view", "all data"] if last_view else ["all data"],
    horizontal=True,
    key=state.BRIEF_EXTENT,
    help="The current view is what the situation map last showed.",
)
bbox = last_view if extent_choice == "current view" else None
last_filters = st.session_state.get(state.LAST_FILTERS)
area_filters = None  # the incidents the rate counts, in words: all of them unless filtered
if last_filters is not None:
    time_range, focus_areas = last_filters
    described = ", ".join(
        part
        for part in (
            f"{time_range.start:%d %b %Y} to {time_range.end:%d %b %Y}"
            if time_range and time_range.start is not None and time_range.end is not None
            else "",
            f"{len(focus_areas)} of {len(FOCUS_CHOICES)} incident focus areas",
        )
        if part
    )
    if st.checkbox(
        f"Apply the situation map's filters ({described})", value=True, key=state.BRIEF_USE_FILTERS
    ):
        frames = apply_filters(
            frames, kinds=list(LayerKind), time_range=time_range, focus_areas=focus_areas
        )
        area_filters = brief_areas.filters_in_words(time_range, focus_areas)
analyses = st.multiselect(
    "Incident charts after the map (PDF, PowerPoint)",
    list(ANALYSES),
    format_func=ANALYSIS_TITLES.__getitem__,
    key=state.BRIEF_ANALYSES,
    disabled=fmt not in {"pdf", "pptx"},
    help="Drawn from the incidents in the product's area, with the same markings.",
)
area_measure = brief_areas.area_measure(kinds, disabled=fmt not in PRODUCT_FORMATS)
shown_records = [record for record in records if record.kind in kinds]
own_marking, exercise = product_marking(shown_records, order=settings.classification_order)
user = resources.session_user()
marking = st.selectbox(
    "Classification (raise only, up to your clearance)",
    markings_up_to(user, settings.classification_order, own_marking),
    key=state.BRIEF_MARKING,
    help="The product carries the highest marking of the layers shown; you may raise it.",
)

if st.button("Make the product", type="primary", key="brief_make"):
    with st.status(f"Making the {FORMAT_TITLES[choice]}…", expanded=False) as progress:
        try:
            data, marking = actions.export(  # checks the role and clearance, audits
                settings,
                user,
                {kind: frames[kind] for kind in kinds},
                shown_records,
                fmt=fmt,
                classification=marking,
                conflicts=resources.store_check(data_versions).conflicts,
                audit_what={"size": size, "title": title, "bbox": bbox,
                            "layers": [str(k) for k in kinds],
                            **({"table": table} if fmt in TABLE_FORMATS
                               else {"grid": grid, "areas": area_measure}),
                            **({"analyses": analyses} if fmt in {"pdf", "pptx"} else {})},
                bbox=bbox,
                title=title,
                subtitle=subtitle,
                kinds=kinds,
                size=size,
                renderer=renderer,
                table=table,
                grid=grid,
                analyses=analyses if fmt in {"pdf", "pptx"} else (),
                area_measure=area_measure,
                area_filters=area_filters,
            )  # fmt: skip
        except HumansecError as error:
            progress.update(label="Export failed", state="error")
            text.show(error)
        else:
            name = f"humansec-{'layers' if table == 'layers' else 'briefing'}.{fmt}"
            st.session_state[state.BRIEF_PRODUCT] = (name, MIME_TYPES[fmt], data)
            progress.update(label=f"{FORMAT_TITLES[choice]} ready", state="complete")

product = st.session_state.get(state.BRIEF_PRODUCT)
if product is not None:
    name, mime, data = product
    st.download_button(
        f"Download {name} ({len(data) / 1e6:.1f} MB)",
        data,
        file_name=name,
        mime=mime,
        key="brief_download",
    )
    if mime == "image/png":
        st.image(data, caption="Preview", width="stretch")

st.subheader("Exports recorded")
events = [
    event
    for event in audit.read(settings.audit_location)
    if event.get("action") == "export"
    and cleared(user, str(event.get("marking") or own_marking), settings.classification_order)
]
st.dataframe(
    [
        {"when": e["when"], "who": e["who"], "marking": e["marking"], **dict(e["what"])}
        for e in reversed(events[-20:])
    ],
    hide_index=True,
    key="brief_log",
)
