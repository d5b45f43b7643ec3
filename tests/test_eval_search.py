"""eval-search: metrics, the labelled set, the loader's errors, the BM25 anchor and one real run."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from builder.evaluation import bm25, casepages, metrics, report
from builder.evaluation.labels import KINDS, LabelError, load_labels
from builder.evaluation.results import EngineRun, score
from conftest import REPO, assemble_project, run_cli

LABELS = REPO / "tests" / "search_eval" / "queries.yml"
CASE_IDS = sorted(path.stem for path in (REPO / "cases").glob("*.md"))


# --- metrics, on examples worked by hand ---------------------------------------------------


def test_dcg_uses_exponential_gain_and_log2_discount() -> None:
    # (2^3-1)/log2(2) + (2^0-1)/log2(3) + (2^2-1)/log2(4) = 7 + 0 + 1.5
    assert metrics.dcg([3, 0, 2]) == pytest.approx(8.5)


def test_ndcg_against_the_ideal_order() -> None:
    relevance = {"a": 3, "b": 1, "c": 2}
    # actual [a, x, c, b]: 7 + 0 + 3/2 + 1/log2(5) = 8.930677; ideal [3, 2, 1]: 7 + 3/log2(3) + 1/2 = 9.392789
    assert metrics.ndcg_at_k(["a", "x", "c", "b"], relevance) == pytest.approx(8.930677 / 9.392789, abs=1e-6)
    assert metrics.ndcg_at_k(["a", "c", "b"], relevance) == pytest.approx(1.0)
    assert metrics.ndcg_at_k([], relevance) == 0.0
    assert metrics.ndcg_at_k(["x", "y"], relevance) == 0.0


def test_ndcg_counts_only_the_top_k_and_each_case_once() -> None:
    relevance = {"a": 2}
    ranking = [f"x{i}" for i in range(10)] + ["a"]
    assert metrics.ndcg_at_k(ranking, relevance) == 0.0  # eleventh
    assert metrics.ndcg_at_k(ranking, relevance, k=11) == pytest.approx(1 / math.log2(12))
    assert metrics.ndcg_at_k(["a", "a"], {"a": 1, "b": 1}) == pytest.approx(1 / (1 + 1 / math.log2(3)))


def test_recall_counts_cases_graded_one_or_more() -> None:
    relevance = {"a": 3, "b": 1, "c": 2}
    assert metrics.recall_at_k(["a", "x", "c"], relevance) == pytest.approx(2 / 3)
    assert metrics.recall_at_k(["x"] * 3, relevance) == 0.0
    assert metrics.recall_at_k(["b", "a", "c"], relevance, k=1) == pytest.approx(1 / 3)


def test_scores_are_averaged_per_kind() -> None:
    queries = load_labels(LABELS, CASE_IDS)
    perfect = {q.text: sorted(q.relevance, key=lambda case: -q.relevance[case]) for q in queries}
    result = score(EngineRun("ideal", "ideal", perfect), queries)
    assert result.overall.ndcg == pytest.approx(1.0)
    assert set(result.kinds) == set(KINDS)
    assert score(EngineRun("down", "down", unavailable="why"), queries).overall is None


# --- the labelled set ----------------------------------------------------------------------


def test_the_labelled_set_is_valid_against_the_real_cases() -> None:
    queries = load_labels(LABELS, CASE_IDS)
    assert len(queries) >= 48
    for kind in KINDS:
        assert sum(q.kind == kind for q in queries) >= 10, kind
    assert all(max(q.relevance.values()) >= 2 for q in queries)  # every query has a case that covers it
    assert len({q.text for q in queries}) == len(queries)


def test_loader_errors_carry_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "queries.yml"
    bad.write_text(
        "- query: OJT\n"  # 1
        "  kind: topic\n"
        "  relevant:\n"
        "    no-such-case: 3\n"  # 4
        "- query: ＯＪＴ\n"  # 5: the same query after NFKC
        "  kind: topics\n"  # 6
        "  relevant:\n"
        "    aichi-talent-casebook: 4\n"  # 8
        "  grade: 3\n",  # 9
        encoding="utf-8",
    )
    with pytest.raises(LabelError) as raised:
        load_labels(bad, CASE_IDS, shown_as="queries.yml")
    problems = raised.value.problems
    assert any(p.startswith("queries.yml:4: unknown case id 'no-such-case'") for p in problems), problems
    assert any(p.startswith("queries.yml:5: query 'ＯＪＴ' repeats the query on line 1") for p in problems), problems
    assert any(p.startswith("queries.yml:6: kind must be one of") for p in problems), problems
    assert any(p.startswith("queries.yml:8: grade of 'aichi-talent-casebook' must be 1, 2 or 3") for p in problems), problems
    assert any(p.startswith("queries.yml:9: unknown key 'grade'") for p in problems), problems


def test_loader_reports_yaml_mistakes_with_their_line(tmp_path: Path) -> None:
    bad = tmp_path / "queries.yml"
    bad.write_text(
        "- query: OJT\n  kind: topic\n  relevant:\n    aichi-talent-casebook: 3\n    aichi-talent-casebook: 2\n", encoding="utf-8"
    )
    with pytest.raises(LabelError) as raised:
        load_labels(bad, CASE_IDS)
    assert raised.value.problems == [f"{bad}:5: 'aichi-talent-casebook' is listed twice"]


# --- the plain BM25 anchor -----------------------------------------------------------------


def test_bm25_tokens_are_words_and_bigrams() -> None:
    assert bm25.tokens("ITパスポート・ＯＪＴ 研") == ["it", "パス", "スポ", "ポー", "ート", "ojt", "研"]


def test_bm25_prefers_the_rare_term_and_the_shorter_document() -> None:
    index = bm25.Bm25({"long": "研修 " * 40 + "監査", "short": "研修 監査", "none": "別の話"})
    ranked = [doc for doc, _ in index.search("監査")]
    assert ranked == ["short", "long"]
    assert index.search("存在しない語") == []


def test_bm25_anchor_ranks_the_case_with_a_rare_term_first(fixture_site: Path) -> None:
    ids = sorted(p.stem for p in (REPO / "tests" / "fixtures" / "project" / "cases").glob("*.md"))
    texts = casepages.case_texts(fixture_site, ids)
    assert "市町村支援チームが個別訪問を行います。" in texts["kochi-fixture-guide"]
    assert "検索" not in texts["kochi-fixture-guide"].split("\n")[0]  # header and navigation are not article text
    ranked = bm25.Bm25(texts).search("個別訪問")
    assert ranked[0][0] == "kochi-fixture-guide"


def test_case_urls_of_every_engine_map_to_ids() -> None:
    assert casepages.case_id_from_url("/cases/a-b.html") == "a-b"
    assert casepages.case_id_from_url("cases/a-b.html#q1") == "a-b"
    assert casepages.case_id_from_url("http://127.0.0.1:1/sub/cases/a-b.html?q=x") == "a-b"
    assert casepages.case_id_from_url("/keywords/ojt.html") is None


def test_summary_says_which_kinds_are_lost() -> None:
    queries = load_labels(LABELS, CASE_IDS)
    ideal = {q.text: sorted(q.relevance, key=lambda case: -q.relevance[case]) for q in queries}
    site = score(EngineRun("site:hybrid", "site hybrid", ideal), queries)
    anchor = score(EngineRun("bm25", "bm25", {q.text: [] for q in queries}), queries)
    assert "beats every anchor overall: yes; on every kind: yes" in report.summary([site, anchor], "hybrid")
    weak = score(EngineRun("site:hybrid", "site hybrid", {q.text: [] for q in queries}), queries)
    strong = score(EngineRun("bm25", "bm25", ideal), queries)
    text = report.summary([weak, strong], "hybrid")
    assert "beats every anchor overall: no; on every kind: no (not on topic to bm25 (0.000 ≤ 1.000)" in text


def test_report_shows_unavailable_modes_and_the_worst_losses() -> None:
    queries = load_labels(LABELS, CASE_IDS)
    ideal = {q.text: sorted(q.relevance, key=lambda case: -q.relevance[case]) for q in queries}
    worse = dict(ideal, パスポート=[])
    scores = [
        score(EngineRun("site:semantic", "site semantic", unavailable="semantic search unavailable: no model"), queries),
        score(EngineRun("site:hybrid", "site hybrid (default)", worse), queries),
        score(EngineRun("bm25", "bm25 (plain bigrams)", ideal), queries),
    ]
    text = report.render(scores, queries, len(CASE_IDS), "hybrid")
    assert "site semantic" in text and "n/a: semantic search unavailable: no model" in text
    assert "-1.000  infix      「パスポート」 site:hybrid 0.000, bm25 1.000" in text
    assert "ibaraki-kasama-talent-guidebook(3)#-" in text
    assert text.splitlines()[-1].startswith("summary: site hybrid (default) nDCG@10")


def test_unknown_modes_are_refused_before_any_build() -> None:
    result = run_cli("eval-search", "--modes", "keyword,fuzzy", "--anchors", "")
    assert result.returncode == 2
    assert "unknown mode 'fuzzy'" in result.stderr


# --- one real run in Chromium ---------------------------------------------------------------

FIXTURE_QUERIES = """\
- query: 個別訪問
  kind: topic
  relevant:
    kochi-fixture-guide: 3
- query: アンケート
  kind: infix
  relevant:
    ibaraki-goka-fixture-guide: 3
"""


@pytest.mark.browser
def test_harness_reports_numbers_for_the_site_and_bm25(tmp_path: Path) -> None:
    root = assemble_project(tmp_path / "project")
    labels = tmp_path / "queries.yml"
    labels.write_text(FIXTURE_QUERIES, encoding="utf-8")
    out = tmp_path / "result.json"
    result = run_cli("eval-search", "--modes", "keyword", "--anchors", "bm25", "--labels", str(labels), "--json", str(out), root=root)
    assert result.returncode == 0, result.stdout + result.stderr
    engines = {engine["name"]: engine for engine in json.loads(out.read_text(encoding="utf-8"))["engines"]}
    site = engines["site:keyword"]
    if not site["available"] and "page API is missing" in site["unavailable"]:
        pytest.skip(f"the site's page API (window.caseSearch) is not there yet: {site['unavailable']}")
    assert site["available"], site["unavailable"]
    for engine in (site, engines["bm25"]):
        assert 0.0 <= engine["overall"]["ndcg"] <= 1.0
        assert engine["overall"]["queries"] == 2
    assert engines["bm25"]["per_query"][0]["ranking"][0] == "kochi-fixture-guide"
    assert "site keyword" in result.stdout and "bm25 (plain bigrams)" in result.stdout
    assert "summary:" in result.stdout
