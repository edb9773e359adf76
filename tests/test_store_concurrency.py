"""Many app processes on one PostGIS (issue 14): 4 processes, 16 sessions, for a minute.

Each session (a thread with its own store object, as an app session has) uploads versions,
retires and restores layers and reads at once with the others (``_store_sessions.py``).
Afterwards every version a writer was told was committed is in the store exactly once,
whole and readable; the versions of each layer are 1..n with no gap (none lost, none
duplicated, none registered that no writer was told of); retire and restore events alternate;
and no read, during the run, returned anything but a whole version.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

from humansec.model import LayerKind
from humansec.store.copy import frame_digest
from humansec.store.postgis import PostGISStore
from tests._store_sessions import new_layer, version_frame

SESSIONS_SCRIPT = Path(__file__).with_name("_store_sessions.py")
ROOT = str(Path(__file__).resolve().parent.parent)
PROCESSES = 4
SESSIONS_PER_PROCESS = 4  # 16 sessions in all
SECONDS = float(os.environ.get("HUMANSEC_CONCURRENCY_SECONDS", "60"))
LAYERS = ["roads", "wells", "dams"]


def test_16_sessions_in_4_processes_upload_retire_and_read_at_once(postgis_url):
    import numpy as np  # noqa: PLC0415

    store = PostGISStore(postgis_url)
    committed: list[tuple[str, int, int, str]] = []
    rng = np.random.default_rng(0)
    for layer in LAYERS:  # every layer exists before the sessions start
        frame = version_frame(f"setup.{layer}", rng)
        record = store.add_version(frame, new_layer(frame, "setup"), layer_id=layer)
        committed.append((layer, record.version, len(frame), frame_digest(frame)))
    args = [str(SESSIONS_PER_PROCESS), str(SECONDS), *LAYERS]
    workers = [
        subprocess.Popen(
            [sys.executable, str(SESSIONS_SCRIPT), postgis_url, str(n), *args],
            stdout=subprocess.PIPE,
            text=True,
            env={"PYTHONPATH": ROOT, "PATH": os.environ.get("PATH", "")},
        )
        for n in range(PROCESSES)
    ]
    outputs = []
    for worker in workers:
        stdout, _ = worker.communicate(timeout=SECONDS + 300)
        assert worker.returncode == 0
        outputs.append(json.loads(stdout))
    try:
        errors = [e for out in outputs for e in out["errors"]]
        bad = [b for out in outputs for b in out["bad"]]
        assert errors == []
        assert bad == []  # no read saw a partial or wrong version
        reads = sum(out["reads"][0] for out in outputs)
        committed += [tuple(c) for out in outputs for c in out["committed"]]  # type: ignore[misc]
        print(f"{len(committed)} versions committed, {reads} versions read and checked")
        # Every session finished at least one cycle: 16 uploads and 32 checked reads at least.
        assert len(committed) >= len(LAYERS) + PROCESSES * SESSIONS_PER_PROCESS
        assert reads >= 2 * PROCESSES * SESSIONS_PER_PROCESS

        # None duplicated: no (layer, version) was handed to two writers.
        keys = Counter((layer, version) for layer, version, _, _ in committed)
        assert [key for key, n in keys.items() if n > 1] == []
        # None lost and none unknown: each layer's versions are exactly those committed, 1..n.
        for layer in LAYERS:
            stored = [r.version for r in store.versions(layer)]
            mine = sorted(version for name, version, _, _ in committed if name == layer)
            assert stored == mine == list(range(1, len(mine) + 1))
        # Every committed version is whole and readable: its rows and content hash.
        for layer, version, rows, digest in committed:
            frame = store.read_layer(layer, version=version)
            assert (len(frame), frame_digest(frame)) == (rows, digest), (layer, version)
            (record,) = [r for r in store.versions(layer) if r.version == version]
            assert record.feature_count == rows
        assert store.orphan_tables() == []
        # Retire and restore: each call that changed something is one event, and they
        # alternate per layer (no retire of a retired layer); the last one is the state.
        events = [e for e in store.events() if e["event"] in {"retire", "restore"}]
        calls = Counter(layer for out in outputs for layer, _ in out["retired"])
        for layer in LAYERS:
            mine_events = [e["event"] for e in events if e["layer_id"] == layer]
            assert all(a != b for a, b in itertools.pairwise(mine_events))
            assert len(mine_events) <= calls[layer]
            retired = bool(mine_events) and mine_events[-1] == "retire"
            assert store.versions(layer)[-1].retired is retired
        assert {r.kind for r in store.catalogue(include_retired=True)} == {LayerKind.INFRASTRUCTURE}
    finally:
        store.close()
