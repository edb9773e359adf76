"""Data: upload a file, read the validation report, confirm the mapping, store; the catalogue."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit_folium import st_folium

from humansec.access import actions, markings_up_to
from humansec.access.identity import provenance_who
from humansec.errors import HumansecError
from humansec.ingest.duplicates import describe_copies, stored_copies
from humansec.ingest.pipeline import (
    Inspection,
    UploadMeta,
    UploadOptions,
    discard,
    inspect_upload,
    remap,
    stage_upload,
    sweep_staging,
    work_folder,
)
from humansec.ingest.sandbox import WorkerRefusedError
from humansec.ingest.types import ValidationReport
from humansec.mapview import (
    STREAMLIT_ASSET_PREFIX,
    MapView,
    build_base_map,
    build_data_layers,
    build_layer_control,
    data_bounds,
    zoom_for_bounds,
)
from humansec.model import KIND_SPECS, LayerKind, conform
from ui import frame, grid_upload, population, resources, state, text, upload

frame.require_router()

UPLOAD_TYPES = ["zip", "gpkg", "geojson", "json", "kml", "kmz", "csv", "txt", "xlsx"]
ENCODINGS = ["auto", "utf-8", "cp1251", "cp1252", "latin1", "koi8-r", "cp1250", "shift_jis"]
settings = resources.settings()
staging_root = settings.data_dir / "staging"

st.title("Data")
user = resources.session_user()
records = resources.catalogue(include_retired=True)  # read once for both tabs; cleared only
upload_tab, catalogue_tab, population_tab = st.tabs(["Upload a file", "Layers", "Population table"])

with upload_tab:
    st.caption(
        "Zipped shapefile, GeoPackage, GeoJSON, KML/KMZ, CSV or XLSX (coordinates by name: "
        "lat/lon, latitude/longitude, y/x, `#geo+lat`/`#geo+lon`, MGRS or WKT; ACLED and UCDP "
        "GED exports are recognised). The file is checked in a separate process and nothing "
        "is stored until you press *Store*."
    )
    kind = LayerKind(
        st.selectbox(
            "What does the file hold?",
            list(LayerKind),
            format_func=lambda k: KIND_SPECS[LayerKind(k)].title,
            key=state.DATA_KIND,
        )
    )
    if kind is LayerKind.POPULATION_RASTER:  # a GeoTIFF: its own form (ui/grid_upload.py)
        grid_upload.grid_form(settings, user, records, staging_root)
    uploaded = (
        None
        if kind is LayerKind.POPULATION_RASTER
        else st.file_uploader("File", type=UPLOAD_TYPES, key=state.DATA_UPLOAD)
    )
    # The layers of a multi-layer file (known once it was refused for want of a choice).
    file_id, layer_choices = st.session_state.get(state.DATA_LAYER_CHOICES) or (None, [])
    if uploaded is None or file_id != uploaded.file_id:
        layer_choices = []
    source_layer = (
        st.selectbox(
            "The file holds several layers (or sheets): which one?",
            layer_choices,
            key=state.DATA_SOURCE_LAYER,
        )
        if layer_choices
        else None
    )
    # Open when the last file was refused: the fix is often a coordinate system or an encoding.
    crs, encoding = "", "auto"
    if kind is not LayerKind.POPULATION_RASTER:
        with st.expander(
            "Coordinate system and text encoding",
            expanded=bool(st.session_state.get(state.DATA_ERROR)),
        ):
            crs = st.text_input(
                "Coordinate system when the file has none (e.g. EPSG:32636)", key=state.DATA_CRS
            ).strip()
            encoding = st.selectbox("Text encoding", ENCODINGS, key=state.DATA_ENCODING)
    options = UploadOptions(
        kind=kind,
        source_layer=source_layer,
        crs=crs or None,
        encoding=None if encoding == "auto" else encoding,
        repair=bool(st.session_state.get(state.DATA_REPAIR, False)),
        drop_bad_dates=bool(st.session_state.get(state.DATA_DROP_BAD_DATES, False)),
    )
    wanted = None if uploaded is None else (uploaded.file_id, options)
    current: Inspection | None = st.session_state.get(state.DATA_INSPECTION)
    if wanted is not None and st.session_state.get(state.DATA_INSPECTED) != wanted:
        if current is not None:
            discard(current.workdir)
        sweep_staging(staging_root)
        st.session_state[state.DATA_INSPECTION] = current = None
        st.session_state[state.DATA_ERROR] = None
        st.session_state[state.DATA_INSPECTED] = wanted
        assert uploaded is not None
        staged = stage_upload(uploaded, uploaded.name, staging_root)
        progress = st.progress(0.0, text="Checking the file…")
        try:
            current = inspect_upload(
                staged,
                uploaded.name,
                options,
                limits=settings.ingest_limits(),
                on_progress=lambda stage, done: progress.progress(done, text=stage),
            )
        except WorkerRefusedError as refused:
            layers = refused.details.get("layers")
            if isinstance(layers, list) and layers and not layer_choices:
                st.session_state[state.DATA_LAYER_CHOICES] = (
                    uploaded.file_id,
                    [str(x) for x in layers],
                )
                st.session_state[state.DATA_INSPECTED] = None
                discard(work_folder(staged))
                st.rerun()
            st.session_state[state.DATA_ERROR] = str(refused)
            discard(work_folder(staged))
        except HumansecError as error:
            st.session_state[state.DATA_ERROR] = str(error)
            discard(work_folder(staged))
        progress.empty()
        st.session_state[state.DATA_INSPECTION] = current
    if uploaded is None and current is not None:  # the analyst removed the file
        discard(current.workdir)
        st.session_state[state.DATA_INSPECTION] = current = None
        st.session_state[state.DATA_LAYER_CHOICES] = None
    if st.session_state.get(state.DATA_STORED):
        text.show(st.session_state[state.DATA_STORED], "success")
    if uploaded is not None and st.session_state.get(state.DATA_ERROR):
        text.show(f"{uploaded.name} was refused: {st.session_state[state.DATA_ERROR]}")

    if current is not None:
        st.subheader("What was read")
        upload.show_summary(current)
        st.subheader("Mapping onto the model")
        # Containers keep the elements after a block of changing length in place (no flicker).
        with st.container():
            key_prefix = f"{state.DATA_MAPPING}_{current.workdir.name}_{kind}"
            mapping = upload.mapping_editor(current, kind, key_prefix)
            if mapping != current.mapping:
                try:
                    current = remap(current, mapping, limits=settings.ingest_limits())
                except HumansecError as error:
                    text.show(error)
                st.session_state[state.DATA_INSPECTION] = current
        st.subheader("Validation report")
        # The report's length changes with the mapping.
        with st.container():
            report = current.report
            for finding in report.errors:  # in full: each says what to change
                text.show(finding.message)
            others = [f for f in report.findings if f.severity != "error"]
            if others:
                st.dataframe(
                    upload.report_table(ValidationReport(tuple(others))),
                    hide_index=True,
                    key="data_report",
                )
            elif not report.errors:
                st.success("No problems found.")
            if any(f.code == "invalid_geometry" for f in report.findings) or options.repair:
                st.checkbox(
                    "Repair invalid geometries (shapely make_valid; the report says what changed)",
                    key=state.DATA_REPAIR,
                )
            if options.drop_bad_dates or any(
                f.code in {"dates_unparsed", "dates_ambiguous"} for f in report.findings
            ):
                st.checkbox(
                    "Leave out the events whose date cannot be read (the report lists their "
                    "rows; or fix the file and upload it again)",
                    key=state.DATA_DROP_BAD_DATES,
                )
        # So does the preview.
        with st.container():
            preview = current.preview()
            try:
                preview = conform(preview, kind) if len(preview) else preview
            except HumansecError:
                st.caption("The map preview appears once the mapping has no errors.")
            else:
                bounds = data_bounds({kind: preview})
                if bounds is not None:
                    st.caption(
                        f"Preview: the first {len(preview):,} of {current.mapped_count:,} features."
                    )
                    west, south, east, north = bounds
                    zoom = zoom_for_bounds(bounds, height_px=420)
                    base = build_base_map(
                        center=((south + north) / 2, (west + east) / 2),
                        zoom=zoom,
                        asset_prefix=STREAMLIT_ASSET_PREFIX,
                        tile_url=settings.tile_url,
                        tile_attribution=settings.tile_attribution,
                        kinds_shown=[kind],
                        live=True,
                    )
                    st_folium(
                        base,
                        key=state.DATA_MAP,
                        feature_group_to_add=build_data_layers(
                            {kind: preview}, view=MapView(bounds, zoom)
                        ),
                        layer_control=build_layer_control(),
                        returned_objects=[],
                        height=420,
                        use_container_width=True,
                    )

        st.subheader("Store")
        same_kind = [r.layer_id for r in records if r.kind == kind and not r.retired]
        copies = [r for r in stored_copies(records, current.sha256) if r.layer_id in same_kind]
        if copies:
            st.warning(describe_copies(copies))
        with st.form(state.DATA_STORE, border=False):
            first, second = st.columns(2)
            title = first.text_input(
                "Title", value=Path(current.original_name).stem, key=state.DATA_TITLE
            )
            markings = markings_up_to(user, settings.classification_order)
            classification = second.selectbox(
                "Classification",
                markings,
                index=markings.index(settings.default_classification)
                if settings.default_classification in markings
                else 0,
                key=state.DATA_CLASSIFICATION,
                help="Up to your clearance.",
            )
            source = first.text_input("Source", key=state.DATA_SOURCE)
            licence = second.text_input("Licence", key=state.DATA_LICENCE)
            targets = ["a new layer", *same_kind]
            target = first.selectbox(
                "Store as",
                targets,
                index=targets.index(copies[0].layer_id) if copies else 0,
                format_func=lambda v: v if v == "a new layer" else f"a new version of {v}",
                key=state.DATA_TARGET,
            )
            separate = (
                first.checkbox(
                    "Yes, store this same file as a separate layer", key=state.DATA_SEPARATE
                )
                if copies
                else True
            )
            signed_in = user.source == "oidc"  # the name comes from the sign-in
            who = second.text_input(
                "Your unit (optional)" if signed_in else "Your name and unit",
                key=state.DATA_WHO,
                help=f"Stored in the provenance with your sign-in ({user.label})."
                if signed_in
                else "Stored in the provenance of the layer.",
            )
            blocked = bool(report.errors)
            if blocked:
                st.warning(
                    f"{len(report.errors)} error(s) in the report: fix the mapping or the file "
                    "before storing."
                )
            if st.form_submit_button("Store", disabled=blocked, type="primary"):
                uploader = provenance_who(user, who)
                if not uploader:
                    st.error("Say who you are (name and unit): it goes into the provenance.")
                elif target == "a new layer" and not separate:
                    st.error(
                        "This file is stored already: choose a new version of that layer under "
                        "'Store as', or tick the box to store it as a separate layer."
                    )
                else:
                    meta = UploadMeta(
                        title=title.strip() or Path(current.original_name).stem,
                        classification=classification,
                        who=uploader,
                        source=source.strip(),
                        licence=licence.strip(),
                    )
                    try:
                        with st.spinner(
                            f"Storing {current.mapped_count:,} features: checking, writing and "
                            "cataloguing them…"
                        ):
                            record = actions.commit_upload(
                                settings,
                                user,
                                current,
                                current.mapping or mapping,
                                meta=meta,
                                layer_id=None if target == "a new layer" else target,
                            )
                    except HumansecError as error:
                        text.show(error)
                    else:  # recorded in the audit trail by actions.commit_upload
                        discard(current.workdir)
                        st.session_state[state.DATA_INSPECTION] = None
                        st.session_state[state.DATA_STORED] = (
                            f"Stored {record['features']:,} features as layer "
                            f"{record['layer_id']} version {record['version']}."
                        )
                        st.rerun()

with catalogue_tab:
    if not records:
        st.info("The store holds no layers yet.")
    else:
        st.dataframe(upload.catalogue_table(records), hide_index=True, key="data_catalogue")
        layer_id = st.selectbox(
            "Layer", [r.layer_id for r in records], key=state.DATA_CATALOGUE_LAYER
        )
        chosen = next(r for r in records if r.layer_id == layer_id)
        st.dataframe(
            upload.versions_table(resources.store().versions(layer_id)),
            hide_index=True,
            key="data_versions",
        )
        label = "Restore" if chosen.retired else "Retire"
        if st.button(f"{label} {layer_id}", key=state.DATA_RETIRE):
            try:
                actions.set_retired(
                    settings, user, resources.store(), layer_id, retired=not chosen.retired
                )
            except HumansecError as error:
                text.show(error)
            else:
                st.rerun()

with population_tab:
    population.population_tab(settings, user, records)
