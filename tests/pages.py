"""The kit's pages in Chromium, as a person sees them: Debian's browser driven by Playwright, screenshots,
and which fonts the browser really drew a piece of text with."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from PIL import Image, ImageStat

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-gpu",
]
ARTIFACTS = ROOT / "test-artifacts" / "report"


@contextlib.contextmanager
def chromium():
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def screenshot(browser, page_path: Path, png: Path) -> Image.Image:
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.goto(page_path.as_uri())
    page.wait_for_load_state("load")
    png.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(png), full_page=True)
    page.close()
    with Image.open(png) as image:
        image.load()
        return image


def assert_looks_like_a_page(image: Image.Image) -> None:
    width, height = image.size
    assert width >= 1000 and 600 <= height <= 60000
    spread = ImageStat.Stat(image.convert("L")).stddev[0]
    assert spread > 10, "the page rendered blank"


def fonts_drawing(page, selector: str) -> dict[str, int]:
    """{font family: glyphs} the browser drew the first `selector` element's own text with (DevTools'
    CSS.getPlatformFontsForNode): a missing font shows as a fallback family here, not as a test that passes."""
    session = page.context.new_cdp_session(page)
    session.send("DOM.enable")
    session.send("CSS.enable")
    root = session.send("DOM.getDocument")["root"]["nodeId"]
    node = session.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = session.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    return {f["familyName"]: f["glyphCount"] for f in fonts}
