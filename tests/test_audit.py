from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from humansec import audit
from humansec.__main__ import main

ACTOR = {"subject": "u-1", "name": "Ann Analyst", "email": "ann@mission.example", "source": "oidc"}


def _write_three(folder: Path) -> None:
    for number in range(3):
        audit.record(
            folder, action="export", actor=ACTOR, what={"n": number}, marking="NATO RESTRICTED"
        )


def _lines(folder: Path) -> list[str]:
    return (folder / audit.AUDIT_FILE).read_text(encoding="utf-8").splitlines(keepends=True)


def _rewrite(folder: Path, lines: list[str]) -> None:
    (folder / audit.AUDIT_FILE).write_text("".join(lines), encoding="utf-8")


def test_entries_are_chained_and_read_back(tmp_path: Path) -> None:
    moment = dt.datetime(2026, 11, 26, 14, 30, tzinfo=dt.UTC)
    first = audit.record(
        tmp_path, action="export", actor=ACTOR, what={"format": "png"}, marking="NATO RESTRICTED",
        moment=moment,
    )  # fmt: skip
    second = audit.record(
        tmp_path, action="export", who="cli:x", what={"format": "pdf"}, marking="X"
    )
    events = audit.read(tmp_path)
    assert [e["what"] for e in events] == [{"format": "png"}, {"format": "pdf"}]
    assert events[0]["when"] == "2026-11-26T14:30:00+00:00"
    assert events[0]["actor"] == ACTOR
    assert events[0]["who"] == "Ann Analyst <ann@mission.example>"
    assert events[0]["prev"] == audit.GENESIS
    assert second["prev"] == first["hash"] and second["seq"] == 2
    assert audit.verify(tmp_path).ok


def test_a_truncated_last_line_is_skipped_and_the_chain_goes_on(tmp_path: Path) -> None:
    audit.record(tmp_path, action="export", who="a", what={}, marking="M")
    with (tmp_path / audit.AUDIT_FILE).open("a", encoding="utf-8") as file:
        file.write('{"when": "2026-')
    assert len(audit.read(tmp_path)) == 1
    audit.record(tmp_path, action="export", who="b", what={}, marking="M")
    assert [e["who"] for e in audit.read(tmp_path)] == ["a", "b"]


def test_no_log_yet(tmp_path: Path) -> None:
    assert audit.read(tmp_path) == []
    assert audit.verify(tmp_path).ok


def test_an_edited_entry_is_named(tmp_path: Path) -> None:
    _write_three(tmp_path)
    lines = _lines(tmp_path)
    lines[1] = lines[1].replace("NATO RESTRICTED", "NATO UNCLASSIFIED")
    _rewrite(tmp_path, lines)
    verdict = audit.verify(tmp_path)
    assert (verdict.ok, verdict.first_bad) == (False, 2)
    assert "edited" in verdict.reason


def test_an_entry_edited_with_a_new_hash_breaks_the_next_link(tmp_path: Path) -> None:
    _write_three(tmp_path)
    lines = _lines(tmp_path)
    entry = json.loads(lines[0])
    entry["actor"]["name"] = "Somebody Else"
    entry["hash"] = audit.entry_hash(entry)
    lines[0] = json.dumps(entry, ensure_ascii=False) + "\n"
    _rewrite(tmp_path, lines)
    assert audit.verify(tmp_path).first_bad == 2


@pytest.mark.parametrize("removed", [0, 1])
def test_a_removed_entry_is_named(tmp_path: Path, removed: int) -> None:
    _write_three(tmp_path)
    lines = _lines(tmp_path)
    del lines[removed]
    _rewrite(tmp_path, lines)
    verdict = audit.verify(tmp_path)
    assert (verdict.ok, verdict.first_bad) == (False, removed + 1)


def test_removing_the_last_entry_is_seen_through_the_head(tmp_path: Path) -> None:
    _write_three(tmp_path)
    _rewrite(tmp_path, _lines(tmp_path)[:-1])
    verdict = audit.verify(tmp_path)
    assert (verdict.ok, verdict.first_bad) == (False, 3)
    assert "removed from the end" in verdict.reason


def test_reordered_entries_are_named(tmp_path: Path) -> None:
    _write_three(tmp_path)
    lines = _lines(tmp_path)
    lines[1], lines[2] = lines[2], lines[1]
    _rewrite(tmp_path, lines)
    verdict = audit.verify(tmp_path)
    assert (verdict.ok, verdict.first_bad) == (False, 2)


def test_an_unchained_log_is_kept_aside_and_a_new_chain_starts(tmp_path: Path) -> None:
    old = (
        '{"when": "2026-01-01T00:00:00+00:00", "who": "app:unauthenticated", "action": "export"}\n'
    )
    (tmp_path / audit.AUDIT_FILE).write_text(old, encoding="utf-8")
    assert not audit.verify(tmp_path).ok  # an old log is not a chain
    audit.record(tmp_path, action="export", actor=ACTOR, what={}, marking="M")
    kept = list(tmp_path.glob("audit-unchained-*.jsonl"))
    assert len(kept) == 1 and kept[0].read_text(encoding="utf-8") == old
    events = audit.read(tmp_path)
    assert [e["action"] for e in events] == ["chain_started", "export"]
    assert events[0]["what"]["unchained_log"] == kept[0].name  # type: ignore[index]
    assert audit.verify(tmp_path).ok


def test_cli_verify_exits_2_naming_the_first_bad_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HUMANSEC_DATA_DIR", str(tmp_path))
    _write_three(tmp_path)
    assert main(["audit", "verify"]) == 0
    assert "3 entries" in capsys.readouterr().out
    lines = _lines(tmp_path)
    lines[2] = lines[2].replace('"n": 2', '"n": 7')
    _rewrite(tmp_path, lines)
    assert main(["audit", "verify"]) == 2
    assert "entry 3" in capsys.readouterr().err
