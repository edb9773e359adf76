from __future__ import annotations

import datetime as dt
from pathlib import Path

from humansec import audit


def test_events_are_appended_and_read_back(tmp_path: Path) -> None:
    moment = dt.datetime(2026, 11, 26, 14, 30, tzinfo=dt.UTC)
    audit.record(
        tmp_path, action="export", who="briefer", what={"format": "png"}, marking="NATO RESTRICTED",
        moment=moment,
    )  # fmt: skip
    audit.record(tmp_path, action="export", who="cli", what={"format": "pdf"}, marking="X")
    events = audit.read(tmp_path)
    assert [e["what"] for e in events] == [{"format": "png"}, {"format": "pdf"}]
    assert events[0]["when"] == "2026-11-26T14:30:00+00:00"
    assert events[0]["marking"] == "NATO RESTRICTED"


def test_a_truncated_last_line_is_skipped(tmp_path: Path) -> None:
    audit.record(tmp_path, action="export", who="a", what={}, marking="M")
    with (tmp_path / audit.AUDIT_FILE).open("a", encoding="utf-8") as file:
        file.write('{"when": "2026-')
    assert len(audit.read(tmp_path)) == 1


def test_no_log_yet(tmp_path: Path) -> None:
    assert audit.read(tmp_path) == []
