"""YAML slips (issue 10): check names the line to edit and a hint that fixes it, and one
unreadable front matter does not hide the problems that can be found without it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from builder.project import Project
from builder.validate import check_project
from conftest import FIXTURE, REPO, run_cli

SLIPS = yaml.safe_load((REPO / "tests" / "yaml_slips.yml").read_text(encoding="utf-8"))
CASE = (FIXTURE / "cases" / "ibaraki-goka-fixture-guide.md").read_text(encoding="utf-8")
NOTE = "（この誤りを直すと、ほかの項目も確認します）"


def _edited(edits: dict[int, str]) -> str:
    lines = CASE.split("\n")
    for number, text in edits.items():
        lines[number - 1] = text
    return "\n".join(lines)


def _check(root: Path, folder: Path, text: str):
    file = folder / "ibaraki-goka-fixture-guide.md"
    file.write_text(text, encoding="utf-8")
    return check_project(Project(root), [file]).problems


@pytest.mark.parametrize("slip", SLIPS, ids=[s["id"] for s in SLIPS])
def test_slip_is_reported_on_the_line_to_edit(fixture_root: Path, tmp_path: Path, slip: dict) -> None:
    problems = _check(fixture_root, tmp_path, _edited(slip["edit"]))
    yaml_problems = [p for p in problems if p.rule.id.startswith("yaml")]
    assert len(yaml_problems) == 1, [p.format() for p in problems]
    found = yaml_problems[0]
    assert (found.line, found.field, found.rule.id) == (slip["line"], slip["field"], slip.get("rule", "yaml-syntax"))
    assert found.message == slip["message"]
    assert found.hint == slip["hint"] + NOTE
    # Doing what the hint says gives a front matter that reads.
    assert [p.format() for p in _check(fixture_root, tmp_path, _edited(slip["fixed"])) if p.rule.id.startswith("yaml")] == []


def test_the_reported_case_from_the_issue(fixture_root: Path, tmp_path: Path) -> None:
    """The contributor's file: a list item without its colon, once said to need quotes."""
    file = tmp_path / "ibaraki-goka-fixture-guide.md"
    file.write_text(_edited({20: "  - question 実施によりどのような効果がありましたか"}), encoding="utf-8")
    result = run_cli("check", str(file), root=fixture_root)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout.splitlines()[0] == (
        f"{file.as_posix()}:20: interview[0].question: 「question」の後に「:」がありません — "
        "項目名の後に半角の「:」と半角スペースを書いてください（例: question: 値）" + NOTE + " [yaml-syntax]"
    )


def test_unreadable_yaml_still_reports_pasted_characters_and_full_width_numbers(fixture_root: Path, tmp_path: Path) -> None:
    text = _edited({11: 'category "計画と制度"', 9: "  value: ８，０００", 15: "summary: テスト⽤の概要です。"})
    problems = _check(fixture_root, tmp_path, text)
    shown = [(p.line, p.field, p.rule.id) for p in problems]
    assert shown == [(9, "population.value", "number-text"), (11, "category", "yaml-syntax"), (15, "フロントマター", "kangxi-radical")]
    number = problems[0]
    assert number.message == "数の項目が全角数字・カンマを含む文字「８，０００」になっています"
    assert number.hint == "半角数字だけで 8000 と書いてください"
    assert not number.fixable  # fix leaves a front matter that does not parse alone
    assert problems[1].hint.endswith(NOTE)  # says that the other checks wait for the YAML
