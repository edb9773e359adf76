"""Shared fixtures: small and generic. Module-specific data lives in each test module."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from humansec.store import GeoPackageStore


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Remove every HUMANSEC_* variable from the environment for the test."""
    for name in list(os.environ):
        if name.startswith("HUMANSEC_"):
            monkeypatch.delenv(name)


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    """Path of a GeoPackage store in a folder that does not exist yet."""
    return tmp_path / "data" / "humansec.gpkg"


@pytest.fixture
def store(store_path: Path) -> GeoPackageStore:
    """An empty GeoPackage layer store in ``tmp_path``."""
    return GeoPackageStore(store_path)
