"""What an analyst and a commander see of reference areas: a population table joined on the
Data page, then the areas drawn as a choropleth with its classed legend, offline (issue 13)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import Error as PlaywrightError

from humansec.model import WGS84, LayerKind, conform
from humansec.store import GeoPackageStore, NewLayer
from tests.browser.conftest import Guard, Server, guarded, open_then, start_server
from tests.browser.test_data_upload import idle, submit
from tests.browser.test_situation_map import MAP_FRAME, OPEN_POPUPS

pytestmark = pytest.mark.browser

TABLE = (
    "ADM2_PCODE,ADM2_EN,T_TL,F_TL,M_TL,T_00_04,T_15_19,T_80Plus\n"
    "#adm2+code,#adm2+name,#population,#population+f,#population+m,#population+age0_4,"
    "#population+age15_19,#population+age80plus\n"
    "PL01,Suwalki,35000,18000,17000,1500,2000,900\n"
    "PL02,Sejny,20000,10300,9700,900,1000,600\n"
    "PL09,Elsewhere,10,5,5,1,1,1\n"
)


@pytest.fixture(scope="module")
def area_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The app on a store that holds three districts (P-codes, no population yet)."""
    folder = tmp_path_factory.mktemp("areas")
    areas = conform(
        gpd.GeoDataFrame(
            {
                "id": ["PL01", "PL02", "PL03"],
                "name": ["Suwałki <b>district</b>", "Sejny", "Augustów"],
                "pcode": ["PL01", "PL02", "PL03"],
                "admin_level": [2, 2, 2],
            },
            geometry=[
                shapely.box(22.6, 54.0, 23.2, 54.4),
                shapely.box(23.2, 54.0, 23.6, 54.4),
                shapely.box(22.6, 53.6, 23.2, 54.0),
            ],
            crs=WGS84,
        ),
        LayerKind.AREA,
    )
    store = GeoPackageStore(folder / "data" / "humansec.gpkg")
    meta = NewLayer(LayerKind.AREA, "Districts", "test", "-", "NATO UNCLASSIFIED")
    store.add_version(areas, meta, layer_id="districts")
    running = start_server(folder / "data", folder / "streamlit.log")
    yield running
    running.stop()


@pytest.fixture
def page_and_guard(browser: Browser, area_server: Server) -> Iterator[tuple[Page, Guard]]:
    with guarded(browser, area_server.url) as (page, guard):
        yield page, guard


def test_a_joined_table_colours_the_areas_with_a_classed_legend_offline(
    page_and_guard: tuple[Page, Guard], area_server: Server, tmp_path: Path
) -> None:
    page, guard = page_and_guard
    table = tmp_path / "pl_admpop.csv"
    table.write_text(TABLE, encoding="utf-8")
    open_then(page, area_server, "Data")
    expect(page.get_by_role("heading", name="Data")).to_be_visible(timeout=60_000)
    page.get_by_role("tab", name="Population table").click()
    page.locator('input[type="file"]').last.set_input_files(str(table))
    idle(page)
    join = page.get_by_role("button", name="Join by P-code").and_(page.locator(":enabled"))
    expect(join).to_have_count(1, timeout=60_000)
    submit(page, join)
    report = page.get_by_text(re.compile(r"Stored 3 areas as layer districts version 2"))
    expect(report.first).to_be_visible(timeout=60_000)
    text = report.first.inner_text()
    assert "2 of 3 areas got the figures" in text
    assert "not in the layer: 1 (PL09)" in text and "not in the table: 1 (PL03)" in text

    page.get_by_role("link", name="Situation map").click()
    legend_rows: list[str] = []
    popups: list[dict[str, str]] = []
    for _ in range(60):
        for element in page.locator(MAP_FRAME).all():
            try:
                handle = element.element_handle()
                frame = handle.content_frame() if handle else None
                if frame is None:
                    continue
                legend_rows = frame.locator(".hs-choropleth-row").all_inner_texts()
                popups = frame.evaluate(OPEN_POPUPS, "Suwa")
            except PlaywrightError:  # the frame went away under us
                legend_rows, popups = [], []
            if legend_rows and popups:
                break
        if legend_rows and popups:
            break
        page.wait_for_timeout(500)
    # Two areas with a figure (two classes) and one without
    assert len(legend_rows) == 3, legend_rows
    assert legend_rows[-1].startswith("No figure (1)")
    assert popups, "no popup of the Suwałki district"
    shown = popups[0]
    assert "<b>district</b>" not in shown["html"]  # the name is text, not markup
    # children: 1,500 + 2,000 * 3/5 = 2,700; elderly: 900
    assert "2,700 people" in shown["text"] and "900 people" in shown["text"]
    assert "35,000 people" in shown["text"] and "18,000 people" in shown["text"]
    assert guard.blocked == [], f"requests that tried to leave the machine: {guard.blocked}"
