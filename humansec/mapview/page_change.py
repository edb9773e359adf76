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
    """Wraps ``Streamlit.setComponentValue`` in the map's frame: once the parent page has seen
    a click on a navigation link to another path, every report is dropped. The map's script
    runs before streamlit-folium's ``initComponent``, so every report goes through it; other
    wrappers added after it (``first_view.ReportAfterBasemap``) send through it too."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "(function () {"
        "  var S = window.Streamlit;"
        "  if (!S || typeof S.setComponentValue !== 'function' || S.hsGuarded) { return; }"
        "  var send = S.setComponentValue, left = false;"
        "  S.hsGuarded = true;"
        "  try {"
        "    window.parent.document.addEventListener('click', function (event) {"
        "      var link = event.target && event.target.closest"
        "        && event.target.closest({{ this.selector|tojson }});"
        "      if (link && link.pathname !== window.parent.location.pathname) { left = true; }"
        "    }, true);"
        "  } catch (error) { return; /* not in Streamlit's page: nothing to watch */ }"
        "  S.setComponentValue = function (value) {"
        "    if (!left) { return send.call(S, value); }"
        "  };"
        "})();"
        "{% endmacro %}"
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "StopReportsOnPageChange"
        self.selector = NAV_LINK_SELECTOR
