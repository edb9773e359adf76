"""A click on another page as the situation map's filters come is not lost.

The map's first report reruns its fragment, which asks for a run of the whole page to draw the
filters (``ui/after_map.py``). With Streamlit's fast reruns, a click on *Data* arriving as
that run begins was run by a second script runner while the first went on to set its own page
on the session's one page manager, after the click's runner had set *Data*: the app showed
the situation map again (seen under load in `.ci/run`, 4 of 30 loads in a reproduction).
``.streamlit/config.toml`` turns fast reruns off. Here the server runs through
``widened_rerun_window.py``, which makes that moment 0.3 s long instead of a few ms (and
every run's start 0.3 s later), and the browser clicks *Data* 450 ms after the map's report
leaves it, inside that moment: with fast reruns on in the config, this test failed 3 times of
3 (the app stayed on the situation map); with them off it passes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from humansec.mapview.page_change import NAV_LINK_SELECTOR
from tests.browser.conftest import Server, guarded, start_server
from tests.browser.test_situation_map import MAP_FRAME

pytestmark = pytest.mark.browser

LAUNCHER = Path(__file__).with_name("widened_rerun_window.py")
CLICK_DELAY_MS = 450
CLICK_AFTER_FIRST_REPORT = f"""
(() => {{
  const send = WebSocket.prototype.send;
  window.sentAt = [];
  WebSocket.prototype.send = function (data) {{
    window.sentAt.push(performance.now());
    if (window.mapShown && window.clickedAt === undefined) {{
      window.clickedAt = null;  // the map's first report: click Data a moment after it
      setTimeout(() => {{
        const links = [...document.querySelectorAll('{NAV_LINK_SELECTOR}')];
        window.clickedAt = performance.now();
        links.find((link) => link.textContent.trim() === "Data").click();
      }}, {CLICK_DELAY_MS});
    }}
    return send.call(this, data);
  }};
  const watch = setInterval(() => {{
    if (document.querySelector('{MAP_FRAME}')) {{
      window.mapShown = true;
      clearInterval(watch);
    }}
  }}, 5);
}})();
"""
"""Records when the page sends to the server and clicks *Data* 450 ms after the first thing
it sends once the map's frame is there: the map's first report (the page has no widget yet)."""


@pytest.fixture(scope="module")
def widened_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("widened")
    running = start_server(folder / "data", folder / "streamlit.log", launcher=LAUNCHER)
    yield running
    running.stop()


def test_click_on_another_page_as_the_filters_run_starts_opens_that_page(
    browser: Browser, widened_server: Server
) -> None:
    with guarded(browser, widened_server.url) as (page, guard):
        page.add_init_script(CLICK_AFTER_FIRST_REPORT)
        page.goto(widened_server.url, wait_until="domcontentloaded")
        page.wait_for_function("typeof window.clickedAt === 'number'", timeout=90_000)
        page.get_by_role("heading", name="Data").wait_for(timeout=15_000)
        page.wait_for_timeout(1_500)  # a lost click came back to the map about 0.5 s later

        assert page.get_by_role("heading", name="Data").count() == 1
        assert page.url.rstrip("/").endswith("/data")
        sent_at: list[float] = page.evaluate("window.sentAt")
        clicked_at: float = page.evaluate("window.clickedAt")
        # The page's first run, the map's report, then the click: the moment under test.
        assert len(sent_at) >= 3 and sent_at[1] < clicked_at <= sent_at[2]
        assert guard.blocked == []
