"""The Pagefind anchor: Pagefind (extended, with Japanese segmentation) over a copy of the built site.

The copy's case pages get ``data-pagefind-body`` on their main article, so
Pagefind indexes the same text as the other engines and only case pages (it
drops every page without the attribute once one page has it). Pagefind takes
the language from ``<html lang="ja">``. Queries go through its JS API in
Chromium, ``search()`` then ``data()``, as a page that embeds Pagefind would.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from collections.abc import Collection
from pathlib import Path

from builder.evaluation.casepages import case_id_from_url, case_page
from builder.evaluation.labels import LabelledQuery
from builder.evaluation.results import EngineRun

PIN = "pagefind[extended]==1.5.2"
PAGE = "index.html"
_ARTICLE = "<article "


class PagefindUnavailable(Exception):
    """Pagefind is not installed or failed; the message says what to do."""


def label() -> str:
    """``pagefind 1.5.2 (extended)``: the version that will index, and whether it segments Japanese."""
    done = subprocess.run([sys.executable, "-m", "pagefind", "--version"], check=False, capture_output=True, text=True)
    if done.returncode != 0:
        raise PagefindUnavailable(f"Pagefind is not installed here: pip install '{PIN}' ({(done.stderr or done.stdout).strip()[-200:]})")
    version = done.stdout.strip().split()[-1]
    # The plain build has no Japanese segmentation; python -m pagefind prefers the extended one.
    extended = importlib.util.find_spec("pagefind_bin_extended") is not None
    return f"pagefind {version}" + (" (extended)" if extended else " (NOT extended: no Japanese segmentation)")


def summarise(output: str) -> str:
    """What Pagefind says it indexed, e.g. ``indexed 34 pages; languages: ja``."""
    pages = re.search(r"Indexed (\d+) pages?", output)
    languages = re.search(r"Discovered \d+ languages?: (.+)", output)
    return f"indexed {pages.group(1) if pages else '?'} pages; languages: {languages.group(1).strip() if languages else '?'}"


def prepare(site: Path, dest: Path, case_ids: Collection[str]) -> str:
    """Copy ``site`` to ``dest``, mark the case articles and index them; returns Pagefind's output."""
    shutil.copytree(site, dest)
    for case_id in case_ids:
        page = case_page(dest, case_id)
        html = page.read_text(encoding="utf-8")
        if _ARTICLE not in html:
            raise PagefindUnavailable(f"{page.name} has no <article> to index")
        page.write_text(html.replace(_ARTICLE, "<article data-pagefind-body ", 1), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "pagefind", "--site", str(dest)], check=False, capture_output=True, text=True)
    output = (done.stdout + done.stderr).strip()
    if done.returncode != 0 or not (dest / "pagefind" / "pagefind.js").is_file():
        raise PagefindUnavailable(f"Pagefind could not index the site (exit {done.returncode}): {output[-500:]}")
    return output


_LOAD = """async (url) => {
  window.__pagefind = await import(url);
  await window.__pagefind.init();
}"""

_SEARCH = """async ([query, limit]) => {
  try {
    const found = await window.__pagefind.search(query);
    const top = await Promise.all(found.results.slice(0, limit).map(result => result.data()));
    return {urls: top.map(data => data.url)};
  } catch (e) {
    return {error: String((e && e.message) || e)};
  }
}"""


def run_pagefind(browser, base_url: str, queries: list[LabelledQuery], case_ids: Collection[str], label: str, limit: int = 10) -> EngineRun:
    run = EngineRun("pagefind", label)
    known = set(case_ids)
    page = browser.new_page()
    try:
        page.goto(base_url + PAGE, wait_until="load")
        page.evaluate(_LOAD, base_url + "pagefind/pagefind.js")
        for query in queries:
            answer = page.evaluate(_SEARCH, [query.text, limit])
            if "error" in answer:
                run.notes.append(f"「{query.text}」: search() failed, counted as empty: {answer['error']}")
            ranking = [case_id for case_id in map(case_id_from_url, answer.get("urls", [])) if case_id in known]
            run.rankings[query.text] = list(dict.fromkeys(ranking))
    finally:
        page.close()
    return run
