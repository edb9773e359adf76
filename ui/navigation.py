"""Every page of the app and the permission it needs: adding a page is one line in ``PAGES``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from humansec.access import Permission, User


@dataclass(frozen=True)
class PageSpec:
    """A page script, its title in the navigation and the permission it needs."""

    path: str
    title: str
    permission: Permission
    default: bool = False

    @property
    def url_path(self) -> str:
        """The URL path Streamlit gives the page (its file name without ``.py``)."""
        return self.path.rsplit("/", 1)[-1].removesuffix(".py")


PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/situation_map.py", "Situation map", Permission.VIEW_MAP, default=True),
    PageSpec("pages/planned_activities.py", "Planned activities", Permission.VIEW_PLANS),
    PageSpec("pages/incidents.py", "Incidents", Permission.VIEW_MAP),
    PageSpec("pages/briefing.py", "Briefing", Permission.EXPORT),
    PageSpec("pages/data.py", "Data", Permission.MANAGE_LAYERS),
    PageSpec("pages/rules.py", "Stand-off rules", Permission.EDIT_RULES),
    PageSpec("pages/audit_trail.py", "Audit trail", Permission.VIEW_AUDIT),
    PageSpec("pages/basemaps.py", "Basemaps", Permission.MANAGE_BASEMAPS),
    PageSpec("pages/settings.py", "Settings", Permission.MANAGE_SETTINGS),
)


def page_at(url_path: str) -> PageSpec:
    """The page Streamlit serves at ``url_path`` (e.g. ``"situation_map"``)."""
    for page in PAGES:
        if page.url_path == url_path:
            return page
    raise KeyError(f"no page at {url_path!r}: add it to ui/navigation.PAGES")


def permitted(user: User) -> list[PageSpec]:
    """The pages ``user`` may open (the ones the navigation shows)."""
    return [page for page in PAGES if user.may(page.permission)]


def spec_for_file(filename: str) -> PageSpec | None:
    """The page whose script is ``filename`` (None for a script not in ``PAGES``)."""
    path = Path(filename).resolve()
    return next((page for page in PAGES if path.parts[-2:] == Path(page.path).parts[-2:]), None)
