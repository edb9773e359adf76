"""First start: fill an empty layer store with the embedded demo scenario.

A fresh installation then opens on a map with something on it, every layer marked EXERCISE.
A store that holds any layer of its own (even a retired one) is left alone; a store that holds
only part of the demo (a first start that was killed half-way) gets the missing demo layers.
"""

from __future__ import annotations

from pathlib import Path

from humansec.demo import DEMO_DIR, demo_metadata, load_demo
from humansec.model import VECTOR_KINDS
from humansec.store.base import LayerRecord, LayerStore


def ensure_demo(store: LayerStore, demo_dir: Path = DEMO_DIR) -> list[LayerRecord]:
    """Add the demo layers ``store`` lacks, unless it holds other layers; return what was added.

    Parameters
    ----------
    store
        Any layer store.
    demo_dir
        The folder written by ``scripts/build_demo.py`` (default: the shipped ``geodata/demo``).

    Returns
    -------
    list[LayerRecord]
        One record per demo layer added, in ``LayerKind`` order; empty when the store holds
        any layer that is not part of the demo, or the whole demo already.

    Raises
    ------
    StoreError
        When a demo file cannot be read.

    """
    held = {(record.kind, record.title) for record in store.catalogue(include_retired=True)}
    demo = {(kind, demo_metadata(kind).title) for kind in VECTOR_KINDS}
    if not held <= demo:
        return []
    layers = load_demo(demo_dir)
    return [
        store.add_version(frame, demo_metadata(kind))
        for kind, frame in layers.items()
        if (kind, demo_metadata(kind).title) not in held
    ]
