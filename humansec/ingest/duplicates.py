"""Has this very file been stored before? Found by its SHA-256 in the catalogue's provenance.

The same file stored twice as two layers doubles its features on the map (two sessions storing
one file of cultural property did exactly that); the Data page asks first.
"""

from __future__ import annotations

from collections.abc import Iterable

from humansec.store.base import LayerRecord

__all__ = ["describe_copies", "stored_copies"]


def stored_copies(records: Iterable[LayerRecord], sha256: str) -> list[LayerRecord]:
    """The live layer versions whose source file had ``sha256``, newest first."""
    found = [
        record
        for record in records
        if not record.retired and sha256 and record.provenance.get("sha256") == sha256
    ]
    return sorted(found, key=lambda record: record.created_at, reverse=True)


def describe_copies(copies: list[LayerRecord]) -> str:
    """One sentence naming where the file is stored already, for the analyst."""
    shown = "; ".join(
        f"{record.title!r} (layer {record.layer_id}, version {record.version}, stored "
        f"{record.created_at:%d %b %Y %H:%M} UTC by {record.provenance.get('uploaded_by', '?')})"
        for record in copies[:3]
    )
    more = f" and {len(copies) - 3} more" if len(copies) > 3 else ""
    return (
        f"This file (same SHA-256) is already stored: {shown}{more}. Storing it again as a new "
        "layer would draw its features twice; store it as a new version of that layer instead, "
        "or confirm that you want a separate layer."
    )
