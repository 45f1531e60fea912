"""Headless Debian chromium driven by Playwright (`playwright install` cannot download here)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"


@contextmanager
def chromium() -> Iterator[Browser]:
    path = shutil.which("chromium") or CHROMIUM
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def watched_page(browser: Browser, locale: str = "en-US") -> Iterator[Page]:
    """A page in a fresh context; on leaving, no JavaScript error may have happened on it."""
    context = browser.new_context(locale=locale)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield page
    finally:
        page.unroute_all(behavior="ignoreErrors")  # a delayed route of a test must not outlive it
        context.close()
    assert errors == []  # no JavaScript errors on the page


def ask(page: Page, question: str) -> None:
    """Type a question into the chat page and send it."""
    page.fill("#question", question)
    page.click("#send")
