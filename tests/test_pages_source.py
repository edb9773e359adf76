"""No text reaches a page by accident: Streamlit's "magic" is off and no page holds a bare string.

With magic on, a bare string in a page script (an attribute docstring, say) is written to the
page for every user; the Briefing page once showed one under its banner.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
SCRIPTS = [PROJECT / "app.py", *sorted((PROJECT / "pages").glob("*.py"))]


def _bare_expressions(path: Path) -> list[int]:
    """Line numbers of expression statements that magic would draw (module docstring excepted)."""
    module = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0])
        for node in ast.walk(module)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        and ast.get_docstring(node) is not None
    }
    return [
        node.lineno
        for node in ast.walk(module)
        if isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant | ast.Name)
        and id(node) not in docstrings
    ]


def test_magic_is_off_in_the_app_config() -> None:
    config = tomllib.loads((PROJECT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["runner"]["magicEnabled"] is False


def test_the_server_watches_no_source_files() -> None:
    """A source watcher makes the server walk every loaded module (and hash the project's)
    on each new session and run, in the thread that sends the page's messages and serves its
    files: the map's component code then waits behind it (benchmarks/README.md, issue 10)."""
    config = tomllib.loads((PROJECT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["fileWatcherType"] == "none"


def test_no_page_script_holds_a_bare_string_or_name() -> None:
    found = {path.name: _bare_expressions(path) for path in SCRIPTS}
    assert {name: lines for name, lines in found.items() if lines} == {}


def test_the_check_finds_an_attribute_docstring(tmp_path: Path) -> None:
    script = tmp_path / "page.py"
    script.write_text('"""Doc."""\nX = 1\n"""Attribute docstring."""\n')
    assert _bare_expressions(script) == [3]
