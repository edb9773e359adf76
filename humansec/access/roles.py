"""Roles and what each may do (DESIGN.md section 7). One table: ``ROLE_PERMISSIONS``."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A role named in the ID token's roles claim."""

    VIEWER = "viewer"
    PLANNER = "planner"
    ANALYST = "analyst"
    BRIEFER = "briefer"
    ADMIN = "admin"


class Permission(StrEnum):
    """One thing a user may do; pages and core actions ask for one of these."""

    VIEW_MAP = "view the situation map"
    VIEW_PLANS = "view the planned activities"
    EDIT_PLANS = "enter, draw, load and store planned activities and run the check"
    MANAGE_LAYERS = "upload, retire and restore layers"
    EDIT_RULES = "edit the stand-off rules"
    EXPORT = "make briefing products and tables"
    VIEW_AUDIT = "read the audit trail"
    MANAGE_SETTINGS = "see the settings the server runs with"
    MANAGE_BASEMAPS = "manage basemap packages"


_VIEWER = frozenset({Permission.VIEW_MAP, Permission.VIEW_PLANS})

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: _VIEWER,
    Role.PLANNER: _VIEWER | {Permission.EDIT_PLANS},
    Role.ANALYST: _VIEWER | {Permission.MANAGE_LAYERS, Permission.EDIT_RULES},
    Role.BRIEFER: _VIEWER | {Permission.EXPORT},
    Role.ADMIN: frozenset(Permission),
}
"""What each role may do; a user may do what any of their roles may."""


def permissions_of(roles: frozenset[Role]) -> frozenset[Permission]:
    """Every permission granted by ``roles``.

    >>> Permission.EXPORT in permissions_of(frozenset({Role.VIEWER, Role.BRIEFER}))
    True
    """
    granted: frozenset[Permission] = frozenset()
    for role in roles:
        granted |= ROLE_PERMISSIONS[role]
    return granted


def parse_roles(value: object) -> frozenset[Role]:
    """The known roles in a claim's value (a list, or one space/comma-separated string).

    Unknown names are ignored: a provider's token often carries roles of other applications.

    >>> sorted(parse_roles(["planner", "offline_access", "Viewer"]))
    [<Role.PLANNER: 'planner'>, <Role.VIEWER: 'viewer'>]
    """
    if isinstance(value, str):
        names: list[object] = list(value.replace(",", " ").split())
    elif isinstance(value, list | tuple | set | frozenset):
        names = list(value)
    else:
        return frozenset()
    known = {role.value: role for role in Role}
    return frozenset(
        known[name.strip().lower()]
        for name in names
        if isinstance(name, str) and name.strip().lower() in known
    )
