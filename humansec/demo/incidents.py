"""Synthetic incidents of the demo: clustered near towns, every focus area, 90 days of history.

Beside the incidents under a focus area come *conflict events* (battles, shelling, protests,
riots, strategic developments: no focus area), with an ACLED-style event type and sub-type,
fatalities and both actors, as an ACLED or UCDP upload stores them.

A handful carry hostile names and perpetrators (HTML, template literals, backslashes, quotes,
Cyrillic, Lithuanian and Polish letters) so that every view of the demo exercises escaping.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from humansec.demo.scenario import (
    INCIDENT_DAYS,
    INCIDENT_START,
    SYNTHETIC_SOURCE,
    Place,
    anchor_places,
    iso,
    jitter,
    rng_for,
    rounded,
)
from humansec.model import WGS84, FocusArea

INCIDENT_COUNT = 350
"""Ordinary incidents; the hostile ones come on top."""
CONFLICT_EVENT_COUNT = 120
"""Conflict events (no focus area), on top of the incidents."""

# focus area -> (share of incidents, event types)
_FOCUS_PLAN: dict[FocusArea, tuple[float, tuple[str, ...]]] = {
    FocusArea.POC: (
        0.40,
        ("shelling", "armed attack on civilians", "sniper fire", "explosive remnants of war"),
    ),
    FocusArea.CRSV: (0.10, ("rape", "sexual assault", "sexual exploitation")),
    FocusArea.THB: (
        0.10,
        ("trafficking for forced labour", "trafficking for sexual exploitation", "abduction"),
    ),
    FocusArea.CAAC: (
        0.12,
        (
            "killing or maiming of children",
            "recruitment of children",
            "attack on school",
            "abduction of children",
        ),
    ),
    FocusArea.CPP: (0.10, ("damage to cultural property", "looting", "military use of site")),
    FocusArea.HUMANITARIAN_ACCESS: (
        0.18,
        ("convoy blocked", "attack on aid workers", "denial at checkpoint", "theft of aid"),
    ),
}
# Victim groups: female adult, female child, male adult, male child.
_VICTIM_MIX: dict[FocusArea, tuple[float, float, float, float]] = {
    FocusArea.POC: (0.35, 0.10, 0.45, 0.10),
    FocusArea.CRSV: (0.80, 0.12, 0.06, 0.02),
    FocusArea.THB: (0.55, 0.15, 0.25, 0.05),
    FocusArea.CAAC: (0.0, 0.45, 0.0, 0.55),
    FocusArea.CPP: (0.40, 0.0, 0.60, 0.0),
    FocusArea.HUMANITARIAN_ACCESS: (0.40, 0.0, 0.60, 0.0),
}
_VICTIM_FIELDS = (
    "victims_female_adult",
    "victims_female_child",
    "victims_male_adult",
    "victims_male_child",
    "victims_unknown",
)
_SURVIVOR_AREAS = frozenset({FocusArea.CRSV, FocusArea.THB})
"""Focus areas whose incidents have survivors as victims rather than killed or injured."""
_PERPETRATORS = (
    "unidentified armed group",
    "unidentified armed group",
    "armed group B (fictional)",
    "state armed forces (fictional)",
    "criminal network",
    "unknown",
)
# ACLED-style event type of each focus-area incident's type (the source's own is "type").
_EVENT_TYPE_OF: dict[str, str] = {
    "shelling": "Explosions/Remote violence",
    "explosive remnants of war": "Explosions/Remote violence",
    "attack on school": "Explosions/Remote violence",
    "damage to cultural property": "Explosions/Remote violence",
    "looting": "Strategic developments",
    "military use of site": "Strategic developments",
    "convoy blocked": "Strategic developments",
    "denial at checkpoint": "Strategic developments",
    "theft of aid": "Strategic developments",
    "recruitment of children": "Strategic developments",
    "trafficking for forced labour": "Strategic developments",
    "trafficking for sexual exploitation": "Strategic developments",
}
"""Every other type is "Violence against civilians"."""
# event type -> (share of conflict events, sub-types, mean fatalities, (actor 1, actor 2) pairs)
_CONFLICT_PLAN: dict[str, tuple[float, tuple[str, ...], float, tuple[tuple[str, str], ...]]] = {
    "Battles": (
        0.30,
        ("Armed clash", "Non-state actor overtakes territory"),
        1.6,
        (
            ("state armed forces (fictional)", "armed group B (fictional)"),
            ("armed group B (fictional)", "state armed forces (fictional)"),
        ),
    ),
    "Explosions/Remote violence": (
        0.30,
        ("Shelling/artillery/missile attack", "Air/drone strike", "Remote explosive/landmine/IED"),
        0.7,
        (
            ("armed group B (fictional)", "state armed forces (fictional)"),
            ("unidentified armed group", "civilians"),
        ),
    ),
    "Protests": (
        0.18,
        ("Peaceful protest", "Protest with intervention"),
        0.0,
        (("protesters (fictional)", "police forces (fictional)"),),
    ),
    "Riots": (
        0.10,
        ("Violent demonstration", "Mob violence"),
        0.1,
        (("rioters (fictional)", "police forces (fictional)"),),
    ),
    "Strategic developments": (
        0.12,
        ("Arrests", "Disrupted weapons use", "Headquarters or base established"),
        0.0,
        (("state armed forces (fictional)", "armed group B (fictional)"),),
    ),
}
_VERIFICATION = ("verified", "reported", "unverified")
_VERIFICATION_P = (0.3, 0.45, 0.25)
_PRECISION_M = (100.0, 1000.0, 2000.0, 5000.0)
_PRECISION_P = (0.55, 0.25, 0.12, 0.08)

HOSTILE_INCIDENTS: tuple[tuple[str, str], ...] = (
    ("<img src=x onerror=alert(1)>", "unidentified armed group"),
    ("`${alert(1)}`", "armed group `${document.cookie}`"),
    ("Report C:\\data\\2019 (archive copy)", "C:\\data\\2019"),
    ("</script><script>alert(2)</script>", "<b>bold</b> group"),
    ("Shop \"Pod Lipą\" and 'Nr 3'", "\"'unknown'\""),
    ("Обстріл біля Сувалок", "невстановлена збройна група"),
    ("Įvykis prie Šakių – liudininkų parodymai", "nežinoma ginkluota grupė"),
    ("Zdarzenie koło Ełku – źródło: świadek, żółć", "nieznana grupa zbrojna"),
)
"""Name and perpetrator of the incidents that exercise escaping (also synthetic)."""


def incidents() -> gpd.GeoDataFrame:
    """About 480 synthetic incidents, sorted by date; ids ``inc-0001`` onwards in that order.

    About 360 carry a focus area; ``CONFLICT_EVENT_COUNT`` are conflict events (none).
    """
    rng = rng_for(6)
    places = anchor_places(1500)
    weights = np.sqrt(np.array([p.population for p in places], dtype=float))
    focus_areas = list(_FOCUS_PLAN)
    shares = np.array([_FOCUS_PLAN[f][0] for f in focus_areas])
    rows: list[dict[str, object]] = []
    geoms: list[shapely.Point] = []
    total = INCIDENT_COUNT + len(HOSTILE_INCIDENTS)
    for number in range(total):
        place = places[int(rng.choice(len(places), p=weights / weights.sum()))]
        focus = focus_areas[int(rng.choice(len(focus_areas), p=shares / shares.sum()))]
        event_type = str(rng.choice(_FOCUS_PLAN[focus][1]))
        row = {
            "name": f"{event_type.capitalize()} near {place.name}",
            "precision_m": float(rng.choice(_PRECISION_M, p=_PRECISION_P)),
            "date": iso(_incident_time(rng)),
            "focus_area": str(focus),
            "event_type": _EVENT_TYPE_OF.get(event_type, "Violence against civilians"),
            "type": event_type,
            **_casualties(rng, focus),
            "perpetrator": str(rng.choice(_PERPETRATORS)),
            "source": SYNTHETIC_SOURCE,
            "verification": str(rng.choice(_VERIFICATION, p=_VERIFICATION_P)),
        }
        hostile = number - INCIDENT_COUNT
        if hostile >= 0:
            row["name"], row["perpetrator"] = HOSTILE_INCIDENTS[hostile]
        rows.append(row)
        geoms.append(shapely.Point(jitter(rng, place, min_m=0, max_m=4000)))
    for row, point in _conflict_events(places, weights):
        rows.append(row)
        geoms.append(point)
    frame = gpd.GeoDataFrame(pd.DataFrame(rows), geometry=[rounded(g) for g in geoms], crs=WGS84)
    frame = frame.sort_values("date", kind="stable").reset_index(drop=True)
    frame.insert(0, "id", [f"inc-{n:04d}" for n in range(1, len(frame) + 1)])
    return frame


def _conflict_events(
    places: list[Place], weights: np.ndarray
) -> list[tuple[dict[str, object], shapely.Point]]:
    """The conflict events: no focus area, an ACLED-style event type, fatalities and both
    actors, no victim breakdown (ACLED and UCDP give none). Their own random stream, so the
    focus-area incidents stay as they were."""
    rng = rng_for(8)
    kinds = list(_CONFLICT_PLAN)
    shares = np.array([_CONFLICT_PLAN[k][0] for k in kinds])
    out: list[tuple[dict[str, object], shapely.Point]] = []
    for _ in range(CONFLICT_EVENT_COUNT):
        place = places[int(rng.choice(len(places), p=weights / weights.sum()))]
        event_type = kinds[int(rng.choice(len(kinds), p=shares / shares.sum()))]
        _share, sub_types, mean_killed, pairs = _CONFLICT_PLAN[event_type]
        sub_type = str(rng.choice(sub_types))
        actor, other = pairs[int(rng.integers(0, len(pairs)))]
        row: dict[str, object] = {
            "name": f"{sub_type} near {place.name}",
            "precision_m": float(rng.choice(_PRECISION_M, p=_PRECISION_P)),
            "date": iso(_incident_time(rng)),
            "focus_area": None,
            "event_type": event_type,
            "type": sub_type,
            "killed": int(rng.poisson(mean_killed)),
            "injured": None,
            **dict.fromkeys(_VICTIM_FIELDS),
            "perpetrator": actor,
            "target": other,
            "source": SYNTHETIC_SOURCE,
            "verification": str(rng.choice(_VERIFICATION, p=_VERIFICATION_P)),
        }
        out.append((row, shapely.Point(jitter(rng, place, min_m=500, max_m=8000))))
    return out


def _incident_time(rng: np.random.Generator) -> pd.Timestamp:
    """A time in the incident period, on the quarter hour; more incidents in recent weeks."""
    day = min(int(INCIDENT_DAYS * float(rng.power(1.6))), INCIDENT_DAYS - 1)
    minutes = 15 * int(rng.integers(0, 96))
    return INCIDENT_START + pd.Timedelta(days=day, minutes=minutes)


def _casualties(rng: np.random.Generator, focus: FocusArea) -> dict[str, object]:
    """Killed, injured and victims by sex and age group; some incidents have no breakdown."""
    lethal = focus in {FocusArea.POC, FocusArea.CAAC}
    killed = int(rng.poisson(0.8)) if lethal else 0
    injured = int(rng.poisson(1.8)) if lethal else int(rng.poisson(0.3))
    victims = (
        killed + injured if lethal else int(rng.integers(1, 4)) if focus in _SURVIVOR_AREAS else 0
    )
    victims = max(victims, injured)
    result: dict[str, object] = {"killed": killed, "injured": injured}
    groups = _VICTIM_FIELDS[:4]
    if rng.random() < 0.15:  # no breakdown reported
        result.update(dict.fromkeys(groups))
        result["victims_unknown"] = None
        return result
    unknown = int(rng.binomial(victims, 0.15))
    counts = rng.multinomial(victims - unknown, _VICTIM_MIX[focus])
    result.update({g: int(c) for g, c in zip(groups, counts, strict=True)})
    result["victims_unknown"] = unknown
    return result
