"""Keyword search, the build side: how text becomes terms, the postings index, facets and query tables.

Ranking and query understanding run in the browser (dxnavi/*.js): their unit
tests are tests/js/*.test.js (run by test_js_units.py), and the page itself is
tested in test_search_browser.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from builder.generate.common import sort_cases
from builder.generate.query_hints import query_hints
from builder.generate.search_index import FIELDS, INDEX_SCRIPT, SEMANTIC_SCRIPT, build_index, document, plain, read_postings, search_data
from builder.project import Project
from builder.search_terms import terms
from builder.validate import Corpus, check_project

TABLE = json.loads((Path(__file__).parent / "search_terms_table.json").read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("row", TABLE, ids=[row["text"] or "(empty)" for row in TABLE])
def test_terms(row: dict) -> None:
    assert terms(row["text"]) == row["terms"], (
        f"builder/search_terms.py splits {row['text']!r} differently from tests/search_terms_table.json; "
        "change both tokenisers (dxnavi/terms.js too) and the table together"
    )


@pytest.fixture(scope="module")
def corpus(fixture_root: Path) -> Corpus:
    result = check_project(Project(fixture_root))
    assert result.corpus is not None and result.problems == []
    return result.corpus


@pytest.fixture(scope="module")
def index(corpus: Corpus) -> dict:
    return build_index(sort_cases(corpus.cases, corpus.taxonomy), corpus.taxonomy)


@pytest.fixture(scope="module")
def ids(corpus: Corpus) -> list[str]:
    return [e.id for e in sort_cases(corpus.cases, corpus.taxonomy)]


def holders(index: dict, ids: list[str], text: str) -> set[str]:
    """Cases holding every term of text (what a full match needs)."""
    found = None
    for term in terms(text):
        here = set(read_postings(index, term))
        found = here if found is None else found & here
    return {ids[n] for n in found or set()}


def test_postings_hold_every_term_of_every_field(corpus: Corpus, index: dict, ids: list[str]) -> None:
    entries = sort_cases(corpus.cases, corpus.taxonomy)
    for position, entry in enumerate(entries):
        fields = document(entry, corpus.taxonomy)
        assert index["lengths"][position] == [len(fields[name]) for name in FIELDS]
        for name, field_terms in fields.items():
            for term in set(field_terms):
                assert read_postings(index, term)[position][name] == field_terms.count(term)
    assert index["terms"] == sorted(index["terms"]), "terms are sorted so the index can be cut into chunks by term"


def test_a_query_finds_the_cases_whose_text_contains_it(index: dict, ids: list[str]) -> None:
    assert holders(index, ids, "アンケート") == {"ibaraki-goka-fixture-guide"}
    assert holders(index, ids, "ｱﾝｹｰﾄ") == {"ibaraki-goka-fixture-guide"}
    assert holders(index, ids, "⼈材") == holders(index, ids, "人材") != set(), "a radical pasted from a PDF finds 人材"


def test_organisation_prefecture_and_region_are_searchable(index: dict, ids: list[str]) -> None:
    assert holders(index, ids, "中野区") == {"tokyo-nakano-fixture-casebook"}
    assert "kochi-fixture-guide" in holders(index, ids, "四国")


def test_aliases_and_broader_keywords_are_indexed(index: dict, ids: list[str]) -> None:
    # The role DX推進員 has the alias DX推進リーダー; 外部専門人材（委託） is narrower than 外部専門人材.
    assert holders(index, ids, "DX推進リーダー") == {"ibaraki-goka-fixture-guide"}
    assert holders(index, ids, "外部専門人材") == {"kochi-fixture-guide", "tokyo-nakano-fixture-casebook"}


def test_plain_text_drops_markdown_syntax() -> None:
    body = "## 見出し\n\n- 項目の[リンク](https://example.jp)\n\n| 列 | 値 |\n| --- | --- |\n| **太字** | 1 |\n"
    assert plain(body) == "見出し\n項目のリンク\n列　値\n太字　1"


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


def test_each_case_carries_its_id_and_full_organisation_name(corpus: Corpus, ids: list[str]) -> None:
    cases = search_data(corpus, use_directory_urls=False)["cases"]
    assert [c["id"] for c in cases] == ids
    assert {c["organisation"] for c in cases} >= {"茨城県五霞町", "東京都中野区", "高知県"}
    guide = cases[ids.index("ibaraki-goka-fixture-guide")]
    assert "OJTによって" in guide["text"] and "](" not in guide["text"], "plain text for snippets, without link targets"


def test_query_tables_come_from_the_taxonomy(corpus: Corpus) -> None:
    hints = query_hints(corpus.taxonomy)
    groups = {g["label"]: g for g in hints["synonyms"]}
    assert groups["DX推進員"]["names"] == ["DX推進員", "DX推進リーダー"]
    assert [b["id"] for b in hints["bands"]][0] == "under-10k" and hints["bands"][0]["max"] == 9999


def test_search_page_and_index_are_in_the_built_site(fixture_site: Path) -> None:
    script = (fixture_site / INDEX_SCRIPT).read_text(encoding="utf-8")
    assert script.startswith("(window.DXNAVI_SEARCH_QUEUE = window.DXNAVI_SEARCH_QUEUE || []).push({") and script.endswith("});\n")
    page = (fixture_site / "search.html").read_text(encoding="utf-8")
    for src in (INDEX_SCRIPT, SEMANTIC_SCRIPT):
        assert f'src="{src}"' in page
    for name in ("terms", "keyword-index", "ranking", "query", "fusion", "api", "ui-results", "ui-facets", "ui-header", "ui-search-page"):
        assert f'src="assets/javascripts/dxnavi/{name}.js"' in page
        assert (fixture_site / "assets/javascripts/dxnavi" / f"{name}.js").is_file()
    home = (fixture_site / "index.html").read_text(encoding="utf-8")
    assert 'href="search.html"' in home
    assert 'class="dxn-header-search"' in home and 'action="search.html"' in home, "every page has the header search box"
    assert INDEX_SCRIPT not in home, "ordinary pages load the index only when the reader searches"
    assert not (fixture_site / "assets/javascripts/dxnavi-search.js").exists()
