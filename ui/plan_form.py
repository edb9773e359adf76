"""The Planned activities page's form for one point activity, typed by hand.

The form is not cleared on submit: an entry that is refused (a mistyped MGRS reference, say)
keeps what was typed, so the planner corrects it instead of typing it again. An accepted
entry is added to the plan's table and the form is emptied, in the submit button's callback,
which runs before the widgets are drawn again (the only moment their values may be set).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from humansec.conflicts.inputs import activity_from_entry
from humansec.errors import HumansecError
from ui import state

# Form field -> widget key; the empty value each is reset to once an entry is accepted.
FIELDS: dict[str, tuple[str, object]] = {
    "id": (state.PLAN_FORM_ID, ""),
    "type": (state.PLAN_FORM_TYPE, None),  # the type stays as chosen: the next is often alike
    "mgrs": (state.PLAN_FORM_MGRS, ""),
    "lat": (state.PLAN_FORM_LAT, None),
    "lon": (state.PLAN_FORM_LON, None),
    "hazard_radius_m": (state.PLAN_FORM_RADIUS, None),
}


EMPTY_TABLE = pd.DataFrame(
    {
        "id": pd.Series(dtype="string"),
        "type": pd.Series(dtype="string"),
        "start": pd.Series(dtype="datetime64[ns]"),
        "end": pd.Series(dtype="datetime64[ns]"),
        "mgrs": pd.Series(dtype="string"),
        "lat": pd.Series(dtype="float"),
        "lon": pd.Series(dtype="float"),
        "precision_m": pd.Series(dtype="float"),
        "hazard_radius_m": pd.Series(dtype="float"),
    }
)
"""The plan's activities entered by hand (typed, or placed by a click on the map)."""


def add_row(entry: dict[str, object]) -> None:
    """Append one activity to the rows entered by hand (the page's table shows them)."""
    rows = st.session_state.get(state.PLAN_ROWS, EMPTY_TABLE)
    st.session_state[state.PLAN_ROWS] = pd.concat([rows, pd.DataFrame([entry])], ignore_index=True)


def add_entry() -> None:
    """Submit callback: add the typed activity to the plan, or keep it and say what is wrong."""
    entry = {name: st.session_state.get(key) for name, (key, _) in FIELDS.items()}
    try:
        activity_from_entry(entry)  # refuse it now, with the reason in the planner's words
    except HumansecError as error:
        st.session_state[state.PLAN_FORM_ERROR] = str(error)
        return
    st.session_state.pop(state.PLAN_FORM_ERROR, None)
    add_row(entry)
    for name, (key, empty) in FIELDS.items():
        if name != "type":
            st.session_state[key] = empty
