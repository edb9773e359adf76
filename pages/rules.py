"""Stand-off rules (analysts): edit the rules as a table, save a new version, restore one."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from humansec.conflicts import SEVERITIES
from humansec.conflicts.rule_versions import (
    history,
    restore_version,
    rules_table,
    save_version,
    table_to_toml,
    validate,
)
from humansec.errors import HumansecError
from humansec.model import ACTIVITY_TYPES, PROTECTED_KINDS
from ui import frame, resources, text

frame.require_router()

st.title("Stand-off rules")
settings = resources.settings()
user = resources.session_user()
saved = history(settings)
current = saved[-1].version if saved else 0
st.caption(
    f"In force: version {current}"
    + (
        f", saved {saved[-1].when} by {saved[-1].who}"
        if saved
        else f" ({settings.rules_path.name})"
    )
    + ". The check uses a saved version at once."
)
rows = pd.DataFrame(rules_table(resources.rules()))
edited = st.data_editor(
    rows,
    num_rows="dynamic",
    hide_index=True,
    key=f"rules_table_{current}",
    column_config={
        "activity": st.column_config.SelectboxColumn("activity", options=list(ACTIVITY_TYPES)),
        "feature": st.column_config.SelectboxColumn(
            "feature", options=[str(kind) for kind in PROTECTED_KINDS]
        ),
        "severity": st.column_config.SelectboxColumn("severity", options=list(SEVERITIES)),
        "distance_m": st.column_config.NumberColumn("distance (m)", min_value=0.0),
    },
    width="stretch",
)
toml_text = table_to_toml(edited.to_dict("records"))
try:
    validate(toml_text)
except HumansecError as error:
    text.show(error)
    valid = False
else:
    valid = True
    changed = not edited.reset_index(drop=True).equals(rows.reset_index(drop=True))
    text.show("The rules are valid." + ("" if changed else " (unchanged)"), "success")
with st.form("rules_save", border=False):
    why = st.text_input("Why do the rules change? (kept with the version)", key="rules_why")
    if st.form_submit_button("Save as a new version", type="primary", disabled=not valid):
        try:
            version = save_version(settings, user, toml_text, why=why)
        except HumansecError as error:
            text.show(error)
        else:
            text.show(f"Saved version {version.version}; the check uses it now.", "success")
            st.rerun()

st.subheader("Versions")
if not saved:
    st.caption("No version saved in the app yet: the rules come from the settings' file.")
else:
    st.dataframe(
        pd.DataFrame(
            [
                {"version": v.version, "when": v.when, "who": v.who, "why": v.why,
                 "restored from": v.restored_from, "sha256": v.sha256[:16]}
                for v in reversed(saved)
            ]
        ),
        hide_index=True,
        key="rules_versions",
    )  # fmt: skip
    with st.form("rules_restore", border=False):
        left, right = st.columns(2)
        choice = left.selectbox(
            "Restore version",
            [0, *(v.version for v in saved)],
            format_func=lambda n: f"{n} (the settings' file)" if n == 0 else str(n),
            key="rules_restore_version",
        )
        reason = right.text_input("Why restore it?", key="rules_restore_why")
        if st.form_submit_button("Restore as a new version"):
            try:
                restore_version(settings, user, int(choice), why=reason)
            except HumansecError as error:
                text.show(error)
            else:
                st.rerun()
