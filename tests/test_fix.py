"""``fix`` repairs what is safe, only when asked, and leaves everything else alone."""

from __future__ import annotations

import os
from pathlib import Path

from conftest import run_cli

PASTED = (
    "\ufeff---\r\n"
    "id: pasted-case\r\n"
    "# 資料から貼り付けた事例\r\n"
    "title: デジタル⼈材の育成\r\n"
    "organisation:\r\n"
    "  name: 茨城県五霞町\r\n"
    "  prefecture: 茨城県\r\n"
    "  kind: 町\r\n"
    "population:\r\n"
    "  value: 8000\r\n"
    "  text: 約8,000人\r\n"
    "category: 計画と制度\r\n"
    "keywords:\r\n"
    '  - "#OJT(職場内訓練)"\r\n'
    "  - BPR\r\n"
    "summary: 担当︓総務課。\u2028⺠間と連携します。\r\n"
    "source:\r\n"
    "  publication: fixture-guide\r\n"
    "  page: 4\r\n"
    "---\r\n"
    "\r\n"
    "\uf0d8デジタルデバйд対策\r\n"
)

FIXED = (
    "---\n"
    "id: pasted-case\n"
    "# 資料から貼り付けた事例\n"
    "title: デジタル人材の育成\n"
    "organisation:\n"
    "  name: 茨城県五霞町\n"
    "  prefecture: 茨城県\n"
    "  kind: 町\n"
    "population:\n"
    "  value: 8000\n"
    "  text: 約8,000人\n"
    "category: 計画と制度\n"
    "keywords:\n"
    '  - "OJT（職場内訓練）"\n'
    "  - BPR\n"
    "summary: 担当：総務課。民間と連携します。\n"
    "source:\n"
    "  publication: fixture-guide\n"
    "  page: 4\n"
    "---\n"
    "\n"
    "\uf0d8デジタルデバイド対策\n"
)


def test_fix_repairs_what_is_safe_and_reports_the_rest(project: Path) -> None:
    case = project / "cases" / "pasted-case.md"
    case.write_bytes(PASTED.encode("utf-8"))
    result = run_cli("fix", root=project)
    assert case.read_bytes().decode("utf-8") == FIXED
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "cases/pasted-case.md: BOM 1 件、CJK 部首補助（⺠ ⻑ など） 1 件、CRLF の改行 22 件、別表記 1 件、"
        "康熙部首（⼈ など、漢字に見える部首の文字） 1 件、日本語の語の中のキリル文字・ギリシャ文字など 1 件、縦書き用の記号（︓ など） 1 件、見えない改行文字 1 件を直しました"
    )
    # The private-use bullet needs a human: it stays, and fix says so and fails.
    assert "cases/pasted-case.md:22: 本文: 私用領域の文字（外字・記号フォント）があります: U+F0D8" in result.stdout
    assert result.returncode == 1


def test_fix_leaves_clean_files_untouched(project: Path) -> None:
    files = sorted((project / "cases").glob("*.md")) + sorted((project / "pages").glob("*.md"))
    before = {f: (f.read_bytes(), os.stat(f).st_mtime_ns) for f in files}
    result = run_cli("fix", root=project)
    assert result.returncode == 0
    assert result.stdout.splitlines()[0] == "自動で直せる問題はありませんでした。"
    assert {f: (f.read_bytes(), os.stat(f).st_mtime_ns) for f in files} == before


def test_check_never_fixes(project: Path) -> None:
    case = project / "cases" / "pasted-case.md"
    case.write_bytes(PASTED.encode("utf-8"))
    result = run_cli("check", root=project)
    assert result.returncode == 1
    assert case.read_bytes() == PASTED.encode("utf-8")


def test_fix_does_not_touch_invalid_utf8(project: Path) -> None:
    case = project / "cases" / "sjis-case.md"
    data = "---\nid: sjis-case\ntitle: 人材\n---\n".encode("shift_jis")
    case.write_bytes(data)
    run_cli("fix", root=project)
    assert case.read_bytes() == data
