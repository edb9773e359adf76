"""Run one upload step in a separate, bounded worker process.

An analyst's file is parsed away from the server: a fresh Python process with a memory cap
(``RLIMIT_AS``), a CPU-time cap and a wall-clock timeout, an environment that lets GDAL open
only the expected driver and reach no network, and its own session so that a timeout kills
everything it started. One file therefore cannot stall or exhaust the server other people use.

The parent and the worker talk through files in the upload's work folder: ``job.json`` in,
``result.json`` out, ``progress.json`` while it runs.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from humansec.errors import IngestError
from humansec.ingest.limits import IngestLimits

JOB_FILE = "job.json"
RESULT_FILE = "result.json"
PROGRESS_FILE = "progress.json"
LOG_FILE = "worker.log"

ProgressCallback = Callable[[str, float], None]
"""Called with a stage description and a fraction 0..1 while the worker runs."""

_POLL_S = 0.2
# Only these variables of the server's environment reach the worker: not proxies, not
# credentials, not GDAL or PROJ settings that could re-enable the network.
_PASSED_ENV = ("PATH", "LANG", "LC_ALL", "TZ", "TMPDIR", "HOME", "PYTHONPATH")


class WorkerRefusedError(IngestError):
    """The worker refused the file; ``details`` holds what it knew (e.g. the layers to choose)."""

    def __init__(self, message: str, details: Mapping[str, object]) -> None:
        super().__init__(message)
        self.details = dict(details)


def run_worker(
    job: Mapping[str, object],
    workdir: Path,
    *,
    limits: IngestLimits,
    environment: Mapping[str, str],
    on_progress: ProgressCallback | None = None,
) -> dict[str, object]:
    """Run ``python -m humansec.ingest.worker`` on ``job`` and return its result.

    Raises WorkerRefusedError with the worker's message when it refused the file, and IngestError
    when it ran out of memory or time or died.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    for stale in (RESULT_FILE, PROGRESS_FILE):
        (workdir / stale).unlink(missing_ok=True)
    (workdir / JOB_FILE).write_text(json.dumps(job, default=str), encoding="utf-8")
    env = {k: os.environ[k] for k in _PASSED_ENV if k in os.environ}
    env.update(environment)
    env["PROJ_NETWORK"] = "OFF"  # PROJ never downloads grids
    env["PYTHONPATH"] = _package_root() + os.pathsep + env.get("PYTHONPATH", "")
    # stderr goes to a file: a pipe nobody reads while polling could fill and block the worker.
    with (workdir / LOG_FILE).open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "humansec.ingest.worker", str(workdir / JOB_FILE)],
            cwd=workdir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,
            # No preexec_fn: it is unsafe in a threaded server. The worker limits itself
            # (limit_self) before it reads anything; the timeout here bounds it regardless.
        )
    deadline = time.monotonic() + limits.worker_seconds
    while process.poll() is None:
        if time.monotonic() > deadline:
            _kill(process)
            msg = (
                f"Reading the file took longer than {limits.worker_seconds:.0f} s and was "
                "stopped. Split it into smaller files, or ask the administrator to raise the "
                "limit."
            )
            raise IngestError(msg)
        if on_progress is not None:
            _report_progress(workdir, on_progress)
        time.sleep(_POLL_S)
    stderr = (workdir / LOG_FILE).read_text(encoding="utf-8", errors="replace")
    return _result(workdir, process.returncode, stderr, limits)


def _result(workdir: Path, returncode: int, stderr: str, limits: IngestLimits) -> dict[str, object]:
    path = workdir / RESULT_FILE
    result: dict[str, object] = {}
    if path.exists():
        try:
            result = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            result = {}
    if "error" in result:
        raise WorkerRefusedError(str(result["error"]), result)
    if returncode == 0 and "ok" in result:
        return result
    if returncode in (-signal.SIGKILL, -signal.SIGXCPU) or "MemoryError" in stderr:
        msg = (
            f"Reading the file needed more than {limits.worker_memory_bytes / 2**30:.1f} GiB "
            "of memory or its CPU-time limit and was stopped. Split it into smaller files, or "
            "ask the administrator to raise the limit."
        )
        raise IngestError(msg)
    last = stderr.strip().splitlines()[-1:] or ["no message"]
    msg = (
        f"Reading the file failed unexpectedly (worker exit {returncode}: {last[0][:300]}). "
        "The file may be damaged; open it in QGIS to check it, or send it to the administrator."
    )
    raise IngestError(msg)


def _report_progress(workdir: Path, on_progress: ProgressCallback) -> None:
    try:
        progress = json.loads((workdir / PROGRESS_FILE).read_text(encoding="utf-8"))
        on_progress(str(progress["stage"]), float(progress["fraction"]))
    except (OSError, ValueError, KeyError, TypeError):
        return  # not written yet, or caught mid-write: the next poll reads it


def write_progress(workdir: Path, stage: str, fraction: float) -> None:
    """Called by the worker: say which stage it is in (written atomically)."""
    temporary = workdir / (PROGRESS_FILE + ".tmp")
    progress = {"stage": stage, "fraction": fraction, "pid": os.getpid()}
    temporary.write_text(json.dumps(progress), encoding="utf-8")
    temporary.replace(workdir / PROGRESS_FILE)


def limit_self(limits: IngestLimits) -> None:
    """Called by the worker first: cap its own address space, CPU time and core dumps."""
    memory = int(limits.worker_memory_bytes)
    cpu = int(limits.worker_seconds) + 5
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _kill(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _package_root() -> str:
    return str(Path(__file__).resolve().parents[2])
