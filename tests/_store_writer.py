"""Helper for test_store's killed-writer test: add a large version to a store, slowly if asked.

Usage: python _store_writer.py STORE LAYER_ID N_POINTS [pause_before_register | repeat=K]

STORE is a GeoPackage path or a PostGIS URL. Prints ``start`` before adding; with
``pause_before_register`` it prints ``written`` once the new feature table is complete and then
waits (to be killed) instead of registering it (PostGIS: inside the open transaction, before the
catalogue row); with ``repeat=K`` it adds K versions one after the other (for the
concurrent-writers test).
"""

from __future__ import annotations

import sys
import time

import geopandas as gpd
import numpy as np

from humansec.model import WGS84, LayerKind
from humansec.store import GeoPackageStore, NewLayer, open_store_at


def main(argv: list[str]) -> None:
    location, layer_id, count = argv[1], argv[2], int(argv[3])
    mode = argv[4] if len(argv) > 4 else ""
    pause = mode == "pause_before_register"
    repeat = int(mode.removeprefix("repeat=")) if mode.startswith("repeat=") else 1
    rng = np.random.default_rng(1)
    frame = gpd.GeoDataFrame(
        {"id": np.arange(count).astype(str), "category": "power"},
        geometry=gpd.points_from_xy(rng.uniform(22, 40, count), rng.uniform(44, 52, count)),
        crs=WGS84,
    )
    store = open_store_at(location)
    if pause:

        def stop(*args: object, **kwargs: object) -> None:
            print("written", flush=True)
            time.sleep(60)

        if isinstance(store, GeoPackageStore):
            store._register = stop  # type: ignore[method-assign]
        else:
            store._append_event = stop  # type: ignore[attr-defined]
    meta = NewLayer(LayerKind.INFRASTRUCTURE, "Big", "test", "none", "NATO UNCLASSIFIED")
    print("start", flush=True)
    for _ in range(repeat):
        store.add_version(frame, meta, layer_id=layer_id)
    print("done", flush=True)


if __name__ == "__main__":
    main(sys.argv)
