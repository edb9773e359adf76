"""The core library stays free of the UI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def test_importing_humansec_does_not_import_streamlit() -> None:
    # A fresh interpreter, so that modules imported by other tests do not count.
    code = (
        "import sys, pkgutil, importlib, humansec\n"
        "for m in pkgutil.walk_packages(humansec.__path__, 'humansec.'):\n"
        "    if m.name != 'humansec.__main__':\n"
        "        importlib.import_module(m.name)\n"
        "print(sorted(n for n in sys.modules if n.split('.')[0] == 'streamlit'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
