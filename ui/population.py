"""Data page, "Population table": join a COD-PS style table to a stored area layer by P-code."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import streamlit as st

from humansec.access import actions
from humansec.access.identity import User
from humansec.errors import HumansecError
from humansec.model import LayerKind
from humansec.population.join import JoinOutcome
from humansec.settings import Settings
from humansec.store import LayerRecord
from ui import resources, text

LAYER: str = "data_population_layer"
TABLE: str = "data_population_table"
SHEET: str = "data_population_sheet"
DATE: str = "data_population_date"
JOIN: str = "data_population_join"
RESULT: str = "data_population_result"  # the last join's report (not a widget)


def population_tab(settings: Settings, user: User, records: list[LayerRecord]) -> None:
    """Choose an area layer and a population table; join them as a new version of the layer."""
    st.caption(
        "A population table (CSV or XLSX, COD-PS style: a P-code column such as ADM1_PCODE, "
        "totals T_TL / F_TL / M_TL and age bands such as F_00_04) is joined to a stored area "
        "layer by P-code only, never by name, as a new version of that layer."
    )
    result = st.session_state.get(RESULT)
    if result:
        tone, lines = result
        text.show("\n".join(lines), tone)
    areas = [r for r in records if r.kind is LayerKind.AREA and not r.retired]
    if not areas:
        st.info("The store holds no reference areas yet: upload boundaries as 'Reference areas'.")
        return
    titles = {r.layer_id: f"{r.title} ({r.layer_id}, version {r.version})" for r in areas}
    layer_id = st.selectbox("Area layer", list(titles), format_func=titles.__getitem__, key=LAYER)
    uploaded = st.file_uploader("Population table", type=["csv", "xlsx"], key=TABLE)
    sheet = st.text_input(
        "Sheet (empty: the one with the P-codes of the layer's level)", key=SHEET
    ).strip()
    date = st.date_input("Date of the figures", value=None, key=DATE)
    if not st.button("Join by P-code", key=JOIN, disabled=uploaded is None):
        return
    assert uploaded is not None
    try:
        outcome = _join(
            settings, user, layer_id, uploaded.name, uploaded.getvalue(), sheet=sheet, date=date
        )
    except HumansecError as error:
        text.show(error)
        return
    report = outcome.report
    problems = bool(
        report.unmatched_in_table
        or report.unmatched_in_layer
        or report.duplicated_in_table
        or report.duplicated_in_layer
        or report.sex_mismatch
    )
    head = (
        f"Stored {outcome.record.feature_count:,} areas as layer {outcome.record.layer_id} "
        f"version {outcome.record.version}."
    )
    st.session_state[RESULT] = ("warning" if problems else "success", [head, *report.lines()])
    st.rerun()


def _join(
    settings: Settings,
    user: User,
    layer_id: str,
    name: str,
    data: bytes,
    *,
    sheet: str,
    date: dt.date | None,
) -> JoinOutcome:
    with tempfile.TemporaryDirectory(dir=_staging(settings)) as folder:
        path = Path(folder) / (Path(name).name or "table.csv")  # the provenance names it
        path.write_bytes(data)
        return actions.join_population(
            settings,
            user,
            resources.store(),
            layer_id,
            path,
            original_name=name,
            sheet=sheet or None,
            date=date.isoformat() if date else None,
        )


def _staging(settings: Settings) -> Path:
    folder = settings.data_dir / "staging"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
