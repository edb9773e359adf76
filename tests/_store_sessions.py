"""Helper for test_store_concurrency: one app process with several sessions on one PostGIS.

Usage: python _store_sessions.py URL PROCESS SESSIONS SECONDS LAYER [LAYER ...]

Starts SESSIONS threads, each with its own ``PostGISStore`` (as app sessions have), that cycle
through: upload a new version of one of the LAYERs, read, retire or restore a layer, read. A
cycle is always finished, and cycles repeat until SECONDS have passed since the start.

Every version uploaded carries its own expected content in its provenance (``digest``: see
``humansec.store.copy.frame_digest``, ``rows``), so any session, in any process, can check a
version it reads is whole. Prints one JSON object: ``committed`` (layer, version, rows, digest
of every version this process's writers were told was committed), ``retired`` (the retire and
restore calls that returned), ``reads`` (how many versions were read and checked), ``bad``
(reads that did not match their record) and ``errors`` (exceptions, as text).
"""

from __future__ import annotations

import json
import sys
import threading
import time

import geopandas as gpd
import numpy as np

from humansec.model import WGS84, LayerKind, conform
from humansec.store import NewLayer
from humansec.store.copy import frame_digest
from humansec.store.postgis import PostGISStore

KIND = LayerKind.INFRASTRUCTURE


def version_frame(tag: str, rng: np.random.Generator) -> gpd.GeoDataFrame:
    """A new version's features: 200-3000 points whose ids name the session that wrote them."""
    count = int(rng.integers(200, 3000))
    frame = gpd.GeoDataFrame(
        {
            "id": [f"{tag}-{i}" for i in range(count)],
            "category": rng.choice(["power", "water", "dam"], count),
            "precision_m": rng.uniform(1, 100, count),
        },
        geometry=gpd.points_from_xy(rng.uniform(22, 40, count), rng.uniform(44, 52, count)),
        crs=WGS84,
    )
    return conform(frame, KIND)


def new_layer(frame: gpd.GeoDataFrame, session: str) -> NewLayer:
    provenance = {"digest": frame_digest(frame), "rows": len(frame), "session": session}
    return NewLayer(KIND, "Concurrent", "test", "none", "NATO UNCLASSIFIED", provenance=provenance)


def session(
    url: str, name: str, seed: int, layers: list[str], *, deadline: float, out: dict[str, list]
) -> None:
    rng = np.random.default_rng(seed)
    store = PostGISStore(url)  # each session its own store object
    cycle = 0

    def read() -> None:
        records = [r for layer in layers for r in store.versions(layer)]
        record = records[int(rng.integers(len(records)))]
        if rng.random() < 0.5:  # the latest of a layer: what a map rerun reads
            record = store.versions(record.layer_id)[-1]
        frame = store.read_layer(record.layer_id, version=record.version)
        whole = (len(frame), frame_digest(frame)) == (
            record.feature_count,
            record.provenance["digest"],
        )
        out["reads"].append(1)
        if not whole:
            out["bad"].append(f"{record.layer_id} v{record.version}: {len(frame)} rows")

    try:
        while True:
            layer = layers[int(rng.integers(len(layers)))]
            frame = version_frame(f"{name}.{cycle}", rng)
            record = store.add_version(frame, new_layer(frame, name), layer_id=layer)
            out["committed"].append(
                [layer, record.version, len(frame), record.provenance["digest"]]
            )
            read()
            layer = layers[int(rng.integers(len(layers)))]
            retired = bool(rng.random() < 0.5)
            store.set_retired(layer, retired=retired)
            out["retired"].append([layer, retired])
            read()
            listed = [r.layer_id for r in store.catalogue() if r.retired]
            if listed:
                out["bad"].append(f"retired layers listed as active: {listed}")
            cycle += 1
            if time.monotonic() >= deadline:
                break
    except Exception as error:  # noqa: BLE001 - reported to the test
        out["errors"].append(f"{name}: {type(error).__name__}: {error}")
    finally:
        store.close()


def main(argv: list[str]) -> None:
    url, process, sessions, seconds = argv[1], int(argv[2]), int(argv[3]), float(argv[4])
    layers = argv[5:]
    deadline = time.monotonic() + seconds
    out: dict[str, list] = {"committed": [], "retired": [], "reads": [], "bad": [], "errors": []}
    threads = [
        threading.Thread(
            target=session,
            args=(url, f"p{process}s{n}", process * 100 + n, layers),
            kwargs={"deadline": deadline, "out": out},
        )
        for n in range(sessions)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out["reads"] = [len(out["reads"])]
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main(sys.argv)
