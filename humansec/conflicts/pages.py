"""Memory pages for the conflict check's large temporary arrays."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np

_LOCK = threading.Lock()
_STATE = {"depth": 0, "saved": True}
"""Blocks inside ``small_pages`` now, and the setting to restore when the last one ends."""


def _switch() -> Callable[[bool], bool] | None:
    """The switch of numpy's ``madvise(MADV_HUGEPAGE)`` for new arrays (None if it has none)."""
    core = getattr(np, "_core", None)
    multiarray = getattr(core, "multiarray", None)
    switch = getattr(multiarray, "_set_madvise_hugepage", None)
    return switch if callable(switch) else None


@contextmanager
def small_pages() -> Iterator[None]:
    """Let new numpy arrays use ordinary (4 KiB) pages inside the block.

    numpy asks Linux for transparent huge pages on every array of 4 MiB or more; the check
    makes and drops hundreds of such temporaries, and the kernel zeroes a whole 2 MiB page on
    each first touch: about a second of system time on 10k activities x 1M features, a
    seventh of the call. Ordinary pages are zeroed only where written. The previous setting
    comes back at the end (nested and concurrent calls restore it once, the last to leave).
    Only speed changes, never a result.
    """
    switch = _switch()
    if switch is None:
        yield
        return
    with _LOCK:
        if _STATE["depth"] == 0:
            _STATE["saved"] = switch(False)
        _STATE["depth"] += 1
    try:
        yield
    finally:
        with _LOCK:
            _STATE["depth"] -= 1
            if _STATE["depth"] == 0:
                switch(bool(_STATE["saved"]))
