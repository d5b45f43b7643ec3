"""Every page type at a phone's and a desktop's width, and the all-cases table's sorting, in headless Chromium.

Screenshots go to tests/artifacts/screens/ (git-ignored) for a person to look at;
the assertions catch what a first-time reader tripped over: a page that scrolls
sideways, and a count split from its label (「67」 / 「キーワード」).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from browser_support import browser, real_base, real_site  # noqa: F401  (fixtures, shared by the browser tests)
from conftest import REPO

pytestmark = pytest.mark.browser

SCREENS = REPO / "tests" / "artifacts" / "screens"
WIDTHS = {"phone": (390, 844), "desktop": (1280, 900)}

# One page of each type in the real site.
PAGES = {
    "home": "index.html",
    "case": "cases/ibaraki-goka-talent-guidebook.html",
    "all-cases": "cases/index.html",
    "keywords": "keywords/index.html",
    "keyword": "keywords/ojt.html",
    "prefectures": "prefectures/index.html",
    "population": "population/index.html",
    "kinds": "kinds/index.html",
    "organisations": "organisations/index.html",
    "categories": "categories/index.html",
    "schemes": "schemes/index.html",
    "roles": "roles/index.html",
    "sources": "sources/index.html",
    "source": "sources/talent-guidebook.html",
    "documents": "documents/index.html",
    "document": "documents/oyama-dx-policy.html",
    "voices": "voices/index.html",
    "glossary": "glossary.html",
    "search": "search.html?q=ITパスポート",
    "404": "404.html",
    "about": "about.html",
}

# Count units whose lines must not break: the home page's counts and 「12 件」 cells of the index pages.
BROKEN_COUNTS = """() => {
  const units = [...document.querySelectorAll('.dxn-count')];
  for (const td of document.querySelectorAll('td')) if (/^\\s*\\d[\\d,]* 件\\s*$/.test(td.textContent)) units.push(td);
  return units.filter(el => {
    const range = document.createRange();
    range.selectNodeContents(el);
    const boxes = [...range.getClientRects()].filter(r => r.width > 0);
    // On one line every box overlaps every other vertically.
    return Math.max(...boxes.map(r => r.top)) >= Math.min(...boxes.map(r => r.bottom));
  }).map(el => el.textContent.trim());
}"""


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_type_fits_the_screen(browser, real_base: str, width: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    w, h = WIDTHS[width]
    page = browser.new_page(viewport={"width": w, "height": h})
    problems = []
    for name, path in PAGES.items():
        page.goto(real_base + path)
        page.wait_for_load_state("load")
        if path.startswith("search.html"):  # its results are drawn once the index's chunks arrive (fetched)
            page.wait_for_selector(".dxn-search__results[aria-busy=false]", state="attached")
        page.screenshot(path=str(SCREENS / f"{name}-{w}.png"), full_page=True)
        scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
        if scroll_width > w:
            problems.append(f"{path}: scrolls sideways ({scroll_width}px wide)")
        broken = page.evaluate(BROKEN_COUNTS)
        if broken:
            problems.append(f"{path}: count broken across lines: {broken}")
    page.close()
    assert problems == []


def _column(page, index: int) -> list[str]:
    return page.locator(f".dxn-sortable tbody tr td:nth-child({index})").all_inner_texts()


def _population(text: str) -> float:
    number = float(text.strip("約人").replace(",", "").replace("万", ""))
    return number * 10_000 if "万" in text else number


def test_all_cases_sort_by_header_buttons(browser, real_base: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(real_base + "cases/index.html")
    headers = page.locator(".dxn-sortable thead th")
    assert headers.nth(0).get_attribute("aria-sort") == "ascending"  # the builder's north-to-south order
    assert page.locator(".dxn-sort-hint").is_visible()
    north_to_south = _column(page, 1)
    assert north_to_south[0] == "北海道"
    assert [headers.nth(i).locator("button").count() for i in range(6)] == [1, 1, 0, 0, 1, 1]  # 団体 人口 … 出典資料 発行年

    page.get_by_role("button", name="人口").click()
    assert headers.nth(1).get_attribute("aria-sort") == "ascending"
    assert headers.nth(0).get_attribute("aria-sort") == "none"
    populations = [_population(t) for t in _column(page, 2)]
    assert populations == sorted(populations)
    page.get_by_role("button", name="人口").click()
    assert headers.nth(1).get_attribute("aria-sort") == "descending"
    assert [_population(t) for t in _column(page, 2)] == sorted(populations, reverse=True)

    page.get_by_role("button", name="発行年").click()
    years = _column(page, 6)
    known = [y for y in years if y != "—"]
    assert known == sorted(known) and years == known + ["—"] * (len(years) - len(known))  # no year: last
    page.get_by_role("button", name="発行年").click()
    assert _column(page, 6)[-1] == "—"  # last either way

    page.get_by_role("button", name="団体").click()
    assert _column(page, 1) == north_to_south
    page.close()


def test_all_cases_without_javascript(browser, real_base: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(real_base + "cases/index.html")
    assert page.locator(".dxn-sortable tbody tr").count() == len(list((REPO / "cases").glob("*.md")))
    assert page.locator(".dxn-sortable button").count() == 0
    assert not page.locator(".dxn-sort-hint").is_visible()  # no talk of buttons that are not there
    context.close()
