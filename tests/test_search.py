"""Keyword search: how text becomes terms, what the lunr index finds, and the facets shipped with it.

The browser half (lunr.js, the page's own term splitting, the facets UI) is in
test_browser.py; here lunr.py queries the index the same way the page does.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lunr.index import Index
from lunr.query import QueryPresence

from builder.generate.common import sort_cases
from builder.generate.search_index import INDEX_SCRIPT, build_index, compact, search_data
from builder.project import Project
from builder.search_terms import terms
from builder.validate import Corpus, check_project


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ITパスポート", ["it", "パス", "スポ", "ポー", "ート"]),
        ("ＩＴパスポート", ["it", "パス", "スポ", "ポー", "ート"]),  # full-width letters, as PDFs have them
        ("ｱﾄﾞﾊﾞｲｻﾞｰ", ["アド", "ドバ", "バイ", "イザ", "ザー"]),  # half-width kana
        ("五霞町", ["五霞", "霞町"]),
        ("町", ["町"]),
        ("DX推進・OJT研修", ["dx", "推進", "ojt", "研修"]),
        ("「人材」の育成、2023年", ["人材", "の育", "育成", "2023", "年"]),
        ("", []),
        ("<script>", ["script"]),
    ],
)
def test_terms(text: str, expected: list[str]) -> None:
    assert terms(text) == expected


@pytest.fixture(scope="module")
def corpus(fixture_root: Path) -> Corpus:
    result = check_project(Project(fixture_root))
    assert result.corpus is not None and result.problems == []
    return result.corpus


@pytest.fixture(scope="module")
def found(corpus: Corpus):
    """Search as the page does: every term required; returns case ids, best first."""
    entries = sort_cases(corpus.cases, corpus.taxonomy)
    index = Index.load(build_index(entries, corpus.taxonomy))

    def search(text: str) -> list[str]:
        query = index.create_query()
        for term in dict.fromkeys(terms(text)):
            query.term(term, presence=QueryPresence.REQUIRED, use_pipeline=False)
        return [entries[int(hit["ref"])].id for hit in index.query(query)]

    return search


def test_a_query_finds_the_cases_whose_text_contains_it(found) -> None:
    assert found("アンケート") == ["ibaraki-goka-fixture-guide"]
    assert found("ｱﾝｹｰﾄ") == ["ibaraki-goka-fixture-guide"]


def test_every_word_of_the_query_must_match(found) -> None:
    assert set(found("五霞町")) == {"ibaraki-goka-fixture-guide", "ibaraki-goka-fixture-casebook"}
    assert found("五霞町 アンケート") == ["ibaraki-goka-fixture-guide"]
    assert found("五霞町 中野区") == []


def test_organisation_prefecture_and_region_are_searchable(found) -> None:
    assert found("中野区") == ["tokyo-nakano-fixture-casebook"]
    assert "kochi-fixture-guide" in found("四国")


def test_aliases_and_broader_keywords_find_a_case(found) -> None:
    # The role DX推進員 has the alias DX推進リーダー; 外部専門人材（委託） is narrower than 外部専門人材.
    assert found("DX推進リーダー") == ["ibaraki-goka-fixture-guide"]
    assert set(found("外部専門人材")) == {"kochi-fixture-guide", "tokyo-nakano-fixture-casebook"}


def test_a_title_match_ranks_above_a_body_match(corpus: Corpus, found) -> None:
    titled = [e.id for e in corpus.cases if "人材" in e.model.title]  # type: ignore[attr-defined]
    results = found("人材")
    assert titled and results[: len(titled)] == sorted(titled, key=results.index)
    assert len(results) > len(titled)


def test_compact_index_keeps_every_posting_and_vector(corpus: Corpus) -> None:
    entries = sort_cases(corpus.cases, corpus.taxonomy)
    full = build_index(entries, corpus.taxonomy)
    small = compact(full)
    assert small["terms"] == [t for t, _ in sorted(full["invertedIndex"], key=lambda item: item[1]["_index"])]
    postings = sum(len(docs) for _, posting in full["invertedIndex"] for f, docs in posting.items() if f != "_index")
    assert sum(len(refs) - 1 for posting in small["postings"] for refs in posting) == postings
    assert [v[2] for v in small["vectors"]] == [elements for _, elements in full["fieldVectors"]]
    assert len(json.dumps(small)) < len(json.dumps(full)) / 2


def test_facets_list_the_positions_of_their_cases(corpus: Corpus) -> None:
    data = search_data(corpus, use_directory_urls=False)
    cases = data["cases"]
    facets = {f["key"]: f for f in data["facets"]}
    assert list(facets) == ["category", "prefecture", "population", "kind", "keyword", "scheme", "role", "source"]
    by_label = {v["label"]: v for v in facets["keyword"]["values"]}
    ojt = [cases[n]["url"] for n in by_label["OJT（職場内訓練）"]["cases"]]
    assert ojt == ["cases/ibaraki-goka-fixture-guide.html"]
    # A broader keyword lists the cases of its narrower keywords too, as its index page does.
    broader = [cases[n]["url"] for n in by_label["外部専門人材"]["cases"]]
    assert sorted(broader) == ["cases/kochi-fixture-guide.html", "cases/tokyo-nakano-fixture-casebook.html"]
    regions = {v["label"]: v["group"] for v in facets["prefecture"]["values"]}
    assert regions == {"茨城県": "関東", "東京都": "関東", "高知県": "四国"}
    for facet in data["facets"]:
        assert all(value["cases"] for value in facet["values"]), "values without cases are left out"


def test_search_page_and_index_are_in_the_built_site(fixture_site: Path) -> None:
    script = (fixture_site / INDEX_SCRIPT).read_text(encoding="utf-8")
    assert script.startswith("window.DXNAVI_SEARCH = {") and script.endswith("};\n")
    page = (fixture_site / "search.html").read_text(encoding="utf-8")
    for src in ("search/index.js", "assets/javascripts/vendor/lunr-2.3.9.min.js", "assets/javascripts/dxnavi-search.js"):
        assert f'src="{src}"' in page
        assert (fixture_site / src).is_file()
    assert 'href="search.html"' in (fixture_site / "index.html").read_text(encoding="utf-8")
