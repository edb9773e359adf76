"""humansec: the human environment of an operation on one map (core library, no UI).

The app layer (``app.py``, ``pages/``, ``ui/``) draws what this package computes; nothing in
here imports streamlit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported lazily below so that ``import humansec`` stays light
    from humansec.conflicts import find_conflicts, load_rules
    from humansec.population.exposure import exposure

__version__ = "0.1.0"

__all__ = ["__version__", "exposure", "find_conflicts", "load_rules"]


def __getattr__(name: str) -> object:
    """Import ``find_conflicts``, ``load_rules`` or ``exposure`` on first use."""
    if name in {"find_conflicts", "load_rules"}:
        from humansec import conflicts  # noqa: PLC0415

        return getattr(conflicts, name)
    if name == "exposure":
        from humansec.population.exposure import exposure  # noqa: PLC0415

        return exposure
    msg = f"module 'humansec' has no attribute {name!r}"
    raise AttributeError(msg)
