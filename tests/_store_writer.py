"""Helper for test_store's killed-writer test: add a large version to a store, slowly if asked.

Usage: python _store_writer.py STORE_PATH LAYER_ID N_POINTS [pause_before_register]

Prints ``start`` before adding; with ``pause_before_register`` it prints ``written`` once the
new feature table is complete and then waits (to be killed) instead of registering it.
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
    pause = len(argv) > 4 and argv[4] == "pause_before_register"
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
    store.add_version(frame, meta, layer_id=layer_id)
    print("done", flush=True)


if __name__ == "__main__":
    main(sys.argv)
