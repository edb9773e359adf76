from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from humansec.errors import ConfigurationError
from humansec.export.furniture import make_furniture, plain_lines, product_marking
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
        {"activity_id": ["a1"], "feature_kind": ["cultural"], "feature_id": ["c1"],
         "distance_m": [120.4], "severity": ["critical"]}
    )  # fmt: skip
    furniture = make_furniture(
        [record(LayerKind.CULTURAL, ORDER[1])], kinds=[LayerKind.CULTURAL], order=ORDER,
        title="Title", moment=MOMENT, conflicts=conflicts,
    )  # fmt: skip
    lines = plain_lines(furniture)
    assert lines[0] == lines[-1] == "NATO RESTRICTED"
    assert "source of cultural" in "\n".join(lines)
    assert any("critical: a1 -> cultural c1 at 120 m" in line for line in lines)
