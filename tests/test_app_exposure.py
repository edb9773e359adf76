"""AppTest: the Planned activities page shows the people in each hazard area, per source."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from humansec.conflicts import load_rules
from humansec.conflicts.rule_versions import active_rules_path
from humansec.model import LayerKind
from humansec.population.exposure import exposure
from humansec.population.sources import population_sources
from humansec.settings import load_settings
from humansec.store import open_store
from tests.test_app import planner, start


def _people(at: AppTest) -> pd.DataFrame:
    tables = [t.value for t in at.dataframe if "Children (under 18)" in t.value.columns]
    assert len(tables) == 1
    return tables[0]


def test_people_in_each_hazard_area_per_population_layer(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = start(tmp_path_factory.mktemp("appdata"), monkeypatch)
    planner(at)
    assert "People in the hazard areas" in [h.value for h in at.subheader]
    table = _people(at)
    settings = load_settings()
    store = open_store(settings)
    activities = store.read_kind(LayerKind.ACTIVITY)
    sources = population_sources(store, settings.data_dir)
    expected = exposure(activities, load_rules(active_rules_path(settings)), sources)
    assert len(table) == len(expected) == len(activities) * len(sources) > 0
    assert table["Activity"].tolist() == expected["activity_id"].tolist()
    titles = {record.layer_id: record.title for record in store.catalogue()}
    assert table["Layer"].tolist() == expected["source_layer"].map(titles).tolist()  # by title
    assert table["People"].tolist() == expected["population"].round(0).tolist()
    assert table["People"].sum() > 0  # the demo puts people near some activities
    assert set(table["Source"]) == {"points"}
