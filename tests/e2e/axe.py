"""axe-core in the browser tests: one Chromium for a test, and "what does axe find on this page".

axe-core is the copy vendored by the dev dependency axe-playwright-python (its package holds axe.min.js), so
nothing is fetched. It is run with `page.evaluate`, which Playwright sends over the DevTools protocol: the
page's Content-Security-Policy (script-src 'self', no 'unsafe-inline'/'unsafe-eval') governs the page's own
scripts, not the debugger's, so axe runs against the page exactly as the app sends it, CSP included. A
`<script>` tag added to the page (`page.add_script_tag`) would be refused by that CSP, rightly.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import pytest

from .test_browser_signup import CHROMIUM, CHROMIUM_ARGS

FAILING_IMPACTS = ("serious", "critical")
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}


def axe_source() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


@contextmanager
def chromium(monkeypatch):
    """Debian's Chromium under Playwright, for the length of a `with` block (skips without it, as
    test_browser_signup.browser_page does). Make the test's rows before entering: see `orm_read`."""
    if not Path(CHROMIUM).exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium)"
        if os.environ.get("OORG_REQUIRE_BROWSER") == "1":
            pytest.fail(reason + "; OORG_REQUIRE_BROWSER=1 says browser tests must run")
        pytest.skip(reason)
    from django.db import connections
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the sync API runs an event loop in this thread
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()
            # ORM calls made inside this block got connections of their own (see `orm_read`): close them here,
            # or PostgreSQL could not drop the test database at the end of the session.
            connections.close_all()


def new_page(browser, viewport: dict):
    """A fresh context (its own cookies) at this viewport; a phone-sized one is a touch phone."""
    phone = viewport["width"] < 600
    context = browser.new_context(viewport=viewport, device_scale_factor=2 if phone else 1, is_mobile=phone,
                                  has_touch=phone)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def orm_read(read):
    """Run an ORM read while Playwright's sync API is running, then close the connection it opened (opened in
    Playwright's execution context, pytest-django's teardown would never close it; on PostgreSQL the test
    database could then not be dropped)."""
    from django.db import connection

    try:
        return read()
    finally:
        connection.close()


def settle(page) -> None:
    """Wait until the page is loaded and no htmx request is in flight (parts loaded on "load" are there)."""
    page.wait_for_load_state("load")
    page.wait_for_function("!document.querySelector('.htmx-request')")


_source: str | None = None


def violations(page) -> list[dict]:
    """axe-core's violations on the page as it is now (every rule axe runs by default)."""
    global _source
    if not page.evaluate("typeof window.axe === 'object' && typeof window.axe.run === 'function'"):
        _source = _source or axe_source()
        page.evaluate(_source)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return result["violations"]


def failing(found: list[dict]) -> list[dict]:
    return [v for v in found if v.get("impact") in FAILING_IMPACTS]


def _target(node: dict) -> str:
    # A target is a list of CSS selectors, one per frame or shadow root on the way to the node.
    return " >>> ".join(t if isinstance(t, str) else " >>> ".join(t) for t in node["target"])


def findings(found: list[dict], *, nodes: int = 8) -> list[str]:
    """One line per violation: impact, rule, what it asks, and the offending nodes' CSS targets."""
    lines = []
    for v in found:
        targets = ", ".join(_target(n) for n in v["nodes"][:nodes])
        more = f" (+{len(v['nodes']) - nodes} more)" if len(v["nodes"]) > nodes else ""
        lines.append(f"{v['impact']} {v['id']} ({v['help']}): {targets}{more}")
    return lines
