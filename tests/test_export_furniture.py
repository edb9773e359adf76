from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import pytest

from humansec.errors import ConfigurationError
from humansec.export.furniture import (
    annex_html,
    conflicts_summary,
    make_furniture,
    plain_lines,
    product_marking,
    severity_counts,
    side_panel_html,
    source_lines,
)
from humansec.model import LayerKind
from humansec.settings import DEFAULT_CLASSIFICATION_ORDER as ORDER
from humansec.store.base import LayerRecord

MOMENT = dt.datetime(2026, 11, 26, 14, 30, tzinfo=dt.UTC)


def record(kind: LayerKind, marking: str, *, exercise: bool = False, retired: bool = False):
    return LayerRecord(
        layer_id=f"{kind}-{marking}",
        version=1,
        kind=kind,
        title=f"{kind} layer",
        source=f"source of {kind}",
        licence="CC BY 4.0",
        classification=marking,
        created_at=MOMENT,
        feature_count=1,
        retired=retired,
        exercise=exercise,
    )


def test_marking_is_the_highest_of_the_layers() -> None:
    records = [record(LayerKind.CULTURAL, ORDER[1]), record(LayerKind.INCIDENT, ORDER[0])]
    assert product_marking(records, order=ORDER) == ("NATO RESTRICTED", False)


def test_requested_marking_raises_but_never_lowers() -> None:
    records = [record(LayerKind.CULTURAL, ORDER[1])]
    assert product_marking(records, order=ORDER, requested=ORDER[3])[0] == "NATO SECRET"
    assert product_marking(records, order=ORDER, requested=ORDER[0])[0] == "NATO RESTRICTED"


def test_unknown_requested_marking_lists_the_choices() -> None:
    with pytest.raises(ConfigurationError, match="NATO SECRET"):
        product_marking([], order=ORDER, requested="TOP SECRET")


def test_only_active_layers_of_the_kinds_shown_count() -> None:
    records = [
        record(LayerKind.CULTURAL, ORDER[0], exercise=True),
        record(LayerKind.INCIDENT, ORDER[3]),  # not shown
        record(LayerKind.CULTURAL, ORDER[2], retired=True),
    ]
    furniture = make_furniture(
        records, kinds=[LayerKind.CULTURAL], order=ORDER, title="T", moment=MOMENT
    )
    assert furniture.marking == "NATO UNCLASSIFIED"
    assert furniture.banner == "EXERCISE - NATO UNCLASSIFIED - EXERCISE"
    assert furniture.dtg == "261430Z NOV 26"
    assert [s.title for s in furniture.sources] == ["cultural layer"]


def test_plain_lines_hold_banners_sources_and_conflicts() -> None:
    conflicts = pd.DataFrame(
        {"activity_id": ["a1"], "activity_name": ["Fire mission"], "feature_kind": ["cultural"],
         "feature_id": ["c1"], "feature_name": ["St Anne church"],
         "feature_mgrs": ["34U FE 26199 96369"], "distance_m": [120.4], "severity": ["critical"]}
    )  # fmt: skip
    furniture = make_furniture(
        [record(LayerKind.CULTURAL, ORDER[1])], kinds=[LayerKind.CULTURAL], order=ORDER,
        title="Title", moment=MOMENT, conflicts=conflicts,
    )  # fmt: skip
    lines = plain_lines(furniture)
    assert lines[0] == lines[-1] == "NATO RESTRICTED"
    assert "source of cultural" in "\n".join(lines)
    expected = (
        "critical: a1 Fire mission -> Cultural property St Anne church (c1) "
        "at 34U FE 26199 96369, 120 m"
    )
    assert any(expected in line for line in lines)


def test_severities_are_counted_worst_first() -> None:
    severities = ["low"] * 6 + ["high"] * 3 + ["critical"] * 2 + ["medium"]
    summary = conflicts_summary(pd.DataFrame({"severity": severities}))
    assert summary == "12 conflicts in view (2 critical, 3 high, 1 medium, 6 low)."
    assert list(severity_counts(pd.DataFrame({"severity": ["low", "high"]}))) == ["high", "low"]


def test_only_layers_in_view_are_listed_as_sources() -> None:
    records = [record(LayerKind.CULTURAL, ORDER[0]), record(LayerKind.INCIDENT, ORDER[1])]
    furniture = make_furniture(
        records, kinds=[LayerKind.CULTURAL, LayerKind.INCIDENT], order=ORDER, title="T",
        moment=MOMENT, layers_in_view={records[0].layer_id},
    )  # fmt: skip
    assert [s.title for s in furniture.sources] == ["cultural layer"]
    assert furniture.marking == "NATO RESTRICTED"  # the marking still covers every layer shown


def test_sources_sharing_a_source_are_listed_once_and_all_go_on_the_annex() -> None:
    records = [
        dataclasses.replace(record(LayerKind.CULTURAL, ORDER[0]), layer_id=f"l{n}", title=f"L{n}")
        for n in range(8)
    ]
    records[0] = dataclasses.replace(records[0], source="Survey <2026>")
    furniture = make_furniture(records, kinds=[LayerKind.CULTURAL], order=ORDER, title="T")
    assert [text for text, _ in source_lines(furniture.sources)] == [
        "L0: Survey <2026> (CC BY 4.0)",
        "L1; L2; L3; L4; L5; L6; L7: source of cultural (CC BY 4.0)",
    ]
    panel = side_panel_html(furniture)
    assert panel.count("class='hsx-src'") == 2 and "Survey &lt;2026&gt;" in panel
    annex = annex_html(furniture)  # shown by the page's script when the panel overflows
    assert "hsx-annex-sources-block" in annex and "L7: source of cultural" in annex
    assert "hsx-annex-on" not in annex  # no conflicts: the annex page is off until then


def test_conflict_annex_names_each_feature_with_its_mgrs() -> None:
    conflicts = pd.DataFrame(
        {"activity_id": ["a1"], "activity_type": ["air_strike"], "feature_kind": ["cultural"],
         "feature_id": ["c1"], "feature_name": ["St Anne <church>"],
         "feature_category": ["place_of_worship"], "feature_mgrs": ["34U FE 26199 96369"],
         "distance_m": [120.4], "threshold_m": [1000.0], "severity": ["critical"]}
    )  # fmt: skip
    furniture = make_furniture(
        [], kinds=[LayerKind.CULTURAL], order=ORDER, title="T", conflicts=conflicts
    )
    annex = annex_html(furniture)
    assert "St Anne &lt;church&gt; <span class='hsx-nowrap'>(c1)</span>" in annex
    for text in ("34U FE 26199 96369", "Air strike",
                 "Place of worship", "Cultural property", "1,000"):  # fmt: skip
        assert text in annex
