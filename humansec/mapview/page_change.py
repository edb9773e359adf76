"""A live map stops reporting to Streamlit once the user has clicked a link to another page.

Streamlit sends a component's report with the page its browser side still shows (it changes
that only when the new page's run answers) and folds it with a pending page change so that the
newer request's page wins: a map report sent just after a click on *Data* took the user back to
the map's page (seen twice in CI, on the situation map). Every map streamlit-folium draws
reports (view, clicks, drawings), so ``build_base_map(live=True)`` adds this guard to each.
"""

from __future__ import annotations

from branca.element import MacroElement
from jinja2 import Template

NAV_LINK_SELECTOR = 'a[data-testid="stSidebarNavLink"]'
"""Streamlit's own markup for a page link in the navigation (Streamlit 1.67, as pinned)."""


class StopReportsOnPageChange(MacroElement):
    """Wraps ``Streamlit.setComponentValue`` in the map's frame so that no report goes out once
    the user is leaving the page. The map's script runs before streamlit-folium's
    ``initComponent``, so every report goes through it; other wrappers added after it
    (``first_view.ReportAfterBasemap``) send through it too.

    Leaving is known three ways: a click on a navigation link to another path seen by the
    frame's listener; the parent page's address no longer the one the map was drawn under
    (Streamlit changes it once the new page's run answers); or, for a click made before the
    frame's script ran (the listener did not exist yet), the focus on a navigation link to
    another path while the address has not changed. Focus can outlive its click (the browser's
    Back button keeps it on the link last clicked), so a report held for that reason goes out
    after ``FOCUS_WAIT_MS`` if the address is still the map's; a real page change replaces the
    frame well before.
    """

    FOCUS_WAIT_MS = 1500
    _template = Template(
        "{% macro script(this, kwargs) %}"
        "(function () {"
        "  var S = window.Streamlit, top;"
        "  if (!S || typeof S.setComponentValue !== 'function' || S.hsGuarded) { return; }"
        "  try { top = window.parent; top.document.addEventListener; } catch (error) { return; }"
        "  var send = S.setComponentValue, left = false, waiting = null, shrugged = null;"
        "  var home = top.location.pathname, selector = {{ this.selector|tojson }};"
        "  S.hsGuarded = true;"
        "  function linkAway(element) {"
        "    var link = element && element.closest && element.closest(selector);"
        "    return link && link.pathname !== top.location.pathname ? link : null;"
        "  }"
        "  top.document.addEventListener('click', function (event) {"
        "    if (linkAway(event.target)) { left = true; }"
        "  }, true);"
        "  function leaving() {"
        "    if (top.location.pathname !== home) { left = true; }"
        "    return left;"
        "  }"
        "  function focusAway() {"
        "    var link = linkAway(top.document.activeElement);"
        "    return link && link !== shrugged ? link : null;"
        "  }"
        "  function later() {"
        "    var value = waiting[0], link = focusAway();"
        "    waiting = null;"
        "    if (leaving()) { return; }"
        "    shrugged = link || shrugged;  /* focus left over from an older click */"
        "    send.call(S, value);"
        "  }"
        "  S.setComponentValue = function (value) {"
        "    if (leaving()) { return; }"
        "    if (waiting) { waiting[0] = value; return; }"
        "    if (focusAway()) {"
        "      waiting = [value];"
        "      setTimeout(later, {{ this.focus_wait_ms }});"
        "      return;"
        "    }"
        "    return send.call(S, value);"
        "  };"
        "})();"
        "{% endmacro %}"
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "StopReportsOnPageChange"
        self.selector = NAV_LINK_SELECTOR
        self.focus_wait_ms = self.FOCUS_WAIT_MS
