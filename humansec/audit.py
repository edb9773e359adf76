"""The audit log: who exported (or changed) what, when, under which marking.

One JSON object per line in ``<data_dir>/audit.jsonl``, appended and never rewritten, so a
line is either whole or (after a crash mid-write) a truncated last line that readers skip.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Mapping
from pathlib import Path

AUDIT_FILE = "audit.jsonl"


def record(
    data_dir: Path,
    *,
    action: str,
    who: str,
    what: Mapping[str, object],
    marking: str,
    moment: dt.datetime | None = None,
) -> dict[str, object]:
    """Append one event to the audit log of ``data_dir`` and return it."""
    event: dict[str, object] = {
        "when": (moment or dt.datetime.now(dt.UTC)).isoformat(),
        "who": who,
        "action": action,
        "marking": marking,
        "what": dict(what),
    }
    data_dir.mkdir(parents=True, exist_ok=True)
    line = json.dumps(event, ensure_ascii=False, default=str) + "\n"
    # O_APPEND: concurrent writers (several sessions, the CLI) never interleave within a line.
    descriptor = os.open(data_dir / AUDIT_FILE, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)
    try:
        os.write(descriptor, line.encode("utf-8"))
    finally:
        os.close(descriptor)
    return event


def read(data_dir: Path) -> list[dict[str, object]]:
    """Every complete event in the audit log of ``data_dir``, oldest first."""
    path = data_dir / AUDIT_FILE
    if not path.exists():
        return []
    events = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError:  # a line cut short by a crash: not an event
            continue
    return events
