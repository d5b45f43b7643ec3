"""check's markup rule finds HTML and script however YAML spells the value, and only in values
(validate._markup_problems searches all of a file's texts at once before it looks at each)."""

from __future__ import annotations

from pathlib import Path

import pytest

from builder.loading import read_document
from builder.validate import _markup_problems


def _found(tmp_path: Path, front_matter: str) -> list[tuple[int, str]]:
    file = tmp_path / "case.md"
    file.write_text(f"---\nid: case\n{front_matter}\n---\n本文に <b> があっても、この規則は本文を見ません。\n", encoding="utf-8")
    doc = read_document(file, "case.md")
    assert doc.located is not None, doc.problems
    return [(p.line, p.field) for p in _markup_problems(doc)]


@pytest.mark.parametrize(
    ("front_matter", "expected"),
    [
        ('summary: "\\x3cscript>alert(1)\\x3c/script>"', [(3, "summary")]),  # an escape makes the "<"
        ('summary: "java\\\n  script: alert(1)"', [(3, "summary")]),  # an escaped line break joins the words
        ("summary: 説明 <img\n  src=x onerror=alert(1)>", [(3, "summary")]),  # folded onto one line
        ("summary: |\n  一行目\n  <script>\n  alert(1)\n  </script>", [(3, "summary")]),  # a literal block
        ("summary: >-\n  説明\n  ONCLICK = alert(1)", [(3, "summary")]),  # a folded block, upper case
        ("interview:\n  - question: 質問\n    answer: 'it''s <b>bold</b>'", [(5, "interview[0].answer")]),
        ("links:\n  - title: リンク\n    url: https://example.jp/?a=<b>", []),  # URLs have their own rule
        ("summary: 2 < 3 で、5 > 4 です\n# <script> はコメントの中", []),
        ("summary: 「on」と「click」を = で結ぶ", []),
    ],
)
def test_markup_is_found_however_the_value_is_written(tmp_path: Path, front_matter: str, expected: list[tuple[int, str]]) -> None:
    assert _found(tmp_path, front_matter) == expected
