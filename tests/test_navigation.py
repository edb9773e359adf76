"""The pages' table: found by the path Streamlit serves them at."""

from __future__ import annotations

import pytest

from ui.navigation import PAGES, page_at


def test_every_page_is_found_at_its_url_path() -> None:
    for page in PAGES:
        assert page_at(page.url_path) is page
    assert page_at("situation_map").path == "pages/situation_map.py"


def test_a_page_not_in_the_table_says_where_to_add_it() -> None:
    with pytest.raises(KeyError, match=r"ui/navigation\.PAGES"):
        page_at("situation")
