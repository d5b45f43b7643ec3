"""Numbers pasted from a PDF (issue 10): ６，２００ in an integer field is named, fixed by ``fix``,
and read the same way as the printed population text."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from builder.models import Case
from builder.numbers import ANY_ITEM, as_integer, integer_fields
from conftest import run_cli

FIX_NOTE = "（python -m builder fix で自動修正できます）"


def _case(project: Path, value: str, text: str, page: str = "4") -> Path:
    case = project / "cases" / "ibaraki-goka-fixture-guide.md"
    lines = case.read_text(encoding="utf-8").split("\n")
    assert lines[8:10] == ["  value: 8000", "  text: 約8,000人"] and lines[17] == "  page: 4"
    lines[8:10] = [f"  value: {value}", f"  text: {text}"]
    lines[17] = f"  page: {page}"
    case.write_text("\n".join(lines), encoding="utf-8")
    return case


def test_integer_fields_come_from_the_model() -> None:
    assert set(integer_fields(Case)) == {("population", "value"), ("source", "page")}

    class Year(BaseModel):
        year: int | None = None

    class Report(BaseModel):
        title: str
        years: list[Year]
        count: int

    assert set(integer_fields(Report)) == {("years", ANY_ITEM, "year"), ("count",)}


def test_reading_is_nfkc_without_commas_and_spaces() -> None:
    assert [as_integer(t) for t in ("６２００", "６，２００", "8,000", "6 200", "６\u3000２００", "約8000", "0.7万", "")] == [
        6200, 6200, 8000, 6200, 6200, None, None, None,
    ]  # fmt: skip


def test_full_width_digits_are_named_and_fixed(project: Path) -> None:
    case = _case(project, "６，２００", "約６，２００人", page='"４"')
    result = run_cli("check", root=project)
    assert result.returncode == 1
    assert result.stdout.splitlines()[:-1] == [
        "cases/ibaraki-goka-fixture-guide.md:9: population.value: 数の項目が全角数字・カンマを含む文字「６，２００」になっています"
        f" — 半角数字だけで 6200 と書いてください{FIX_NOTE} [number-text]",
        "cases/ibaraki-goka-fixture-guide.md:18: source.page: 数の項目が全角数字・引用符を含む文字「\"４\"」になっています"
        f" — 半角数字だけで 4 と書いてください{FIX_NOTE} [number-text]",
    ]  # and no population-text problem: 約６，２００人 reads as 6200, like the value
    fixed = run_cli("fix", root=project)
    assert fixed.stdout.splitlines()[0] == "cases/ibaraki-goka-fixture-guide.md: 数の書き方 2 件を直しました"
    assert fixed.returncode == 0, fixed.stdout
    lines = case.read_text(encoding="utf-8").split("\n")
    assert (lines[8], lines[9], lines[17]) == ("  value: 6200", "  text: 約６，２００人", "  page: 4")  # the printed text stays


def test_a_real_mismatch_is_still_reported(project: Path) -> None:
    _case(project, "６２００", "約６，３００人")
    result = run_cli("check", root=project)
    assert result.returncode == 1
    assert result.stdout.splitlines()[:-1] == [
        "cases/ibaraki-goka-fixture-guide.md:9: population: 人口の数値 6200 が表記「約６，３００人」（= 6300）と一致しません"
        " — value を 6300 にするか、text を資料の表記に合わせてください [population-text]",
        "cases/ibaraki-goka-fixture-guide.md:9: population.value: 数の項目が全角数字を含む文字「６２００」になっています"
        f" — 半角数字だけで 6200 と書いてください{FIX_NOTE} [number-text]",
    ]


def test_commas_and_spaces_are_fixed_too(project: Path) -> None:
    case = _case(project, "8,000", "約8,000人")
    assert "「8,000」になっています" in run_cli("check", root=project).stdout
    assert run_cli("fix", root=project).returncode == 0
    assert case.read_text(encoding="utf-8").split("\n")[8] == "  value: 8000"
