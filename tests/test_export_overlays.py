"""Reference areas in briefing products: shaded by a measure as on the live map, under the
other layers, with the legend of their classes beside the map."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from humansec.__main__ import main
from humansec.errors import SchemaError
from humansec.export import export_product
from humansec.export.overlays import area_shading
from humansec.mapview.choropleth import RAMP
from humansec.model import WGS84, LayerKind, conform
from humansec.settings import Settings
from humansec.store import GeoPackageStore
from humansec.store.base import LayerRecord
from tests.raster_files import cycling_grid
from tests.test_export_product import MOMENT, record

BBOX = (29.0, 48.5, 32.0, 51.5)
IMAGE = 'L.imageOverlay(\n                "data:image/png;base64'


def _frames() -> dict[LayerKind, gpd.GeoDataFrame]:
    areas = gpd.GeoDataFrame(
        {
            "id": ["A1", "A2", "A3"],
            "name": ["North <b>", "South", "East"],
            "population": [1000, 2000, 4000],
        },
        geometry=[shapely.box(30, 50, 31, 51), shapely.box(30, 49, 31, 50),
                  shapely.box(31, 49, 32, 51)],
        crs=WGS84,
    )  # fmt: skip
    incidents = gpd.GeoDataFrame(
        {
            "id": ["i1", "i2", "i3"],
            "date": pd.to_datetime(["2026-09-02", "2026-09-20", "2026-11-10"], utc=True),
            "focus_areas": ["crsv", "caac", "poc"],
        },
        geometry=[shapely.Point(30.5, 50.5), shapely.Point(30.2, 50.8), shapely.Point(31.5, 50)],
        crs=WGS84,
    )
    return {
        LayerKind.AREA: conform(areas, LayerKind.AREA).assign(layer_id="areas"),
        LayerKind.INCIDENT: conform(incidents, LayerKind.INCIDENT).assign(layer_id="incidents"),
    }


def _records() -> list[LayerRecord]:
    return [
        record(LayerKind.AREA, "areas", "Oblasts"),
        record(LayerKind.INCIDENT, "incidents", "Reports"),
    ]


def _html(tmp_path: Path, frames: dict[LayerKind, gpd.GeoDataFrame], **options: object) -> str:
    data = export_product(
        frames, _records(), fmt="html", bbox=BBOX, settings=Settings(data_dir=tmp_path),
        moment=MOMENT, **options,  # type: ignore[arg-type]
    )  # fmt: skip
    return data.decode("utf-8")


def test_a_product_shades_the_areas_and_prints_their_classes(tmp_path: Path) -> None:
    outlines = _html(tmp_path, _frames())
    shaded = _html(tmp_path, _frames(), area_measure="population")
    assert "hs-choropleth-row" not in outlines
    side = shaded[shaded.index('<aside class="hsx-side">') :]
    assert side.count("hs-choropleth-row") == 3  # one class per area, no 'No figure'
    assert "Reference areas: People" in side  # the legend's title names the measure
    assert RAMP[-1] in shaded  # the darkest class coloured on the map
    # under the incidents: the areas' layer comes first in the map's script
    assert shaded.index("North \\u0026lt;b\\u0026gt;") < shaded.index('"i1"')


def test_the_incident_rate_counts_the_incidents_shown_and_says_which(tmp_path: Path) -> None:
    html = _html(
        tmp_path, _frames(), area_measure="incidents_per_100k",
        area_filters="1 Sep - 30 Nov 2026, all focus areas",
    )  # fmt: skip
    assert "Incidents per 100,000 people, 1 Sep - 30 Nov 2026, all focus areas" in html
    # North: 2 incidents for 1,000 people (200 per 100,000), the top class's upper bound
    assert "– 200 (1)</span>" in html
    only_areas = {LayerKind.AREA: _frames()[LayerKind.AREA]}
    with pytest.raises(SchemaError, match="add the Incidents layer"):
        area_shading(only_areas, "incidents_per_100k")
    with pytest.raises(SchemaError, match="not 'crowds'"):
        area_shading(only_areas, "crowds")
    assert area_shading({LayerKind.INCIDENT: _frames()[LayerKind.INCIDENT]}, "population") is None


def test_a_population_grid_is_drawn_under_the_layers_with_its_legend(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    grid = tmp_path / "grid.tif"
    cycling_grid(grid, west=29.5, north=51.0, cell=0.1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HUMANSEC_DATA_DIR", str(data_dir))
        assert main(["ingest", str(grid), "--kind", "population_raster", "--band-role",
                     "total", "--name", "WorldPop <test>",
                     "--classification", "NATO RESTRICTED"]) == 0  # fmt: skip
    store = GeoPackageStore(Settings(data_dir=data_dir).store_path)
    frames = {
        **_frames(),
        LayerKind.POPULATION_RASTER: store.read_kind(LayerKind.POPULATION_RASTER),
    }
    records = [*_records(), *store.catalogue()]
    settings = Settings(data_dir=data_dir)

    def html(kinds: list[LayerKind]) -> str:
        data = export_product(frames, records, fmt="html", bbox=BBOX, kinds=kinds,
                              settings=settings, moment=MOMENT)  # fmt: skip
        return data.decode("utf-8")

    drawn = html([LayerKind.POPULATION_RASTER, LayerKind.AREA, LayerKind.INCIDENT])
    assert drawn.count(IMAGE) == 1  # the grid, as one image
    side = drawn[drawn.index('<aside class="hsx-side">') :]
    assert "WorldPop &lt;test&gt; (total): people per cell</div>" in side  # escaped
    assert "NATO RESTRICTED" in side  # the grid is a source, with its marking
    # under the areas' outlines and the incidents
    assert drawn.index(IMAGE) < drawn.index('"i1"')
    assert IMAGE not in html([LayerKind.AREA, LayerKind.INCIDENT])


def test_the_legend_beside_the_map_has_no_row_for_a_kind_without_features(
    tmp_path: Path,
) -> None:
    frames = {**_frames(), LayerKind.CULTURAL: gpd.GeoDataFrame(geometry=[], crs=WGS84)}
    html = _html(tmp_path, frames, kinds=[LayerKind.AREA, LayerKind.INCIDENT, LayerKind.CULTURAL,
                                          LayerKind.ACTIVITY])  # fmt: skip
    side = html[html.index('<aside class="hsx-side">') :]
    assert "Protection of civilians" in side  # the incidents drawn are in it
    assert "<span>Cultural property</span>" not in side  # (not the focus area of that name)
    assert "Planned activity status" not in side
