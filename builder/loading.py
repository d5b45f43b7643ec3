"""Reading a Markdown file with YAML front matter, and every way that can fail.

Nothing here raises on bad input: each failure becomes a ``Problem`` with the
line it is on, and reading goes on as far as it sensibly can so a contributor
sees all problems at once.
"""

from __future__ import annotations

import bisect
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from builder import artifacts, rules, safefiles
from builder.diagnostics import Problem
from builder.yamlsource import Located, YamlIssue, format_path, load

MAX_BYTES = 1_000_000  # a long case is about 30 KB; anything near this is a paste gone wrong

_DELIMITER = re.compile(r"^---[ \t]*$")
_CLOSING = re.compile(r"^(?:---|\.\.\.)[ \t]*$")

_ARTIFACT_HINTS = {
    "kangxi-radical": "部首の文字は漢字に見えても別の文字で、検索に一致しません。通常の漢字に置き換えてください",
    "cjk-radical": "部首の文字は漢字に見えても別の文字で、検索に一致しません。通常の漢字に置き換えてください",
    "compat-ideograph": "互換漢字は同じ字の別の符号で、検索に一致しません。通常の漢字に置き換えてください",
    "private-use": "外字や記号フォントの文字は他の環境で表示されません。箇条書きの記号なら「・」に、本文の箇条書きなら行頭の「- 」に置き換えてください",
    "foreign-letter": "日本語の語の中に見た目の似た別の文字（キリル文字など）が混じっています。正しい文字に置き換えてください",
    "vertical-form": "縦書き用の記号です。横書きの記号に置き換えてください",
    "zero-width": "目に見えない文字です。削除してください",
    "halfwidth-kana": "半角カタカナは全角カタカナで書いてください",
}


def read_text(file: Path, rel: str) -> tuple[str | None, list[Problem]]:
    """Decoded text with LF line ends, or None if the bytes cannot be text."""
    try:
        # Never follows a link or opens a FIFO or device, even if a caller did not ask safefiles first.
        with safefiles.open_regular(file) as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > MAX_BYTES:
                return None, [
                    Problem(rel, 1, "ファイル", f"ファイルが大きすぎます（{size:,} バイト）", "1 MB 以下にしてください。資料の全文ではなく、事例の部分だけを書き写します", rules.FILE_TOO_LARGE)
                ]
            data = handle.read()
    except safefiles.Refused as refused:
        return None, [safefiles.problem(rel, refused.kind)]
    except OSError:  # missing, a folder, or a path through something that is not a folder
        return None, [Problem(rel, 1, "ファイル", "ファイルが見つかりません", "パスとファイル名（.md）を確かめてください", rules.FILE_NOT_FOUND)]
    problems: list[Problem] = []
    if not data.strip():
        return None, [Problem(rel, 1, "ファイル", "ファイルが空です", "先頭に --- で囲んだフロントマターを書いてください（CONTRIBUTING.md の例を参照）", rules.FILE_EMPTY)]
    if data.startswith(b"\xef\xbb\xbf"):
        problems.append(Problem(rel, 1, "ファイル", "先頭に BOM（バイトオーダーマーク）があります", "エディタで「UTF-8（BOM なし）」を選んで保存し直してください", rules.BOM, fixable=True))
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.append(
            Problem(rel, line, "ファイル", f"UTF-8 として読めないバイト（0x{data[exc.start]:02X}）があります", "エディタで文字コードを「UTF-8」にして保存し直してください（Shift_JIS では保存しません）", rules.ENCODING)
        )
        return None, problems
    if "\r" in text:
        line = text[: text.index("\r")].count("\n") + 1
        problems.append(Problem(rel, line, "ファイル", "改行が CRLF（Windows 形式）です", "エディタで改行コードを「LF」にして保存し直してください", rules.LINE_ENDINGS, fixable=True))
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    separator = artifacts.LINE_SEPARATORS.search(text)
    if separator:
        line = text.count("\n", 0, separator.start()) + 1
        message = f"見えない改行文字（U+{ord(separator.group()):04X}）があります。PDF やウェブページからの貼り付けで入ることがあります"
        problems.append(Problem(rel, line, "ファイル", message, "削除してください。改行が要るところは普通の改行にします", rules.LINE_SEPARATOR, fixable=True))
        text = artifacts.LINE_SEPARATORS.sub("", text)
    return text, problems


def yaml_issue_problem(issue: YamlIssue, rel: str, line_offset: int) -> Problem:
    line = issue.line + line_offset
    where = format_path(issue.path) or "フロントマター"
    if issue.hint:  # a recognised slip, in its own words
        return Problem(rel, line, where, issue.detail, issue.hint, rules.YAML_TAB if issue.kind == "yaml-tab" else rules.YAML_SYNTAX)
    if issue.kind == "yaml-tab":
        return Problem(rel, line, where, "字下げにタブ文字が使われています", "YAML の字下げは半角スペースで書いてください", rules.YAML_TAB)
    if issue.kind == "yaml-duplicate-key":
        return Problem(rel, line, where, f"項目「{issue.detail}」が2回書かれています", "どちらか一方にまとめてください", rules.YAML_DUPLICATE_KEY)
    if issue.kind == "yaml-structure":
        return Problem(rel, line, where, issue.detail, "YAML の基本の書き方（「名前: 値」の行と「- 」で始まるリスト）だけを使ってください", rules.YAML_STRUCTURE)
    return Problem(
        rel,
        line,
        where,
        f"YAML を読み取れません（{issue.detail}）",
        "この行とその前の行の字下げ、「名前:」の後の半角スペース、引用符の閉じ忘れを確認してください。「: 」や「 #」を含む値は引用符で囲みます",
        rules.YAML_SYNTAX,
    )


@dataclass
class Document:
    """A Markdown file split into front matter and body, as far as it could be read."""

    rel: str
    text: str | None = None
    located: Located | None = None
    body: str = ""
    body_line: int | None = None  # file line of the first body line, once the front matter is closed
    problems: list[Problem] = field(default_factory=list)

    @property
    def data(self) -> object:
        return self.located.data if self.located else None

    def field_at(self, line: int) -> str:
        """The field a file line belongs to, for messages about characters."""
        if self.body_line is not None and line >= self.body_line:
            return "本文"
        if self.located is not None:
            path = self.located.path_at_line(line - 1)
            if path:
                return format_path(path)
        return "フロントマター"


def read_document(file: Path, rel: str) -> Document:
    doc = Document(rel)
    text, problems = read_text(file, rel)
    doc.problems.extend(problems)
    if text is None:
        return doc
    doc.text = text
    lines = text.split("\n")
    if not lines or not _DELIMITER.match(lines[0]):
        doc.problems.append(
            Problem(rel, 1, "ファイル", "先頭にフロントマターがありません", "1行目を「---」にして事例の項目を書き、もう一度「---」の行で閉じてください", rules.FRONT_MATTER_MISSING)
        )
        doc.problems.extend(_artifact_problems(doc))
        return doc
    closing = next((i for i in range(1, len(lines)) if _CLOSING.match(lines[i])), None)
    if closing is None:
        doc.problems.append(
            Problem(rel, 1, "ファイル", "フロントマターを閉じる「---」の行がありません", "項目の最後の次の行に「---」だけの行を書いてください", rules.FRONT_MATTER_UNCLOSED)
        )
        doc.problems.extend(_artifact_problems(doc))
        return doc
    yaml_text = "\n".join(lines[1:closing]) + "\n"
    doc.body = "\n".join(lines[closing + 1 :])
    doc.body_line = closing + 2
    located, issues = load(yaml_text)
    doc.problems.extend(yaml_issue_problem(issue, rel, 1) for issue in issues)
    if located is not None and not isinstance(located.data, dict):
        doc.problems.append(
            Problem(rel, 2, "フロントマター", "フロントマターが「名前: 値」の形になっていません", "「id: …」「title: …」のように1行に1項目ずつ書いてください", rules.YAML_STRUCTURE)
        )
        located = None
    doc.located = located
    doc.problems.extend(_artifact_problems(doc))
    return doc


def _artifact_problems(doc: Document) -> list[Problem]:
    """One problem per line and rule, listing the characters and their fixes."""
    assert doc.text is not None
    grouped: dict[tuple[int, str], list[artifacts.Finding]] = defaultdict(list)
    findings = artifacts.scan(doc.text)
    if not findings:  # the usual case: no need to walk the text for its line starts
        return []
    line_starts = [0] + [m.end() for m in re.finditer("\n", doc.text)]
    for finding in findings:
        line = bisect.bisect_right(line_starts, finding.index)
        grouped[(line, finding.rule)].append(finding)
    problems = []
    for (line, rule_id), findings in sorted(grouped.items()):
        rule = rules.ARTIFACT_RULES[rule_id]
        distinct = list(dict.fromkeys((f.text, f.replacement) for f in findings))
        shown = [
            "".join(artifacts.describe(c) for c in text) + ("" if fix is None else f" → {fix or '（削除）'}")
            for text, fix in distinct[:5]
        ]
        more = f" ほか {len(distinct) - 5} 種類" if len(distinct) > 5 else ""
        message = f"{rule.title}があります: {'、'.join(shown)}{more}"
        fixable = all(f.replacement is not None for f in findings)
        problems.append(Problem(doc.rel, line, doc.field_at(line), message, _ARTIFACT_HINTS[rule_id], rule, fixable=fixable))
    return problems
