"""The machine's headless Chromium through Playwright (never a downloaded browser)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
# Debian's package first (tools/ensure-chromium installs it), then whatever is on PATH.
_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


class BrowserUnavailable(Exception):
    """No Chromium or no Playwright here; the message says what to install."""


def executable() -> str:
    for candidate in (os.environ.get("CHROMIUM"), *_CANDIDATES):
        found = candidate and shutil.which(candidate)
        if found:
            return found
    raise BrowserUnavailable("no Chromium found: run tools/ensure-chromium (make test does) or set CHROMIUM=/path/to/chromium")


@contextmanager
def browser() -> Iterator[object]:
    """A launched headless Chromium (a Playwright Browser), closed when the block ends."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise BrowserUnavailable("Playwright is not installed: pip install -e '.[test]' (make eval-search does)") from exc
    path = executable()
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=path, args=ARGS, headless=True)
        try:
            yield instance
        finally:
            instance.close()


def failure_types() -> tuple[type[BaseException], ...]:
    """Playwright's own error (a crashed page, a script error, a timeout), when Playwright is installed."""
    try:
        from playwright.sync_api import Error
    except ImportError:
        return ()  # then browser() says what to install
    return (Error,)
