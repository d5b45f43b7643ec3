"""The sharded keyword index in Chromium, at a few hundred synthetic cases.

A first query through window.caseSearch fetches the manifest, the postings chunks of its terms and
phrases, the cases' names (what it returns) and (for a stated property or a filter) the facets'
cases: nothing else. The search page fetches the display data of the cases it shows.
Its results equal the whole index's ranking, computed in the same page from ``search_data()``.
The node tests (tests/js/shards.test.js) hold the two to the same scores for many more queries.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest
from browser_support import browser, serve  # noqa: F401  (fixtures)

from builder.generate.search_index import search_data, to_json
from builder.project import Project
from builder.synthetic import write_project
from builder.validate import check_project
from conftest import REPO, run_cli

pytestmark = pytest.mark.browser

CASES = 300
# Words, a phrase, a stated property (loads the facets), a lone kanji, a word being typed, an expansion.
QUERIES = ["ITパスポート", "外部人材の活用", "小さな町 外部アドバイザー", "町", "bp", "研修の効果測定", "副業人材", "人口5万人未満の市のDX研修"]

# In the page: the files a query must need, from the engine's own look-ups (ranking.needs, chunkFor) and the names.
EXPECTED = """async (query) => {
  const e = await window.DxNavi.api.loadEngine();
  const index = e.index;
  const plan = e.plan(query);
  const needs = window.DxNavi.ranking.needs(plan);
  const chunks = new Set();
  for (const key of needs.tokens.map(t => t.term).concat(needs.phrases)) chunks.add(index.chunkFor(key));
  for (const t of needs.tokens) if (t.kind === 'w' && !index.tables.t.has(t.term)) for (const n of index.rangeOf(t.term)) chunks.add(n);
  const folder = e.data.manifest.folder + '/';
  const files = Array.from(chunks, n => folder + 't' + n + '.js');
  files.push(folder + 'names.js');
  if (plan.boosts.length) files.push(folder + 'facets.js');
  return {files: Array.from(new Set(files)).sort(), total: index.first.length + e.data.manifest.homes.length};
}"""

# In the page: the ranking of the whole index (search_index.search_data(), passed in), as the tests' reference.
WHOLE = """([data, query, limit]) => {
  const e = window.DxNavi.api.createEngine(data);
  return e.keyword(e.plan(query)).slice(0, limit).map(r => ({id: e.cases[r.doc].id, score: r.score}));
}"""


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("shards") / "project"
    write_project(REPO, root, CASES, seed=7)
    site = root / "site"
    result = run_cli("build", "--site-dir", str(site), root=root)
    assert result.returncode == 0, result.stdout + result.stderr
    corpus = check_project(Project(root)).corpus
    assert corpus is not None
    return site, json.loads(to_json(search_data(corpus, use_directory_urls=False)))  # as whole.json: the page gets plain lists


def search_files(requests: list[str], base: str) -> list[str]:
    return sorted(u[len(base) :].split("?")[0] for u in requests if u.startswith(base + "search/"))


@pytest.mark.parametrize("query", QUERIES)
def test_a_first_query_fetches_only_its_chunks_and_ranks_as_the_whole_index(browser, serve, synthetic, query: str) -> None:  # noqa: F811
    site, whole = synthetic
    base = serve(site)
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(base + "index.html")
    assert search_files(requests, base) == [], "an ordinary page loads no part of the index"
    page.evaluate("() => window.caseSearch.ready")
    assert search_files(requests, base) == ["search/index.js"], "ready means the manifest alone"
    requests.clear()
    found = page.evaluate("q => window.caseSearch.search(q, {mode: 'keyword', limit: 20})", query)
    fetched = search_files(requests, base)
    assert len(fetched) == len(set(fetched)), f"a chunk was fetched twice: {fetched}"
    expected = page.evaluate(EXPECTED, query)
    assert fetched == expected["files"], f"「{query}」 fetched {fetched}, needs {expected['files']}"
    postings = [f for f in fetched if "/t" in f]
    assert len(postings) < expected["total"] / 4, f"「{query}」 fetched {len(postings)} of {expected['total']} postings chunks"
    reference = page.evaluate(WHOLE, [whole, query, 20])
    same = [(r["id"], r["score"]) for r in found] == [(r["id"], r["score"]) for r in reference]
    assert same, f"「{query}」 ranks differently from the whole index"
    assert found, f"「{query}」 finds nothing in {CASES} cases"
    assert errors == []
    page.close()


def test_the_search_page_with_a_filter_shows_the_whole_index_results(browser, serve, synthetic) -> None:  # noqa: F811
    site, whole = synthetic
    base = serve(site)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    query = "職員研修"
    page.goto(f"{base}search.html?q={quote(query)}&mode=keyword&kind=city")
    page.wait_for_function("q => document.querySelector('.dxn-search__status').textContent.startsWith('「' + q)", arg=query)
    shown = page.locator(".dxn-search__results .dxn-result__title").all_inner_texts()
    reference = page.evaluate(
        """([data, query]) => {
          const e = window.DxNavi.api.createEngine(data);
          return e.keyword(e.plan(query)).filter(r => e.allowed(r.doc, {kind: ['city']})).slice(0, 20).map(r => e.cases[r.doc].title);
        }""",
        [whole, query],
    )
    assert shown == reference and len(shown) == 20
    fetched = search_files(requests, base)
    assert "search/k/facets.js" in fetched, "the facet panel and the filter load the facets' cases"
    display = [f for f in fetched if "/d" in f]
    assert 0 < len(display) <= 20, f"display data of the 20 cases shown only, not all {CASES}: {len(display)} chunks"
    page.close()
