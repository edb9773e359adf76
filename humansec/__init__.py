"""humansec: the human environment of an operation on one map (core library, no UI).

The app layer (``app.py``, ``pages/``, ``ui/``) draws what this package computes; nothing in
here imports streamlit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported lazily below so that ``import humansec`` stays light
    from humansec.conflicts import find_conflicts, load_rules

__version__ = "0.1.0"

__all__ = ["__version__", "find_conflicts", "load_rules"]


def __getattr__(name: str) -> object:
    """Import the conflict check on first use of ``humansec.find_conflicts``/``load_rules``."""
    if name in {"find_conflicts", "load_rules"}:
        from humansec import conflicts  # noqa: PLC0415

        return getattr(conflicts, name)
    msg = f"module 'humansec' has no attribute {name!r}"
    raise AttributeError(msg)
