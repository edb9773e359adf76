"""Versions of the stand-off rules edited in the app: each save is a new file, none is lost.

``<data_dir>/rules/v0001.toml``, ``v0002.toml``, ... hold the versions and
``<data_dir>/rules/history.jsonl`` who saved each, when and why. The active rules are the
last version saved (or restored); before the first save, the file the settings name
(``rules_path``, version 0). Saving and restoring need the ``analyst`` (or ``admin``) role.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from humansec.access.actions import checked, record_event
from humansec.access.identity import User
from humansec.access.roles import Permission
from humansec.conflicts.rules import RuleSet, parse_rules
from humansec.errors import ConfigurationError
from humansec.settings import Settings

RULES_FOLDER = "rules"
HISTORY_FILE = "history.jsonl"
RULE_FIELDS = (
    "activity",
    "feature",
    "category",
    "protection",
    "distance_m",
    "severity",
    "rationale",
)


@dataclass(frozen=True)
class RuleVersion:
    """One saved version of the rules."""

    version: int
    path: Path
    when: str
    who: str
    why: str
    sha256: str
    restored_from: int | None = None


def history(settings: Settings) -> list[RuleVersion]:
    """Every saved version, oldest first (empty before the first save)."""
    path = settings.data_dir / RULES_FOLDER / HISTORY_FILE
    if not path.exists():
        return []
    versions = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:  # cut short by a crash: that save did not finish
            continue
        versions.append(
            RuleVersion(
                version=int(entry["version"]),
                path=settings.data_dir / RULES_FOLDER / str(entry["file"]),
                when=str(entry["when"]),
                who=str(entry["who"]),
                why=str(entry["why"]),
                sha256=str(entry["sha256"]),
                restored_from=entry.get("restored_from"),
            )
        )
    return versions


def active_rules_path(settings: Settings) -> Path:
    """The rules file the check uses now."""
    saved = history(settings)
    return saved[-1].path if saved else settings.rules_path


def rules_text(settings: Settings, version: int | None = None) -> str:
    """The TOML of ``version`` (0: the settings' file; None: the active one)."""
    path: Path | None
    if version is None:
        path = active_rules_path(settings)
    elif version == 0:
        path = settings.rules_path
    else:
        path = next((v.path for v in history(settings) if v.version == version), None)
        if path is None:
            msg = f"There is no rules version {version}; choose one listed in the history."
            raise ConfigurationError(msg)
    return path.read_text(encoding="utf-8")


def validate(text: str) -> RuleSet:
    """Parse ``text`` as rules; raise ``ConfigurationError`` with ``load_rules``' message."""
    return parse_rules(text, source="the edited rules")


def save_version(
    settings: Settings, user: User, text: str, *, why: str, restored_from: int | None = None
) -> RuleVersion:
    """Save ``text`` as the next version of the rules, as ``user``, for the reason ``why``.

    Refused (nothing written) unless ``user`` may edit the rules, ``why`` is given and the
    text is valid rules.
    """
    checked(settings, user, Permission.EDIT_RULES, what="save the stand-off rules")
    if not why.strip():
        msg = "Say why the rules change (one line): it is kept with the version."
        raise ConfigurationError(msg)
    validate(text)
    folder = settings.data_dir / RULES_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    saved = history(settings)
    number = (saved[-1].version if saved else 0) + 1
    name = f"v{number:04d}.toml"
    partial = folder / f".{name}.partial"
    partial.write_text(text, encoding="utf-8")
    partial.replace(folder / name)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    entry: dict[str, object] = {
        "version": number,
        "file": name,
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "who": user.label,
        "subject": user.subject,
        "why": why.strip(),
        "sha256": digest,
        **({"restored_from": restored_from} if restored_from is not None else {}),
    }
    line = json.dumps(entry, ensure_ascii=False) + "\n"
    descriptor = os.open(folder / HISTORY_FILE, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)
    try:
        os.write(descriptor, line.encode("utf-8"))
    finally:
        os.close(descriptor)
    record_event(
        settings,
        user,
        action="rule_restore" if restored_from is not None else "rule_edit",
        what={"version": number, "sha256": digest, "why": why.strip(),
              **({"restored_from": restored_from} if restored_from is not None else {})},
    )  # fmt: skip
    return history(settings)[-1]


def restore_version(settings: Settings, user: User, version: int, *, why: str) -> RuleVersion:
    """Make ``version`` (0: the settings' file) active again, as a new version."""
    checked(settings, user, Permission.EDIT_RULES, what="restore the stand-off rules")
    return save_version(
        settings, user, rules_text(settings, version), why=why, restored_from=version
    )


def rules_table(rules: RuleSet) -> list[dict[str, object]]:
    """The rules as rows of ``RULE_FIELDS`` (for the editor's table)."""
    return [
        {
            "activity": rule.activity,
            "feature": str(rule.feature),
            "category": rule.category or "",
            "protection": rule.protection or "",
            "distance_m": rule.distance_m,
            "severity": rule.severity,
            "rationale": rule.rationale,
        }
        for rule in rules.rules
    ]


def table_to_toml(rows: Iterable[Mapping[str, object]]) -> str:
    """TOML ``[[rule]]`` tables of ``rows`` (blank optional cells are left out).

    >>> print(table_to_toml([{"activity": "patrol", "feature": "cultural", "category": "",
    ...                       "distance_m": 50, "severity": "low", "rationale": 'Say "why"'}]))
    # Stand-off rules saved by humansec's rules editor (keys: see geodata/rules.toml).
    <BLANKLINE>
    [[rule]]
    activity = "patrol"
    feature = "cultural"
    distance_m = 50.0
    severity = "low"
    rationale = "Say \\"why\\""
    <BLANKLINE>
    """
    parts = ["# Stand-off rules saved by humansec's rules editor (keys: see geodata/rules.toml).\n"]
    for row in rows:
        lines = ["[[rule]]"]
        for key in RULE_FIELDS:
            value = row.get(key)
            if value is None or (isinstance(value, float) and value != value):  # noqa: PLR0124
                continue
            if key == "distance_m":
                try:
                    lines.append(f"distance_m = {float(str(value))!r}")
                except ValueError:
                    lines.append(f"distance_m = {json.dumps(str(value), ensure_ascii=False)}")
                continue
            text = str(value).strip()
            if text or key not in ("category", "protection"):
                lines.append(f"{key} = {json.dumps(text, ensure_ascii=False)}")
        parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)
