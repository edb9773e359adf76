from __future__ import annotations

import datetime as dt

import pytest

from humansec.access import (
    Permission,
    Role,
    SignInMode,
    User,
    local_user,
    require,
    require_clearance,
    sign_in_mode,
    user_from_claims,
    visible_records,
)
from humansec.access.identity import forwarded_by
from humansec.errors import AccessDeniedError, ConfigurationError, SignInError
from humansec.settings import Settings, load_settings

NOW = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC)
ORDER = Settings().classification_order


def claims(**extra: object) -> dict[str, object]:
    return {"sub": "u-7", "name": "Pat Planner", "email": "pat@mission.example",
            "exp": NOW.timestamp() + 600, **extra}  # fmt: skip


def test_roles_and_clearance_come_from_the_named_claims() -> None:
    settings = load_settings({"HUMANSEC_ROLES_CLAIM": "groups", "HUMANSEC_CLEARANCE_CLAIM": "clr"})
    user = user_from_claims(
        claims(groups=["planner", "offline_access"], clr="NATO SECRET", roles=["admin"]),
        settings,
        now=NOW,
    )
    assert user.roles == frozenset({Role.PLANNER})  # the unknown role and the other claim ignored
    assert user.clearance == "NATO SECRET"
    assert user.may(Permission.EDIT_PLANS) and not user.may(Permission.MANAGE_LAYERS)
    assert user.audit_identity()["email"] == "pat@mission.example"


def test_no_clearance_claim_means_the_lowest_marking() -> None:
    user = user_from_claims(claims(roles="viewer"), Settings(), now=NOW)
    assert user.clearance == ORDER[0]
    assert user.roles == frozenset({Role.VIEWER})


def test_an_unknown_clearance_is_refused_with_the_known_markings() -> None:
    with pytest.raises(ConfigurationError, match="NATO SECRET"):
        user_from_claims(claims(clearance="COSMIC PURPLE"), Settings(), now=NOW)


def test_an_expired_token_must_sign_in_again() -> None:
    with pytest.raises(SignInError, match="Sign in again"):
        user_from_claims(claims(exp=NOW.timestamp() - 1), Settings(), now=NOW)
    user = user_from_claims(claims(), Settings(), now=NOW)
    assert not user.is_expired(NOW)
    assert user.is_expired(NOW + dt.timedelta(minutes=11))


def test_a_token_without_subject_is_refused() -> None:
    with pytest.raises(SignInError, match="sub"):
        user_from_claims({"name": "x"}, Settings(), now=NOW)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.VIEWER, {Permission.VIEW_MAP, Permission.VIEW_PLANS}),
        (Role.PLANNER, {Permission.VIEW_MAP, Permission.VIEW_PLANS, Permission.EDIT_PLANS}),
        (Role.ANALYST, {Permission.VIEW_MAP, Permission.VIEW_PLANS, Permission.MANAGE_LAYERS,
                        Permission.EDIT_RULES}),
        (Role.BRIEFER, {Permission.VIEW_MAP, Permission.VIEW_PLANS, Permission.EXPORT}),
        (Role.ADMIN, set(Permission)),
    ],
)  # fmt: skip
def test_require_allows_exactly_the_roles_table(role: Role, allowed: set[Permission]) -> None:
    user = User("s", "n", "e", frozenset({role}), ORDER[0])
    for permission in Permission:
        if permission in allowed:
            require(user, permission)
        else:
            with pytest.raises(AccessDeniedError, match="Not permitted"):
                require(user, permission)


def test_clearance_limits_records_and_markings() -> None:
    user = User("s", "n", "e", frozenset({Role.BRIEFER}), "NATO RESTRICTED")
    require_clearance(user, "NATO RESTRICTED", ORDER, what="the product")
    with pytest.raises(AccessDeniedError, match="above your clearance"):
        require_clearance(user, "NATO SECRET", ORDER, what="the product")

    class Rec:
        def __init__(self, marking: str) -> None:
            self.classification = marking

    records = [Rec(m) for m in ORDER]
    shown = visible_records(user, records, ORDER)  # type: ignore[type-var]
    assert [r.classification for r in shown] == ["NATO UNCLASSIFIED", "NATO RESTRICTED"]


@pytest.mark.parametrize(
    ("auth", "address", "anonymous", "mode"),
    [
        (True, "0.0.0.0", False, SignInMode.OIDC),
        (False, "127.0.0.1", False, SignInMode.LOCAL),
        (False, "::1", False, SignInMode.LOCAL),
        (False, "0.0.0.0", True, SignInMode.ANONYMOUS),
        (False, None, True, SignInMode.ANONYMOUS),
    ],
)
def test_sign_in_mode(auth: bool, address: str | None, anonymous: bool, mode: SignInMode) -> None:
    assert sign_in_mode(auth_configured=auth, address=address, allow_anonymous=anonymous) is mode


@pytest.mark.parametrize("address", [None, "", "0.0.0.0", "10.1.2.3", "localhost"])
def test_no_sign_in_off_loopback_is_refused_with_the_fix(address: str | None) -> None:
    with pytest.raises(ConfigurationError, match=r"\[auth\] section of \.streamlit/secrets\.toml"):
        sign_in_mode(auth_configured=False, address=address, allow_anonymous=False)


def test_behind_a_reverse_proxy_loopback_is_no_local_demo() -> None:
    """nginx on the same machine forwards everyone's requests to 127.0.0.1."""
    forwarded = forwarded_by({"Host": "humansec.hq", "x-forwarded-for": "10.20.30.40"})
    assert forwarded == "X-Forwarded-For"
    with pytest.raises(ConfigurationError, match="reverse proxy") as refused:
        sign_in_mode(
            auth_configured=False, address="127.0.0.1", allow_anonymous=False, forwarded=forwarded
        )
    assert "[auth] section" in str(refused.value)
    assert sign_in_mode(
        auth_configured=True, address="127.0.0.1", allow_anonymous=False, forwarded=forwarded
    ) is SignInMode.OIDC  # fmt: skip
    assert sign_in_mode(
        auth_configured=False, address="127.0.0.1", allow_anonymous=True, forwarded=forwarded
    ) is SignInMode.ANONYMOUS  # fmt: skip
    assert forwarded_by({"Host": "127.0.0.1:8501", "Origin": "http://127.0.0.1:8501"}) is None


def test_the_local_user_has_every_role_and_the_highest_clearance() -> None:
    user = local_user(Settings())
    assert user.roles == frozenset(Role) and user.clearance == ORDER[-1]
    assert load_settings({"HUMANSEC_ALLOW_ANONYMOUS": "1"}).allow_anonymous
    assert not load_settings({}).allow_anonymous
