"""Map layers of a conflict check: activities by status, hazard areas, conflicting features.

Status colours come from the Okabe–Ito palette (vermillion, orange, bluish green) and every
status also has its own word in the legend and the popups, so colour is never the only cue.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import folium
import folium.plugins
import geopandas as gpd

from humansec.escaping import escape_text
from humansec.mapview.builder import feature_element
from humansec.mapview.elements import Legend
from humansec.mapview.style import KIND_STYLES, OKABE_ITO, KindStyle
from humansec.mapview.symbols import DEFAULT_SIDC, activity_type_rows, milsymbol_span
from humansec.mapview.tools import offline_draw
from humansec.model import KIND_SPECS, LayerKind

STATUS_COLOURS: Mapping[str, str] = {
    "red": OKABE_ITO["vermillion"],
    "amber": OKABE_ITO["orange"],
    "green": OKABE_ITO["bluish_green"],
}
STATUS_TITLES: Mapping[str, str] = {
    "red": "Red: critical or high conflict",
    "amber": "Amber: medium or low conflict",
    "green": "Green: no conflict",
}
STATUS_FIELDS = ("status", "worst_severity", "conflicts", "population_in_hazard")


def _status_style(status: str, *, area: bool = False) -> KindStyle:
    base = KIND_STYLES[LayerKind.ACTIVITY]
    return dataclasses.replace(
        base,
        colour=STATUS_COLOURS[status],
        fill_opacity=0.9,
        area_fill_opacity=0.1 if area else 0.3,
        weight=2 if area else 3,
        dash="4 4" if area else None,
    )


def activity_status_groups(
    activities: gpd.GeoDataFrame, hazard_areas: gpd.GeoDataFrame | None = None
) -> list[folium.FeatureGroup]:
    """Feature groups of ``activities`` coloured by their ``status`` column (red/amber/green).

    ``activities`` carries the activity fields plus the summary's ``status`` (and optionally
    ``worst_severity``, ``conflicts``, ``population_in_hazard``); ``hazard_areas`` has ``id``,
    ``status`` and polygon geometries (EPSG:4326). Both are drawn per status.
    """
    groups = []
    if hazard_areas is not None and not hazard_areas.empty:
        groups.append(_by_status("Hazard areas", hazard_areas, "Hazard area", area=True))
    title = f"{KIND_SPECS[LayerKind.ACTIVITY].title} by status ({len(activities)})"
    groups.append(_by_status(title, activities, "Planned activity", area=False))
    return groups


def _by_status(
    name: str, frame: gpd.GeoDataFrame, label: str, *, area: bool
) -> folium.FeatureGroup:
    """One group holding ``frame``'s features, one layer per status in its colour."""
    group = folium.FeatureGroup(name=escape_text(name), overlay=True, control=True)
    for status, title in STATUS_TITLES.items():
        part = frame[frame["status"] == status]
        if not part.empty:
            group.add_child(
                feature_element(
                    LayerKind.ACTIVITY,
                    part,
                    style=_status_style(status, area=area),
                    title=f"{label} ({title})",
                    extra_fields=STATUS_FIELDS,
                    cluster=False,
                    symbols=not area,
                )
            )
    return group


def conflicting_feature_groups(
    features: Mapping[LayerKind, gpd.GeoDataFrame],
) -> list[folium.FeatureGroup]:
    """One group per kind of the protected features that some activity conflicts with."""
    groups = []
    for kind, frame in features.items():
        if frame.empty:
            continue
        group = folium.FeatureGroup(
            name=escape_text(f"In conflict: {KIND_SPECS[kind].title} ({len(frame)})"),
            overlay=True,
            control=True,
        )
        group.add_child(feature_element(kind, frame, cluster=False))
        groups.append(group)
    return groups


def status_legend() -> Legend:
    """A legend of the three statuses and of the activity types' APP-6 symbols (bottom left,
    beside the kinds' legend)."""
    return Legend(
        '<div class="hs-legend-title">Activity status</div>'
        + status_legend_rows()
        + activity_type_rows(),
        position="bottomleft",
    )


def draw_control(asset_prefix: str) -> folium.plugins.Draw:
    """A control to draw a point, route or area (leaflet-draw from ``static/vendor``).

    Drawn shapes come back through streamlit-folium as ``all_drawings`` (GeoJSON features).
    """
    line = {"shapeOptions": {"color": OKABE_ITO["black"]}}
    return offline_draw(
        asset_prefix, {"polyline": line, "polygon": line, "rectangle": line, "marker": True}
    )


def status_legend_rows() -> str:
    """The legend rows of the three statuses (HTML), e.g. for a printed product's legend."""
    return "".join(
        f'<div class="hs-legend-row">{milsymbol_span(DEFAULT_SIDC, STATUS_COLOURS[status])}'
        f"<span>{escape_text(title)}</span></div>"
        for status, title in STATUS_TITLES.items()
    )
