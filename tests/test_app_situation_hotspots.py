"""The situation map's optional hot-spot overlay: off by default, the Incidents page's Gi*."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from humansec import analytics
from humansec.demo import DEMO_DIR, load_demo
from humansec.model import LayerKind, focus_mask
from tests.test_app import map_reported, start
from ui import state

GROUP = re.compile(r"Hot spots \(Gi\*\): (\d+) significant of (\d+) cells")


def _map_script(at: AppTest) -> str:
    maps = at.get("component_instance")
    assert len(maps) == 1
    return str(maps[0].proto.json_args)


def _expected(frame: object) -> tuple[int, int]:
    cells = analytics.hotspots(frame, 6)  # type: ignore[arg-type]
    return int((cells["class"] != "not significant").sum()), len(cells)


def test_the_hotspot_overlay_is_off_by_default_and_follows_the_filters(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = map_reported(start(tmp_path_factory.mktemp("appdata"), monkeypatch))
    assert not at.exception, at.exception
    assert at.toggle(key=state.MAP_HOTSPOTS).value is False
    assert GROUP.search(_map_script(at)) is None
    assert "Hot spots (Gi*, FDR)" not in _map_script(at)
    at.toggle(key=state.MAP_HOTSPOTS).set_value(True).run()
    assert not at.exception, at.exception
    demo = load_demo(DEMO_DIR)[LayerKind.INCIDENT]
    script = _map_script(at)
    found = GROUP.search(script)
    assert found is not None
    # The same cells and classes as the Incidents page (and the core) give.
    significant, total = _expected(demo)
    assert (int(found.group(1)), int(found.group(2))) == (significant, total)
    assert significant > 0
    assert "Hot spots (Gi*, FDR)" in script  # the legend of the classes
    at.sidebar.multiselect[1].set_value(["conflict_event"]).run()
    assert not at.exception, at.exception
    found = GROUP.search(_map_script(at))
    assert found is not None
    conflict = demo[focus_mask(demo, ["conflict_event"])]
    assert (int(found.group(1)), int(found.group(2))) == _expected(conflict)
    assert int(found.group(2)) != total
