"""The real content: every case from the sources is here, clean, and linked as readers expect."""

from __future__ import annotations

from collections import Counter

import pytest

from builder.generate.pipeline import generate
from builder.models import Case
from builder.project import Project
from builder.validate import check_project
from conftest import REPO

GUIDEBOOK = [
    "茨城県五霞町", "長野県松本市", "静岡県小山町", "京都府福知山市", "福島県本宮市", "茨城県つくば市", "兵庫県三田市",
    "高知県南国市", "山形県庄内町", "福井県越前市", "岡山県井原市", "茨城県笠間市", "奈良県", "高知県",
]  # fmt: skip
CASEBOOK = [
    "広島県", "愛媛県", "大阪府", "静岡県", "奈良県三宅町", "東京都中野区", "石川県金沢市", "兵庫県神戸市", "栃木県真岡市", "滋賀県",
    "北海道", "福井県", "愛知県", "東京都", "福岡県北九州市", "静岡県袋井市", "茨城県つくば市", "愛知県豊田市", "山形県長井市",
]  # fmt: skip


@pytest.fixture(scope="module")
def result():
    return check_project(Project(REPO))


@pytest.fixture(scope="module")
def pages(result) -> dict[str, str]:
    return {f.path: f.content for f in generate(result.corpus)}  # type: ignore[misc]


def _cases(result) -> list[Case]:
    return [e.model for e in result.corpus.cases]  # type: ignore[misc]


def test_check_reports_nothing(result) -> None:
    assert [p.format() for p in result.problems] == []  # no errors and no warnings


def test_every_case_of_every_source_is_here(result) -> None:
    by_publication = Counter((c.source.publication, c.organisation.name) for c in _cases(result))
    expected = Counter(
        [("talent-guidebook", o) for o in GUIDEBOOK] + [("talent-casebook", o) for o in CASEBOOK] + [("senshin-jirei", "栃木県真岡市")]
    )
    assert by_publication == expected
    assert len(list((REPO / "cases").rglob("*.md"))) == 34


def test_the_other_pages_are_here(result) -> None:
    kinds = Counter(e.model.type for e in result.corpus.pages)
    assert kinds == {"policy": 1, "resource": 1, "message": 6, "dialogue": 1, "site": 1}


def test_cases_without_printed_keywords_have_three_to_eight(result) -> None:
    for case in _cases(result):
        if case.source.publication != "talent-guidebook":
            assert 3 <= len(case.keywords) <= 8, case.id


def test_categories_come_from_each_cases_own_publication(result) -> None:
    taxonomy = result.corpus.taxonomy
    for case in _cases(result):
        category = taxonomy.categories.resolve(case.category).entry
        assert category.publication == case.source.publication, case.id


def test_organisations_in_two_documents_link_both_ways(pages: dict[str, str]) -> None:
    pairs = [
        ("ibaraki-tsukuba-talent-guidebook", "ibaraki-tsukuba-talent-casebook"),
        ("tochigi-moka-talent-casebook", "tochigi-moka-senshin-jirei"),
    ]
    for a, b in pairs:
        assert f"({b}.md)" in pages[f"cases/{a}.md"]
        assert f"({a}.md)" in pages[f"cases/{b}.md"]
    oyama = pages["cases/shizuoka-oyama-talent-guidebook.md"]
    assert "(../documents/oyama-dx-policy.md)" in oyama
    assert "(../cases/shizuoka-oyama-talent-guidebook.md)" in pages["documents/oyama-dx-policy.md"]


def test_glossary_and_roles_come_from_their_documents(result, pages: dict[str, str]) -> None:
    taxonomy = result.corpus.taxonomy
    assert len(taxonomy.glossary) == 35 and {t.publication for t in taxonomy.glossary} == {"oyama-dx-policy"}
    assert [r.label for r in taxonomy.roles] == ["一般行政職員", "DX推進員", "全庁DX推進担当", "全庁情報システム担当", "管理監督職", "CIO補佐官・高度専門人材"]
    assert "## 用語の解説" in pages["keywords/ojt.md"]
    assert "## 用語解説" in pages["documents/oyama-dx-policy.md"]


def test_voices_are_linked_from_the_keywords_they_speak_to(result, pages: dict[str, str]) -> None:
    taxonomy = result.corpus.taxonomy
    linked = 0
    for entry in result.corpus.pages:
        for label in getattr(entry.model, "keywords", []):
            keyword = taxonomy.keywords.resolve(label).entry
            assert f"{entry.id}.md)" in pages[f"keywords/{keyword.id}.md"]
            linked += 1
    assert linked >= 10
