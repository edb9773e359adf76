"""First start: fill an empty layer store with the embedded demo scenario.

A fresh installation then opens on a map with something on it, every layer marked EXERCISE.
A store that already holds any layer (even a retired one) is left alone.
"""

from __future__ import annotations

from pathlib import Path

from humansec.demo import DEMO_DIR, demo_metadata, load_demo
from humansec.store.base import LayerRecord, LayerStore


def ensure_demo(store: LayerStore, demo_dir: Path = DEMO_DIR) -> list[LayerRecord]:
    """Add the demo layers to ``store`` if it has never held a layer; return what was added.

    Parameters
    ----------
    store
        Any layer store.
    demo_dir
        The folder written by ``scripts/build_demo.py`` (default: the shipped ``geodata/demo``).

    Returns
    -------
    list[LayerRecord]
        One record per demo layer, in ``LayerKind`` order; empty when the store was not empty.

    Raises
    ------
    StoreError
        When a demo file cannot be read.

    """
    if not store.is_empty():
        return []
    layers = load_demo(demo_dir)
    return [store.add_version(frame, demo_metadata(kind)) for kind, frame in layers.items()]
