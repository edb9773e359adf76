"""Sign-in with a real OpenID Connect provider (npm `oidc-provider`) on 127.0.0.1.

The provider runs as a Node process started here; Streamlit reads an ``[auth]`` section from
a secrets file in a private HOME. Users of different roles and clearances sign in and out in
headless Chromium; a RESTRICTED planner sees the need-to-know line and never the SECRET site,
in the page or in any websocket message.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from humansec import audit
from tests.browser.conftest import PROJECT, Server, _free_port, start_server
from tests.test_access_app import SECRET_NAME, _store

pytestmark = pytest.mark.browser

PROVIDER_SCRIPT = Path(__file__).with_name("oidc_provider.mjs")
ACCOUNTS = {
    "pat": {"name": "Pat Planner", "email": "pat@mission.example", "roles": ["planner"],
            "clearance": "NATO RESTRICTED"},
    "sam": {"name": "Sam Admin", "email": "sam@mission.example", "roles": ["admin"],
            "clearance": "NATO SECRET"},
}  # fmt: skip
FONT_HOSTS = ("https://fonts.googleapis.com/", "https://fonts.gstatic.com/")


@pytest.fixture(scope="module")
def signed_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str]]:
    node = shutil.which("node")
    if node is None or not (PROJECT / "node_modules" / "oidc-provider").is_dir():
        pytest.fail("Needs Node.js and `npm ci` (oidc-provider from package.json).")
    folder = tmp_path_factory.mktemp("signin")
    data_dir = folder / "data"
    data_dir.mkdir()
    _store(data_dir)
    app_port, idp_port = _free_port(), _free_port()
    app_url, issuer = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{idp_port}"
    idp_log = (folder / "oidc.log").open("wb")
    idp = subprocess.Popen(
        [node, str(PROVIDER_SCRIPT), str(idp_port), app_url],
        cwd=PROJECT,
        env={**os.environ, "OIDC_ACCOUNTS": json.dumps(ACCOUNTS)},
        stdout=idp_log,
        stderr=subprocess.STDOUT,
    )
    _wait_for(f"{issuer}/.well-known/openid-configuration", idp, folder / "oidc.log")
    home = folder / "home"
    (home / ".streamlit").mkdir(parents=True)
    (home / ".streamlit" / "secrets.toml").write_text(
        f"""[auth]
redirect_uri = "{app_url}/oauth2callback"
cookie_secret = "browser-test-cookie-secret"
client_id = "humansec"
client_secret = "humansec-test-secret"
server_metadata_url = "{issuer}/.well-known/openid-configuration"
client_kwargs = {{ prompt = "login" }}
""",
        encoding="utf-8",
    )
    server = start_server(
        data_dir, folder / "streamlit.log", extra_env={"HOME": str(home)}, port=app_port
    )
    yield server, issuer
    server.stop()
    idp.terminate()
    idp.wait(timeout=10)
    idp_log.close()


def _wait_for(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"oidc-provider exited:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"oidc-provider did not answer within 30 s:\n{log.read_text()}")


@pytest.fixture
def session(
    browser: Browser, signed_app: tuple[Server, str]
) -> Iterator[tuple[Page, list[str], list[str]]]:
    """A fresh browser context: the app and the provider pass, fonts and the rest are blocked."""
    server, issuer = signed_app
    blocked: list[str] = []
    frames: list[str] = []
    context = browser.new_context(viewport={"width": 1400, "height": 1000})

    def route(route: Route) -> None:
        url = route.request.url
        if url.startswith((server.url, issuer, "data:", "blob:", "about:")):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on(
        "websocket",
        lambda ws: ws.on(
            "framereceived",
            lambda payload: frames.append(
                payload.decode("utf-8", "replace") if isinstance(payload, bytes) else payload
            ),
        ),
    )
    yield page, blocked, frames
    context.close()


def sign_in(page: Page, url: str, login: str) -> None:
    page.goto(url, wait_until="domcontentloaded")
    page.get_by_role("button", name="Sign in").click(timeout=60_000)
    page.locator("input[name=login]").fill(login, timeout=30_000)
    page.locator("input[name=password]").fill("any password")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click(timeout=30_000)  # the consent page
    expect(page.get_by_text(f"Signed in: {ACCOUNTS[login]['name']}")).to_be_visible(timeout=60_000)


def test_a_restricted_planner_signs_in_sees_need_to_know_and_signs_out(
    session: tuple[Page, list[str], list[str]], signed_app: tuple[Server, str]
) -> None:
    page, blocked, frames = session
    server, _ = signed_app
    sign_in(page, server.url, "pat")
    expect(page.get_by_text("Roles: planner · cleared to NATO RESTRICTED")).to_be_visible()
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav.get_by_role("link", name="Planned activities")).to_be_visible()
    expect(nav.get_by_role("link", name="Data")).to_have_count(0)
    nav.get_by_role("link", name="Planned activities").click()
    expect(page.get_by_text("strike-1 conflicts with a feature at a higher marking")).to_be_visible(
        timeout=60_000
    )
    page.goto(f"{server.url}/data", wait_until="domcontentloaded")  # a forbidden page's URL
    expect(page.get_by_role("heading", name="Not permitted")).to_be_visible(timeout=60_000)
    page.wait_for_timeout(1000)  # the last websocket messages of the run
    assert SECRET_NAME not in page.content()
    assert frames and not any(SECRET_NAME in frame for frame in frames)
    assert not any("Secret sites" in frame for frame in frames)
    page.get_by_role("button", name="Sign out").click()
    # The provider's end-session page (Streamlit sends its callback as post-logout redirect).
    page.get_by_role("button", name="Yes, sign me out").click(timeout=30_000)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=60_000)
    assert all(url.startswith(FONT_HOSTS) for url in blocked), blocked
    mine = [e for e in audit.read(server.data_dir) if e["actor"]["subject"] == "pat"]  # type: ignore[index]
    actions = [e["action"] for e in mine]
    assert actions[0] == "sign_in" and "denied" in actions and actions[-1] == "sign_out"
    assert mine[0]["actor"]["email"] == "pat@mission.example"  # type: ignore[index]
    assert audit.verify(server.data_dir).ok


def test_a_secret_admin_sees_the_secret_site_and_the_audit_trail(
    session: tuple[Page, list[str], list[str]], signed_app: tuple[Server, str]
) -> None:
    page, blocked, frames = session
    server, _ = signed_app
    sign_in(page, server.url, "sam")
    nav = page.get_by_test_id("stSidebarNav")
    nav.get_by_role("link", name="Planned activities").click()
    expect(page.get_by_role("heading", name="Planned activities")).to_be_visible(timeout=60_000)
    page.wait_for_timeout(2000)  # the map's messages
    # The same check as the planner's, which can fail: cleared, the hospital is sent.
    assert any(SECRET_NAME in frame for frame in frames)
    expect(page.get_by_text("conflicts with a feature at a higher marking")).to_have_count(0)
    nav.get_by_role("link", name="Audit trail").click()
    expect(page.get_by_text("audit trail intact")).to_be_visible(timeout=60_000)
    assert all(url.startswith(FONT_HOSTS) for url in blocked), blocked
