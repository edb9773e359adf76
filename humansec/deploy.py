"""The headquarters deployment: the nginx site in front of the app processes.

``render_nginx_site`` fills ``deploy/nginx/humansec.conf.in`` (TLS, gzip and brotli, the
websocket, a strict Content-Security-Policy, only the configured host names) for a server name,
a certificate and the app processes; ``python -m humansec deploy nginx`` prints it.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from humansec.errors import ConfigurationError

__all__ = ["BROTLI_MODULE", "TEMPLATE", "register", "render_nginx_site"]

TEMPLATE = Path(__file__).resolve().parent.parent / "deploy" / "nginx" / "humansec.conf.in"
BROTLI_MODULE = Path("/usr/lib/nginx/modules/ngx_http_brotli_filter_module.so")
"""Debian's ``libnginx-mod-http-brotli-filter``; without it the site compresses with gzip only."""

_BROTLI = """    brotli on;
    brotli_comp_level 5;
    brotli_types text/plain text/css application/javascript text/javascript application/json
                 application/geo+json image/svg+xml application/wasm;"""
_APP = re.compile(r"^(?:\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$")
_NAME = re.compile(r"^[A-Za-z0-9*][A-Za-z0-9.*-]*$")


def render_nginx_site(
    *,
    server_names: Sequence[str],
    cert: Path,
    key: Path,
    apps: Sequence[str],
    https_port: int = 443,
    http_port: int = 80,
    brotli: bool | None = None,
    max_body_mb: int = 1024,
) -> str:
    """The nginx site for ``apps`` (``host:port`` of each app process) under ``server_names``.

    ``brotli`` None: on when Debian's brotli module is installed.
    """
    bad_names = [name for name in server_names if not _NAME.match(name)]
    if not server_names or bad_names:
        msg = (
            f"Give the host names users type (--server-name humansec.hq.mil); "
            f"not valid: {bad_names or 'none given'}."
        )
        raise ConfigurationError(msg)
    bad_apps = [app for app in apps if not _APP.match(app)]
    if not apps or bad_apps:
        msg = (
            "Give each app process as host:port (--app 127.0.0.1:8501 --app 127.0.0.1:8502); "
            f"not valid: {bad_apps or 'none given'}."
        )
        raise ConfigurationError(msg)
    for label, path in (("certificate", cert), ("key", key)):
        if not Path(path).is_absolute() or re.search(r"[\s;{}]", str(path)):
            msg = f"The TLS {label} must be an absolute path without spaces: {path}."
            raise ConfigurationError(msg)
    use_brotli = BROTLI_MODULE.exists() if brotli is None else brotli
    values = {
        "@UPSTREAM_SERVERS@": "\n".join(f"    server {app};" for app in apps),
        "@SERVER_NAME@": " ".join(server_names),
        "@CERT@": str(cert),
        "@KEY@": str(key),
        "@HTTPS_PORT@": str(https_port),
        "@HTTP_PORT@": str(http_port),
        "@MAX_BODY_MB@": str(max_body_mb),
        "@BROTLI@": _BROTLI if use_brotli else "    # brotli: not installed here",
        "@BROTLI_NOTE@": (
            "Brotli needs `load_module modules/ngx_http_brotli_filter_module.so;` (Debian's "
            "libnginx-mod-http-brotli-filter does it)."
            if use_brotli
            else "Brotli is off: install libnginx-mod-http-brotli-filter and render again."
        ),
    }
    text = TEMPLATE.read_text(encoding="utf-8")
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    return text


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``deploy nginx`` to the command line."""
    deploy = commands.add_parser("deploy", help="files for a headquarters deployment")
    targets = deploy.add_subparsers(dest="deploy_command", required=True)
    nginx = targets.add_parser(
        "nginx",
        help="print the nginx site for the app processes",
        description="Print an nginx site: TLS, compression, websocket, CSP, allowed hosts.",
    )
    nginx.add_argument("--server-name", action="append", required=True, help="host name users type")
    nginx.add_argument("--cert", type=Path, required=True, help="TLS certificate (PEM, absolute)")
    nginx.add_argument("--key", type=Path, required=True, help="TLS private key (PEM, absolute)")
    nginx.add_argument("--app", action="append", required=True, help="an app process, host:port")
    nginx.add_argument("--https-port", type=int, default=443)
    nginx.add_argument("--http-port", type=int, default=80)
    nginx.add_argument("--max-upload-mb", type=int, default=1024)
    nginx.set_defaults(run=_nginx)


def _nginx(args: argparse.Namespace) -> int:
    sys.stdout.write(
        render_nginx_site(
            server_names=args.server_name,
            cert=args.cert,
            key=args.key,
            apps=args.app,
            https_port=args.https_port,
            http_port=args.http_port,
            max_body_mb=args.max_upload_mb,
        )
    )
    return 0
