"""The PostGIS store's URL: recognise it, check it, and show it without its password.

Kept apart from ``humansec.store.postgis`` so that the settings can use it without importing
the database driver.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from humansec.errors import ConfigurationError

URL_SCHEMES = ("postgresql", "postgres")


def is_store_url(location: object) -> bool:
    """True when ``location`` is a ``postgresql://`` (or ``postgres://``) URL.

    >>> is_store_url("postgresql://hs@db/humansec"), is_store_url("/srv/humansec.gpkg")
    (True, False)
    """
    return isinstance(location, str) and urlsplit(location).scheme in URL_SCHEMES


def redact_url(url: str) -> str:
    """``url`` without its password (in the user part or as a ``password=`` parameter).

    >>> redact_url("postgresql://hs:s3cret@db.hq:5432/humansec?password=x&sslmode=require")
    'postgresql://hs:***@db.hq:5432/humansec?sslmode=require'
    """
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if "@" in netloc:
            user, host = netloc.rsplit("@", 1)
            if ":" in user:
                user = user.split(":", 1)[0] + ":***"
            netloc = f"{user}@{host}"
        query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k != "password"])
        return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
    except ValueError:
        return "(an unreadable database URL)"


def url_secrets(url: str) -> list[str]:
    """The passwords ``url`` holds (to scrub them from any text shown)."""
    try:
        parts = urlsplit(url)
        found = [parts.password] if parts.password else []
    except ValueError:
        return []
    return found + [v for k, v in parse_qsl(parts.query) if k == "password" and v]


def check_store_url(url: str) -> str:
    """Return ``url`` if it can name a PostGIS store; refuse it with the fix if not.

    >>> check_store_url("mysql://db/x")
    Traceback (most recent call last):
    ...
    humansec.errors.ConfigurationError: store_url 'mysql://db/x' must be a PostgreSQL URL ...
    """
    try:
        parts = urlsplit(url)
        _ = parts.port
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in URL_SCHEMES or not parts.path.strip("/"):
        msg = (
            f"store_url {redact_url(url)!r} must be a PostgreSQL URL naming a database, e.g. "
            "postgresql://humansec@db.hq:5432/humansec (leave it unset for the embedded "
            "GeoPackage)."
        )
        raise ConfigurationError(msg)
    return url
