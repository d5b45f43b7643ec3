"""The bad-input corpus: every file a contributor could submit gets its own message.

For each file: the exact expected lines (path:line: field: what — how [rule]),
exit 1 (0 when there are only warnings), no traceback, file unchanged.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import yaml

from builder import rules
from conftest import BAD_INPUT, REPO, run_cli

EXPECTED: dict[str, list[str]] = yaml.safe_load((BAD_INPUT / "expected.yml").read_text(encoding="utf-8"))
DUPLICATE_ID = [
    "tests/bad_input/duplicate-id/first/duplicate-id-case.md",
    "tests/bad_input/duplicate-id/second/duplicate-id-case.md",
]


def _digest(paths: list[Path]) -> list[str]:
    return [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths]


def _check(fixture_root: Path, files: list[str]):
    before = _digest([REPO / f for f in files])
    result = run_cli("check", *files, root=fixture_root)
    assert _digest([REPO / f for f in files]) == before, "check must not modify the files it checks"
    assert "Traceback" not in result.stdout + result.stderr
    return result


def test_every_corpus_file_has_an_expectation() -> None:
    files = {p.name for p in BAD_INPUT.glob("*.md")}
    assert files == set(EXPECTED) - {"duplicate-id"}


@pytest.mark.parametrize("name", sorted(set(EXPECTED) - {"duplicate-id"}))
def test_bad_input_message(fixture_root: Path, name: str) -> None:
    result = _check(fixture_root, [f"tests/bad_input/{name}"])
    lines = result.stdout.splitlines()
    assert lines[:-1] == EXPECTED[name]
    only_warnings = all("警告: " in line for line in EXPECTED[name])
    assert result.returncode == (0 if only_warnings else 1)
    assert lines[-1].endswith("（1 ファイルを確認）")


def test_duplicate_id_across_folders(fixture_root: Path) -> None:
    result = _check(fixture_root, DUPLICATE_ID)
    assert result.stdout.splitlines()[:-1] == EXPECTED["duplicate-id"]
    assert result.returncode == 1


def test_five_megabyte_file(fixture_root: Path, tmp_path: Path) -> None:
    # Generated rather than committed: a 5 MB file does not belong in the repository.
    big = tmp_path / "huge-case.md"
    big.write_bytes(b"---\nid: huge-case\n---\n" + "あ".encode() * (5 * 1024 * 1024 // 3))
    result = run_cli("check", str(big), root=fixture_root)
    assert result.stdout.splitlines()[0] == (
        f"{big.as_posix()}:1: ファイル: ファイルが大きすぎます（{big.stat().st_size:,} バイト） — "
        "1 MB 以下にしてください。資料の全文ではなく、事例の部分だけを書き写します [file-too-large]"
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr


def test_missing_file(fixture_root: Path) -> None:
    result = run_cli("check", "tests/bad_input/no-such-case.md", root=fixture_root)
    assert result.stdout.splitlines()[0] == (
        "tests/bad_input/no-such-case.md:1: ファイル: ファイルが見つかりません — パスとファイル名（.md）を確かめてください [file-not-found]"
    )
    assert result.returncode == 1


def test_github_actions_annotations(fixture_root: Path) -> None:
    from conftest import cli_env

    result = run_cli("check", "tests/bad_input/unknown-keyword.md", root=fixture_root, env=cli_env(GITHUB_ACTIONS="true"))
    assert (
        "::error file=tests/bad_input/unknown-keyword.md,line=13,title=unknown-keyword::keywords[0]: 「OJT研修」はキーワード一覧にありません"
        " — もしかして「OJT（職場内訓練）」ですか？ 新しい語は taxonomy/keywords.yml に追加してください"
    ) in result.stdout.splitlines()


def test_every_case_rule_is_exercised() -> None:
    """A rule without a corpus file (or a taxonomy test) would be a rule nobody has seen fail."""
    seen = {line.rsplit("[", 1)[1].rstrip("]") for lines in EXPECTED.values() for line in lines}
    seen |= {"file-too-large", "file-not-found"}
    seen |= {"symlink", "special-file", "outside-project"}  # need links, FIFOs, devices: test_hostile_files.py
    seen |= {"tracked-cache"}  # needs a git checkout that tracks the cache: test_hostile_files.py
    taxonomy_rules = {r.id for r in rules.ALL_RULES if r.id.startswith("taxonomy-")}
    assert {r.id for r in rules.ALL_RULES} - taxonomy_rules - seen == set()
