"""Headless Debian Chromium through Playwright (never a downloaded browser) and a live server."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from werkzeug.serving import make_server

from support.factories import PASSWORD

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def require_chromium() -> str:
    """The Chromium executable, or a skip (a failure in CI: ACSG_REQUIRE_BROWSER=1)."""
    path = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        path = None
    if not path:
        if os.environ.get("ACSG_REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium and Playwright are required (ACSG_REQUIRE_BROWSER=1) but missing")
        pytest.skip("Chromium (Debian package 'chromium') or Playwright not installed")
    return path


@contextmanager
def serve(app) -> Iterator[str]:
    """Serve ``app`` on a free loopback port in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)


@contextmanager
def browser_page(timezone_id: str = "Europe/Paris", locale: str = "fr-FR"):
    """A fresh page in headless Chromium with the given zone and language."""
    from playwright.sync_api import sync_playwright

    executable = require_chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS, headless=True)
        try:
            context = browser.new_context(timezone_id=timezone_id, locale=locale)
            yield context.new_page()
        finally:
            browser.close()


def log_in(page, base: str, email: str, password: str = PASSWORD) -> None:
    """Log in through the login page in the browser ``page`` of the server at ``base``."""
    page.goto(f"{base}/account/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("#submit")
    page.wait_for_load_state()
