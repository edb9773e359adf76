"""Audit trail (admin): every recorded action, filtered; whether the hash chain is intact."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from humansec import audit
from ui import frame, resources, text

frame.require_router()

st.title("Audit trail")
settings = resources.settings()
verdict = audit.verify(settings.audit_location)
text.show(verdict.message(), "success" if verdict.ok else "error")
events = audit.read(settings.audit_location)
rows = pd.DataFrame(
    [
        {
            "#": event.get("seq"),
            "when": event.get("when"),
            "action": event.get("action"),
            "who": event.get("who"),
            "subject": (event.get("actor") or {}).get("subject", ""),  # type: ignore[union-attr]
            "marking": event.get("marking"),
            "object": str(event.get("what")),
        }
        for event in events
    ],
    columns=["#", "when", "action", "who", "subject", "marking", "object"],
)
left, middle, right = st.columns(3)
actions = left.multiselect("Actions", sorted(rows["action"].dropna().unique()), key="audit_actions")
who = middle.text_input("Who (part of the name, e-mail or subject)", key="audit_who")
contains = right.text_input("Object contains", key="audit_object")
shown = rows
if actions:
    shown = shown[shown["action"].isin(actions)]
if who.strip():
    needle = who.strip().lower()
    shown = shown[
        shown["who"].str.lower().str.contains(needle, regex=False)
        | shown["subject"].str.lower().str.contains(needle, regex=False)
    ]
if contains.strip():
    shown = shown[shown["object"].str.contains(contains.strip(), case=False, regex=False)]
st.caption(f"{len(shown):,} of {len(rows):,} entries, newest first.")
st.dataframe(shown.iloc[::-1], hide_index=True, key="audit_table")
