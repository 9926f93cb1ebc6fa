"""Fixtures for the browser tests: one released assignment, one JupyterLab, one Chromium page per module."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import slow
from tests.browser.classroom import ARTIFACTS, Classroom, Lab, jupyterlab, release
from tests.pages import CHROMIUM, chromium


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    if call.when == "call":
        item.failed_in_call = outcome.get_result().failed


@pytest.fixture(autouse=True)
def screenshot_on_failure(request):
    """What the browser showed when a test failed, beside the other artefacts."""
    yield
    if getattr(request.node, "failed_in_call", False) and "page" in request.fixturenames:
        request.getfixturevalue("page").screenshot(path=str(ARTIFACTS / f"failure-{request.node.name}.png"))


@pytest.fixture(scope="module")
@slow.fixture
def classroom(request, tmp_path_factory) -> Classroom:
    return release(request.module.ASSIGNMENT, tmp_path_factory.mktemp("classroom"))


@pytest.fixture(scope="module")
@slow.fixture
def lab(classroom: Classroom, tmp_path_factory) -> Lab:
    with jupyterlab(classroom, tmp_path_factory.mktemp("lab")) as running:
        yield running


@pytest.fixture(scope="module")
@slow.fixture
def browser():
    """Debian's Chromium driven by the PyPI playwright package, never a downloaded browser."""
    assert Path(CHROMIUM).exists(), (
        "the browser tests need Debian's browser: apt-get install -y chromium fonts-noto-cjk"
    )
    from playwright.sync_api import expect

    expect.set_options(timeout=60_000)  # a shared 2-core machine renders slowly; waits end as soon as they hold
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def page(lab: Lab, browser):
    """A Chromium page on the student's JupyterLab."""
    tab = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="ko-KR")
    tab.set_default_timeout(60_000)
    yield tab
    tab.close()
