"""The audit trail: who did what, when, to which object, under which marking; hash-chained.

One JSON object per line in ``<data_dir>/audit.jsonl``, appended and never rewritten. Each
entry holds its sequence number, the previous entry's hash (``prev``) and its own ``hash``
(SHA-256 of the entry without ``hash``, as canonical JSON), so an edited, removed or reordered
entry breaks the chain; ``<data_dir>/audit.head`` holds the number and hash of the last entry,
so removing entries from the end is seen too. ``verify`` walks the chain
(``python -m humansec audit verify``).

A log written before the chain existed (lines without ``hash``) is not rewritten: the first
chained write renames it to ``audit-unchained-<time>.jsonl`` and starts the new chain with a
``chain_started`` entry that records that file's name, line count and SHA-256.

With a PostGIS store (``Settings.audit_location`` is then its URL), the same entries, one per
row, live in its table ``hs_audit`` and the head in ``hs_audit_head``; ``record``, ``read`` and
``verify`` take either a folder or that URL.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from humansec.storeurl import is_store_url

if TYPE_CHECKING:
    from humansec.store.postgis import PostGISStore

AUDIT_FILE = "audit.jsonl"
HEAD_FILE = "audit.head"
LOCK_FILE = "audit.lock"
GENESIS = "0" * 64
"""The ``prev`` of the first entry of a chain."""


def record(
    data_dir: Path | str,
    *,
    action: str,
    what: Mapping[str, object],
    marking: str,
    who: str | None = None,
    actor: Mapping[str, str] | None = None,
    moment: dt.datetime | None = None,
) -> dict[str, object]:
    """Append one entry to the audit trail of ``data_dir`` and return it.

    ``actor`` is the identity that acted (``User.audit_identity()``: subject, name, e-mail,
    source); ``who`` alone (older callers) is recorded as the subject.
    """
    identity = dict(actor) if actor is not None else {"subject": who or "unknown"}
    label = who or _label(identity)

    def make(last: Mapping[str, object] | None) -> dict[str, object]:
        """The next entry after ``last`` (None: the first), chained to it."""
        return _entry(
            seq=int(str(last["seq"])) + 1 if last else 1,
            prev=str(last["hash"]) if last else GENESIS,
            moment=moment,
            action=action,
            who=label,
            actor=identity,
            what=what,
            marking=marking,
        )

    if isinstance(data_dir, str) and is_store_url(data_dir):
        return _database(data_dir).append_audit(make)
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    with _locked(data_dir):
        path = data_dir / AUDIT_FILE
        _retire_unchained(data_dir, moment)
        entry = make(_last_entry(path))
        _append(path, entry)
        return entry


def read(data_dir: Path | str) -> list[dict[str, object]]:
    """Every complete entry of the audit trail of ``data_dir``, oldest first."""
    lines, _ = _lines(data_dir)
    events = []
    for line in lines:
        try:
            event = json.loads(line)
        except json.JSONDecodeError:  # a line cut short by a crash: not an entry
            continue
        if isinstance(event, dict):
            events.append(event)
    return events


@dataclass(frozen=True)
class Verdict:
    """What ``verify`` found: ``ok``, the entries checked, and the first bad one."""

    ok: bool
    entries: int
    first_bad: int | None = None
    """Line number (1-based) of the first entry that breaks the chain."""
    reason: str = ""

    def message(self) -> str:
        """One line for the user."""
        if self.ok:
            return f"audit trail intact: {self.entries} entries, chain and head agree."
        return f"audit trail broken at entry {self.first_bad}: {self.reason}"


def verify(data_dir: Path | str) -> Verdict:
    """Walk the chain of ``data_dir``'s audit trail; report the first entry that breaks it."""
    lines, head = _lines(data_dir)
    if not lines and head is None:
        return Verdict(ok=True, entries=0)
    prev = GENESIS
    for number, line in enumerate(lines, start=1):
        bad = _check_line(line, number, prev)
        if bad:
            return Verdict(ok=False, entries=number - 1, first_bad=number, reason=bad)
        prev = str(json.loads(line)["hash"])
    if head is None:
        if lines:
            return Verdict(
                ok=False,
                entries=len(lines),
                first_bad=len(lines) + 1,
                reason=f"{HEAD_FILE} is missing, so entries removed from the end cannot be "
                "ruled out.",
            )
        return Verdict(ok=True, entries=0)
    head_seq, head_hash = head
    if head_seq != len(lines) or head_hash != prev:
        return Verdict(
            ok=False,
            entries=len(lines),
            first_bad=min(head_seq, len(lines) + 1),
            reason=f"{HEAD_FILE} says the last entry is number {head_seq} with hash "
            f"{head_hash[:12]}…, but the log ends at entry {len(lines)} with hash "
            f"{prev[:12]}… (entries removed from the end, or the head edited).",
        )
    return Verdict(ok=True, entries=len(lines))


def lines_and_head(data_dir: Path | str) -> tuple[list[str], tuple[int, str] | None]:
    """The trail's raw lines, oldest first, and its head (last number and hash), if any."""
    return _lines(data_dir)


def _lines(data_dir: Path | str) -> tuple[list[str], tuple[int, str] | None]:
    if isinstance(data_dir, str) and is_store_url(data_dir):
        return _database(data_dir).audit_lines()
    path = Path(data_dir) / AUDIT_FILE
    if not path.exists():
        return [], _read_head(Path(data_dir))
    lines = path.read_text(encoding="utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines, _read_head(Path(data_dir))


@lru_cache(maxsize=4)
def _database(url: str) -> PostGISStore:
    """The PostGIS store at ``url`` (opened once per process)."""
    from humansec.store.postgis import PostGISStore  # noqa: PLC0415 (needs psycopg)

    return PostGISStore(url)


def entry_hash(entry: Mapping[str, object]) -> str:
    """SHA-256 of ``entry`` without its ``hash`` field, as canonical JSON."""
    body = {key: value for key, value in entry.items() if key != "hash"}
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _check_line(line: str, number: int, prev: str) -> str:
    """Why entry ``number`` breaks the chain ("" when it does not)."""
    try:
        entry = json.loads(line)
    except json.JSONDecodeError:
        return "the line is not JSON (cut short or edited)."
    if not isinstance(entry, dict) or "hash" not in entry:
        return "the entry has no hash: not part of a chain (an old log or an inserted line)."
    if entry_hash(entry) != entry["hash"]:
        return "its content does not match its hash (the entry was edited)."
    if entry.get("seq") != number:
        return (
            f"it is numbered {entry.get('seq')} but stands at position {number} "
            "(entries removed or reordered)."
        )
    if entry.get("prev") != prev:
        return (
            "its 'prev' is not the hash of the entry before it (an entry before it was "
            "removed, inserted or moved)."
        )
    return ""


def _entry(
    *,
    seq: int,
    prev: str,
    moment: dt.datetime | None,
    action: str,
    who: str,
    actor: Mapping[str, str],
    what: Mapping[str, object],
    marking: str,
) -> dict[str, object]:
    body: dict[str, object] = {
        "seq": seq,
        "when": (moment or dt.datetime.now(dt.UTC)).isoformat(),
        "who": who,
        "actor": dict(actor),
        "action": action,
        "marking": marking,
        "what": dict(what),
        "prev": prev,
    }
    # Through JSON once, so the hash is of exactly what a reader will load.
    normal: dict[str, object] = json.loads(json.dumps(body, ensure_ascii=False, default=str))
    normal["hash"] = entry_hash(normal)
    return normal


def _label(identity: Mapping[str, str]) -> str:
    name, email = identity.get("name", ""), identity.get("email", "")
    if name and email:
        return f"{name} <{email}>"
    return name or email or identity.get("subject", "unknown")


def _append(path: Path, entry: Mapping[str, object]) -> None:
    line = json.dumps(entry, ensure_ascii=False) + "\n"
    # O_APPEND: whole lines at the end; a crash can only cut the last line short.
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o640)
    try:
        size = os.fstat(descriptor).st_size
        if size and os.pread(descriptor, 1, size - 1) != b"\n":  # a line cut short by a crash
            os.write(descriptor, b"\n")
        os.write(descriptor, line.encode("utf-8"))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    head = path.with_name(HEAD_FILE)
    partial = head.with_suffix(".tmp")
    partial.write_text(f"{entry['seq']} {entry['hash']}\n", encoding="ascii")
    partial.replace(head)


def _read_head(data_dir: Path) -> tuple[int, str] | None:
    try:
        seq, digest = (data_dir / HEAD_FILE).read_text(encoding="ascii").split()
        return int(seq), digest
    except (FileNotFoundError, ValueError):
        return None


def _last_entry(path: Path) -> dict[str, object] | None:
    """The last complete entry of the log (read from the end: the log only grows)."""
    if not path.exists():
        return None
    with path.open("rb") as file:
        file.seek(0, os.SEEK_END)
        end = file.tell()
        chunk = b""
        position = end
        while position > 0:
            step = min(65536, position)
            position -= step
            file.seek(position)
            chunk = file.read(step) + chunk
            lines = chunk.split(b"\n")
            for raw in reversed(lines[1:] if position > 0 else lines):
                try:
                    entry = json.loads(raw)
                except json.JSONDecodeError:
                    continue
                if isinstance(entry, dict) and "hash" in entry:
                    return entry
            chunk = lines[0] if position > 0 else b""
    return None


def _retire_unchained(data_dir: Path, moment: dt.datetime | None) -> None:
    """Move a log written before the chain aside and start the chain with a note of it."""
    path = data_dir / AUDIT_FILE
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb") as file:
        first = file.readline()
    try:
        chained = "hash" in json.loads(first)
    except (json.JSONDecodeError, TypeError):
        chained = False
    if chained:
        return
    content = path.read_bytes()
    stamp = (moment or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%S%fZ")
    old = data_dir / f"audit-unchained-{stamp}.jsonl"
    path.replace(old)
    (data_dir / HEAD_FILE).unlink(missing_ok=True)
    _append(
        path,
        _entry(
            seq=1,
            prev=GENESIS,
            moment=moment,
            action="chain_started",
            who="humansec",
            actor={"subject": "humansec", "name": "humansec", "email": "", "source": "system"},
            what={
                "unchained_log": old.name,
                "unchained_lines": content.count(b"\n"),
                "unchained_sha256": hashlib.sha256(content).hexdigest(),
            },
            marking="",
        ),
    )


@contextmanager
def _locked(data_dir: Path) -> Iterator[None]:
    """One writer at a time (sessions of the app and the CLI): the chain needs the last hash."""
    descriptor = os.open(data_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o640)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(descriptor, fcntl.LOCK_UN)
        os.close(descriptor)
