"""Accessibility (JIS X 8341-3 / WCAG 2.1 AA) in a real (headless) Chromium.

axe-core (node_modules/axe-core, pinned by package-lock.json, injected from disk) runs on
every page type at a desktop's and a phone's width, including the search page with results
and facets and the header box with its list open; the keyboard alone finds and opens a case;
and the search page announces what changed (aria-live).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from browser_support import AXE, browser, build_real_site, real_base, real_site  # noqa: F401  (fixtures)
from builder.evaluation.serving import served
from conftest import REPO

pytestmark = pytest.mark.browser

SCREENS = REPO / "tests" / "artifacts" / "screens"
WIDTHS = {1280: 900, 390: 844}
# WCAG 2.0 and 2.1, levels A and AA, plus axe's best practices (landmarks, headings, regions), which all pass.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]

# One page of each type in the real site.
PAGES = {
    "home": "index.html",
    "all-cases": "cases/index.html",
    "case": "cases/ibaraki-goka-talent-guidebook.html",
    "keywords": "keywords/index.html",
    "keyword": "keywords/ojt.html",
    "prefectures": "prefectures/index.html",
    "prefecture": "prefectures/kochi.html",
    "population": "population/index.html",
    "kinds": "kinds/index.html",
    "organisations": "organisations/index.html",
    "categories": "categories/index.html",
    "schemes": "schemes/index.html",
    "roles": "roles/index.html",
    "sources": "sources/index.html",
    "source": "sources/talent-guidebook.html",
    "statistics": "statistics.html",
    "glossary": "glossary.html",
    "documents": "documents/index.html",
    "document": "documents/oyama-dx-policy.html",
    "voices": "voices/index.html",
    "voice": "voices/message-chiba.html",
    "about": "about.html",
    "404": "404.html",
    "search-empty": "search.html",
    "search-results": "search.html?q=" + quote("研修"),
    "search-facets": "search.html?q=" + quote("研修"),
    "search-chips": "search.html?q=" + quote("小さな町 外部アドバイザー") + "&mode=keyword",
    "header-list": "cases/ibaraki-goka-talent-guidebook.html",
}


def wait_status(page, start: str) -> None:
    page.wait_for_function("s => document.querySelector('.dxn-search__status').textContent.startsWith(s)", arg=start)


def settle(page) -> None:
    """Let transitions end (Material fades the tabs in), so contrast is measured on the final colours."""
    page.wait_for_function("() => document.getAnimations().every(a => a.playState !== 'running')", timeout=5_000)


def open_facets(page, width: int) -> None:
    """The facets shown (behind 「絞り込み」 on a phone) and one value chosen."""
    wait_status(page, "「研修」")
    if width < 960:
        page.get_by_role("button", name="絞り込み").click()
    page.locator("details[data-facet=kind] summary").click()
    page.locator("details[data-facet=kind] input[data-value=town]").check()
    page.wait_for_url("**kind=town*")
    page.locator("details[data-facet=population] summary").click()


def open_header_list(page, width: int) -> None:
    page.get_by_role("combobox", name="事例を検索").focus()
    page.keyboard.insert_text("アドバイザー")
    page.locator("[role=listbox][data-query=アドバイザー] [role=option]").first.wait_for()
    page.keyboard.press("ArrowDown")
    page.wait_for_function("() => document.querySelector('#dxn-header-q').getAttribute('aria-activedescendant')")


STATES: dict[str, Callable] = {
    "search-empty": lambda page, width: wait_status(page, "すべての事例"),
    "search-results": lambda page, width: wait_status(page, "「研修」"),
    "search-facets": open_facets,
    "search-chips": lambda page, width: wait_status(page, "「小さな町"),
    "header-list": open_header_list,
}
# On a phone the header has only the icon to the search page: there is no list to open.
CASES = [(name, width) for name in PAGES for width in WIDTHS if not (name == "header-list" and width < 600)]


def _page(browser, base: str, width: int):
    page = browser.new_page(viewport={"width": width, "height": WIDTHS[width]})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: None if r.url.startswith((base, "data:")) else errors.append("left 127.0.0.1: " + r.url))
    return page, errors


def axe_violations(page) -> list[dict]:
    if not AXE.is_file():
        pytest.fail("node_modules/axe-core is missing: run npm ci (make test does)")
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        "async tags => (await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})).violations",
        AXE_TAGS,
    )


def describe(violations: list[dict]) -> str:
    """Each rule broken: its id, what it asks, where (the first nodes) and why (axe's summary for the first)."""
    lines = []
    for v in violations:
        lines.append(f"  {v['id']} ({v['impact']}, {len(v['nodes'])} nodes): {v['help']} — {v['helpUrl']}")
        for node in v["nodes"][:3]:
            lines.append(f"      at {' '.join(map(str, node['target']))}")  # a list inside: a shadow root's path
        summary = " | ".join(line.strip() for line in v["nodes"][0]["failureSummary"].splitlines()[1:3])
        lines.append(f"      because {summary}")
    return "\n".join(lines)


@pytest.mark.parametrize(("name", "width"), CASES, ids=[f"{n}-{w}" for n, w in CASES])
def test_axe_finds_no_violations(browser, real_base: str, name: str, width: int) -> None:
    page, errors = _page(browser, real_base, width)
    page.goto(real_base + PAGES[name])
    page.wait_for_load_state("load")
    if name in STATES:
        STATES[name](page, width)
    settle(page)
    violations = axe_violations(page)
    if name in STATES:
        SCREENS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENS / f"a11y-{name}-{width}.png"))
    page.close()
    assert not violations, f"axe-core: {PAGES[name]} at {width}px ({name}):\n{describe(violations)}"
    assert errors == []


@pytest.fixture(scope="module")
def site_with_meaning(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site as published: the default engine (use-multilingual) gives the search page its semantic side."""
    cache = tmp_path_factory.mktemp("a11y-cache")
    return build_real_site(tmp_path_factory.mktemp("a11y-meaning") / "site", DXNAVI_ENGINE="use-multilingual", DXNAVI_CACHE=str(cache))


@pytest.mark.parametrize("width", WIDTHS)
def test_axe_on_the_search_page_with_the_default_engine(browser, site_with_meaning: Path, width: int) -> None:
    with served(site_with_meaning) as url:
        page, errors = _page(browser, url, width)
        page.goto(url + "search.html?q=" + quote("職員の学び直し"))
        wait_status(page, "「職員の学び直し」")
        page.wait_for_function("() => !document.querySelector('.dxn-search__semantic').textContent.includes('準備しています')", timeout=120_000)
        semantic = page.evaluate("() => window.caseSearch.semanticStatus()")
        settle(page)
        violations = axe_violations(page)
        page.close()
    assert semantic["state"] == "ready", f"the semantic side did not load, so its line was not checked: {semantic}"
    assert not violations, f"axe-core: search.html (default engine) at {width}px:\n{describe(violations)}"
    assert errors == []


# ---- Keyboard ------------------------------------------------------------------------------

# How focus shows: the outline and box-shadow an element has now.
FOCUS_LOOK = """el => {
  const s = getComputedStyle(el);
  const drawn = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
  const outline = drawn ? `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}` : '';
  return {outline, shadow: s.boxShadow === 'none' ? '' : s.boxShadow};
}"""

DESCRIBE_ACTIVE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  return {tag: el.tagName, id: el.id, cls: el.className && el.className.baseVal === undefined ? el.className : '',
          text: (el.getAttribute('aria-label') || el.textContent || el.value || '').trim().slice(0, 40),
          type: el.type || '', facet: el.dataset.facet || '', value: el.dataset.value || ''};
}"""


class Keyboard:
    """Tab through a page, remembering how each element looked focused and, after leaving it, unfocused."""

    def __init__(self, page) -> None:
        self.page = page
        self.current = None  # (handle, description, focused look)
        self.unseen: list[str] = []  # elements whose focus did not show

    def _leave(self) -> None:
        if self.current is None:
            return
        handle, where, focused = self.current
        try:
            if handle.evaluate("el => el === document.activeElement"):
                return  # still here (Enter, Space, typing)
            self.current = None
            if not handle.evaluate("el => el.isConnected"):
                return
            unfocused = handle.evaluate(FOCUS_LOOK)
        except Exception:  # noqa: BLE001  (replaced by a re-render: nothing to compare)
            self.current = None
            return
        if focused == unfocused or not (focused["outline"] or focused["shadow"]):
            self.unseen.append(f"{where}: focused {focused}, unfocused {unfocused}")

    def press(self, key: str) -> dict | None:
        self.page.keyboard.press(key)
        return self.note()

    def note(self) -> dict | None:
        """Record the element that has focus now."""
        self._leave()
        where = self.page.evaluate(DESCRIBE_ACTIVE)
        if where and self.current is None:
            handle = self.page.evaluate_handle("() => document.activeElement")
            self.current = (handle, where, handle.evaluate(FOCUS_LOOK))
        return where

    def tab_to(self, wanted: Callable[[dict], bool], what: str, limit: int = 200) -> dict:
        for _ in range(limit):
            where = self.press("Tab")
            if where and wanted(where):
                return where
        pytest.fail(f"Tab never reached {what}")

    def done(self) -> None:
        """Check the element that has focus too (blurred for a moment), then every one seen."""
        if self.current is not None:
            handle = self.current[0]
            handle.evaluate("el => el.blur()")
            self._leave()
            handle.evaluate("el => el.focus()")
        assert self.unseen == [], "focus is not visible on:\n" + "\n".join(self.unseen)


def titles(page) -> list[str]:
    return page.locator(".dxn-search__results .dxn-result__title").all_inner_texts()


@pytest.mark.parametrize("width", WIDTHS)
def test_search_page_by_keyboard_alone(browser, real_base: str, width: int) -> None:
    page, errors = _page(browser, real_base, width)
    page.goto(real_base + "search.html")
    wait_status(page, "すべての事例")
    keys = Keyboard(page)
    keys.tab_to(lambda w: w["id"] == "dxn-search-query", "the search box")
    page.keyboard.type("研修")
    keys.press("Enter")
    wait_status(page, "「研修」の検索結果")
    page.wait_for_url("**q=*")
    before = titles(page)
    assert before

    if width < 960:
        keys.tab_to(lambda w: "dxn-search__toggle" in w["cls"], "「絞り込み」")
        keys.press("Enter")
        assert page.locator(".dxn-search__toggle").get_attribute("aria-expanded") == "true"
        assert page.locator(".dxn-search__facets").is_visible()
    keys.tab_to(lambda w: w["tag"] == "SUMMARY" and w["text"].startswith("団体区分"), "the facet 団体区分")
    keys.press("Enter")
    assert page.locator("details[data-facet=kind]").evaluate("d => d.open")
    keys.tab_to(lambda w: w["facet"] == "kind" and w["value"] == "town", "the checkbox 町")
    status = page.inner_text(".dxn-search__status")
    keys.press("Space")
    page.wait_for_url("**kind=town*")
    assert page.locator("details[data-facet=kind] input[data-value=town]").is_checked()
    assert page.evaluate("() => document.activeElement.dataset.value") == "town", "focus stays on the box after the results update"
    keys.note()
    assert page.inner_text(".dxn-search__status") != status and titles(page) != before

    first = titles(page)[0]
    keys.tab_to(lambda w: w["tag"] == "A" and "dxn-result__title" in w["cls"], "the first result")
    assert page.evaluate("() => document.activeElement.textContent") == first
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"a11y-keyboard-result-{width}.png"))
    keys.done()
    page.keyboard.press("Enter")
    page.wait_for_url("**/cases/*.html")
    assert page.locator("h1").first.evaluate("h => h.firstChild.textContent") == first
    assert errors == []
    page.close()


def test_header_box_by_keyboard_alone(browser, real_base: str) -> None:
    page, errors = _page(browser, real_base, 1280)
    page.goto(real_base + "keywords/ojt.html")
    keys = Keyboard(page)
    keys.tab_to(lambda w: w["id"] == "dxn-header-q", "the header search box", limit=10)
    page.keyboard.type("OJT", delay=30)
    page.locator("[role=listbox][data-query=OJT] [role=option]").first.wait_for()
    assert page.get_by_role("combobox", name="事例を検索").get_attribute("aria-expanded") == "true"
    assert page.inner_text(".dxn-header-search__live").startswith("候補"), "the number of suggestions is announced"
    keys.done()  # the box shows focus (blurring it for the check closes the list)
    page.keyboard.press("Escape")
    popup = page.locator(".dxn-header-search__popup")
    assert popup.is_hidden()
    page.keyboard.press("ArrowDown")  # opens the list again
    popup.wait_for()
    page.keyboard.press("ArrowDown")  # the first case
    option = page.locator("#dxn-header-option-0")
    assert page.locator("#dxn-header-q").get_attribute("aria-activedescendant") == "dxn-header-option-0"
    assert option.get_attribute("aria-selected") == "true"
    highlighted = option.evaluate("o => getComputedStyle(o).backgroundColor + getComputedStyle(o).boxShadow")
    other = page.locator("#dxn-header-option-1").evaluate("o => getComputedStyle(o).backgroundColor + getComputedStyle(o).boxShadow")
    assert highlighted != other, "the highlighted option looks different"
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / "a11y-keyboard-header-1280.png"))
    chosen = option.locator(".dxn-result__title").inner_text()
    page.keyboard.press("Enter")
    page.wait_for_url("**/cases/*.html")
    assert page.locator("h1").first.evaluate("h => h.firstChild.textContent") == chosen
    assert errors == []
    page.close()


def test_every_stop_on_the_way_shows_focus(browser, real_base: str) -> None:
    """From the top of a case page to its footer, every element Tab stops on shows that it has focus."""
    for width in WIDTHS:
        page, _ = _page(browser, real_base, width)
        page.goto(real_base + "cases/ibaraki-goka-talent-guidebook.html")
        keys = Keyboard(page)
        seen = 0
        for _ in range(120):
            where = keys.press("Tab")
            if where is None:
                break
            seen += 1
        keys.done()
        assert seen > 10
        page.close()


# ---- Announcements -------------------------------------------------------------------------

def test_count_and_chips_are_announced(browser, real_base: str) -> None:
    page, errors = _page(browser, real_base, 1280)
    page.goto(real_base + "search.html?mode=keyword")
    wait_status(page, "すべての事例")
    status = page.locator(".dxn-search__status")
    chips = page.locator(".dxn-search__chips")
    for region in (status, chips):
        assert region.get_attribute("aria-live") == "polite" or region.get_attribute("role") == "status"
    assert status.get_attribute("role") == "status"
    count_before, chips_before = status.inner_text(), chips.inner_text()
    page.locator("#dxn-search-query").fill("小さな町 外部アドバイザー")
    page.locator("#dxn-search-query").press("Enter")
    wait_status(page, "「小さな町 外部アドバイザー」の検索結果")
    assert status.inner_text() != count_before and " 件" in status.inner_text()
    assert chips.inner_text() != chips_before and "小さな町" in chips.inner_text()
    # An update that changes nothing leaves the live regions alone (no repeated announcement).
    page.evaluate(
        """() => {
          window.__mutations = 0;
          const watch = new MutationObserver(m => { window.__mutations += m.length; });
          for (const s of ['.dxn-search__status', '.dxn-search__chips'])
            watch.observe(document.querySelector(s), {childList: true, subtree: true, characterData: true});
        }"""
    )
    page.locator("#dxn-search-query").press("Enter")
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.__mutations") == 0
    assert errors == []
    page.close()
