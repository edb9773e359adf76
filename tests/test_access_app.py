"""The app per role and clearance (AppTest with ``at.user``): pages, actions, need-to-know."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
import streamlit as st
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from humansec import audit
from humansec.access import ROLE_PERMISSIONS, Role
from humansec.model import WGS84, LayerKind, conform
from humansec.store import GeoPackageStore, NewLayer
from ui.navigation import PAGES, PageSpec

PROJECT = Path(__file__).resolve().parent.parent
SECRET_NAME = "Zeta Field Hospital 7"
AUTH = {
    "client_id": "humansec",
    "client_secret": "x",
    "redirect_uri": "http://127.0.0.1/oauth2callback",
    "cookie_secret": "y",
    "server_metadata_url": "http://127.0.0.1:1/.well-known/openid-configuration",
}


def _address(value: str | None) -> Callable[[Callable[[str], object]], Callable[[str], object]]:
    def wrap(get_option: Callable[[str], object]) -> Callable[[str], object]:
        return lambda key: value if key == "server.address" else get_option(key)

    return wrap


def _store(folder: Path) -> None:
    """A RESTRICTED activity, a RESTRICTED site and a SECRET hospital 300 m from the activity."""
    store = GeoPackageStore(folder / "humansec.gpkg")
    activity = conform(
        gpd.GeoDataFrame({"id": ["strike-1"], "type": ["air_strike"]},
                         geometry=[shapely.Point(23.0, 54.0)], crs=WGS84),
        LayerKind.ACTIVITY,
    )  # fmt: skip
    store.add_version(
        activity, NewLayer(LayerKind.ACTIVITY, "Plan", "test", "-", "NATO RESTRICTED")
    )
    site = conform(
        gpd.GeoDataFrame({"id": ["h1"], "name": [SECRET_NAME], "category": ["hospital"]},
                         geometry=[shapely.Point(23.0, 54.0027)], crs=WGS84),
        LayerKind.HUMANITARIAN_SITE,
    )  # fmt: skip
    store.add_version(
        site, NewLayer(LayerKind.HUMANITARIAN_SITE, "Secret sites", "test", "-", "NATO SECRET")
    )
    school = conform(
        gpd.GeoDataFrame({"id": ["s1"], "name": ["Open School"], "category": ["school"]},
                         geometry=[shapely.Point(23.5, 54.5)], crs=WGS84),
        LayerKind.HUMANITARIAN_SITE,
    )  # fmt: skip
    store.add_version(
        school, NewLayer(LayerKind.HUMANITARIAN_SITE, "Open sites", "test", "-", "NATO RESTRICTED")
    )


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("accessdata")
    _store(folder)
    return folder


def claims(
    roles: list[str], clearance: str = "NATO RESTRICTED", **extra: object
) -> dict[str, object]:
    return {"is_logged_in": True, "sub": f"sub-{'-'.join(roles)}", "email": "t@mission.example",
            "name": "Test " + "/".join(roles), "roles": roles, "clearance": clearance,
            "exp": int(dt.datetime.now(dt.UTC).timestamp()) + 3600, "iat": 1, **extra}  # fmt: skip


def app(
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    user: dict[str, object] | None,
    *,
    address: str | None = "0.0.0.0",
    page: str | None = None,
) -> AppTest:
    st.cache_resource.clear()
    st.cache_data.clear()
    monkeypatch.setattr(st_config, "get_option", _address(address)(st_config.get_option))
    monkeypatch.setenv("HUMANSEC_DATA_DIR", str(data_dir))
    monkeypatch.chdir(PROJECT)
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=60)
    if user is not None:
        at.secrets["auth"] = AUTH
        at.user = user
    at.run()
    if page is not None:
        at.switch_page(page).run()
    return at


def shown_text(at: AppTest) -> str:
    """Everything the run drew, as the browser would receive it (the element protos)."""
    return "\n".join(str(node.proto) for node in _walk(at._tree) if hasattr(node, "proto"))


def _walk(node: object) -> list[object]:
    found = [node]
    for child in getattr(node, "children", {}).values():
        found.extend(_walk(child))
    return found


ROLE_PAGES = [(role, page) for role in Role for page in PAGES]


@pytest.mark.parametrize(
    ("role", "page"), ROLE_PAGES, ids=[f"{r}-{p.url_path}" for r, p in ROLE_PAGES]
)
def test_role_x_page(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, role: Role, page: PageSpec
) -> None:
    at = app(data_dir, monkeypatch, claims([str(role)]), page=page.path)
    assert not at.exception, at.exception
    allowed = page.permission in ROLE_PERMISSIONS[role]
    spec = page
    titles = [t.value for t in at.title]
    if allowed:
        assert "Not permitted" not in titles
    else:
        assert titles == ["Not permitted"]
        denied = [e for e in audit.read(data_dir) if e["action"] == "denied"]
        assert denied[-1]["what"] == {"page": spec.url_path, "permission": str(spec.permission)}
        assert denied[-1]["actor"]["subject"] == f"sub-{role}"  # type: ignore[index]
