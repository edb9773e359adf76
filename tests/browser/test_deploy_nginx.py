"""The headquarters deployment, run for real: Debian's nginx, rendered by ``python -m humansec
deploy nginx``, terminates TLS in front of two app processes on one data folder.

Checked through the proxy: the page loads, Streamlit's bundle is compressed, the CSP and other
headers are present, an unknown host name is refused, and a browser session (the websocket)
draws the situation map with no CSP violation and no request leaving the machine. And the app
itself: on 127.0.0.1 behind a proxy without sign-in it refuses, naming the fix.
"""

from __future__ import annotations

import http.client
import re
import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, Route, expect

from humansec.deploy import BROTLI_MODULE, render_nginx_site
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, Server, start_server
from tests.browser.test_situation_map import MAP_FRAME

pytestmark = pytest.mark.browser

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
HOST = "humansec.test"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Proxy:
    https_port: int
    apps: list[Server]
    folder: Path

    @property
    def url(self) -> str:
        return f"https://{HOST}:{self.https_port}"

    def request(
        self, path: str, *, host: str = HOST, headers: dict[str, str] | None = None
    ) -> Reply:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # the test's own self-signed certificate
        connection = http.client.HTTPSConnection(
            "127.0.0.1", self.https_port, context=context, timeout=30
        )
        try:
            connection.request("GET", path, headers={"Host": host, **(headers or {})})
            response = connection.getresponse()
            return Reply(response.status, dict(response.getheaders()), response.read())
        finally:
            connection.close()


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes


def _certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "site.crt", folder / "site.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", f"/CN={HOST}", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def _nginx_conf(folder: Path, site: str) -> Path:
    (folder / "site.conf").write_text(site, encoding="utf-8")
    for temp in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / temp).mkdir(exist_ok=True)
    module = f"load_module {BROTLI_MODULE};\n" if BROTLI_MODULE.exists() else ""
    conf = folder / "nginx.conf"
    conf.write_text(
        f"""{module}user root;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    access_log {folder}/access.log;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/site.conf;
}}
""",
        encoding="utf-8",
    )
    return conf


@pytest.fixture(scope="module")
def proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxy]:
    if not Path(NGINX).exists():
        pytest.skip("nginx is not installed: `apt-get install nginx-light` (.ci/run does it)")
    folder = tmp_path_factory.mktemp("deploy")
    data = folder / "data"
    # Two app processes on one data folder, as the systemd units run them. Without an OIDC
    # provider in this test, the override stands in for sign-in (it warns on every page).
    anonymous = {"HUMANSEC_ALLOW_ANONYMOUS": "1"}
    apps = [start_server(data, folder / f"app{n}.log", extra_env=anonymous) for n in (1, 2)]
    cert, key = _certificate(folder)
    https_port, http_port = _free_port(), _free_port()
    site = render_nginx_site(
        server_names=[HOST],
        cert=cert,
        key=key,
        apps=[app.url.removeprefix("http://") for app in apps],
        https_port=https_port,
        http_port=http_port,
    )
    conf = _nginx_conf(folder, site)
    tested = subprocess.run(
        [NGINX, "-t", "-c", str(conf)], check=False, capture_output=True, text=True
    )
    assert tested.returncode == 0, tested.stderr
    with (folder / "nginx.out").open("wb") as log:
        nginx = subprocess.Popen(
            [NGINX, "-c", str(conf), "-g", "daemon off;"], stdout=log, stderr=subprocess.STDOUT
        )
    running = Proxy(https_port, apps, folder)
    try:
        for _ in range(50):  # until nginx accepts connections
            try:
                running.request("/_stcore/health")
                break
            except OSError:
                subprocess.run(["sleep", "0.2"], check=True)
        yield running
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        for app in apps:
            app.stop()


def test_the_page_and_its_headers_through_the_proxy(proxy: Proxy) -> None:
    page = proxy.request("/")
    assert page.status == 200
    csp = page.headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'self'" in csp
    assert "object-src 'none'" in csp
    assert "http:" not in csp
    assert "https:" not in csp  # no host outside this server is allowed anything
    assert page.headers.get("X-Content-Type-Options") == "nosniff"
    assert page.headers.get("Strict-Transport-Security")
    bundle = re.search(r'src="(\.?/?static/js/[^"]+\.js)"', page.body.decode())
    assert bundle, page.body[:500]
    path = "/" + bundle[1].lstrip("./")
    plain = proxy.request(path)
    assert plain.status == 200
    gzipped = proxy.request(path, headers={"Accept-Encoding": "gzip"})
    assert gzipped.headers.get("Content-Encoding") == "gzip"
    assert len(gzipped.body) < len(plain.body) / 2
    if BROTLI_MODULE.exists():
        brotli = proxy.request(path, headers={"Accept-Encoding": "br, gzip"})
        assert brotli.headers.get("Content-Encoding") == "br"
        assert len(brotli.body) < len(plain.body) / 2


def test_an_unknown_host_name_is_refused(proxy: Proxy) -> None:
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        proxy.request("/", host="evil.example")


def test_both_app_processes_serve_behind_the_proxy(proxy: Proxy) -> None:
    upstream = (proxy.folder / "site.conf").read_text()
    for app in proxy.apps:
        assert f"server {app.url.removeprefix('http://')};" in upstream
        with socket.create_connection(("127.0.0.1", int(app.url.rsplit(":", 1)[1])), timeout=5):
            pass


@pytest.fixture
def proxied_page(playwright: Playwright, proxy: Proxy) -> Iterator[tuple[Page, list[str]]]:
    browser: Browser = playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=[*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {HOST} 127.0.0.1"],
    )
    context = browser.new_context(
        ignore_https_errors=True, viewport={"width": 1400, "height": 1000}
    )
    outside: list[str] = []

    def route(route: Route) -> None:
        if route.request.url.startswith((proxy.url, "data:", "blob:", "about:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page, problems
    context.close()
    browser.close()
    assert outside == []


def test_a_session_draws_the_map_through_the_proxy(
    proxied_page: tuple[Page, list[str]], proxy: Proxy
) -> None:
    page, csp_violations = proxied_page
    page.goto(proxy.url, wait_until="domcontentloaded")
    frame = page.frame_locator(MAP_FRAME).last
    expect(frame.locator(".leaflet-container")).to_be_visible(timeout=90_000)
    expect(frame.locator(".hs-legend").first).to_be_visible(timeout=30_000)
    expect(page.get_by_text("HUMANSEC_ALLOW_ANONYMOUS").first).to_be_visible()
    # plotly's charts under the same policy (no eval allowed)
    page.get_by_role("link", name="Incidents").click()
    expect(page.locator(".js-plotly-plot .main-svg").first).to_be_visible(timeout=90_000)
    assert csp_violations == []


def test_without_sign_in_a_proxied_app_refuses_and_names_the_fix(
    browser: Browser, tmp_path: Path
) -> None:
    app = start_server(tmp_path / "data", tmp_path / "app.log")
    try:
        context = browser.new_context(extra_http_headers={"X-Forwarded-For": "10.20.30.40"})
        page = context.new_page()
        page.goto(app.url, wait_until="domcontentloaded")
        expect(page.get_by_role("heading", name="Sign-in is not configured")).to_be_visible(
            timeout=60_000
        )
        expect(page.get_by_text("reverse proxy").first).to_be_visible()
        expect(page.locator(MAP_FRAME)).to_have_count(0)
        context.close()
    finally:
        app.stop()
