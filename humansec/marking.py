"""Classification markings: the highest marking among what is shown, and the banner text."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from humansec.errors import ConfigurationError, choices

EXERCISE = "EXERCISE"


def highest_marking(markings: Iterable[str], order: Sequence[str]) -> str:
    """Return the highest of ``markings`` by ``order`` (lowest first); the lowest if none.

    >>> highest_marking(["NATO RESTRICTED", "NATO UNCLASSIFIED"],
    ...                 ["NATO UNCLASSIFIED", "NATO RESTRICTED", "NATO SECRET"])
    'NATO RESTRICTED'
    """
    rank = {marking: position for position, marking in enumerate(order)}
    highest = order[0]
    for marking in markings:
        if marking not in rank:
            msg = (
                f"Unknown classification marking {marking!r}; known markings, lowest first: "
                f"{choices(order)}. Add it to classification_order in the configuration."
            )
            raise ConfigurationError(msg)
        if rank[marking] > rank[highest]:
            highest = marking
    return highest


def banner_text(marking: str, *, exercise: bool) -> str:
    """Return the banner line, e.g. ``EXERCISE - NATO UNCLASSIFIED - EXERCISE``."""
    return f"{EXERCISE} - {marking} - {EXERCISE}" if exercise else marking
