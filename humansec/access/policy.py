"""The checks every action passes through: roles (``require``) and clearance (``cleared``).

Pages hide what a user may not do; these checks are what actually stops it, in the core call
path, so a crafted widget event cannot get past them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypeVar

from humansec.access.identity import User
from humansec.access.roles import Permission
from humansec.errors import AccessDeniedError, ConfigurationError, choices
from humansec.store import LayerRecord

_R = TypeVar("_R", bound=LayerRecord)


def require(user: User, permission: Permission) -> None:
    """Raise ``AccessDeniedError`` unless one of ``user``'s roles grants ``permission``."""
    if not user.may(permission):
        roles = choices(user.roles) if user.roles else "none"
        msg = (
            f"Not permitted: {user.label} may not {permission} (roles: {roles}). Ask your "
            "administrator for a role that allows it."
        )
        raise AccessDeniedError(msg)


def rank(marking: str, order: Sequence[str]) -> int:
    """The position of ``marking`` in ``order`` (lowest first)."""
    try:
        return list(order).index(marking)
    except ValueError:
        msg = (
            f"Unknown classification marking {marking!r}; known markings, lowest first: "
            f"{choices(order)}. Add it to classification_order in the configuration."
        )
        raise ConfigurationError(msg) from None


def cleared(user: User, marking: str, order: Sequence[str]) -> bool:
    """True when ``user``'s clearance is at or above ``marking``."""
    return rank(marking, order) <= rank(user.clearance, order)


def require_clearance(user: User, marking: str, order: Sequence[str], *, what: str) -> None:
    """Raise ``AccessDeniedError`` when ``marking`` is above ``user``'s clearance."""
    if not cleared(user, marking, order):
        msg = (
            f"Not permitted: {what} is marked {marking}, above your clearance "
            f"({user.clearance}). Choose a lower marking or fewer layers."
        )
        raise AccessDeniedError(msg)


def visible_records(user: User, records: Iterable[_R], order: Sequence[str]) -> list[_R]:
    """The layer records ``user`` is cleared to see (the others never reach the session)."""
    return [record for record in records if cleared(user, record.classification, order)]


def markings_up_to(user: User, order: Sequence[str], lowest: str | None = None) -> list[str]:
    """The markings from ``lowest`` (default the lowest of ``order``) up to the clearance."""
    start = 0 if lowest is None else rank(lowest, order)
    return list(order)[start : rank(user.clearance, order) + 1]
