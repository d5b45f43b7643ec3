"""The browser search modules' unit tests (tests/js/*.test.js), run with Node's built-in runner.

The modules in site_overrides/assets/javascripts/dxnavi/ export themselves for
Node, so the tokeniser, ranking, fusion and query parser are tested without a
browser. Needs Node 18 or newer on PATH; no npm packages. shards.test.js builds its index
from the real cases with tests/js/shard_fixture.py (this Python).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO


def test_js_unit_tests_pass() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is not installed: install it (apt-get install nodejs) to run tests/js/*.test.js")
    tests = sorted(str(p.relative_to(REPO)) for p in (REPO / "tests" / "js").glob("*.test.js"))
    assert tests, "no tests/js/*.test.js found"
    # shards.test.js writes its index with this Python (tests/js/shard_fixture.py).
    env = {**os.environ, "DXNAVI_PYTHON": sys.executable}
    result = subprocess.run([node, "--test", *tests], cwd=REPO, capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, (
        "node --test tests/js/ failed; run it yourself to see the failing test and its message:\n"
        + result.stdout[-12000:]
        + result.stderr[-4000:]
    )


def test_terms_js_folds_the_same_characters_as_python() -> None:
    """terms.js embeds builder.search_terms.FOLD; a radical added to builder/artifacts.py must be added there too."""
    from builder.search_terms import FOLD

    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is not installed: install it (apt-get install nodejs)")
    script = Path(REPO / "site_overrides/assets/javascripts/dxnavi/terms.js")
    out = subprocess.run(
        [node, "-e", f"process.stdout.write(JSON.stringify(require({str(script)!r}).FOLD))"], capture_output=True, text=True, check=True
    )
    import json

    assert json.loads(out.stdout) == FOLD, "copy builder.search_terms.FOLD into FOLD in dxnavi/terms.js"
