"""Benchmark: how check and build scale with the number of cases. Prints numbers; asserts nothing.

Usage: python tools/bench.py [N ...]   (default: 34 300 1000)

Each run copies the real taxonomy, pages and site config into a temporary
project and fills cases/ with N cases made from the real ones (same content,
new ids), then times `python -m builder check` and `python -m builder build`.
Copies repeat the same words, so the search index grows a little slower here
than it would with as many different cases.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def make_project(root: Path, count: int) -> None:
    for name in ("taxonomy", "pages", "site_overrides"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    (root / "cases").mkdir()
    originals = sorted((REPO / "cases").rglob("*.md"))
    for n in range(count):
        source = originals[n % len(originals)]
        case_id = source.stem if n < len(originals) else f"{source.stem}-copy{n}"
        text = source.read_text(encoding="utf-8").replace(f"id: {source.stem}\n", f"id: {case_id}\n", 1)
        (root / "cases" / f"{case_id}.md").write_text(text, encoding="utf-8")


def timed(command: list[str], cwd: Path) -> float:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start


def main(counts: list[int]) -> None:
    print(f"{'cases':>6} {'check s':>8} {'build s':>8} {'pages':>6} {'site MB':>8} {'case page KB':>13} {'search index MB':>16}")
    for count in counts:
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder) / "project"
            root.mkdir()
            make_project(root, count)
            check = timed([sys.executable, "-m", "builder", "--root", str(root), "check"], root)
            build = timed([sys.executable, "-m", "builder", "--root", str(root), "build"], root)
            site = root / "site"
            pages = sum(1 for _ in site.rglob("*.html"))
            size = sum(p.stat().st_size for p in site.rglob("*") if p.is_file()) / 1e6
            case_page = (site / "cases" / "ibaraki-goka-talent-guidebook.html").stat().st_size / 1e3
            index = (site / "search" / "index.js").stat().st_size / 1e6
            print(f"{count:>6} {check:>8.2f} {build:>8.2f} {pages:>6} {size:>8.1f} {case_page:>13.1f} {index:>16.1f}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [34, 300, 1000])
