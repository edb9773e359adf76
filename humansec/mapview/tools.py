"""Map controls for the tactical tools: the measure tool (Leaflet.draw, vendored).

The shapes drawn come back to Python through streamlit-folium (``all_drawings``), where
``humansec.measure`` computes their lengths and areas geodesically (pyproj.Geod).
"""

from __future__ import annotations

import folium
import folium.plugins
from branca.element import MacroElement
from jinja2 import Template

from humansec.mapview.assets import DRAW_CSS, DRAW_JS, links
from humansec.mapview.style import OKABE_ITO

MEASURE_COLOUR = OKABE_ITO["black"]


def offline_draw(asset_prefix: str, draw_options: dict[str, object]) -> folium.plugins.Draw:
    """Folium's Draw control with only the vendored leaflet-draw (folium's defaults point at a
    CDN); the shapes come back through streamlit-folium as ``all_drawings``."""
    control = folium.plugins.Draw(
        export=False,
        position="topleft",
        draw_options={
            "rectangle": False,
            "marker": False,
            "circle": False,
            "circlemarker": False,
            **draw_options,
        },
        edit_options={"edit": False, "remove": True},
    )
    control.default_js = links([DRAW_JS], asset_prefix)
    control.default_css = links([DRAW_CSS], asset_prefix)
    return control


def measure_control(asset_prefix: str) -> folium.plugins.Draw:
    """A control to draw a route or an area to measure (no points: nothing to measure)."""
    shape = {"shapeOptions": {"color": MEASURE_COLOUR, "weight": 3}, "showLength": False}
    return offline_draw(asset_prefix, {"polyline": shape, "polygon": {**shape, "showArea": False}})


class ResetGroupList(MacroElement):
    """Empties streamlit-folium's ``window.feature_group`` before the new groups are pushed.

    streamlit-folium (0.27) removes the previous groups from the map when the groups change,
    but keeps them in that list and pushes the new ones after them, so the list (and the
    memory it holds) grows on every redraw. Placed in the first group of a rerun, this runs
    after the removal and before any new group is pushed.
    """

    _template = Template("{% macro script(this, kwargs) %}window.feature_group = [];{% endmacro %}")

    def __init__(self) -> None:
        super().__init__()
        self._name = "ResetGroupList"


def fresh_group_list(groups: list[folium.FeatureGroup]) -> list[folium.FeatureGroup]:
    """``groups`` with ``ResetGroupList`` in the first one (for ``feature_group_to_add``)."""
    if groups:
        groups[0].add_child(ResetGroupList())
    return groups
