"""Who may see and do what: identity from the sign-in, roles, clearance and need-to-know.

Never imports streamlit: the app layer (``ui/access.py``) reads ``st.user`` and passes the
claims in; the CLI uses ``cli_user``.
"""

from __future__ import annotations

from humansec.access.identity import (
    SignInMode,
    User,
    cli_user,
    is_loopback,
    local_user,
    sign_in_mode,
    user_from_claims,
)
from humansec.access.policy import (
    cleared,
    markings_up_to,
    rank,
    require,
    require_clearance,
    visible_records,
)
from humansec.access.roles import ROLE_PERMISSIONS, Permission, Role, parse_roles

__all__ = [
    "ROLE_PERMISSIONS",
    "Permission",
    "Role",
    "SignInMode",
    "User",
    "cleared",
    "cli_user",
    "is_loopback",
    "local_user",
    "markings_up_to",
    "parse_roles",
    "rank",
    "require",
    "require_clearance",
    "sign_in_mode",
    "user_from_claims",
    "visible_records",
]
