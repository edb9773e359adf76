"""Runs ``streamlit run`` with one moment of Streamlit's script runner made 0.3 s long.

Test-only launcher (``tests/browser/test_page_change_during_rerun.py``). A run that ends by
asking for another run (``st.rerun``) goes on to set the page of that run on the session's
page manager; the pause before that, and one after each run sets its page, widen to 0.3 s a
window that under load is a few milliseconds: a click on another page that arrives in it is
run by a second runner if Streamlit's fast reruns are on, and the older runner then sets its
own page after the click's runner set the clicked one. Nothing else is changed: the real app,
the real server, the real browser.

Usage: ``python tests/browser/widened_rerun_window.py run app.py [streamlit options]``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

from streamlit.runtime import pages_manager
from streamlit.runtime.scriptrunner import script_runner
from streamlit.web import cli

PAUSE_S = 0.3


def _paused_before(function: Callable[[], None]) -> Callable[[], None]:
    def paused() -> None:
        time.sleep(PAUSE_S)
        function()

    return paused


_set_intent = pages_manager.PagesManager.set_script_intent


def _set_intent_then_pause(self: pages_manager.PagesManager, page_hash: str, name: str) -> None:
    _set_intent(self, page_hash, name)
    time.sleep(PAUSE_S)


def main() -> None:
    # Called after every run, before the runner loops to the run that run asked for.
    script_runner._clean_problem_modules = _paused_before(script_runner._clean_problem_modules)
    pages_manager.PagesManager.set_script_intent = _set_intent_then_pause  # type: ignore[method-assign]
    sys.argv = ["streamlit", *sys.argv[1:]]
    cli.main()


if __name__ == "__main__":
    main()
