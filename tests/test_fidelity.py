"""Fidelity: every case says what its source says.

Compares cases with the source texts in ../shared/sources (not part of the
repository). Outside CI the tests skip when the sources are missing; in CI
(DXNAVI_REQUIRE_SOURCES=1, set by .ci/run) a missing folder is a failure.

Texts are compared after normalisation: PDF artifacts repaired, NFKC,
markup left by the extraction removed, whitespace removed.

A case whose source is not among these texts (a new publication, an
organisation the text does not have) is skipped, saying which and why: these
tests check the transcription of the known sources; a contributor's own check
is ``python -m builder check``.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest

from builder.artifacts import repair
from builder.generate.pipeline import generate
from builder.models import Case, CaseSource, Organisation
from builder.project import Project
from builder.textnorm import compare_key
from builder.validate import check_project
from conftest import REPO

SOURCES = Path(os.environ.get("DXNAVI_SOURCES", REPO.parent / "shared" / "sources"))
FILES = {
    "talent-guidebook": "000_b78fbeb7f682da13.txt",
    "talent-casebook": "002_4da57fce8a0da417.txt",
    "senshin-jirei": "004_c1c165d6c0c4f90d.txt",
}

_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")


def norm(text: str) -> str:
    """Comparison form: artifacts repaired, NFKC, no extraction markup, no whitespace."""
    text = unicodedata.normalize("NFKC", repair(text)).replace("苦勞", "苦労")
    text = re.sub(r"\*\*|</?u>", "", text)
    text = _PRIVATE_USE.sub("", text)  # bullets from symbol fonts
    return re.sub(r"\s+", "", text)


@dataclass
class GuidebookCase:
    organisation: str
    population: str
    title: str
    keywords: list[str]


@pytest.fixture(scope="module")
def sources() -> dict[str, str]:
    if not SOURCES.is_dir():
        message = (
            f"元資料のテキストがありません: {SOURCES} — fidelity テストを動かすには、リポジトリの隣の "
            "shared/sources/ に資料のテキスト（000_…txt など）を置くか、DXNAVI_SOURCES で場所を指定してください"
        )
        if os.environ.get("DXNAVI_REQUIRE_SOURCES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return {publication: (SOURCES / name).read_text(encoding="utf-8") for publication, name in FILES.items()}


@pytest.fixture(scope="module")
def normalised(sources: dict[str, str]) -> dict[str, str]:
    return {publication: norm(text) for publication, text in sources.items()}


@pytest.fixture(scope="module")
def guidebook(sources: dict[str, str]) -> dict[str, GuidebookCase]:
    """The 14 case pages of the guidebook: organisation, population, title and printed keywords."""
    blocks = re.findall(
        r"(?m)^\s*(\S+)\s*\n\s*人口[:：](\S+)\s*\n\s*\n([^\n]+)\n\s*\nキーワード:\s*([^\n]+)$", sources["talent-guidebook"]
    )
    assert len(blocks) == 14
    return {
        org: GuidebookCase(org, population, title, [k.strip() for k in keywords.split("#") if k.strip()])
        for org, population, title, keywords in blocks
    }


@pytest.fixture(scope="module")
def casebook_populations(normalised: dict[str, str]) -> list[str]:
    """Population texts of the 19 casebook cases, in item order (from each 【参考情報】)."""
    found = re.findall(r"【参考情報】(\S*?)人口:([\d.,]+万人)", normalised["talent-casebook"])
    assert len(found) == 19
    return [population for _, population in found]


CASES = sorted((p.stem, p) for p in (REPO / "cases").rglob("*.md"))


@pytest.fixture(scope="module")
def corpus():
    result = check_project(Project(REPO))
    assert result.corpus is not None
    return result.corpus


def _no_source(case_id: str, why: str) -> None:
    pytest.skip(f"{case_id}: {why}。資料との照合を飛ばします（事例の確認は python -m builder check で行います）")


def _case(corpus, case_id: str) -> Case:
    case = next((e.model for e in corpus.cases if e.id == case_id), None)
    if case is None:
        _no_source(case_id, "check でエラーがあり事例として読み込めないため")
    if case.source.publication not in FILES:
        _no_source(case_id, f"出典資料「{case.source.publication}」のテキストが {SOURCES} にないため")
    return case  # type: ignore[return-value]


def _guidebook_case(case_id: str, case: Case, guidebook: dict[str, GuidebookCase]) -> GuidebookCase:
    if case.organisation.name not in guidebook:
        _no_source(case_id, f"団体「{case.organisation.name}」の事例ページが資料「talent-guidebook」のテキストにないため")
    return guidebook[case.organisation.name]


def printed_population(case_id: str, case: Case, guidebook, casebook_populations, sources) -> str:
    """The population as the case's source prints it (skips the test when the source does not have the case)."""
    publication = case.source.publication
    if publication == "talent-guidebook":
        return _guidebook_case(case_id, case, guidebook).population
    if publication == "talent-casebook":
        item = case.source.item or ""
        if not item.isdigit() or not 1 <= int(item) <= len(casebook_populations):
            _no_source(case_id, f"項番「{item}」の事例が資料「talent-casebook」のテキストにないため")
        return casebook_populations[int(item) - 1]
    match = re.search(r"人口([\d,]+人)\(([^)]+)\)", sources[publication])
    if match is None:
        _no_source(case_id, f"資料「{publication}」のテキストに人口の記載がないため")
    assert case.population.as_of == match.group(2)
    return match.group(1)


@pytest.mark.parametrize("case_id", [c for c, _ in CASES])
def test_population_matches_the_source(corpus, case_id: str, guidebook, casebook_populations, sources) -> None:
    case = _case(corpus, case_id)
    printed = printed_population(case_id, case, guidebook, casebook_populations, sources)
    assert norm(case.population.text) == norm(printed)


@pytest.mark.parametrize("case_id", [c for c, _ in CASES])
def test_summary_title_and_answers_are_the_sources_words(corpus, normalised, case_id: str) -> None:
    case = _case(corpus, case_id)
    source = normalised[case.source.publication]
    assert norm(case.title) in source
    if case.summary:
        assert norm(case.summary) in source
    for number, qa in enumerate(case.interview, 1):
        assert norm(qa.question) in source, f"question {number}"
        for line in qa.answer.split("\n"):
            if line.strip():
                assert norm(line) in source, f"answer {number}: {line[:30]}"


@pytest.mark.parametrize("case_id", [c for c, _ in CASES if c.endswith("-talent-guidebook")])
def test_guidebook_keywords_and_title_are_the_printed_ones(corpus, guidebook, case_id: str) -> None:
    case = _case(corpus, case_id)
    printed = _guidebook_case(case_id, case, guidebook)
    assert sorted(compare_key(k) for k in case.keywords) == sorted(compare_key(k) for k in printed.keywords)
    assert norm(case.title) == norm(printed.title)  # the case page's title, not the 一覧 table's


def _lists(page: str, organisation: str) -> bool:
    """A listing on ``page`` has a row of ``organisation`` (linked to its page if it has more than one case or page).

    Listings reach MkDocs as HTML (builder/generate/table_html.py), a table that is not plain as Markdown.
    """
    linked = f'<a href="../organisations/{quote(organisation)}.html">{organisation}</a>'
    return any(row in page for row in (f"<tr>\n<td>{organisation}</td>", f"<tr>\n<td>{linked}</td>")) or (
        f"\n| {organisation} | " in page or f"\n| [{organisation}](../organisations/{organisation}.md) | " in page
    )


def test_keyword_index_tables_are_reproduced(corpus, sources) -> None:
    text = sources["talent-guidebook"]
    pages = {f.path: f.content for f in generate(corpus)}
    checked = 0
    for table in ("頻出キーワード", "気になるキーワード"):
        rows = text[text.index(table + "\t団体名\tページ") :].split("\n")[1:]
        keyword = None
        for row in rows:
            if not row.strip():
                break
            cells = row.split("\t")
            keyword = cells[0].strip().lstrip("#") or keyword
            organisation = cells[1].strip()
            entry = corpus.taxonomy.keywords.resolve(keyword)
            assert entry is not None and entry.exact, keyword
            page = pages[f"keywords/{entry.entry.id}.md"]
            assert _lists(page, organisation), f"{keyword} → {organisation}"
            checked += 1
    assert checked == 21  # 10 rows of 頻出キーワード, 11 of 気になるキーワード


def test_ojt_keyword_page_lists_the_four_towns(corpus) -> None:
    page = {f.path: f.content for f in generate(corpus)}["keywords/ojt.md"]
    for organisation in ("茨城県五霞町", "静岡県小山町", "高知県南国市", "山形県庄内町"):
        assert _lists(page, organisation), organisation


def test_a_case_the_sources_do_not_have_is_skipped_with_its_reason() -> None:
    """A new organisation's case: a skip naming the case and the reason, not a bare KeyError (runs without the sources)."""
    case = Case.model_construct(
        organisation=Organisation.model_construct(name="長野県みどり野町"),
        source=CaseSource.model_construct(publication="talent-guidebook", page=30),
    )
    with pytest.raises(pytest.skip.Exception) as skipped:
        printed_population("nagano-midorino-talent-guidebook", case, {}, [], {})
    assert str(skipped.value) == (
        "nagano-midorino-talent-guidebook: 団体「長野県みどり野町」の事例ページが資料「talent-guidebook」のテキストにないため。"
        "資料との照合を飛ばします（事例の確認は python -m builder check で行います）"
    )
