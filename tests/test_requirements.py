"""Everything the app and the CLI import at run time is installed by ``requirements.txt``.

A fresh ``make setup`` installs ``requirements.txt`` alone; a module that only the dev
requirements bring (playwright once did) works in the test environment and fails for a user.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
FIRST_PARTY = {"humansec", "ui", "pages", "app", "tests", "benchmarks", "scripts"}
RUNTIME_SOURCES = ("app.py", "pages", "ui", "humansec")


def _names(requirements: Path) -> set[str]:
    names = set()
    for line in requirements.read_text(encoding="utf-8").splitlines():
        requirement = line.split("#", 1)[0].strip()
        if requirement and not requirement.startswith("-"):
            names.add(_normal(re.split(r"[\[<>=!~;\s]", requirement, maxsplit=1)[0]))
    return names


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module.split(".")[0])
    return modules


def runtime_imports() -> dict[str, set[str]]:
    """Third-party top-level module -> the files of the app and core that import it."""
    found: dict[str, set[str]] = {}
    for source in RUNTIME_SOURCES:
        root = PROJECT / source
        for path in [root] if root.is_file() else sorted(root.rglob("*.py")):
            for module in _imported_modules(path):
                if module in sys.stdlib_module_names or module in FIRST_PARTY:
                    continue
                found.setdefault(module, set()).add(str(path.relative_to(PROJECT)))
    return found


def test_every_runtime_import_is_a_runtime_requirement() -> None:
    listed = _names(PROJECT / "requirements.txt")
    distributions = importlib.metadata.packages_distributions()
    missing = {}
    for module, files in runtime_imports().items():
        providers = {_normal(name) for name in distributions.get(module, [module])}
        if not providers & listed:
            missing[module] = (sorted(providers), sorted(files))
    assert not missing, (
        "imported at run time but not in requirements.txt (module: distributions, files): "
        f"{missing}"
    )


def test_the_check_sees_the_imports_it_must() -> None:
    imports = runtime_imports()
    assert {"streamlit", "folium", "geopandas", "playwright", "mgrs"} <= set(imports)
    assert "pytest" not in imports


def test_a_dev_only_package_would_be_caught(tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("streamlit==1.67.0  # comment\nfolium[extra]>=0.20\n-r other.txt\n")
    assert _names(requirements) == {"streamlit", "folium"}
    assert "playwright" not in _names(requirements)
