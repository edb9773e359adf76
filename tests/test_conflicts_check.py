"""A whole check as the planner sees it, on the shipped demo scenario."""

from __future__ import annotations

import pytest

from humansec.conflicts import load_rules
from humansec.conflicts.check import run_check
from humansec.demo import DEMO_DIR, load_demo
from humansec.model import LayerKind


@pytest.fixture(scope="module")
def result():
    frames = load_demo(DEMO_DIR)
    return run_check(frames[LayerKind.ACTIVITY], frames, load_rules())


def test_every_activity_gets_a_status(result) -> None:
    assert len(result.activities) == 12
    assert set(result.activities["status"]) == {"red", "amber", "green"}
    red = result.activities[result.activities["status"] == "red"]
    assert set(red["worst_severity"]) <= {"critical", "high"}


def test_hazard_areas_contain_their_activities(result) -> None:
    assert list(result.hazard_areas["id"]) == list(result.activities["id"].astype(str))
    for area, activity in zip(
        result.hazard_areas.geometry, result.activities.geometry, strict=True
    ):
        assert area.contains(activity)


def test_conflicting_features_are_exactly_those_in_the_conflicts(result) -> None:
    named = set(zip(result.conflicts["feature_kind"], result.conflicts["feature_id"], strict=True))
    drawn = {
        (str(kind), str(fid)) for kind, frame in result.conflicting.items() for fid in frame["id"]
    }
    assert drawn == named
    green = result.activities[result.activities["status"] == "green"]["id"]
    assert not set(result.conflicts["activity_id"]) & set(green)
