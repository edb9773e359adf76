"""The hostile corpus (tests/hostile_files.py) through identify -> checks -> read in a worker.

Each file must be refused with its message fragment, nothing may be written outside the test's
folder, and the canary HTTP server must receive no request.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from humansec.errors import IngestError
from humansec.ingest import archive, sniff
from humansec.ingest.gdal_env import worker_environment
from humansec.ingest.limits import IngestLimits
from humansec.ingest.pipeline import UploadMeta, UploadOptions, ingest_file
from humansec.ingest.types import GDAL_DRIVER, SourceFormat
from humansec.model import LayerKind
from humansec.store import GeoPackageStore
from tests.canary import Canary
from tests.hostile_files import CASES, PWNED, HostileCase

_ROOT = Path(__file__).resolve().parents[1]

# Reads each job of a JSON list with read_vector; prints {name: message or "READ n"}.
_WORKER = """
import json, sys
from pathlib import Path
from humansec.errors import IngestError
from humansec.ingest.limits import IngestLimits
from humansec.ingest.types import SourceFormat
from humansec.ingest.vector import read_vector
out = {}
for job in json.loads(sys.argv[1]):
    try:
        frame, _f, _facts = read_vector(
            Path(job["path"]), SourceFormat(job["format"]), layer=None, crs=None, encoding=None,
            limits=IngestLimits(), workdir=Path(job["workdir"]),
        )
        out[job["name"]] = f"READ {len(frame)}"
    except IngestError as exc:
        out[job["name"]] = str(exc)
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def canary() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server counting the requests it gets: (its URL, the requests)."""
    running = Canary()
    running.thread.start()
    try:
        yield running.url, running.requests
    finally:
        running.server.shutdown()
        running.server.server_close()


def start_worker(jobs: list[dict[str, str]], driver: str | None) -> subprocess.Popen[str]:
    """Read the jobs in a fresh interpreter with the worker environment for ``driver``."""
    env = {**os.environ, **worker_environment(driver), "PYTHONPATH": str(_ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", _WORKER, json.dumps(jobs)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def worker_result(process: subprocess.Popen[str]) -> dict[str, str]:
    """What the worker printed: {case name: refusal message or "READ n"}."""
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr[-2000:]
    result: dict[str, str] = json.loads(stdout.strip().splitlines()[-1])
    return result


@pytest.fixture(scope="module")
def outcomes(
    tmp_path_factory: pytest.TempPathFactory, canary: tuple[str, list[str]]
) -> dict[str, str]:
    """The message each case was refused with ("ACCEPTED ..." if it was not)."""
    url, _requests = canary
    root = tmp_path_factory.mktemp("hostile")
    limits = IngestLimits()
    results: dict[str, str] = {}
    to_read: dict[str | None, list[dict[str, str]]] = {}
    for case in CASES:
        folder = root / case.name / "upload"
        folder.mkdir(parents=True)
        path = case.build(folder, url)
        try:
            fmt = sniff.identify(path, path.name)
            if fmt is SourceFormat.XLSX:
                archive.check_xlsx(path, limits)
            elif fmt in {SourceFormat.SHAPEFILE, SourceFormat.KMZ}:
                archive.check_zip(path, limits)
        except IngestError as exc:
            results[case.name] = str(exc)
            continue
        if GDAL_DRIVER[fmt] is None:
            results[case.name] = f"ACCEPTED as {fmt}"
            continue
        job = {
            "name": case.name,
            "path": str(path),
            "format": str(fmt),
            "workdir": str(root / case.name / "work"),
        }
        to_read.setdefault(GDAL_DRIVER[fmt], []).append(job)
    workers = [start_worker(jobs, driver) for driver, jobs in to_read.items()]
    for process in workers:
        results.update(worker_result(process))
    return results


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 30
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_file_is_refused(case, outcomes: dict[str, str]) -> None:
    message = outcomes[case.name]
    assert not message.startswith(("ACCEPTED", "READ")), message
    assert case.fragment.lower() in message.lower(), message


def test_nothing_written_outside_and_nothing_fetched(
    outcomes: dict[str, str],
    canary: tuple[str, list[str]],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    assert outcomes  # every case ran
    _url, requests = canary
    assert requests == []
    base = tmp_path_factory.getbasetemp()
    escaped = [p for p in base.parent.rglob(f"{PWNED}*")]
    escaped += list(Path("/tmp").glob(f"{PWNED}*")) + list(Path("/").glob(f"{PWNED}*"))
    assert escaped == []


@pytest.fixture(scope="module")
def pipeline_outcomes(
    tmp_path_factory: pytest.TempPathFactory, canary: tuple[str, list[str]]
) -> tuple[dict[str, str], Path, list[object]]:
    """Every case through the whole pipeline (as the CLI runs it) into a store with one layer.

    Returns the refusal messages, the store's path and its catalogue before the cases ran.
    """
    url, _requests = canary
    root = tmp_path_factory.mktemp("hostile-pipeline")
    store_path = root / "store.gpkg"
    first = root / "first.geojson"
    first.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"name": "Town", "population": 10},
                        "geometry": {"type": "Point", "coordinates": [24, 50]},
                    }
                ],
            }
        )
    )
    meta = UploadMeta(title="Before", classification="NATO UNCLASSIFIED", who="test")
    options = UploadOptions(kind=LayerKind.POPULATION)
    ingest_file(first, options, staging_root=root / "staging", store_path=store_path, meta=meta)
    before = GeoPackageStore(store_path).catalogue(include_retired=True)

    def attempt(case: HostileCase) -> tuple[str, str]:
        folder = root / case.name
        folder.mkdir()
        path = case.build(folder, url)
        try:
            ingest_file(
                path, options, staging_root=root / "staging", store_path=store_path, meta=meta
            )
        except IngestError as exc:
            return case.name, str(exc)
        return case.name, "ACCEPTED"

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = dict(pool.map(attempt, CASES))
    return results, store_path, list(before)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_file_is_refused_by_the_pipeline(
    case: HostileCase, pipeline_outcomes: tuple[dict[str, str], Path, list[object]]
) -> None:
    messages, _store, _before = pipeline_outcomes
    assert messages[case.name] != "ACCEPTED"
    assert case.fragment.lower() in messages[case.name].lower(), messages[case.name]


def test_the_pipeline_left_the_store_and_the_network_alone(
    pipeline_outcomes: tuple[dict[str, str], Path, list[object]],
    canary: tuple[str, list[str]],
) -> None:
    _messages, store_path, before = pipeline_outcomes
    store = GeoPackageStore(store_path)
    assert store.catalogue(include_retired=True) == before
    assert store.orphan_tables() == []
    assert canary[1] == []
    assert list((store_path.parent / "staging").iterdir()) == []
