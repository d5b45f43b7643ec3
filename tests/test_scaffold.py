"""``new``: a scaffolded case explains every field, and check then says what is left to fill."""

from __future__ import annotations

from pathlib import Path

import yaml

from builder.models import Case
from conftest import run_cli

NEW = ["new", "--organisation", "長野県松本市", "--slug", "matsumoto", "--title", "若手の研究活動を業務として認定", "--publication", "fixture-guide", "--page", "8"]


def test_new_case_has_every_field_explained(project: Path) -> None:
    result = run_cli(*NEW, root=project)
    assert result.returncode == 0
    case = project / "cases" / "nagano-matsumoto-fixture-guide.md"
    assert result.stdout.startswith("cases/nagano-matsumoto-fixture-guide.md を作りました。")
    text = case.read_text(encoding="utf-8")
    front_matter = yaml.safe_load(text.split("\n---\n")[0][4:])
    assert front_matter["id"] == "nagano-matsumoto-fixture-guide"
    assert front_matter["organisation"] == {"name": "長野県松本市", "prefecture": "長野県", "kind": "市"}
    assert front_matter["source"] == {"publication": "fixture-guide", "page": 8}
    for name, info in Case.model_fields.items():
        assert f"# {info.title}: " in text, name  # every field is explained ...
        assert f"{name}:" in text, name  # ... and present (optional ones commented out)


def test_check_lists_what_is_left_to_fill(project: Path) -> None:
    run_cli(*NEW, root=project)
    result = run_cli("check", "cases/nagano-matsumoto-fixture-guide.md", root=project, cwd=project)
    lines = result.stdout.splitlines()
    assert [line.split(": ")[1] for line in lines[:-1]] == ["population.value", "population.text", "category", "keywords"]
    assert result.returncode == 1


def test_new_prefecture_case_needs_no_slug(project: Path) -> None:
    result = run_cli("new", "--organisation", "北海道", "--title", "全職員の研修", "--publication", "fixture-guide", "--item", "3", root=project)
    assert result.returncode == 0
    data = yaml.safe_load((project / "cases" / "hokkaido-fixture-guide.md").read_text(encoding="utf-8").split("\n---\n")[0][4:])
    assert data["organisation"] == {"name": "北海道", "prefecture": "北海道", "kind": "都道府県"}
    assert data["source"] == {"publication": "fixture-guide", "item": "3"}


def test_new_refuses_to_overwrite(project: Path) -> None:
    existing = project / "cases" / "ibaraki-goka-fixture-guide.md"
    before = existing.read_bytes()
    result = run_cli("new", "--organisation", "茨城県五霞町", "--slug", "goka", "--title", "x", "--publication", "fixture-guide", root=project)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "cases/ibaraki-goka-fixture-guide.md は既にあります。上書きはしません — 同じ事例なら既存のファイルを直し、"
        "別の事例なら --slug や出典を見直して別の id にしてください。"
    ]
    assert existing.read_bytes() == before


def test_new_explains_bad_answers(project: Path) -> None:
    cases = [
        (["--title", "x"], "団体名がありません — --organisation 茨城県五霞町 のように指定してください"),
        (["--organisation", "五霞町", "--slug", "goka", "--title", "x", "--publication", "fixture-guide"],
         "団体名「五霞町」から都道府県と団体区分が分かりません — 「茨城県五霞町」のように都道府県名から書いてください"),
        (["--organisation", "茨城県五霞町", "--slug", "Goka Town", "--title", "x", "--publication", "fixture-guide"],
         "団体名のローマ字（--slug）を半角の英小文字・数字・ハイフンで指定してください（例: --slug goka）"),
        (["--organisation", "北海道", "--title", "x", "--publication", "fixture-guid"],
         "出典資料「fixture-guid」は登録されていません — もしかして「fixture-guide」ですか？ 登録済み: fixture-guide, "
         "fixture-casebook, fixture-policy-doc（新しい資料は taxonomy/publications.yml に追加します）"),
    ]  # fmt: skip
    before = sorted((project / "cases").iterdir())
    for args, message in cases:
        result = run_cli("new", *args, root=project)
        assert (result.returncode, result.stdout.strip()) == (1, message)
    assert sorted((project / "cases").iterdir()) == before  # nothing was created
