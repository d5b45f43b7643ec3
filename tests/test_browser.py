"""End-to-end in a real (headless) Chromium: escaping, navigation, privacy.

Uses the machine's Chromium (see tools/ensure-chromium); never downloads a browser.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from browser_support import browser, real_site, serve  # noqa: F401  (fixtures, shared by the browser tests)
from conftest import BAD_INPUT, assemble_project, cli_env

pytestmark = pytest.mark.browser

PAYLOAD_CASE = """---
id: payload-everywhere
title: "<img src=x onerror=alert('title')>タイトル"
organisation:
  name: 茨城県五霞町
  prefecture: 茨城県
  kind: 町
population:
  value: 8000
  text: 約8,000人
category: 計画と制度
keywords:
  - OJT（職場内訓練）
summary: "概要<script>alert('summary')</script>"
source:
  publication: fixture-guide
  page: 4
interview:
  - question: "<svg onload=alert('question')>"
    answer: "回答<iframe src=javascript:alert('answer')></iframe>"
links:
  - title: "<b onmouseover=alert('link')>リンク</b>"
    url: https://www.example.jp/
department: "<script>alert('department')</script>"
awards:
  - "<img src=x onerror=alert('award')>"
---

<script>alert('body-script')</script>

<img src=x onerror="alert('body-img')">

[クリック](javascript:alert('body-link'))

<a href="javascript:alert('body-a')">リンク</a>

<iframe src="javascript:alert('body-iframe')"></iframe>

## 見出し<script>alert('heading')</script>
"""


class Watched:
    """A page that records dialogs and any request that leaves the local server."""

    def __init__(self, browser, base: str) -> None:
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.dialogs: list[str] = []
        self.external: list[str] = []
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("request", lambda r: None if r.url.startswith(base) or r.url.startswith("data:") else self.external.append(r.url))

    def active_content(self) -> list[str]:
        """Event-handler attributes, javascript:/data: links and frames anywhere in the DOM."""
        return self.page.evaluate(
            """() => {
              const found = [];
              for (const el of document.querySelectorAll('*')) {
                for (const a of el.attributes) {
                  if (a.name.startsWith('on')) found.push(el.tagName + ' ' + a.name);
                  if (['href', 'src', 'action', 'formaction'].includes(a.name) && /^\\s*(javascript|data|vbscript):/i.test(a.value))
                    found.push(el.tagName + ' ' + a.name + '=' + a.value);
                }
                if (['IFRAME', 'OBJECT', 'EMBED'].includes(el.tagName)) found.push(el.tagName);
                if (el.tagName === 'SCRIPT' && /alert/.test(el.textContent)) found.push('SCRIPT ' + el.textContent);
              }
              return found;
            }"""
        )


def heading(page) -> str:
    """The page's H1 text without the permalink (¶) that follows it."""
    return page.locator("h1").evaluate(
        "h => [...h.childNodes].filter(n => !(n.classList && n.classList.contains('headerlink'))).map(n => n.textContent).join('')"
    )


@pytest.fixture(scope="module")
def payload_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Cases that check rejects, built as a preview build would (non-strict) to prove nothing runs."""
    root = assemble_project(tmp_path_factory.mktemp("payload") / "project")
    for name in ("markup-script.md", "markup-onerror.md", "body-html.md", "body-link-javascript.md"):
        shutil.copy(BAD_INPUT / name, root / "cases" / name)
    (root / "cases" / "payload-everywhere.md").write_text(PAYLOAD_CASE, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--site-dir", str(root / "site")],
        cwd=root, capture_output=True, text=True, env=cli_env(NO_MKDOCS_2_WARNING="1"),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "[markup]" in result.stderr  # the problems were reported, not hidden
    return root / "site"


PAYLOAD_PAGES = [
    "cases/payload-everywhere.html",
    "cases/markup-script.html",
    "cases/markup-onerror.html",
    "cases/body-html.html",
    "cases/body-link-javascript.html",
    "keywords/ojt.html",
    "organisations/茨城県五霞町.html",
    "index.html",
    "search.html",
    "search.html?q=タイトル",
]


@pytest.mark.parametrize("path", PAYLOAD_PAGES)
def test_payloads_never_run(browser, serve, payload_site: Path, path: str) -> None:
    base = serve(payload_site)
    watched = Watched(browser, base)
    watched.page.goto(base + path)
    watched.page.wait_for_load_state("networkidle")
    watched.page.mouse.move(400, 400)
    assert watched.dialogs == []
    assert watched.active_content() == []
    assert watched.external == []
    watched.page.close()


def test_payload_text_is_shown_as_text(browser, serve, payload_site: Path) -> None:
    base = serve(payload_site)
    watched = Watched(browser, base)
    watched.page.goto(base + "cases/payload-everywhere.html")
    assert heading(watched.page) == "<img src=x onerror=alert('title')>タイトル"
    assert "概要<script>alert('summary')</script>" in watched.page.inner_text("article")
    assert watched.page.locator("img:not(.md-logo > img)").count() == 0  # the site's logo is the only image
    watched.page.goto(base + "cases/markup-script.html")
    assert heading(watched.page) == "<script>alert(1)</script>事例"
    watched.page.goto(base + "search.html?q=タイトル")
    assert watched.page.locator(".dxn-result__title").first.inner_text() == "<img src=x onerror=alert('title')>タイトル"
    assert watched.page.locator(".dxn-search img").count() == 0
    watched.page.close()


def test_reader_finds_a_case_by_clicking(browser, serve, real_site: Path) -> None:
    base = serve(real_site)
    watched = Watched(browser, base)
    page = watched.page
    page.goto(base + "index.html")
    page.get_by_role("link", name="キーワードから探す").click()
    page.get_by_role("link", name="#OJT（職場内訓練）").first.click()
    assert heading(page) == "#OJT（職場内訓練）"
    listing = page.inner_text(".dxn-cases")
    for organisation in ("茨城県五霞町", "静岡県小山町", "高知県南国市", "山形県庄内町"):
        assert organisation in listing  # linked if the organisation has a page of its own (more than one case)
    assert page.get_by_role("link", name="静岡県小山町").count() >= 1
    page.get_by_role("link", name="育成レベルに応じたデジタル人材の育成").click()
    assert heading(page) == "育成レベルに応じたデジタル人材の育成"
    card = page.inner_text(".dxn-card")
    assert "茨城県五霞町" in card and "約8,000人" in card and "p.4" in card
    assert page.inner_text(".dxn-interview").count("Q") >= 4
    assert watched.dialogs == [] and watched.external == []
    page.close()


# Search in the browser (header box, search page, API): test_search_browser.py.


@pytest.mark.parametrize("origin", ["http", "folder"])
def test_the_term_box_shows_the_glossary_definitions_when_opened(browser, serve, real_site: Path, origin: str) -> None:
    base = serve(real_site) if origin == "http" else real_site.as_uri() + "/"
    watched = Watched(browser, base)
    page = watched.page
    page.goto(base + "cases/ibaraki-goka-talent-guidebook.html")
    box = page.locator("details.dxn-terms")
    assert box.locator(".dxn-term-definition").count() == 0  # nothing is loaded until a reader opens the box
    box.locator("summary").click()
    ojt = box.locator("li", has=page.locator("a[href='../glossary.html#ojt']"))
    definition = ojt.locator(".dxn-term-definition")
    definition.wait_for()
    shown = definition.inner_text()
    page.goto(base + "glossary.html#ojt")
    entry = page.locator("#ojt + p").inner_text()
    assert shown.strip() == entry.strip() and "職場" in entry
    assert watched.dialogs == [] and watched.external == []
    page.close()
