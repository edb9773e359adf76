"""The choropleth of reference areas: figures, geodesic density, classes, legend, escaping."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod

from humansec.errors import SchemaError
from humansec.filters import apply_filters
from humansec.mapview.choropleth import (
    INCIDENT_RATE,
    NO_DATA_COLOUR,
    area_figures,
    choropleth_groups,
    classify,
    filter_words,
    geodesic_area_km2,
    incident_counts,
    legend_html,
)
from humansec.model import WGS84, LayerKind, conform
from humansec.store import TimeRange


def _areas() -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(
        {
            "id": ["A1", "A2", "A3", "A4"],
            "name": ["North <b>", "South", "East", "West"],
            "pcode": ["A1", "A2", "A3", "A4"],
            "population": [1000, 2000, 4000, None],
            "female": [520, 1000, 2100, None],
            "male": [480, 1000, 1900, None],
            # all sexes: 0-4, 15-19 (3 of 5 years under 18), 55-64 (half 60+), 80+
            "age_0_4": [100, 200, 400, None],
            "age_15_19": [50, 100, 200, None],
            "age_55_64": [100, 200, 400, None],
            "age_80_plus": [40, 80, 160, None],
        },
        geometry=[
            shapely.box(30, 50, 31, 51),
            shapely.box(30, 49, 31, 50),
            shapely.box(31, 49, 32, 51),
            shapely.box(29, 49, 30, 51),
        ],
        crs=WGS84,
    )
    return conform(frame, LayerKind.AREA)


def test_children_and_elderly_come_from_the_bands_prorated() -> None:
    figures = area_figures(_areas())
    # children: 100 + 50 * 3/5 = 130; elderly: 100 * 5/10 + 40 = 90
    assert figures["children"].tolist()[:3] == [130, 260, 520]
    assert figures["elderly"].tolist()[:3] == [90, 180, 360]
    assert figures["children"].isna().tolist()[3]


def test_female_and_male_bands_are_used_when_there_is_no_total_band() -> None:
    frame = conform(
        gpd.GeoDataFrame(
            {"id": ["x"], "population": [10], "female_age_0_4": [3], "male_age_0_4": [2],
             "female_age_60_64": [1], "male_age_65_plus": [4]},
            geometry=[shapely.box(0, 0, 1, 1)], crs=WGS84,
        ),
        LayerKind.AREA,
    )  # fmt: skip
    figures = area_figures(frame)
    assert figures["children"].tolist() == [5]
    assert figures["elderly"].tolist() == [5]


def test_density_uses_the_geodesic_area() -> None:
    areas = _areas()
    expected = abs(Geod(ellps="WGS84").geometry_area_perimeter(areas.geometry[0])[0]) / 1e6
    assert geodesic_area_km2(areas)[0] == pytest.approx(expected, rel=1e-9)
    # one degree square at 50-51 N: about 111.2 km x 71 km
    assert 7700 < expected < 8000
    figures = area_figures(areas)
    assert figures["density_km2"].tolist()[0] == pytest.approx(1000 / expected, abs=0.05)
    with pytest.raises(SchemaError, match="EPSG:4326"):
        geodesic_area_km2(areas.to_crs(3857))


def test_classes_hold_every_value_once_and_count_the_missing() -> None:
    values = np.array([5.0, 1.0, 3.0, 100.0, 7.0, np.nan, 20.0, 2.0, 50.0, 9.0, 11.0])
    classes = classify(values, "population")
    assert classes is not None
    assert len(classes.upper) == 5
    assert sum(classes.counts) == 10
    assert classes.missing == 1
    assert classes.upper[-1] == 100.0
    index = classes.index(values)
    assert index[5] == -1
    assert index[3] == 4 and index[1] == 0
    assert list(classes.upper) == sorted(classes.upper)
    two = classify(np.array([1.0, 1.0, 2.0]), "population")
    assert two is not None and len(two.upper) == 2 and two.colours[0] != two.colours[1]
    assert classify(np.array([np.nan]), "population") is None


def test_ties_at_a_quantile_leave_no_empty_class_in_the_legend() -> None:
    values = np.array([0.0] * 8 + [5.0, 12.0, 20.0, 30.0, 45.0, 60.0, 80.0, 120.0, 300.0, 500.0])
    classes = classify(values, "incidents_per_100k")
    assert classes is not None
    assert 0 not in classes.counts and sum(classes.counts) == len(values)
    assert classes.upper[0] == 0.0 and classes.counts[0] == 8
    html = legend_html(classes, "incidents_per_100k")
    assert "<span>0 (8)</span>" in html  # one value, not '0 – 0'
    assert len(set(classes.colours)) == len(classes.upper)  # the ramp spread over what is left


def test_the_groups_colour_each_class_and_the_legend_escapes_and_lists_them() -> None:
    groups, legend = choropleth_groups(_areas(), measure="population")
    assert legend is not None
    html = _render(groups)
    # escaped, then made script-safe (& as \u0026)
    assert "North \\u0026lt;b\\u0026gt;" in html and "North <b>" not in html
    assert NO_DATA_COLOUR in html  # the area without a figure
    assert "Children (under 18)" in html and "130 people" in html
    assert "People per km" in html  # density in the popup
    assert legend.html.count("hs-choropleth-row") == 4  # three classes and 'No figure'
    assert "No figure (1)" in legend.html
    assert legend.overlay == groups[0].layer_name  # hidden while its layer is switched off
    with pytest.raises(SchemaError, match="not 'incidents'"):
        choropleth_groups(_areas(), measure="incidents")
    assert choropleth_groups(_areas().iloc[0:0], measure="density_km2") == ([], None)


def _incidents() -> gpd.GeoDataFrame:
    """Two in North (A1), one on the North/South boundary (lat 50), one in West (no
    population), one outside every area; dates in September and November 2026."""
    frame = gpd.GeoDataFrame(
        {
            "id": ["i1", "i2", "i3", "i4", "i5"],
            "date": pd.to_datetime(
                ["2026-09-02", "2026-09-20", "2026-11-10", "2026-09-05", "2026-09-06"], utc=True
            ),
            "focus_areas": ["crsv", "caac", "crsv", "poc", None],
        },
        geometry=[
            shapely.Point(30.5, 50.5),
            shapely.Point(30.2, 50.8),
            shapely.Point(30.5, 50.0),  # on the boundary A1 and A2 share
            shapely.Point(29.5, 50.0),
            shapely.Point(40.0, 40.0),
        ],
        crs=WGS84,
    )
    return conform(frame, LayerKind.INCIDENT)


def test_incidents_are_counted_once_per_area_and_the_shared_boundary_once() -> None:
    areas, incidents = _areas(), _incidents()
    counts = incident_counts(areas, incidents)
    # i3 lies on the shared edge: counted once, in the first area of the layer (North)
    assert counts.tolist() == [3, 0, 0, 1]
    assert counts.sum() == 4  # i5 is in no area
    # the same areas in the other order: the boundary point goes to South, still once
    flipped = incident_counts(areas.iloc[[1, 0, 2, 3]], incidents)
    assert flipped.tolist() == [1, 2, 0, 1]
    assert incident_counts(areas, incidents.iloc[0:0]).tolist() == [0, 0, 0, 0]


def test_the_rate_is_per_100000_people_and_an_area_without_population_has_none() -> None:
    figures = area_figures(_areas(), _incidents())
    assert figures["incidents"].tolist() == [3, 0, 0, 1]
    rate = figures[INCIDENT_RATE].tolist()
    assert rate[0] == pytest.approx(3 / 1000 * 100_000)  # 300 per 100,000
    assert rate[1] == 0.0 and rate[2] == 0.0  # no incident: a real zero
    assert np.isnan(rate[3])  # West has an incident but no population: no figure
    assert INCIDENT_RATE not in area_figures(_areas()).columns  # only when asked


def test_the_filters_change_the_counts() -> None:
    frames = {LayerKind.INCIDENT: _incidents()}
    september = TimeRange(
        pd.Timestamp("2026-09-01", tz="UTC"), pd.Timestamp("2026-09-30", tz="UTC")
    )
    shown = apply_filters(frames, kinds=[LayerKind.INCIDENT], time_range=september)
    assert incident_counts(_areas(), shown[LayerKind.INCIDENT]).tolist() == [2, 0, 0, 1]
    crsv = apply_filters(frames, kinds=[LayerKind.INCIDENT], focus_areas=["crsv"])
    assert incident_counts(_areas(), crsv[LayerKind.INCIDENT]).tolist() == [2, 0, 0, 0]


def test_the_rate_choropleth_shows_counts_in_popups_and_the_filters_in_its_legend() -> None:
    words = filter_words(
        pd.Timestamp("2026-09-01", tz="UTC"), pd.Timestamp("2026-11-30 23:59:59", tz="UTC"), None
    )
    assert words == "1 Sep - 30 Nov 2026, all focus areas"
    groups, legend = choropleth_groups(
        _areas(), measure=INCIDENT_RATE, incidents=_incidents(), filters=words
    )
    assert legend is not None
    assert "Incidents per 100,000 people, 1 Sep - 30 Nov 2026, all focus areas" in legend.html
    assert "No figure (1)" in legend.html  # West: no population
    html = _render(groups)
    assert "Incidents (map filters)" in html and "300.00 per 100,000 people" in html
    with pytest.raises(SchemaError, match="needs the incidents"):
        choropleth_groups(_areas(), measure=INCIDENT_RATE)
    assert filter_words(None, None, ["crsv", "poc", "caac"]) == "all dates, 3 of 7 focus areas"
    assert (
        filter_words(pd.Timestamp("2026-12-01"), pd.Timestamp("2027-01-31"), [])
        == "1 Dec 2026 - 31 Jan 2027, no focus area"
    )


def _render(groups: list) -> str:
    import folium  # noqa: PLC0415

    fmap = folium.Map(tiles=None)
    for group in groups:
        group.add_to(fmap)
    return str(fmap.get_root().render())
