"""Symbols that say what they are: incidents by focus area, planned activities as APP-6.

Incidents
    One colour and one shape per human security focus area, from Paul Tol's "muted" palette
    (distinguishable with the common colour-vision deficiencies, and apart from the Okabe–Ito
    colours of the layer kinds); the shape differs too, so colour is never the only cue. An
    incident with no focus area is a *conflict event* (a battle, shelling, ...): a grey X.
    An incident with several focus areas (``focus_areas``) is drawn with the symbol of the
    first of them in this order (its ``focus_area``); its popup names them all.
    Each incident carries the index of its symbol (property ``s``); the runtime looks the
    style up per layer, so there is no per-feature style function (DESIGN.md section 8).

Planned activities
    MIL-STD-2525C / APP-6 symbols drawn in the browser by ``milsymbol`` (npm, vendored
    offline), filled with the activity's conflict-check status colour (red, amber, green;
    ``check.STATUS_COLOURS``); grey where no check has been run. The symbol names the kind
    of unit that carries the activity out:

    ======================== ================= ==========================================
    activity type            SIDC (2525C)      symbol
    ======================== ================= ==========================================
    air_strike               SFAPMFA--------   friendly air, fixed wing, attack/strike
    indirect_fire            SFGPUCF--------   friendly ground unit, field artillery
    ground_manoeuvre         SFGPUCIZ-------   friendly ground unit, mechanised infantry
    patrol                   SFGPUCR--------   friendly ground unit, reconnaissance
    checkpoint               SFGPUUM--------   friendly ground unit, military police
    engineering_demolition   SFGPUCE--------   friendly ground unit, engineer
    convoy                   SFGPUST--------   friendly ground unit, transportation
    exercise                 SDGPU----------   exercise friend, ground unit
    (any other)              SFGPU----------   friendly ground unit
    ======================== ================= ==========================================
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np
import pandas as pd

from humansec import model
from humansec.escaping import escape_text
from humansec.mapview.style import KIND_STYLES, KindStyle, legend_symbol_svg
from humansec.model import FOCUS_AREA_TITLES, FocusArea, LayerKind

# Tol, P. (2021), "Colour schemes", SRON/EPS/TN/09-002, "muted" scheme.
TOL_MUTED: Mapping[str, str] = {
    "indigo": "#332288",
    "cyan": "#88CCEE",
    "teal": "#44AA99",
    "green": "#117733",
    "olive": "#999933",
    "sand": "#DDCC77",
    "rose": "#CC6677",
    "wine": "#882255",
    "purple": "#AA4499",
    "grey": "#DDDDDD",
}
CLUSTER_COLOUR = "#4D4D4D"
"""Fill of a cluster of incidents (it mixes focus areas)."""
CONFLICT_EVENT = model.CONFLICT_EVENT
CONFLICT_EVENT_TITLE = "Conflict event (no focus area)"
INCIDENT_OUTLINE = "#222222"
INCIDENT_RADIUS = 6.0


def _incident(colour: str, shape: str) -> KindStyle:
    return dataclasses.replace(
        KIND_STYLES[LayerKind.INCIDENT],
        colour=colour,
        shape=shape,  # type: ignore[arg-type]
        radius=INCIDENT_RADIUS,
        outline=INCIDENT_OUTLINE,
        fill_opacity=0.9,
    )


FOCUS_STYLES: Mapping[str, KindStyle] = {
    FocusArea.POC: _incident(TOL_MUTED["wine"], "circle"),
    FocusArea.CRSV: _incident(TOL_MUTED["purple"], "diamond"),
    FocusArea.THB: _incident(TOL_MUTED["indigo"], "square"),
    FocusArea.CAAC: _incident(TOL_MUTED["sand"], "triangle"),
    FocusArea.CPP: _incident(TOL_MUTED["teal"], "pentagon"),
    FocusArea.HUMANITARIAN_ACCESS: _incident(TOL_MUTED["green"], "triangle_down"),
    CONFLICT_EVENT: _incident("#666666", "x"),
}
"""Incident symbol per focus area (and ``conflict_event`` for none), in legend order."""
FOCUS_KEYS: tuple[str, ...] = tuple(FOCUS_STYLES)
FOCUS_TITLES: Mapping[str, str] = {
    **{str(area): title for area, title in FOCUS_AREA_TITLES.items()},
    CONFLICT_EVENT: CONFLICT_EVENT_TITLE,
}


def focus_index(values: pd.Series) -> np.ndarray:
    """Index into ``FOCUS_KEYS`` of each incident's focus area (missing or unknown: conflict
    event).

    >>> focus_index(pd.Series(["crsv", None, "poc", "battle"])).tolist()
    [1, 6, 0, 6]
    """
    lookup = {key: i for i, key in enumerate(FOCUS_KEYS)}
    other = lookup[CONFLICT_EVENT]
    codes = values.astype("object").where(values.notna(), None).tolist()
    return np.array([lookup.get(str(code), other) if code is not None else other
                     for code in codes], dtype=np.int64)  # fmt: skip


def incident_legend_rows() -> str:
    """Legend rows of the incident symbols, one per focus area and one for conflict events."""
    rows = [
        f'<div class="hs-legend-row hs-legend-focus" data-focus="{escape_text(key)}">'
        f"{legend_symbol_svg(style)}<span>{escape_text(FOCUS_TITLES[key])}</span></div>"
        for key, style in FOCUS_STYLES.items()
    ]
    return (
        '<div class="hs-legend-sub">Incidents by focus area</div>'
        f'<div class="hs-legend-group">{"".join(rows)}</div>'
    )


SIDC_BY_TYPE: Mapping[str, str] = {
    "air_strike": "SFAPMFA--------",
    "indirect_fire": "SFGPUCF--------",
    "ground_manoeuvre": "SFGPUCIZ-------",
    "patrol": "SFGPUCR--------",
    "checkpoint": "SFGPUUM--------",
    "engineering_demolition": "SFGPUCE--------",
    "convoy": "SFGPUST--------",
    "exercise": "SDGPU----------",
}
"""MIL-STD-2525C symbol identification codes per activity type (see the module's table)."""
DEFAULT_SIDC = "SFGPU----------"
UNCHECKED_COLOUR = "#BBBBBB"
"""Fill of an activity symbol when no conflict check has given it a status."""
SYMBOL_SIZE = 22
"""milsymbol's ``size`` option (the frame's height is about this many pixels)."""


def sidc_for(activity_type: object) -> str:
    """The SIDC of an activity type (``DEFAULT_SIDC`` when the type is unknown or missing).

    >>> sidc_for("indirect_fire"), sidc_for(None)
    ('SFGPUCF--------', 'SFGPU----------')
    """
    return SIDC_BY_TYPE.get(str(activity_type), DEFAULT_SIDC)


def milsymbol_span(sidc: str, fill: str) -> str:
    """A legend placeholder the runtime fills with the milsymbol drawing of ``sidc``."""
    sidc_attr, fill_attr = escape_text(sidc), escape_text(fill)
    return f'<span class="hs-ms" data-sidc="{sidc_attr}" data-fill="{fill_attr}"></span>'


def activity_type_rows(fill: str = UNCHECKED_COLOUR) -> str:
    """Legend rows of the APP-6 symbol of every activity type."""
    rows = [
        f'<div class="hs-legend-row">{milsymbol_span(sidc, fill)}'
        f"<span>{escape_text(activity_type.replace('_', ' ').capitalize())}</span></div>"
        for activity_type, sidc in SIDC_BY_TYPE.items()
    ]
    return (
        '<div class="hs-legend-sub">Planned activities (APP-6)</div>'
        f'<div class="hs-legend-group">{"".join(rows)}</div>'
    )


def heat_ramp_html(gradient: Mapping[str, str]) -> str:
    """The heat map's colour ramp as a legend row (stops at their positions)."""
    stops = ", ".join(
        f"{escape_text(colour)} {float(position) * 100:.0f}%"
        for position, colour in sorted(gradient.items(), key=lambda item: float(item[0]))
    )
    return (
        '<div class="hs-legend-sub">Incidents (heat map)</div>'
        f'<div class="hs-ramp" style="background: linear-gradient(to right, {stops})"></div>'
        '<div class="hs-ramp-ends"><span>fewer</span><span>more</span></div>'
    )


def map_legend_html(
    kinds: list[LayerKind] | tuple[LayerKind, ...],
    *,
    heat_gradient: Mapping[str, str] | None = None,
) -> str:
    """The map's legend: one row per kind; incidents by focus area (or the heat map's ramp
    when ``heat_gradient`` is given); planned activities by their APP-6 symbols."""
    rows = ['<div class="hs-legend-title">Legend</div>']
    for kind in dict.fromkeys(kinds):
        if kind == LayerKind.INCIDENT:
            rows.append(incident_legend_rows() if heat_gradient is None
                        else heat_ramp_html(heat_gradient))  # fmt: skip
        elif kind == LayerKind.ACTIVITY:
            rows.append(activity_type_rows())
        else:
            style = KIND_STYLES[kind]
            rows.append(
                f'<div class="hs-legend-row">{legend_symbol_svg(style)}'
                f"<span>{escape_text(style.title)}</span></div>"
            )
    return "".join(rows)
