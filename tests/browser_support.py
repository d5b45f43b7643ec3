"""What the browser tests share: the machine's headless Chromium, a quiet local server, the real site.

Chromium is found and launched by builder/evaluation/chromium.py (the same code the search
evaluation uses), never downloaded. Import the fixtures into a test module by name:
``from browser_support import browser, serve``.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from builder.evaluation import chromium
from builder.evaluation.serving import served
from conftest import REPO, cli_env

# axe-core as package-lock.json pins it (npm ci); injected into pages, never fetched.
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module")
def browser() -> Iterator:
    """One headless Chromium per test module."""
    try:
        chromium.executable()
        with chromium.browser() as instance:
            yield instance
    except chromium.BrowserUnavailable as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="module")
def serve() -> Iterator[Callable[[Path], str]]:
    """serve(directory) -> its base URL on 127.0.0.1 (ending in /), until the module ends."""
    with ExitStack() as stack:
        yield lambda directory: stack.enter_context(served(directory))


def build_real_site(site: Path, **env: str) -> Path:
    """The repository's own site built into ``site`` (no embedding model unless env says so)."""
    command = [sys.executable, "-m", "builder", "build", "--site-dir", str(site)]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, env=cli_env(**env))
    assert result.returncode == 0, result.stdout + result.stderr
    return site


@pytest.fixture(scope="session")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's site, built once for every browser test module that only reads it."""
    return build_real_site(tmp_path_factory.mktemp("real") / "site")


@pytest.fixture(scope="session")
def real_base(real_site: Path) -> Iterator[str]:
    """real_site served on 127.0.0.1 (URL ending in /) for the whole session."""
    with served(real_site) as url:
        yield url
