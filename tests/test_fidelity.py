"""Fidelity: every case says what its source says.

Compares cases with the source texts in ../shared/sources (not part of the
repository). Outside CI the tests skip when the sources are missing; in CI
(DXNAVI_REQUIRE_SOURCES=1, set by .ci/run) a missing folder is a failure.

Texts are compared after normalisation: PDF artifacts repaired, NFKC,
markup left by the extraction removed, whitespace removed.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest

from builder.artifacts import repair
from builder.generate.pipeline import generate
from builder.models import Case
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


def _case(corpus, case_id: str) -> Case:
    return next(e.model for e in corpus.cases if e.id == case_id)  # type: ignore[return-value]


@pytest.mark.parametrize("case_id", [c for c, _ in CASES])
def test_population_matches_the_source(corpus, case_id: str, guidebook, casebook_populations, sources) -> None:
    case = _case(corpus, case_id)
    publication = case.source.publication
    if publication == "talent-guidebook":
        printed = guidebook[case.organisation.name].population
    elif publication == "talent-casebook":
        printed = casebook_populations[int(case.source.item) - 1]
    else:
        match = re.search(r"人口([\d,]+人)\(([^)]+)\)", sources["senshin-jirei"])
        printed = match.group(1)
        assert case.population.as_of == match.group(2)
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
    printed = guidebook[case.organisation.name]
    assert sorted(compare_key(k) for k in case.keywords) == sorted(compare_key(k) for k in printed.keywords)
    assert norm(case.title) == norm(printed.title)  # the case page's title, not the 一覧 table's


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
            assert f"[{organisation}](../organisations/{organisation}.md)" in page, f"{keyword} → {organisation}"
            checked += 1
    assert checked == 21  # 10 rows of 頻出キーワード, 11 of 気になるキーワード


def test_ojt_keyword_page_lists_the_four_towns(corpus) -> None:
    page = {f.path: f.content for f in generate(corpus)}["keywords/ojt.md"]
    for organisation in ("茨城県五霞町", "静岡県小山町", "高知県南国市", "山形県庄内町"):
        assert f"[{organisation}](../organisations/{organisation}.md)" in page
