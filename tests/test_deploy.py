"""The nginx site rendered for a headquarters (run for real in tests/browser/test_deploy_nginx)."""

from __future__ import annotations

from pathlib import Path

import pytest

from humansec.__main__ import main
from humansec.deploy import render_nginx_site
from humansec.errors import ConfigurationError

CERT, KEY = Path("/etc/ssl/humansec.crt"), Path("/etc/ssl/humansec.key")


def site(**changes: object) -> str:
    settings: dict[str, object] = {
        "server_names": ["humansec.hq.mil"],
        "cert": CERT,
        "key": KEY,
        "apps": ["127.0.0.1:8501", "127.0.0.1:8502"],
        **changes,
    }
    return render_nginx_site(**settings)  # type: ignore[arg-type]


def test_the_site_names_every_app_process_host_and_certificate() -> None:
    text = site(brotli=True)
    assert "server 127.0.0.1:8501;" in text
    assert "server 127.0.0.1:8502;" in text
    assert "server_name humansec.hq.mil;" in text
    assert f"ssl_certificate     {CERT};" in text
    assert "brotli on;" in text
    assert "@" not in text.replace("$", "")  # every placeholder filled
    assert "ip_hash;" in text  # a session's websocket and uploads reach one process


def test_without_brotli_the_site_says_how_to_get_it() -> None:
    text = site(brotli=False)
    assert "brotli on;" not in text
    assert "libnginx-mod-http-brotli-filter" in text
    assert "gzip on;" in text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"server_names": []}, "--server-name"),
        ({"server_names": ["hq; return 200"]}, "not valid"),
        ({"apps": ["8501"]}, "host:port"),
        ({"apps": ["127.0.0.1:8501; evil"]}, "host:port"),
        ({"cert": Path("site.crt")}, "absolute path"),
        ({"key": Path("/etc/ssl/a key.pem")}, "absolute path"),
    ],
)
def test_bad_settings_are_refused_with_the_fix(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        site(**changes)


def test_the_command_prints_the_site(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["deploy", "nginx", "--server-name", "humansec.hq.mil", "--cert", str(CERT), "--key",
         str(KEY), "--app", "127.0.0.1:8501", "--app", "127.0.0.1:8502"]
    )  # fmt: skip
    assert code == 0
    assert "upstream humansec_apps" in capsys.readouterr().out


def test_a_bad_app_address_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["deploy", "nginx", "--server-name", "hq", "--cert", str(CERT), "--key", str(KEY),
         "--app", "nowhere"]
    )  # fmt: skip
    assert code == 2
    assert "host:port" in capsys.readouterr().err
