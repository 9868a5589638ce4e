"""Fixtures shared across the suite: a headless Chromium driven through Playwright for the browser tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP_VIEWPORT = {"width": 1280, "height": 900}


def _require_browser() -> None:
    if CHROMIUM.exists():
        return
    reason = f"Chromium is not installed at {CHROMIUM}; the browser tests need it."
    if os.environ.get("SRODESK_REQUIRE_BROWSER") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A headless Chromium for one test (skipped when Chromium is absent, unless it is required).

    Playwright's sync API keeps an asyncio event loop running in this thread for as long as it is
    started, so it lives only as long as the test: other tests must not inherit a running loop.
    """
    _require_browser()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the test extra installs it
        if os.environ.get("SRODESK_REQUIRE_BROWSER") == "1":
            pytest.fail("The playwright package is not installed.")
        pytest.skip("The playwright package is not installed.")
    # The ORM calls made from the test body are synchronous even though a loop is running.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def browser_context(browser: Any, live_server: Any, transactional_db: None) -> Iterator[Any]:
    """A fresh browser profile (no cookies) pointed at the live server."""
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP_VIEWPORT, locale="en-US")
    context.set_default_timeout(15_000)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def page(browser_context: Any) -> Any:
    return browser_context.new_page()
