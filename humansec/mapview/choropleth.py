"""Reference areas as a choropleth: population, density or incidents per 100,000 people,
in classes with a legend.

Classes are quantiles (``mapclassify.Quantiles``, at most five; fewer when the areas hold
fewer distinct values), computed over every area given, so the legend and the colours agree
wherever the map is panned. Colours run from light to dark on Tol's "YlOrBr" ramp (the heat
map's, readable in colour-blind vision and in grey); an area without the figure is grey and
has its own legend row.

Density is people per km² of the area's **geodesic** area on the WGS84 ellipsoid
(``pyproj.Geod.geometry_area_perimeter``), not a planar area in degrees or in a projection.

Incidents per 100,000 people counts the incidents given (those that pass the map's date
and focus-area filters) inside each area, divided by the area's population; an area without a
population (or with none) has no figure, never an imputed one.

Each area's popup lists its figures: total, female, male, children under 18 and elderly 60+
(from its age bands: ``AgeBand.child_share`` / ``elderly_share``, bands that straddle 18 or 60
prorated), its density and where the figures come from, every value escaped.
"""

from __future__ import annotations

import dataclasses
import math
import re
import warnings
from collections.abc import Collection, Mapping
from dataclasses import dataclass

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Geod

from humansec.errors import SchemaError
from humansec.escaping import escape_text
from humansec.mapview.builder import feature_element
from humansec.mapview.elements import Legend
from humansec.mapview.style import KIND_STYLES
from humansec.model import FOCUS_CHOICE_TITLES, FOCUS_CHOICES, KIND_SPECS, LayerKind
from humansec.population.bands import AgeBand, column_band

INCIDENT_RATE = "incidents_per_100k"
MEASURES: Mapping[str, str] = {
    "population": "People",
    "density_km2": "People per km² (geodesic area)",
    INCIDENT_RATE: "Incidents per 100,000 people",
}
"""What a choropleth can show, with its legend title."""
RAMP: tuple[str, ...] = ("#FFF7BC", "#FEC44F", "#FB9A29", "#CC4C02", "#662506")
NO_DATA_COLOUR = "#BBBBBB"
MAX_CLASSES = len(RAMP)
FIGURE_FIELDS = (
    "population", "female", "male", "children", "elderly", "density_km2",
    "incidents", INCIDENT_RATE,
    "population_date", "population_source", "pcode", "parent_pcode", "admin_level",
)  # fmt: skip
_NAME_FIELD = re.compile(r"^adm\d_[a-z]{2}$")  # COD-AB names in other languages (adm1_ua)
_GEOD = Geod(ellps="WGS84")


@dataclass(frozen=True)
class Classes:
    """Class breaks of one measure: class ``i`` holds values up to ``upper[i]`` (inclusive),
    from ``lowest``; ``colours[i]`` is its colour and ``counts[i]`` how many areas it holds."""

    measure: str
    lowest: float
    upper: tuple[float, ...]
    colours: tuple[str, ...]
    counts: tuple[int, ...]
    missing: int

    def index(self, values: np.ndarray) -> np.ndarray:
        """The class of each value (-1 where it is missing)."""
        found = np.searchsorted(np.asarray(self.upper), values, side="left")
        found = np.minimum(found, len(self.upper) - 1)
        return np.where(np.isfinite(values), found, -1)


def geodesic_area_km2(frame: gpd.GeoDataFrame) -> np.ndarray:
    """Each polygon's area in km² on the WGS84 ellipsoid (``frame`` in EPSG:4326)."""
    if frame.crs is None or frame.crs.to_epsg() != 4326:
        msg = f"Areas are measured in WGS84 (EPSG:4326); got {frame.crs!s}. Reproject first."
        raise SchemaError(msg)
    return np.array(
        [abs(_GEOD.geometry_area_perimeter(g)[0]) / 1e6 for g in frame.geometry.to_numpy()],
        dtype=np.float64,
    )


def area_figures(
    areas: gpd.GeoDataFrame, incidents: gpd.GeoDataFrame | None = None
) -> gpd.GeoDataFrame:
    """``areas`` with ``children``, ``elderly`` (from the age bands) and ``density_km2``; with
    ``incidents``, also ``incidents`` (how many lie in the area) and ``incidents_per_100k``.

    Children and elderly come from the all-sexes bands (``age_0_4``) when the area has them,
    else from the female and male bands together; an area with no band counts has none.
    """
    out = areas.copy()
    bands = [(c, column_band(c)) for c in out.columns if isinstance(c, str)]
    found = [(c, parsed) for c, parsed in bands if parsed is not None]
    total = [(c, b) for c, (sex, b) in found if sex == "total"]
    by_sex = [(c, b) for c, (sex, b) in found if sex != "total"]
    for name, share in (("children", "child_share"), ("elderly", "elderly_share")):
        out[name] = _weighted(out, total, share).fillna(_weighted(out, by_sex, share)).round()
        out[name] = out[name].astype("Int64")
    area = geodesic_area_km2(out)
    people = pd.to_numeric(out["population"], errors="coerce").astype("float64").to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        density = np.where(area > 0, people / area, np.nan)
    out["density_km2"] = np.round(density, 1)
    if incidents is not None:
        counts = incident_counts(out, incidents)
        out["incidents"] = counts
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(people > 0, counts / people * 100_000, np.nan)  # no figure: no rate
        out[INCIDENT_RATE] = np.round(rate, 2)
    return out


def incident_counts(areas: gpd.GeoDataFrame, incidents: gpd.GeoDataFrame) -> np.ndarray:
    """How many of ``incidents`` lie in each of ``areas`` (in the areas' order).

    Each incident is counted once: one on a boundary shared by two areas (or inside two
    overlapping areas) counts for the first of them in the layer's order.
    """
    from humansec.analytics.areas import area_of  # noqa: PLC0415 -- analytics imports mapview

    if incidents.crs is None and not incidents.empty:
        msg = "The incidents have no CRS; store them with one (EPSG:4326) to count them in areas."
        raise SchemaError(msg)
    assigned = area_of(areas, incidents.geometry)
    found = np.bincount(assigned[assigned >= 0], minlength=len(areas))
    return np.asarray(found, dtype=np.int64)


def filter_words(
    start: pd.Timestamp | None, end: pd.Timestamp | None, focus_areas: Collection[str] | None
) -> str:
    """The period and the focus areas in words, for the incident rate's legend.

    >>> filter_words(pd.Timestamp("2026-09-01"), pd.Timestamp("2026-11-30 23:59"), None)
    '1 Sep - 30 Nov 2026, all focus areas'
    >>> filter_words(None, None, ["crsv"])
    'all dates, Conflict-related sexual violence'
    """
    if start is None and end is None:
        period = "all dates"
    elif start is None or end is None:
        period = f"from {_day(start)}" if start is not None else f"until {_day(end)}"
    elif start.year == end.year:
        period = f"{start.day} {start:%b} - {_day(end)}"
    else:
        period = f"{_day(start)} - {_day(end)}"
    chosen = [c for c in FOCUS_CHOICES if focus_areas is None or c in set(focus_areas)]
    if len(chosen) == len(FOCUS_CHOICES):
        focus = "all focus areas"
    elif not chosen:
        focus = "no focus area"
    elif len(chosen) <= 2:  # two names still read as words
        focus = " and ".join(FOCUS_CHOICE_TITLES[c] for c in chosen)
    else:
        focus = f"{len(chosen)} of {len(FOCUS_CHOICES)} focus areas"
    return f"{period}, {focus}"


def _day(stamp: pd.Timestamp | None) -> str:
    if stamp is None:
        return "?"
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC")
    return f"{stamp.day} {stamp:%b %Y}"


def _weighted(frame: pd.DataFrame, columns: list[tuple[str, AgeBand]], share: str) -> pd.Series:
    if not columns:
        return pd.Series(np.nan, index=frame.index, dtype="float64")
    counts = pd.DataFrame(
        {c: pd.to_numeric(frame[c], errors="coerce").astype("float64") for c, _ in columns}
    )
    weights = np.array([getattr(band, share) for _, band in columns], dtype=np.float64)
    present = counts.notna().any(axis=1)
    summed = (counts.fillna(0.0).to_numpy() * weights).sum(axis=1)
    return pd.Series(np.where(present, summed, np.nan), index=frame.index, dtype="float64")


def classify(values: np.ndarray, measure: str, *, k: int = MAX_CLASSES) -> Classes | None:
    """Quantile classes of the finite ``values`` (None when there are none)."""
    import mapclassify  # noqa: PLC0415 - only the choropleth needs it

    finite = values[np.isfinite(values)]
    if len(finite) == 0:
        return None
    distinct = len(np.unique(finite))
    classes = min(k, distinct)
    upper: tuple[float, ...]
    if classes <= 1:
        upper = (float(finite.max()),)
    else:
        with warnings.catch_warnings():  # "Not enough unique values ...": handled below
            warnings.simplefilter("ignore", UserWarning)
            quantiles = mapclassify.Quantiles(finite, k=classes)
        bins = np.asarray(quantiles.bins, dtype="float64")
        # A class no value falls in (ties at a quantile: e.g. many areas without an incident)
        # is dropped, its range joining the next class's: the legend lists no empty class.
        held = np.unique(np.minimum(np.searchsorted(bins, finite, side="left"), len(bins) - 1))
        upper = tuple(float(b) for b in bins[held])
    # Spread the ramp: two classes are its ends, not its two lightest colours.
    steps = np.linspace(0, len(RAMP) - 1, len(upper)).round().astype(int) if len(upper) > 1 else [2]
    colours = tuple(RAMP[i] for i in steps)
    partial = Classes(measure, float(finite.min()), upper, colours, (), 0)
    index = partial.index(finite)
    counts = tuple(int((index == i).sum()) for i in range(len(upper)))
    return dataclasses.replace(partial, counts=counts, missing=int((~np.isfinite(values)).sum()))


def choropleth_groups(
    areas: gpd.GeoDataFrame,
    *,
    measure: str = "population",
    incidents: gpd.GeoDataFrame | None = None,
    filters: str = "",
) -> tuple[list[folium.FeatureGroup], Legend | None]:
    """The areas (EPSG:4326) coloured by ``measure`` in one group, and the legend of classes.

    The incident rate needs ``incidents`` (already filtered); ``filters`` says in words which
    (``filter_words``) in the legend's title. No areas: no group and no legend.
    """
    if measure not in MEASURES:
        msg = f"A choropleth shows {', '.join(MEASURES)}, not {measure!r}."
        raise SchemaError(msg)
    if measure == INCIDENT_RATE and incidents is None:
        msg = "Incidents per 100,000 people needs the incidents: pass the filtered incidents."
        raise SchemaError(msg)
    if areas.empty:
        return [], None
    figures = area_figures(areas, incidents)
    values = pd.to_numeric(figures[measure], errors="coerce").astype("float64").to_numpy()
    classes = classify(values, measure)
    title = f"{KIND_SPECS[LayerKind.AREA].title}: {MEASURES[measure]} ({len(figures):,})"
    group = folium.FeatureGroup(name=escape_text(title), overlay=True, control=True)
    index = classes.index(values) if classes is not None else np.full(len(values), -1)
    colours = (*classes.colours, NO_DATA_COLOUR) if classes is not None else (NO_DATA_COLOUR,)
    extra = [*FIGURE_FIELDS, *(c for c in figures.columns if _NAME_FIELD.match(str(c)))]
    base = KIND_STYLES[LayerKind.AREA]
    for i, colour in enumerate(colours):
        part = figures[index == (i if i < len(colours) - 1 else -1)]
        if part.empty:
            continue
        style = dataclasses.replace(base, colour=colour, area_fill_opacity=0.65, weight=1)
        group.add_child(
            feature_element(LayerKind.AREA, part, style=style, extra_fields=extra, cluster=False)
        )
    legend = legend_html(classes, measure, filters=filters)
    return [group], Legend(legend, position="bottomleft", overlay=group.layer_name)


def legend_html(classes: Classes | None, measure: str, *, filters: str = "") -> str:
    """The legend: one row per class (its range and how many areas), and one for no data;
    ``filters`` (the period and focus areas in words) follows the title."""
    title = MEASURES[measure] + (f", {filters}" if filters else "")
    rows = [
        f'<div class="hs-legend-title">{escape_text(KIND_SPECS[LayerKind.AREA].title)}: '
        f"{escape_text(title)}</div>"
    ]
    missing = 0
    if classes is not None:
        lower = classes.lowest
        for upper, colour, count in zip(
            classes.upper, classes.colours, classes.counts, strict=True
        ):
            span = _number(upper) if upper == lower else f"{_number(lower)} – {_number(upper)}"
            text = f"{span} ({count})"
            rows.append(_row(colour, text))
            lower = upper
        missing = classes.missing
    else:
        missing = -1
    if missing:
        rows.append(_row(NO_DATA_COLOUR, "No figure" + (f" ({missing})" if missing > 0 else "")))
    return "".join(rows)


def _row(colour: str, text: str) -> str:
    swatch = (
        f'<svg width="18" height="14"><rect x="1" y="1" width="16" height="12" '
        f'fill="{escape_text(colour)}" stroke="#666666" stroke-width="1"/></svg>'
    )
    label = f"<span>{escape_text(text)}</span>"
    return f'<div class="hs-legend-row hs-choropleth-row">{swatch}{label}</div>'


def _number(value: float) -> str:
    if not math.isfinite(value):
        return "?"
    if abs(value) < 1 and value != int(value):  # small rates: 0.04, not 0.0
        return f"{value:.2f}"
    return f"{value:,.1f}" if abs(value) < 100 and value != int(value) else f"{value:,.0f}"
