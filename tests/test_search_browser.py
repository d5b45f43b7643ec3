"""Search in a real (headless) Chromium: the header box, the search page and window.caseSearch.

Reuses the browser, server and site fixtures of test_browser.py. Screenshots of
the results page go to tests/artifacts/ (git-ignored) for a human to look at.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest
from browser_support import browser, serve  # noqa: F401  (fixtures)
from test_browser import Watched, heading, payload_site, real_site  # noqa: F401  (fixtures)

from builder.search_terms import terms

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).parent / "artifacts"
TABLE = json.loads((Path(__file__).parent / "search_terms_table.json").read_text(encoding="utf-8"))["cases"]


class Page(Watched):
    """A watched page that also records console errors and uncaught exceptions."""

    def __init__(self, browser, base: str, width: int = 1280, height: int = 900) -> None:  # noqa: F811
        super().__init__(browser, base)
        self.page.set_viewport_size({"width": width, "height": height})
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def clean(self) -> None:
        assert self.errors == [], f"console errors: {self.errors}"
        assert self.dialogs == [], f"dialogs opened: {self.dialogs}"
        assert self.external == [], f"requests left 127.0.0.1: {self.external}"
        self.page.close()


def titles(page) -> list[str]:
    """The titles listed once the page has drawn its latest search (the list is aria-busy until then)."""
    page.wait_for_selector(".dxn-search__results[aria-busy=false]", state="attached")
    return page.locator(".dxn-search__results .dxn-result__title").all_inner_texts()


def open_search(page, url: str) -> None:
    """Go to a search page URL and wait until its results are drawn (the index's chunks arrive by fetch)."""
    page.goto(url)
    page.wait_for_selector(".dxn-search__results[aria-busy=false]", state="attached")


def search_page(base: str, query: str, **params: str) -> str:
    extra = "".join(f"&{k}={quote(v)}" for k, v in params.items())
    return f"{base}search.html?q={quote(query)}{extra}"


def wait_status(page, start: str) -> None:
    page.wait_for_function("s => document.querySelector('.dxn-search__status').textContent.startsWith(s)", arg=start)


# ---- The tokeniser in the page ------------------------------------------------------

def test_page_splits_text_like_the_index(browser, serve, fixture_site: Path, fixture_root: Path) -> None:  # noqa: F811
    texts = [row["text"] for row in TABLE] + [path.read_text(encoding="utf-8") for path in sorted((fixture_root / "cases").glob("*.md"))]
    page = browser.new_page()
    page.goto(serve(fixture_site) + "index.html")
    assert page.evaluate("texts => texts.map(t => window.DxNavi.terms.terms(t))", texts) == [terms(t) for t in texts], (
        "dxnavi/terms.js and builder/search_terms.py must give the same terms"
    )
    page.close()


# ---- Search page --------------------------------------------------------------------

SAME_RESULTS = [
    ("⼈材育成", "人材育成"),  # Kangxi radical U+2F08 pasted from a PDF
    ("ＩＴパスポート", "ITパスポート"),  # full-width letters
    ("ｱﾄﾞﾊﾞｲｻﾞｰ", "アドバイザー"),  # half-width kana
]


@pytest.mark.parametrize(("variant", "plain"), SAME_RESULTS)
def test_variants_find_the_same_cases(browser, serve, real_site: Path, variant: str, plain: str) -> None:  # noqa: F811
    base = serve(real_site)
    watched = Page(browser, base)
    open_search(watched.page, search_page(base, plain))
    expected = titles(watched.page)
    open_search(watched.page, search_page(base, variant))
    assert expected and titles(watched.page) == expected, f"「{variant}」 must find what 「{plain}」 finds"
    watched.clean()


def test_infix_word_and_highlight(browser, serve, real_site: Path) -> None:  # noqa: F811
    base = serve(real_site)
    watched = Page(browser, base)
    page = watched.page
    open_search(page, search_page(base, "アドバイザー", mode="keyword"))
    assert "アドバイザーによる職員研修で全庁的にBPR・ＤＸマインド定着" in titles(page)[:3], "a title match ranks near the top"
    # 地域情報化アドバイザー holds アドバイザー inside a longer word: its keyword tag is marked.
    assert page.locator("mark.dxn-tag--hit", has_text="地域情報化アドバイザー").count() > 0
    # The best results hold the word itself, and it is marked whole (lower ones may hold only アドバイス).
    marks = page.locator(".dxn-search__results > li:nth-child(-n+3) mark").all_inner_texts()
    assert marks and all("アドバイザー" in m for m in marks), f"matches are marked whole: {[m for m in marks if 'アドバイザー' not in m]}"
    assert page.locator(".dxn-result__why").first.inner_text().startswith("一致: 「アドバイザー」")
    watched.clean()


def test_ime_commit_searches_once_composition_ends(browser, serve, real_site: Path) -> None:  # noqa: F811
    base = serve(real_site)
    watched = Page(browser, base)
    page = watched.page
    page.goto(base + "search.html?mode=keyword")
    wait_status(page, "すべての事例")
    page.evaluate(
        """() => {
          const input = document.getElementById('dxn-search-query');
          input.focus();
          input.dispatchEvent(new CompositionEvent('compositionstart', {data: ''}));
          input.value = 'ITぱすぽ';
          input.dispatchEvent(new InputEvent('input', {data: 'ぽ', isComposing: true, bubbles: true}));
        }"""
    )
    page.wait_for_timeout(400)
    assert page.inner_text(".dxn-search__status").startswith("すべての事例"), "no search while the IME is composing"
    page.evaluate(
        """() => {
          const input = document.getElementById('dxn-search-query');
          input.value = 'ITパスポート';
          input.dispatchEvent(new CompositionEvent('compositionend', {data: 'ITパスポート', bubbles: true}));
        }"""
    )
    wait_status(page, "「ITパスポート」の検索結果")
    assert "ITパスポート取得支援によるDX推進リーダーの育成" == titles(page)[0]
    assert "q=IT%E3%83%91" in page.url
    watched.clean()


def test_expansion_chip_can_be_removed(browser, serve, real_site: Path) -> None:  # noqa: F811
    base = serve(real_site)
    watched = Page(browser, base)
    page = watched.page
    # 受験料補助 is an alias of the keyword 資格取得支援: cases that say only 資格取得支援 are found too.
    open_search(page, search_page(base, "受験料補助", mode="keyword"))
    chip = page.locator(".dxn-chip--expansion")
    assert chip.inner_text().startswith("「資格取得支援」も含めて検索")
    with_expansion = titles(page)
    assert "別の言い方で一致" in page.locator(".dxn-search__results").inner_text(), "a result says when it matched another name"
    page.get_by_role("button", name="「資格取得支援」を検索から外す").click()
    page.wait_for_url("**off=*")
    assert page.locator(".dxn-chip--expansion").inner_text().startswith("「資格取得支援」を含めずに検索")
    assert len(titles(page)) < len(with_expansion)
    page.go_back()
    page.wait_for_function("() => !location.search.includes('off=')")
    assert titles(page) == with_expansion, "Back restores the search with the expansion"
    watched.clean()


def test_hint_chip_suggests_a_filter_and_can_be_removed(browser, serve, real_site: Path) -> None:  # noqa: F811
    base = serve(real_site)
    watched = Page(browser, base)
    page = watched.page
    open_search(page, search_page(base, "小さな町 外部アドバイザー", mode="keyword"))
    hint = page.locator(".dxn-chip--hint")
    assert hint.count() == 1 and "「小さな町」→ 人口1万人未満・町の事例を上位に" in hint.inner_text(), "one chip per phrase, naming both properties"
    assert page.get_by_role("button", name="「町」で絞り込む").count() == 1
    before = titles(page)
    page.get_by_role("button", name="「人口1万人未満」で絞り込む").click()
    page.wait_for_url("**population=under-10k*")
    metas = page.locator(".dxn-search__results .dxn-result__meta").all_inner_texts()
    assert metas and all("1万人未満" in m for m in metas), "the suggested filter keeps only small towns"
    assert page.get_by_role("button", name="絞り込み（1）").count() == 1 or page.locator(".dxn-search__toggle").inner_text() == "絞り込み（1）"
    page.go_back()
    page.wait_for_function("() => !location.search.includes('population=')")
    assert titles(page) == before
    page.get_by_role("button", name="「小さな町」を条件として扱わない").click()
    page.wait_for_url("**off=hint*")
    assert "条件として扱っていません" in page.locator(".dxn-chip--hint").inner_text()
    assert titles(page) != before, "without the hint, 小さな町 is searched as words and nothing is lifted"
    page.get_by_role("button", name="「小さな町」を条件として扱う").click()
    page.wait_for_function("() => !location.search.includes('off=')")
    watched.clean()


def test_facet_counts_add_up(browser, serve, real_site: Path) -> None:  # noqa: F811
    base = serve(real_site)
    watched = Page(browser, base)
    page = watched.page
    open_search(page, search_page(base, "研修", mode="keyword"))
    total = int(page.inner_text(".dxn-search__status").split(" ")[-2])
    # Each case has exactly one value of these facets, so their counts add up to the results.
    for key in ("population", "kind", "prefecture", "category", "source"):
        counts = page.locator(f"details[data-facet={key}] .dxn-facet__count").all_text_contents()
        assert sum(int(c.strip("（）")) for c in counts) == total, f"counts of {key} must add up to the {total} results"
    page.locator("details[data-facet=kind] summary").click()
    box = page.locator("details[data-facet=kind] input[data-value=town]")
    label = page.locator("details[data-facet=kind] label", has=page.locator("input[data-value=town]"))
    expected = int(label.locator(".dxn-facet__count").inner_text().strip("（）"))
    box.check()
    page.wait_for_url("**kind=town*")
    assert len(titles(page)) == expected
    watched.clean()


def test_copied_url_reproduces_the_search_and_back_works(browser, serve, real_site: Path) -> None:  # noqa: F811
    base = serve(real_site)
    watched = Page(browser, base)
    page = watched.page
    page.goto(base + "search.html")
    page.locator("#dxn-search-query").fill("OJT")
    page.locator("#dxn-search-query").press("Enter")
    wait_status(page, "「OJT」の検索結果")
    first = titles(page)
    page.locator("#dxn-search-query").fill("アンケート")
    page.locator("#dxn-search-query").press("Enter")
    wait_status(page, "「アンケート」の検索結果")
    copied = page.url
    second = titles(page)
    other = Page(browser, base)
    open_search(other.page, copied)
    assert titles(other.page) == second and other.page.input_value("#dxn-search-query") == "アンケート"
    other.clean()
    page.go_back()
    wait_status(page, "「OJT」の検索結果")
    assert titles(page) == first and page.input_value("#dxn-search-query") == "OJT"
    watched.clean()


def test_keyword_page_link_opens_search_with_the_filter(browser, serve, real_site: Path) -> None:  # noqa: F811
    base = serve(real_site)
    watched = Page(browser, base)
    page = watched.page
    page.goto(base + "keywords/ojt.html")
    listed = int(page.locator("h2", has_text="事例（").inner_text().split("（")[1].split(" ")[0])
    page.get_by_role("link", name="この事例を言葉や人口規模などでさらに絞り込む（検索）").click()
    page.wait_for_url("**/search.html?keyword=ojt")
    assert page.locator("details[data-facet=keyword] input[data-value=ojt]").is_checked()
    assert len(titles(page)) == listed
    watched.clean()


def test_semantic_side_is_reported_never_silent(browser, serve, real_site: Path) -> None:  # noqa: F811
    base = serve(real_site)
    watched = Page(browser, base)
    page = watched.page
    open_search(page, search_page(base, "職員の学び直し"))
    page.wait_for_function("() => document.querySelector('.dxn-search__semantic').textContent.length > 0")
    line = page.inner_text(".dxn-search__semantic")
    state = page.evaluate("() => window.caseSearch.semanticStatus().state")
    if state in ("off", "error"):
        assert "言葉で見つかった事例を表示しています" in line, "the page says why meaning is not used"
    else:
        page.wait_for_function("() => !document.querySelector('.dxn-search__semantic').textContent.includes('準備しています')", timeout=120_000)
        assert "意味" in page.inner_text(".dxn-search__semantic")
    watched.clean()


def test_results_page_screenshots(browser, serve, real_site: Path) -> None:  # noqa: F811
    base = serve(real_site)
    ARTIFACTS.mkdir(exist_ok=True)
    for width, height in ((1280, 900), (390, 844)):
        watched = Page(browser, base, width, height)
        page = watched.page
        open_search(page, search_page(base, "小さな町 外部アドバイザー", mode="keyword"))
        wait_status(page, "「小さな町")
        page.screenshot(path=str(ARTIFACTS / f"search-results-{width}.png"))
        if width == 390:
            box = page.locator("#dxn-search-query").bounding_box()
            result = page.locator(".dxn-search__results > li").first.bounding_box()
            assert box and result and box["y"] + box["height"] < height and result["y"] < height, (
                "at 390 px the first screen must show the search box and the first result"
            )
            assert page.locator(".dxn-search__facets").is_hidden(), "facets fold behind 「絞り込み」 on a phone"
            page.get_by_role("button", name="絞り込み").click()
            assert page.locator(".dxn-search__facets").is_visible()
            assert page.locator(".dxn-search__toggle").get_attribute("aria-expanded") == "true"
        watched.clean()


# ---- Header box ---------------------------------------------------------------------

def test_header_box_lists_the_top_five_and_is_keyboard_operable(browser, serve, real_site: Path) -> None:  # noqa: F811
    base = serve(real_site)
    watched = Page(browser, base)
    page = watched.page
    page.goto(base + "cases/ibaraki-goka-talent-guidebook.html")
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    assert not any(u.endswith("search/index.js") for u in requested)
    assert page.evaluate("() => !!(window.DxNavi && window.DxNavi.keywordIndex.loaded())") is False, "the index loads only when needed"
    box = page.get_by_role("combobox", name="事例を検索")
    box.focus()
    page.keyboard.insert_text("アドバイザー")  # committed at once, as an IME does
    options = page.get_by_role("option")
    page.locator("[role=listbox][data-query=アドバイザー] [role=option]").first.wait_for()
    assert 1 <= options.count() <= 5
    assert box.get_attribute("aria-expanded") == "true"
    assert any(u.endswith("search/index.js") for u in requested)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    active = box.get_attribute("aria-activedescendant")
    assert active == "dxn-header-option-1" and page.locator("#" + active).get_attribute("aria-selected") == "true"
    chosen = page.locator("#" + active + " .dxn-result__title").inner_text()
    page.keyboard.press("Escape")
    assert box.get_attribute("aria-expanded") == "false" and page.locator(".dxn-header-search__popup").is_hidden()
    page.keyboard.press("ArrowDown")
    options.first.wait_for()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url("**/cases/*.html")
    assert heading(page) == chosen
    watched.clean()


def test_header_box_enter_opens_the_full_results(browser, serve, real_site: Path) -> None:  # noqa: F811
    base = serve(real_site)
    watched = Page(browser, base)
    page = watched.page
    page.goto(base + "keywords/ojt.html")
    box = page.get_by_role("combobox", name="事例を検索")
    box.click()
    page.keyboard.type("OJT", delay=30)  # typed letter by letter
    page.locator("[role=listbox][data-query=OJT] [role=option]").first.wait_for()
    header = page.locator("#dxn-header-option-0 .dxn-result__title").inner_text()
    page.keyboard.press("Enter")
    page.wait_for_url("**/search.html?q=OJT")
    wait_status(page, "「OJT」の検索結果")
    assert titles(page)[0] == header, "the header list and the search page rank with the same engine"
    watched.clean()


def test_header_box_without_javascript_is_a_form_to_the_search_page(browser, serve, real_site: Path) -> None:  # noqa: F811
    base = serve(real_site)
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(base + "cases/ibaraki-goka-talent-guidebook.html")
    page.locator("#dxn-header-q").fill("OJT")
    page.locator("#dxn-header-q").press("Enter")
    page.wait_for_url("**/search.html?q=OJT")
    assert page.get_by_role("link", name="キーワード").count() >= 1, "without JavaScript the search page points to the index pages"
    context.close()


# ---- window.caseSearch ------------------------------------------------------------------

def test_api_answers_from_any_page_depth(browser, serve, real_site: Path) -> None:  # noqa: F811
    base = serve(real_site)
    watched = Page(browser, base)
    page = watched.page
    found = {}
    for path in ("index.html", "cases/kochi-nankoku-talent-guidebook.html"):
        page.goto(base + path)
        found[path] = page.evaluate(
            """async () => {
              await window.caseSearch.ready;
              return await window.caseSearch.search('BPRワークショップ', {mode: 'keyword', limit: 3});
            }"""
        )
    assert found["index.html"] == found["cases/kochi-nankoku-talent-guidebook.html"]
    top = found["index.html"][0]
    assert top["id"] == "kochi-nankoku-talent-guidebook" and top["organization"] == "高知県南国市"
    assert set(top) == {"id", "url", "title", "organization", "score"}
    page.goto(top["url"])
    assert "BPRワークショップ" in heading(page)
    filtered = page.evaluate("() => window.caseSearch.search('研修', {mode: 'keyword', filters: {population: ['under-10k']}, limit: 50})")
    assert filtered and all(r["id"] for r in filtered)
    status = page.evaluate("() => window.caseSearch.semanticStatus()")
    assert status["state"] in ("off", "idle", "loading", "ready", "error") and isinstance(status["reason"], str)
    watched.clean()


def test_search_works_from_a_folder_without_a_server(browser, real_site: Path) -> None:  # noqa: F811
    page = browser.new_page()
    page.goto((real_site / "search.html").as_uri() + "?q=" + quote("アドバイザー") + "&mode=keyword")
    wait_status(page, "「アドバイザー」")
    assert len(titles(page)) > 0
    page.goto((real_site / "cases" / "ibaraki-goka-talent-guidebook.html").as_uri())
    found = page.evaluate("() => window.caseSearch.search('OJT', {mode: 'keyword'})")
    assert found and found[0]["url"].startswith("file://")
    page.close()


# ---- Hostile text ------------------------------------------------------------------------

@pytest.mark.parametrize("query", ["<script>", "onerror=", "タイトル"])
def test_payload_searched_and_highlighted_runs_nothing(browser, serve, payload_site: Path, query: str) -> None:  # noqa: F811
    base = serve(payload_site)
    watched = Page(browser, base)
    page = watched.page
    open_search(page, search_page(base, query, mode="keyword"))
    wait_status(page, "「")
    page.mouse.move(400, 400)
    assert watched.active_content() == []
    assert page.locator(".dxn-search img, .dxn-search script, .dxn-search iframe").count() == 0
    page.goto(base + "index.html")
    page.get_by_role("combobox", name="事例を検索").focus()
    page.keyboard.insert_text(query)
    page.wait_for_timeout(500)
    assert watched.active_content() == []
    assert page.locator(".dxn-header-search img, .dxn-header-search script").count() == 0
    assert watched.dialogs == [] and watched.external == []
    page.close()
