"""Helper for test_store's killed-writer test: add a large version to a store, slowly if asked.

Usage: python _store_writer.py STORE_PATH LAYER_ID N_POINTS [pause_before_register | repeat=K]

Prints ``start`` before adding; with ``pause_before_register`` it prints ``written`` once the
new feature table is complete and then waits (to be killed) instead of registering it; with
``repeat=K`` it adds K versions one after the other (for the concurrent-writers test).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np

from humansec.model import WGS84, LayerKind
from humansec.store import GeoPackageStore, NewLayer


def main(argv: list[str]) -> None:
    path, layer_id, count = Path(argv[1]), argv[2], int(argv[3])
    mode = argv[4] if len(argv) > 4 else ""
    pause = mode == "pause_before_register"
    repeat = int(mode.removeprefix("repeat=")) if mode.startswith("repeat=") else 1
    rng = np.random.default_rng(1)
    frame = gpd.GeoDataFrame(
        {"id": np.arange(count).astype(str), "category": "power"},
        geometry=gpd.points_from_xy(rng.uniform(22, 40, count), rng.uniform(44, 52, count)),
        crs=WGS84,
    )
    store = GeoPackageStore(path)
    if pause:

        def stop(row: object) -> None:
            print("written", flush=True)
            time.sleep(60)

        store._register = stop  # type: ignore[method-assign]
    meta = NewLayer(LayerKind.INFRASTRUCTURE, "Big", "test", "none", "NATO UNCLASSIFIED")
    print("start", flush=True)
    for _ in range(repeat):
        store.add_version(frame, meta, layer_id=layer_id)
    print("done", flush=True)


if __name__ == "__main__":
    main(sys.argv)
