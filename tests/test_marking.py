from __future__ import annotations

import pytest

from humansec.errors import ConfigurationError
from humansec.marking import banner_text, highest_marking
from humansec.settings import DEFAULT_CLASSIFICATION_ORDER as ORDER


def test_highest_marking_wins_regardless_of_order() -> None:
    markings = ["NATO UNCLASSIFIED", "NATO CONFIDENTIAL", "NATO RESTRICTED"]
    assert highest_marking(markings, ORDER) == "NATO CONFIDENTIAL"
    assert highest_marking(reversed(markings), ORDER) == "NATO CONFIDENTIAL"


def test_no_markings_gives_the_lowest() -> None:
    assert highest_marking([], ORDER) == "NATO UNCLASSIFIED"


def test_unknown_marking_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ConfigurationError, match="NATO SECRET"):
        highest_marking(["COSMIC TOP SECRET"], ORDER)


def test_banner_adds_exercise_on_both_sides() -> None:
    assert banner_text("NATO RESTRICTED", exercise=True) == (
        "EXERCISE - NATO RESTRICTED - EXERCISE"
    )
    assert banner_text("NATO RESTRICTED", exercise=False) == "NATO RESTRICTED"
