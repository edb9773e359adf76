"""The app's shared caches hand each caller frames of its own."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st

from humansec.model import LayerKind
from ui import resources


def test_frames_read_once_are_handed_out_as_copies_a_caller_may_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUMANSEC_DATA_DIR", str(tmp_path))  # an empty store: the demo
    st.cache_resource.clear()
    st.cache_data.clear()
    data_versions = tuple((r.layer_id, r.version) for r in resources.store().catalogue())

    first = resources.frames_by_kind(data_versions)
    population = first[LayerKind.POPULATION]
    names = population["name"].tolist()
    assert len(names) > 1
    # what a page might do to its frames: change a value, add a column, drop rows
    population.loc[population.index[0], "name"] = "changed"
    population["extra"] = 1
    first[LayerKind.POPULATION] = population.iloc[:1]

    second = resources.frames_by_kind(data_versions)
    assert second[LayerKind.POPULATION]["name"].tolist() == names
    assert "extra" not in second[LayerKind.POPULATION].columns
    assert second[LayerKind.POPULATION] is not population
    st.cache_resource.clear()
