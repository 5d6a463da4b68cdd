"""Browser tests: Playwright for Python driving Debian's Chromium against ``live_server``.

``live_server`` runs the app in a thread on the test database; it flushes the tables
after each test, and the outlets app's post_migrate hook reloads the reference data
(regions, divisions) after the flush (checked in test_browser_setup.py).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest

from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, ResourceCollector, require_chromium, sign_in

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse
# database access from the test code while it runs.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.fixture(scope="session")
def browser() -> Iterator:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def resources(live_server) -> ResourceCollector:
    return ResourceCollector(origin=live_server.url)


@pytest.fixture
def page(browser, live_server, resources) -> Iterator:
    """A fresh browser context per test: Chinese locale, a 1280x800 window, no cookies,
    and every request watched (and kept inside the app)."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800}, base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    resources.attach(page)
    yield page
    context.close()


@pytest.fixture
def login() -> Callable[..., None]:
    """``login(page, username, password)``: sign in through the form."""
    return sign_in
