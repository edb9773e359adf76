"""The app per role and clearance (AppTest with ``at.user``): pages, actions, need-to-know."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
import streamlit as st
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from humansec import audit
from humansec.access import ROLE_PERMISSIONS, Role
from humansec.model import WGS84, LayerKind, conform
from humansec.store import GeoPackageStore, NewLayer
from tests.test_app import plan_map_reported
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
    if page == "pages/planned_activities.py" and not at.exception:
        plan_map_reported(at)  # its inputs and tables follow its map
    return at


def shown_text(at: AppTest) -> str:
    """Everything the run drew, as the browser would receive it (the element protos)."""
    return "\n".join(str(node.proto) for node in _walk(at._tree) if hasattr(node, "proto"))


def _walk(node: object) -> list[object]:
    found = [node]
    for child in getattr(node, "children", {}).values():
        found.extend(_walk(child))
    return found


def conflicts_table(at: AppTest) -> pd.DataFrame:
    """The Planned activities page's table of conflicting pairs."""
    return next(d.value for d in at.dataframe if "Feature id" in d.value.columns)


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


def test_a_restricted_planner_sees_the_need_to_know_line_and_never_the_secret_site(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = app(data_dir, monkeypatch, claims(["planner"]), page="pages/planned_activities.py")
    assert not at.exception, at.exception
    drawn = shown_text(at)
    lines = [m.value for m in at.markdown if "humansec-warning" in m.value]
    assert any(
        "strike-1 conflicts with a feature at a higher marking (critical" in v for v in lines
    )
    assert "ask the intelligence staff (J2) of your headquarters" in lines[0]
    assert SECRET_NAME not in drawn and "Secret sites" not in drawn
    table = conflicts_table(at)
    assert table["Feature id"].isna().all()
    assert table["Need to know"].str.contains("higher marking").all()
    # The same page for a planner cleared to SECRET names the hospital (the test can fail).
    cleared = app(data_dir, monkeypatch, claims(["planner"], "NATO SECRET"),
                  page="pages/planned_activities.py")  # fmt: skip
    assert list(conflicts_table(cleared)["Feature id"]) == ["h1"]
    assert SECRET_NAME in shown_text(cleared)


@pytest.mark.parametrize(
    ("role", "page"),
    [("viewer", "pages/situation_map.py"), ("analyst", "pages/data.py"),
     ("briefer", "pages/briefing.py")],
)  # fmt: skip
def test_a_secret_layer_never_reaches_a_restricted_session(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, role: str, page: str
) -> None:
    at = app(data_dir, monkeypatch, claims([role]), page=page)
    assert not at.exception, at.exception
    drawn = shown_text(at)
    assert SECRET_NAME not in drawn and "Secret sites" not in drawn and "NATO SECRET" not in drawn
    if role == "briefer":  # an export cannot be marked above the clearance
        assert "NATO SECRET" not in at.selectbox(key="brief_marking").options
        at.selectbox(key="brief_format").set_value("html")
        at.button(key="brief_make").click().run()
        assert not at.exception, at.exception
        product = at.session_state["brief_product"][2].decode("utf-8")
        assert "NATO RESTRICTED" in product and SECRET_NAME not in product
        assert "Secret sites" not in product


def test_an_expired_sign_in_must_sign_in_again(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expired = claims(["admin"], exp=int(dt.datetime.now(dt.UTC).timestamp()) - 5)
    at = app(data_dir, monkeypatch, expired)
    assert [t.value for t in at.title] == ["Sign in again"]
    assert [b.label for b in at.button] == ["Sign in again", "Sign out"]
    assert "Situation map" not in shown_text(at)


def test_nobody_signed_in_sees_only_the_sign_in_button(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = app(data_dir, monkeypatch, {"is_logged_in": False})
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.dataframe and "NATO" not in shown_text(at)


SIGN_IN_SCRIPT = """
from ui import access
user = access.sign_in()
access.sidebar(user)
"""


def test_sign_in_and_out_are_audited(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # After the first run AppTest runs a page's script directly, not app.py: the sign-in
    # code is driven here through a script of its own.
    monkeypatch.setattr(st_config, "get_option", _address("0.0.0.0")(st_config.get_option))
    monkeypatch.setenv("HUMANSEC_DATA_DIR", str(data_dir))
    monkeypatch.chdir(PROJECT)
    st.cache_resource.clear()
    at = AppTest.from_string(SIGN_IN_SCRIPT, default_timeout=30)
    at.secrets["auth"] = AUTH
    at.user = claims(["viewer"], iat=12345, sub="sub-signout")
    at.run()
    at.run()  # a rerun is not a new sign-in
    at.button(key="signout_button").click().run()
    assert at.user.get("is_logged_in") is False
    at.run()
    assert [b.label for b in at.button] == ["Sign in"]
    mine = [e for e in audit.read(data_dir) if e["actor"]["subject"] == "sub-signout"]  # type: ignore[index]
    assert [e["action"] for e in mine if e["action"].startswith("sign")] == ["sign_in", "sign_out"]
    assert audit.verify(data_dir).ok


def test_no_sign_in_off_loopback_refuses_with_the_fix(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = app(data_dir, monkeypatch, None, address="0.0.0.0")
    assert [t.value for t in at.title] == ["Sign-in is not configured"]
    assert "[auth] section of .streamlit/secrets.toml" in shown_text(at)
    assert "Situation map" not in [t.value for t in at.title]


def test_the_anonymous_override_warns_on_every_page(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUMANSEC_ALLOW_ANONYMOUS", "1")
    at = app(data_dir, monkeypatch, None, address="0.0.0.0")  # app.py wraps every page
    assert [t.value for t in at.title] == ["Situation map"]
    assert any("HUMANSEC_ALLOW_ANONYMOUS=1" in m.value for m in at.markdown)


def test_make_run_serves_the_local_user_with_a_notice(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = app(data_dir, monkeypatch, None, address="127.0.0.1")
    assert [t.value for t in at.title] == ["Situation map"]
    assert any("No sign-in configured" in m.value for m in at.html)
    assert [t.value for t in at.switch_page("pages/audit_trail.py").run().title] == ["Audit trail"]
    assert "Secret sites" in shown_text(app(data_dir, monkeypatch, None, address="127.0.0.1",
                                             page="pages/data.py"))  # fmt: skip


def _keys(at: AppTest) -> set[str]:
    return {str(node.key) for node in _walk(at._tree) if getattr(node, "key", None)}


# Which action widgets each role gets, page by page (on the pages it may open).
ACTIONS: dict[str, dict[str, bool | None]] = {
    # widget key: {role: present?}
    "plan_form_id": {"viewer": False, "planner": True, "analyst": False, "briefer": False,
                     "admin": True},
    "plan_download_csv": {"viewer": False, "planner": False, "analyst": False, "briefer": True,
                          "admin": True},
    "brief_make": {"briefer": True, "admin": True},
    "data_retire": {"analyst": True, "admin": True},
    "rules_why": {"analyst": True, "admin": True},
    "audit_actions": {"admin": True},
}  # fmt: skip
ACTION_PAGES = {
    "plan_form_id": "pages/planned_activities.py",
    "plan_download_csv": "pages/planned_activities.py",
    "brief_make": "pages/briefing.py",
    "data_retire": "pages/data.py",
    "rules_why": "pages/rules.py",
    "audit_actions": "pages/audit_trail.py",
}
ROLE_ACTIONS = [
    (role, key, present) for key, roles in ACTIONS.items() for role, present in roles.items()
]


@pytest.mark.parametrize(
    ("role", "key", "present"), ROLE_ACTIONS, ids=[f"{r}-{k}" for r, k, _ in ROLE_ACTIONS]
)
def test_role_x_action(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, role: str, key: str, present: bool
) -> None:
    at = app(data_dir, monkeypatch, claims([role]), page=ACTION_PAGES[key])
    assert not at.exception, at.exception
    assert (key in _keys(at)) is present


def test_an_admin_reads_the_settings_the_server_runs_with(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = app(data_dir, monkeypatch, claims(["admin"]), page="pages/settings.py")
    assert not at.exception, at.exception
    table = at.dataframe[0].value.set_index("setting")
    assert table.loc["data_dir", "value"] == str(data_dir)
    assert table.loc["data_dir", "environment variable"] == "HUMANSEC_DATA_DIR"
    assert table.loc["classification_order", "environment variable"] == "(TOML only)"
