"""humansec: the human environment of an operation on one map (core library, no UI).

The app layer (``app.py``, ``pages/``, ``ui/``) draws what this package computes; nothing in
here imports streamlit.
"""

from __future__ import annotations

__version__ = "0.1.0"
