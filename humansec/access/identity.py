"""Who is using humansec: a ``User`` from the ID token's claims, the local demo user, the CLI.

Streamlit puts the claims of the ID token into ``st.user``; the app layer passes them here as
a plain mapping, so this module never needs streamlit.
"""

from __future__ import annotations

import datetime as dt
import getpass
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from humansec.access.roles import Permission, Role, parse_roles, permissions_of
from humansec.errors import ConfigurationError, SignInError, choices
from humansec.settings import Settings


@dataclass(frozen=True)
class User:
    """A signed-in person (or the local demo user, or the CLI's OS user)."""

    subject: str
    name: str
    email: str
    roles: frozenset[Role]
    clearance: str
    expires: dt.datetime | None = None
    """When the ID token expires (None: never, for the local user and the CLI)."""
    source: str = "oidc"
    """``oidc``, ``local`` (no sign-in, 127.0.0.1), ``anonymous`` (override) or ``cli``."""

    @property
    def permissions(self) -> frozenset[Permission]:
        """What this user may do."""
        return permissions_of(self.roles)

    def may(self, permission: Permission) -> bool:
        """True when one of the user's roles grants ``permission``."""
        return permission in self.permissions

    @property
    def label(self) -> str:
        """How the user is shown: name and e-mail, or the subject."""
        if self.name and self.email:
            return f"{self.name} <{self.email}>"
        return self.name or self.email or self.subject

    def audit_identity(self) -> dict[str, str]:
        """The fields every audit entry records about who acted."""
        return {
            "subject": self.subject,
            "name": self.name,
            "email": self.email,
            "source": self.source,
        }

    def is_expired(self, now: dt.datetime) -> bool:
        """True when the ID token this session rests on has expired."""
        return self.expires is not None and now >= self.expires


def user_from_claims(claims: Mapping[str, object], settings: Settings, *, now: dt.datetime) -> User:
    """The user described by an ID token's ``claims`` (as ``st.user`` holds them).

    Roles come from the claim ``settings.roles_claim`` (unknown names ignored); the clearance
    from ``settings.clearance_claim`` (a marking of ``classification_order``; the lowest when
    the claim is missing). Raises ``SignInError`` when the token has expired or has no
    subject, and ``ConfigurationError`` when the clearance is not a known marking.
    """
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        msg = (
            "The sign-in carries no subject ('sub' claim): the identity provider must put it "
            "into the ID token. Sign out and in again, or ask the provider's administrator."
        )
        raise SignInError(msg)
    expires = _expiry(claims.get("exp"))
    if expires is not None and now >= expires:
        msg = f"Your sign-in expired at {expires:%Y-%m-%d %H:%M:%S} UTC. Sign in again to go on."
        raise SignInError(msg)
    order = settings.classification_order
    clearance = claims.get(settings.clearance_claim)
    if clearance is None or clearance == "":
        clearance = order[0]
    if not isinstance(clearance, str) or clearance not in order:
        msg = (
            f"The ID token's {settings.clearance_claim!r} claim is {clearance!r}, which is not "
            f"a marking humansec knows ({choices(order)}). Ask the identity provider's "
            "administrator to send one of these, or add it to classification_order."
        )
        raise ConfigurationError(msg)
    name = claims.get("name") or claims.get("preferred_username") or ""
    email = claims.get("email") or ""
    return User(
        subject=subject,
        name=str(name),
        email=str(email),
        roles=parse_roles(claims.get(settings.roles_claim)),
        clearance=clearance,
        expires=expires,
    )


def _expiry(value: object) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        msg = f"The ID token's 'exp' claim {value!r} is not a time; sign in again."
        raise SignInError(msg)
    try:
        return dt.datetime.fromtimestamp(float(value), tz=dt.UTC)
    except (ValueError, OverflowError, OSError):
        msg = f"The ID token's 'exp' claim {value!r} is not a time; sign in again."
        raise SignInError(msg) from None


def provenance_who(user: User, typed: str) -> str:
    """Who stored a layer, for its provenance: the signed-in identity and what the user typed.

    A signed-in user's name comes from the identity provider, so they add only their unit; the
    local or anonymous user must type who they are, and gets an empty answer when they did not.

    >>> oidc = User("sub-1", "Capt A", "a@mil", frozenset(), "UNCLASSIFIED")
    >>> provenance_who(oidc, " J2 ")
    'Capt A <a@mil>, J2'
    >>> provenance_who(oidc, "")
    'Capt A <a@mil>'
    >>> local = User("local:x", "Local user", "", frozenset(), "UNCLASSIFIED", source="local")
    >>> provenance_who(local, "")
    ''
    >>> provenance_who(local, "Lt B, J9")
    'Lt B, J9 (signed in as Local user)'
    """
    typed = typed.strip()
    if user.source == "oidc":
        return f"{user.label}, {typed}" if typed else user.label
    return f"{typed} (signed in as {user.label})" if typed else ""


def local_user(settings: Settings, *, anonymous: bool = False) -> User:
    """The one user of an app without sign-in: every role, cleared to the highest marking."""
    return User(
        subject=f"{'anonymous' if anonymous else 'local'}:{getpass.getuser()}",
        name="Local user (no sign-in)",
        email="",
        roles=frozenset(Role),
        clearance=settings.classification_order[-1],
        source="anonymous" if anonymous else "local",
    )


def cli_user(settings: Settings) -> User:
    """The CLI runs as the operating-system user, with every role (it has the files anyway)."""
    os_user = getpass.getuser()
    return User(
        subject=f"cli:{os_user}",
        name=os_user,
        email="",
        roles=frozenset(Role),
        clearance=settings.classification_order[-1],
        source="cli",
    )


class SignInMode(StrEnum):
    """How the app identifies its users."""

    OIDC = "oidc"
    LOCAL = "local"
    ANONYMOUS = "anonymous"


NO_SIGN_IN_MESSAGE = (
    "humansec refuses to serve on {address} without sign-in: anyone who reaches it could see "
    "and change everything. Either configure sign-in with your mission's OpenID Connect "
    "provider in the [auth] section of .streamlit/secrets.toml (see the README, 'Sign-in'), "
    "or run it on 127.0.0.1 only (make run). HUMANSEC_ALLOW_ANONYMOUS=1 overrides this, unsafely."
)


PROXIED_MESSAGE = (
    "humansec refuses to serve without sign-in through a reverse proxy: it listens on "
    "{address}, but this request was forwarded ({header}), so anyone who reaches the proxy "
    "could see and change everything. Configure sign-in with your mission's OpenID Connect "
    "provider in the [auth] section of .streamlit/secrets.toml (see the README, 'Sign-in' and "
    "'Deploying for a headquarters'). HUMANSEC_ALLOW_ANONYMOUS=1 overrides this, unsafely."
)
FORWARDING_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-Ip", "X-Forwarded-Host")
"""Headers a reverse proxy adds: their presence means the user is not on this machine."""


def forwarded_by(headers: Mapping[str, str]) -> str | None:
    """The first forwarding header of a request (case ignored), or None for a direct one.

    >>> forwarded_by({"x-forwarded-for": "10.1.2.3", "Host": "hq"}), forwarded_by({"Host": "x"})
    ('X-Forwarded-For', None)
    """
    present = {name.lower() for name in headers}
    return next((name for name in FORWARDING_HEADERS if name.lower() in present), None)


def sign_in_mode(
    *,
    auth_configured: bool,
    address: str | None,
    allow_anonymous: bool,
    forwarded: str | None = None,
) -> SignInMode:
    """Decide how the app identifies users; refuse to run open on a reachable address.

    ``address`` is Streamlit's ``server.address`` (None or "" means every interface);
    ``forwarded`` names the forwarding header of the request, if any: an app on 127.0.0.1
    behind a reverse proxy is reachable by everyone the proxy serves, so it is no local demo.

    >>> sign_in_mode(auth_configured=False, address="127.0.0.1", allow_anonymous=False)
    <SignInMode.LOCAL: 'local'>
    """
    if auth_configured:
        return SignInMode.OIDC
    if is_loopback(address) and forwarded is None:
        return SignInMode.LOCAL
    if allow_anonymous:
        return SignInMode.ANONYMOUS
    if forwarded is not None:
        raise ConfigurationError(
            PROXIED_MESSAGE.format(address=address or "every interface", header=forwarded)
        )
    raise ConfigurationError(NO_SIGN_IN_MESSAGE.format(address=address or "every interface"))


def is_loopback(address: str | None) -> bool:
    """True for a loopback IP address such as 127.0.0.1 or ::1 (not a name, not all interfaces)."""
    if not address:
        return False
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False
