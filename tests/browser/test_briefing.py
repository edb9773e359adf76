"""What a briefing officer does: make a PNG of the map and download it."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from tests.browser.conftest import Guard, Server, open_then

pytestmark = pytest.mark.browser


def test_png_downloads_from_the_briefing_page(
    guarded_page: tuple[Page, Guard], server: Server
) -> None:
    page, guard = guarded_page
    open_then(page, server, "Briefing")
    expect(page.get_by_role("heading", name="Briefing")).to_be_visible(timeout=60_000)
    page.get_by_role("button", name="Make the product").click()
    download_button = page.get_by_role("button", name="Download humansec-briefing.png")
    expect(download_button).to_be_visible(timeout=90_000)
    with page.expect_download() as download_info:
        download_button.click()
    path = download_info.value.path()
    picture = Image.open(io.BytesIO(path.read_bytes()))
    assert picture.format == "PNG"
    assert picture.size == (1920, 1080)
    assert len(picture.convert("L").resize((64, 36)).getcolors(4096) or []) > 10  # not blank
    assert guard.blocked == []
    assert guard.dialogs == []
