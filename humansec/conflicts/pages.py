"""Memory pages for the conflict check's large temporary arrays."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pyarrow as pa

_LOCK = threading.Lock()
_STATE: dict[str, Any] = {"depth": 0, "saved": True, "pool": None}
"""Blocks inside ``small_pages`` now, and the settings to restore when the last one ends."""


def _switch() -> Callable[[bool], bool] | None:
    """The switch of numpy's ``madvise(MADV_HUGEPAGE)`` for new arrays (None if it has none)."""
    core = getattr(np, "_core", None)
    multiarray = getattr(core, "multiarray", None)
    switch = getattr(multiarray, "_set_madvise_hugepage", None)
    return switch if callable(switch) else None


@contextmanager
def small_pages() -> Iterator[None]:
    """Let new numpy arrays and pyarrow buffers use ordinary (4 KiB) pages inside the block.

    numpy asks Linux for transparent huge pages on every array of 4 MiB or more; the check
    makes and drops hundreds of such temporaries, and the kernel zeroes a whole 2 MiB page on
    each first touch: about a second of system time on 10k activities x 1M features, a
    seventh of the call. Ordinary pages are zeroed only where written. pyarrow's default
    allocator (mimalloc) takes huge pages too: the result's text columns cost 0.15-0.4 s of
    system time at 1.3M rows (3-4 s at 13M), against almost none from the system allocator,
    which is pyarrow's pool inside the block. The previous settings come back at the end
    (nested and concurrent calls restore them once, the last to leave; a buffer made here
    keeps its allocator for life). Only speed changes, never a result.
    """
    switch = _switch()
    with _LOCK:
        if _STATE["depth"] == 0:
            _STATE["saved"] = switch(False) if switch else True
            _STATE["pool"] = pa.default_memory_pool()
            pa.set_memory_pool(pa.system_memory_pool())
        _STATE["depth"] += 1
    try:
        yield
    finally:
        with _LOCK:
            _STATE["depth"] -= 1
            if _STATE["depth"] == 0:
                if switch:
                    switch(bool(_STATE["saved"]))
                pa.set_memory_pool(_STATE["pool"])
