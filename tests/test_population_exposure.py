"""Exposure: people in each hazard area from rasters, reference areas and points (issue 13)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
from affine import Affine
from exactextract import exact_extract

import humansec
from humansec.__main__ import main
from humansec.conflicts import hazard_area, parse_rules
from humansec.errors import SchemaError
from humansec.population.bands import parse_band_role
from humansec.population.exposure import (
    EXPOSURE_COLUMNS,
    OFF_GRID_NOTE,
    AreaSource,
    PointSource,
    RasterSource,
    exposure,
    hazard_areas,
    people_text,
    raster_sums,
)
from tests.raster_files import cycling_grid

RULES = parse_rules(
    """
[[rule]]
activity = "patrol"
feature = "population"
distance_m = 700.0
severity = "medium"
rationale = "AP I art. 58 (placeholder)"

[[rule]]
activity = "air_strike"
feature = "population"
distance_m = 2500.0
severity = "critical"
rationale = "AP I art. 57 (placeholder)"
"""
)
WEST, NORTH, CELL = 30.0, 50.1, 0.01
NODATA = -9999.0


def _grid(path: Path, bands: list[np.ndarray], nodata: float | None = NODATA) -> Path:
    with rasterio.open(
        path, "w", driver="GTiff", width=10, height=10, count=len(bands), dtype="float32",
        crs="EPSG:4326", transform=Affine(CELL, 0, WEST, 0, -CELL, NORTH), nodata=nodata,
    ) as ds:  # fmt: skip
        for i, band in enumerate(bands, start=1):
            ds.write(band.astype("float32"), i)
    return path


@pytest.fixture
def counts(tmp_path: Path) -> Path:
    """10 x 10 cells of 0.01 degrees, cell (row r, col c) holds r * 10 + c + 1; (3, 3) nodata."""
    values = np.arange(1, 101, dtype=float).reshape(10, 10)
    values[3, 3] = NODATA
    return _grid(tmp_path / "counts.tif", [values])


def _areas(*geoms: shapely.Geometry) -> gpd.GeoSeries:
    return gpd.GeoSeries(list(geoms), crs="EPSG:4326")


def test_raster_sum_known_by_hand_with_cut_cells_and_nodata(counts: Path) -> None:
    # Columns 1 (half: x 30.015-30.02), 2 and 3; rows 3, 4 (whole) and 5 (half: y 50.045-50.05).
    box = shapely.box(30.015, 50.045, 30.04, 50.07)
    source = RasterSource("grid", [(parse_band_role("total"), counts, 1, None)])
    got = raster_sums(source, _areas(box))[parse_band_role("total")]
    # row 3: 32 * .5 + 33 + (34 is nodata); row 4: 42 * .5 + 43 + 44; row 5: half of 26 + 53 + 54
    by_hand = (16 + 33) + (21 + 43 + 44) + (13 + 26.5 + 27)
    assert got[0] == pytest.approx(by_hand, rel=1e-9) == pytest.approx(223.5)


def test_a_nodata_value_given_by_the_source_counts_nothing(tmp_path: Path) -> None:
    values = np.ones((10, 10))
    values[0, 0] = 500.0  # a sentinel the file does not declare
    path = _grid(tmp_path / "ones.tif", [values], nodata=None)
    role = parse_band_role("total")
    whole = _areas(shapely.box(WEST, NORTH - 10 * CELL, WEST + 10 * CELL, NORTH))
    assert raster_sums(RasterSource("g", [(role, path, 1, None)]), whole)[role][0] == pytest.approx(
        599
    )
    assert raster_sums(RasterSource("g", [(role, path, 1, 500.0)]), whole)[role][
        0
    ] == pytest.approx(99)


def test_nodata_in_a_tiled_grid_read_in_windows_counts_nothing(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    values = rng.random((700, 700)).astype("float32") * 10
    values[rng.random((700, 700)) < 0.05] = NODATA
    path = tmp_path / "tiled.tif"
    with rasterio.open(
        path, "w", driver="GTiff", width=700, height=700, count=1, dtype="float32",
        crs="EPSG:4326", transform=Affine(CELL / 10, 0, WEST, 0, -CELL / 10, NORTH),
        nodata=NODATA, tiled=True, blockxsize=256, blockysize=256, compress="deflate",
    ) as ds:  # fmt: skip
        ds.write(values, 1)
    acts = gpd.GeoDataFrame(
        {"id": ["a", "b"], "type": ["patrol", "patrol"], "hazard_radius_m": [1500.0, 3000.0]},
        geometry=[shapely.Point(30.035, 50.065), shapely.Point(30.02, 50.08)],
        crs="EPSG:4326",
    )
    got = exposure(acts, RULES, [RasterSource("t", [(parse_band_role("total"), path, 1, None)])])
    zones = gpd.GeoDataFrame(geometry=hazard_areas(acts, RULES).to_numpy(), crs="EPSG:4326")
    direct = exact_extract(str(path), zones, ["sum", "min"], output="pandas")
    assert (direct["min"] >= 0).all()  # exactextract itself leaves the nodata cells out
    np.testing.assert_allclose(got["population"], direct["sum"], rtol=1e-9)
    assert (got["population"] > 0).all()


def _activities() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": ["p1", "s1", "far"], "type": ["patrol", "air_strike", "patrol"]},
        geometry=[
            shapely.Point(30.043, 50.052),
            shapely.Point(30.071, 50.028),
            shapely.Point(35, 40),
        ],
        crs="EPSG:4326",
    )


def test_hazard_areas_are_the_conflict_checks_hazard_areas() -> None:
    acts = _activities()
    ours = hazard_areas(acts, RULES)
    for (_, row), mine in zip(acts.iterrows(), ours, strict=True):
        theirs = hazard_area(row, RULES)
        assert shapely.equals_exact(mine, theirs, tolerance=1e-9)


def test_raster_exposure_matches_exactextract_run_directly(counts: Path) -> None:
    acts = _activities()
    got = humansec.exposure(
        acts, RULES, [RasterSource("grid", [(parse_band_role("total"), counts, 1, None)])]
    )
    assert list(got.columns) == list(EXPOSURE_COLUMNS)
    zones = gpd.GeoDataFrame(
        geometry=[hazard_area(row, RULES) for _, row in acts.iterrows()], crs="EPSG:4326"
    )
    direct = exact_extract(str(counts), zones, "sum", output="pandas")["sum"].to_numpy()
    assert direct[0] > 0 and direct[1] > direct[0] and direct[2] == 0
    np.testing.assert_allclose(got["population"].to_numpy(), direct, rtol=1e-9)
    assert got["source_kind"].eq("raster").all() and got["source_layer"].eq("grid").all()
    assert got[["female", "male", "children", "elderly"]].isna().all().all()
    assert "exact fractional cell coverage" in got["method"].iloc[0]


def test_a_hazard_area_off_the_grids_edge_is_said_to_be_a_lower_bound(counts: Path) -> None:
    # p1's patrol area lies inside the grid (30.0-30.1 E, 50.0-50.1 N); s1's 2.5 km strike
    # area reaches past 30.1 E; "far" is wholly outside and counts 0, which is not "nobody".
    got = exposure(
        _activities(), RULES, [RasterSource("grid", [(parse_band_role("total"), counts, 1, None)])]
    )
    off = got["method"].str.contains(OFF_GRID_NOTE, regex=False).tolist()
    assert off == [False, True, True]
    text = people_text(got)
    assert not text["p1"].startswith("at least")
    assert text["s1"].startswith("at least ") and text["far"] == "at least 0 (grid, grid)"


def test_raster_in_a_projected_crs_gets_the_hazard_area_reprojected(tmp_path: Path) -> None:
    path = tmp_path / "utm.tif"
    with rasterio.open(
        path, "w", driver="GTiff", width=40, height=40, count=1, dtype="float32",
        crs="EPSG:32636", transform=Affine(100, 0, 500_000, 0, -100, 5_540_000),
    ) as ds:  # fmt: skip
        ds.write(np.full((1, 40, 40), 2.0, dtype="float32"))
    centre = gpd.GeoSeries([shapely.Point(502_000, 5_538_000)], crs="EPSG:32636").to_crs(4326)
    acts = gpd.GeoDataFrame(
        {"id": ["a"], "type": ["patrol"]}, geometry=list(centre), crs="EPSG:4326"
    )
    got = exposure(acts, RULES, [RasterSource("utm", [(parse_band_role("total"), path, 1, None)])])
    # A 700 m geodesic circle is about pi * 700^2 m2 (UTM's scale near the meridian is 0.9996):
    # 2 people per 100 m cell is 2e-4 per m2.
    expected = np.pi * 700**2 * 2e-4 / 0.9996**2
    assert got["population"].iloc[0] == pytest.approx(expected, rel=2e-3)


def test_children_and_elderly_from_age_band_grids(tmp_path: Path) -> None:
    # Band per age group, each cell: 0-14: 30, 15-19: 10, 20-59: 50, 60+: 10; female 55, male 45.
    ones = np.ones((10, 10))
    values = {
        "age:0-14": 30,
        "age:15-19": 10,
        "age:20-59": 50,
        "age:60+": 10,
        "female": 55,
        "male": 45,
    }
    path = _grid(tmp_path / "ages.tif", [ones * v for v in values.values()], nodata=None)
    source = RasterSource(
        "ages", [(parse_band_role(role), path, i, None) for i, role in enumerate(values, start=1)]
    )
    box = shapely.box(30.015, 50.045, 30.04, 50.07)  # 0.5 + 1 + 1 by 1 + 1 + 0.5 cells: 6.25
    got = exposure(
        gpd.GeoDataFrame({"id": ["a"], "type": ["patrol"], "hazard_radius_m": [0.0]},
                         geometry=[box], crs="EPSG:4326"),
        RULES, [source],
    )  # fmt: skip
    row = got.iloc[0]
    cells = 6.25
    assert row["population"] == pytest.approx(100 * cells, rel=1e-6)  # the age bands' sum
    assert row["female"] == pytest.approx(55 * cells, rel=1e-6)
    assert row["male"] == pytest.approx(45 * cells, rel=1e-6)
    assert row["children"] == pytest.approx((30 + 10 * 3 / 5) * cells, rel=1e-6)
    assert row["elderly"] == pytest.approx(10 * cells, rel=1e-6)
    assert "age band 15-19 prorated 3/5 as children" in row["method"]
    assert "population summed from the age bands" in row["method"]


def test_age_bands_with_a_gap_give_no_children_figure(tmp_path: Path) -> None:
    ones = np.ones((10, 10))
    path = _grid(tmp_path / "gap.tif", [ones, ones], nodata=None)
    source = RasterSource(
        "gap",
        [
            (parse_band_role("age:0-4"), path, 1, None),
            (parse_band_role("age:10-19"), path, 2, None),
        ],
    )
    acts = _activities().iloc[:1]
    row = exposure(acts, RULES, [source]).iloc[0]
    assert np.isnan(row["children"]) and np.isnan(row["population"])


def _one_polygon_activity() -> gpd.GeoDataFrame:
    # The hazard area is the polygon itself (radius 0); its east edge is the meridian 31.
    return gpd.GeoDataFrame(
        {"id": ["zone"], "type": ["patrol"], "hazard_radius_m": [0.0]},
        geometry=[shapely.box(30.0, 50.0, 31.0, 51.0)],
        crs="EPSG:4326",
    )


def test_area_half_inside_gives_half_its_people() -> None:
    # Symmetric about the meridian 31: half of its (geodesic) area lies inside.
    half = shapely.segmentize(shapely.box(30.5, 50.2, 31.5, 50.4), 0.01)
    outside = shapely.box(33, 50, 34, 51)
    frame = gpd.GeoDataFrame(
        {
            "population": [1000.0, 7000.0],
            "female": [600.0, 1.0],
            "male": [400.0, 1.0],
            "age_0_14": [300.0, 1.0],
            "age_15_19": [100.0, 1.0],
            "age_20_59": [500.0, 1.0],
            "age_60_plus": [100.0, 1.0],
        },
        geometry=[half, outside],
        crs="EPSG:4326",
    )
    row = exposure(_one_polygon_activity(), RULES, [AreaSource("admin2", frame)]).iloc[0]
    assert row["source_kind"] == "area"
    assert row["population"] == pytest.approx(500, rel=1e-4)
    assert row["female"] == pytest.approx(300, rel=1e-4)
    assert row["male"] == pytest.approx(200, rel=1e-4)
    assert row["children"] == pytest.approx((300 + 100 * 3 / 5) / 2, rel=1e-4)
    assert row["elderly"] == pytest.approx(50, rel=1e-4)
    assert "assuming people spread evenly" in row["method"]


def test_points_count_in_full_with_their_shares() -> None:
    acts = _activities()
    inside = shapely.Point(30.0435, 50.0525)  # a few metres from p1
    frame = gpd.GeoDataFrame(
        {"population": [120.0, 999.0], "share_female": [0.5, 0.5], "share_children": [0.25, 0.9]},
        geometry=[inside, shapely.Point(31, 51)],
        crs="EPSG:4326",
    )
    got = exposure(acts, RULES, [PointSource("villages", frame)]).set_index("activity_id")
    assert got.loc["p1", "population"] == 120
    assert got.loc["p1", "female"] == 60 and got.loc["p1", "male"] == 60
    assert got.loc["p1", "children"] == 30
    assert np.isnan(got.loc["p1", "elderly"])
    assert got.loc["far", "population"] == 0


def test_each_source_gets_its_own_rows(counts: Path) -> None:
    acts = _activities()
    points = gpd.GeoDataFrame(
        {"population": [5.0]}, geometry=[shapely.Point(30.043, 50.052)], crs="EPSG:4326"
    )
    sources = [
        RasterSource("grid", [(parse_band_role("total"), counts, 1, None)]),
        PointSource("villages", points),
    ]
    got = exposure(acts, RULES, sources)
    assert len(got) == 2 * len(acts)
    assert got.groupby("source_kind").size().to_dict() == {"point": 3, "raster": 3}


def test_bad_inputs_are_refused_with_the_fix(counts: Path) -> None:
    acts = _activities().to_crs(3857)
    with pytest.raises(SchemaError, match="EPSG:4326"):
        exposure(acts, RULES, [])
    source = RasterSource("grid", [(parse_band_role("total"), counts, 2, None)])
    with pytest.raises(SchemaError, match="band 2 does not exist"):
        exposure(_activities(), RULES, [source])


# --- the command line ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("exposure_store")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HUMANSEC_DATA_DIR", str(path))
        yield path


def test_cli_exposure_over_the_store(
    store_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from humansec.bootstrap import ensure_demo  # noqa: PLC0415
    from humansec.model import LayerKind  # noqa: PLC0415
    from humansec.settings import load_settings  # noqa: PLC0415
    from humansec.store import open_store  # noqa: PLC0415

    store = open_store(load_settings())
    ensure_demo(store)
    population = store.read_kind(LayerKind.POPULATION)
    assert not population.empty
    place = population.geometry.representative_point().iloc[0]
    acts = gpd.GeoDataFrame({"id": ["a1"], "type": ["patrol"]}, geometry=[place], crs="EPSG:4326")
    acts_file = tmp_path / "acts.geojson"
    acts.to_file(acts_file, driver="GeoJSON")
    rules_file = tmp_path / "rules.toml"
    rules_file.write_text(
        '[[rule]]\nactivity = "patrol"\nfeature = "population"\ndistance_m = 500.0\n'
        'severity = "medium"\nrationale = "placeholder"\n',
        encoding="utf-8",
    )
    out = tmp_path / "x.csv"
    argv = [
        "exposure",
        "--activities",
        str(acts_file),
        "--rules",
        str(rules_file),
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    said = json.loads(capsys.readouterr().out)
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert list(rows[0]) == list(EXPOSURE_COLUMNS)
    assert said["rows"] == len(rows) == len(said["sources"]) >= 1
    expected = exposure(
        acts, parse_rules(rules_file.read_text()), [
            PointSource(layer, frame.drop(columns="layer_id"))
            for layer, frame in population.groupby("layer_id")
        ],
    )  # fmt: skip
    got = {r["source_layer"]: float(r["population"]) for r in rows}
    want = dict(zip(expected["source_layer"], expected["population"], strict=True))
    assert got == pytest.approx(want)
    assert sum(got.values()) > 0


def test_cli_bad_arguments_exit_2_naming_the_choices(
    store_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    acts_file = tmp_path / "acts.geojson"
    _activities().to_file(acts_file, driver="GeoJSON")
    assert main(["exposure", "--activities", str(acts_file), "--out", str(tmp_path / "x.txt")]) == 2
    assert ".csv" in capsys.readouterr().err
    missing = str(tmp_path / "none.geojson")
    assert main(["exposure", "--activities", missing, "--out", str(tmp_path / "x.csv")]) == 2
    assert "no such file" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stop:
        main(["exposure", "--out", str(tmp_path / "x.csv")])
    assert stop.value.code == 2
    assert "--activities" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()


def test_empty_sources_give_an_empty_table_with_the_columns() -> None:
    got = exposure(_activities(), RULES, [])
    assert list(got.columns) == list(EXPOSURE_COLUMNS) and got.empty
    assert isinstance(got, pd.DataFrame)


# --- the briefing's conflict table -----------------------------------------------------------


def test_briefing_conflict_table_carries_the_people_per_population_layer(tmp_path: Path) -> None:
    from humansec.conflicts import load_rules  # noqa: PLC0415
    from humansec.demo import DEMO_AREA, DEMO_DIR, load_demo  # noqa: PLC0415
    from humansec.export.furniture import annex_html, conflict_rows  # noqa: PLC0415
    from humansec.export.product import prepare  # noqa: PLC0415
    from humansec.model import LayerKind  # noqa: PLC0415
    from humansec.population.exposure import people_text  # noqa: PLC0415
    from humansec.settings import Settings  # noqa: PLC0415

    demo = load_demo(DEMO_DIR)
    settings = Settings(data_dir=tmp_path)
    shown, furniture = prepare(demo, [], bbox=DEMO_AREA, settings=settings)
    conflicts = furniture.conflicts
    assert conflicts is not None and not conflicts.empty
    activities = demo[LayerKind.ACTIVITY]
    expected = people_text(
        exposure(activities, load_rules(settings.rules_path),
                 [PointSource("population", demo[LayerKind.POPULATION])])
    )  # fmt: skip
    got = dict(
        zip(conflicts["activity_id"].astype(str), conflicts["people_in_hazard"], strict=False)
    )
    assert got == {a: expected.get(a, "") for a in got}
    assert any(text and not text.startswith("0 ") for text in got.values())
    assert "People in hazard area" in annex_html(furniture)  # the PDF's annex
    assert conflict_rows(conflicts, limit=5)[0][-1] == "People in hazard area"  # the PPTX's
    del shown


def test_briefing_conflict_table_counts_grids_and_areas_by_their_titles(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`python -m humansec export` to CSV: every conflict row gives the people in its activity's
    hazard area from the demo's points, a stored reference area layer and a stored grid
    (counted, and drawn in map products), each named by its title and equal to ``exposure``
    on the same sources; the grid's marking reaches the product."""
    from humansec.conflicts import load_rules  # noqa: PLC0415
    from humansec.demo import DEMO_AREA  # noqa: PLC0415
    from humansec.export.furniture import annex_html, plain_lines  # noqa: PLC0415
    from humansec.export.product import GRID_NOTE, prepare  # noqa: PLC0415
    from humansec.model import LayerKind  # noqa: PLC0415
    from humansec.population.exposure import people_text  # noqa: PLC0415
    from humansec.population.sources import population_sources  # noqa: PLC0415
    from humansec.settings import load_settings  # noqa: PLC0415
    from humansec.store import open_store  # noqa: PLC0415

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HUMANSEC_DATA_DIR", str(tmp_path / "data"))
        assert main(["layers", "--demo"]) == 0
        # A grid of 30 x 20 cells of 0.005 degrees and a district, both over the demo's patrol
        # act-07 (23.22E 54.42N); the grid is marked above the demo's layers.
        grid = tmp_path / "grid.tif"
        cycling_grid(grid, west=23.15, north=54.46, cell=0.005)
        settings = load_settings()
        secret = settings.classification_order[-1]
        assert main(["ingest", str(grid), "--kind", "population_raster", "--band-role", "total",
                     "--name", "WorldPop test grid", "--classification", secret]) == 0  # fmt: skip
        district = gpd.GeoDataFrame(
            {"ADM2_PCODE": ["PL2001"], "ADM2_EN": ["Suwalki"], "population": [50_000]},
            geometry=[shapely.box(23.1, 54.3, 23.4, 54.5)], crs="EPSG:4326",
        )  # fmt: skip
        areas = tmp_path / "districts.geojson"
        district.to_file(areas, driver="GeoJSON")
        assert main(["ingest", str(areas), "--kind", "area", "--name", "Test districts"]) == 0
        out_csv = tmp_path / "conflicts.csv"
        assert main(["export", "--out", str(out_csv), "--bbox", ",".join(map(str, DEMO_AREA))]) == 0
        capsys.readouterr()

        store = open_store(settings)
        records = store.catalogue()
        titles = {r.layer_id: r.title for r in records}
        frames = {kind: store.read_kind(kind) for kind in LayerKind}
        activities = frames[LayerKind.ACTIVITY]
        table = exposure(
            activities, load_rules(settings.rules_path),
            population_sources(store, settings.data_dir),
        )  # fmt: skip
        shown, furniture = prepare(frames, records, bbox=DEMO_AREA, settings=settings)

    assert set(table["source_kind"]) == {"point", "area", "raster"}
    grid_people = table[(table["source_kind"] == "raster") & (table["activity_id"] == "act-07")]
    assert float(grid_people["population"].iloc[0]) > 0  # the grid counts people at act-07
    expected = people_text(table.assign(source_layer=table["source_layer"].map(titles)))
    lines = out_csv.read_text(encoding="utf-8-sig").splitlines()
    assert secret in lines[0] and secret in lines[-1]  # the grid's marking is the product's
    rows = list(csv.DictReader(lines[1:-1]))
    assert rows and {r["Activity"].split()[0] for r in rows} >= {"act-07"}
    for row in rows:
        activity = row["Activity"].split()[0]
        # The same figures, source by source (the product lists them in layer-kind order).
        assert sorted(row["People in hazard area"].split("; ")) == sorted(
            expected[activity].split("; ")
        )
    act_07 = next(r for r in rows if r["Activity"].startswith("act-07"))["People in hazard area"]
    assert "(WorldPop test grid, grid)" in act_07 and "(Test districts, areas)" in act_07
    # The annex and the slide notes say that the grid counts the people.
    assert LayerKind.POPULATION_RASTER not in shown
    assert furniture.marking == secret
    assert GRID_NOTE in annex_html(furniture) and GRID_NOTE in plain_lines(furniture)
    assert "WorldPop test grid" in {source.title for source in furniture.sources}
