"""Sign-in in the app: who the user of this session is, the sign-in page, the sidebar badge.

With ``[auth]`` in Streamlit's secrets the user signs in with the mission's OpenID Connect
provider (``st.login``) and the ID token's claims become a ``humansec.access.User``. Without
it the app runs as one local user, but only on a loopback address (see
``humansec.access.sign_in_mode``).
"""

from __future__ import annotations

import datetime as dt
import logging

import streamlit as st
from streamlit import config as st_config
from streamlit.errors import StreamlitSecretNotFoundError

from humansec.access import SignInMode, User, local_user, sign_in_mode, user_from_claims
from humansec.access.actions import record_event
from humansec.access.identity import forwarded_by
from humansec.errors import ConfigurationError, SignInError
from humansec.settings import Settings
from ui import navigation, resources, text

_USER = "_humansec_user"
_SIGNED_IN = "_humansec_signed_in"  # (subject, iat) already recorded as a sign-in
_DENIED = "_humansec_denied_page"  # last forbidden page recorded, so a rerun is not a new attempt
_WARNED = "_humansec_anonymous_warned"
_LOG = logging.getLogger("humansec.access")


def auth_section() -> dict[str, object]:
    """The ``[auth]`` section of Streamlit's secrets ({} when there is none)."""
    try:
        section = st.secrets.get("auth")
    except (FileNotFoundError, StreamlitSecretNotFoundError):
        return {}
    return dict(section) if section else {}


def _provider(section: dict[str, object]) -> str | None:
    """``st.login``'s provider: None for a single unnamed one, else the first named one."""
    if "client_id" in section:
        return None
    named = [key for key, value in section.items() if hasattr(value, "keys")]
    return named[0] if named else None


def sign_in() -> User:
    """The user of this run, kept for the pages; stops the run when there is none.

    Called by ``app.py`` on every run, so an expired token is noticed on the next click.
    """
    settings = resources.settings()
    section = auth_section()
    try:
        mode = sign_in_mode(
            auth_configured=bool(section),
            address=st_config.get_option("server.address"),
            allow_anonymous=settings.allow_anonymous,
            forwarded=forwarded_by(dict(st.context.headers or {})),
        )
    except ConfigurationError as error:
        _LOG.error("%s", error)
        st.title("Sign-in is not configured")
        text.show(error)
        st.stop()
    if mode is SignInMode.LOCAL:
        user = local_user(settings)
    elif mode is SignInMode.ANONYMOUS:
        if not st.session_state.get(_WARNED):  # once per session in the log, on every page
            st.session_state[_WARNED] = True
            _LOG.warning(
                "HUMANSEC_ALLOW_ANONYMOUS=1: serving on %s without sign-in; anyone who "
                "reaches it has every role.",
                st_config.get_option("server.address") or "every interface",
            )
        user = local_user(settings, anonymous=True)
    else:
        user = _oidc_user(settings, section)
    st.session_state[_USER] = user
    return user


def _oidc_user(settings: Settings, section: dict[str, object]) -> User:
    if not st.user.is_logged_in:
        st.title("humansec")
        st.write("Sign in with your mission account to see the situation.")
        if st.button("Sign in", type="primary", key="signin_button"):
            st.login(_provider(section))
        st.stop()
    claims = st.user.to_dict()
    try:
        user = user_from_claims(claims, settings, now=dt.datetime.now(dt.UTC))
    except (SignInError, ConfigurationError) as error:
        st.title("Sign in again")
        text.show(error)
        if st.button("Sign in again", type="primary", key="signin_again"):
            st.login(_provider(section))
        if st.button("Sign out", key="signin_out"):
            st.logout()
        st.stop()
    marker = (user.subject, claims.get("iat"))
    if st.session_state.get(_SIGNED_IN) != marker:
        st.session_state[_SIGNED_IN] = marker
        record_event(settings, user, action="sign_in", what={"roles": sorted(user.roles),
                     "clearance": user.clearance})  # fmt: skip
    return user


def user() -> User:
    """The user of this run (set by ``app.py``); a run without it has not been routed."""
    found = st.session_state.get(_USER)
    if not isinstance(found, User):
        msg = "No signed-in user in this session: open the app from its start page."
        raise SignInError(msg)
    return found


def sidebar(user: User) -> None:
    """Who is signed in, with what roles and clearance, and the sign-out button."""
    roles = ", ".join(sorted(user.roles)) or "no role"
    text.show(f"Signed in: {user.label}\nRoles: {roles} · cleared to {user.clearance}", "caption")
    if user.source == "oidc" and st.button("Sign out", key="signout_button"):
        record_event(resources.settings(), user, action="sign_out", what={})
        st.session_state.pop(_SIGNED_IN, None)
        st.logout()


def notice(user: User) -> None:
    """The notice of a session without sign-in (every page shows it)."""
    if user.source == "local":
        # One compact line: the map below must keep the window (issue 10's framing).
        text.show(
            "No sign-in configured: you are the local user with every role, allowed only "
            "because the app is bound to 127.0.0.1 (README, 'Sign-in').",
            "caption",
        )
    elif user.source == "anonymous":
        text.show(
            "WARNING: no sign-in, and the app is reachable from other machines "
            "(HUMANSEC_ALLOW_ANONYMOUS=1). Anyone who reaches it can see and change "
            "everything. Configure sign-in (README, 'Sign-in').",
            "warning",
        )


def not_permitted(user: User, page: navigation.PageSpec | None) -> None:
    """Tell the user the page is not for them, and record the attempt (once per visit)."""
    st.title("Not permitted")
    needs = f"the permission to {page.permission}" if page else "a page listed in the app"
    text.show(
        f"Not permitted: {page.title if page else 'this page'} needs {needs}, which your "
        f"roles ({', '.join(sorted(user.roles)) or 'none'}) do not give. Ask your "
        "administrator for the role if you need it.",
    )
    url_path = page.url_path if page else "(unlisted page)"
    if st.session_state.get(_DENIED) != url_path:
        st.session_state[_DENIED] = url_path
        record_event(
            resources.settings(),
            user,
            action="denied",
            what={"page": url_path, "permission": str(page.permission) if page else ""},
        )


def allowed_page_shown(page: navigation.PageSpec) -> None:
    """A permitted page is open: a later visit to a forbidden one is a new attempt."""
    del page
    st.session_state.pop(_DENIED, None)
