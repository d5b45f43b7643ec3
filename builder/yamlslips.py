"""Why a front matter does not parse, in the contributor's terms: the line to edit and how.

PyYAML reports where it gave up, which is often a line after the slip: a key
without its colon is read as text that runs on into the next line, and an
unclosed quote swallows everything up to the next quote. ``diagnose`` looks at
the line the parser was reading and the lines before it for the slips people
make when writing YAML by hand or pasting from a PDF, and names the first one
it recognises. Unrecognised errors keep the parser's own position and words.

``guess_path`` names the field of a line by indentation alone, for messages
about text that does not parse.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

import yaml

Path = tuple[str | int, ...]

_KEY = r"[a-z_][a-z0-9_]*"  # every field name of the models has this form
# A line that starts a key (however badly separated) or a list item: indent, "- ", key, separator, rest.
_ENTRY = re.compile(rf"^(?P<indent>[ \t\u3000]*)(?P<dash>-(?:[ \t\u3000]+|$))?(?:(?P<key>{_KEY})(?P<sep>[ \t\u3000]*[:：][ \t\u3000]*|[ \t\u3000]+|$))?(?P<rest>.*)$")
_BLOCK_SCALAR = re.compile(r"^[|>][0-9+-]*\s*(?:#.*)?$")


@dataclass(frozen=True)
class Slip:
    line: int  # 0-based, within the YAML text
    message: str
    hint: str
    kind: str = "yaml-syntax"  # or "yaml-tab"


@dataclass(frozen=True)
class _Line:
    text: str
    indent: str
    dash: str
    key: str
    sep: str
    rest: str

    @property
    def key_column(self) -> int:
        return len(self.indent) + len(self.dash)


def _parse(text: str) -> _Line | None:
    match = _ENTRY.match(text)
    if not match or not (match["dash"] or match["key"]):
        return None
    return _Line(text, match["indent"], match["dash"] or "", match["key"] or "", match["sep"] or "", match["rest"])


def _example(key: str) -> str:
    return f"{key}: 値"


def _closes(rest: str, quote: str) -> bool:
    """Whether a value that opens with ``quote`` closes it on the same line."""
    body = rest[1:]
    if quote == '"':
        return re.search(r'(?<!\\)(?:\\\\)*"', body) is not None
    return re.search(r"'(?!')", body.replace("''", "")) is not None


# Each check looks at one line (and the lines after it) and returns (rule kind, message, hint) or None.
# ``sure``: the parser itself says a key starts on this line, so a name that is no field still counts.
Found = tuple[str, str, str] | None
Check = Callable[[list[str], int, _Line, bool], Found]


def _tab(lines: list[str], i: int, line: _Line, sure: bool) -> Found:
    if "\t" in line.indent:
        return "yaml-tab", "字下げにタブ文字が使われています", "YAML の字下げは半角スペースで書いてください"
    if "\t" in line.sep:
        return "yaml-syntax", f"「{line.key}:」の後がタブ文字です", f"「:」の後はタブではなく半角スペースにしてください（例: {_example(line.key)}）"
    return None


def _wide_indent(lines: list[str], i: int, line: _Line, sure: bool) -> Found:
    if "\u3000" in line.indent:
        return "yaml-syntax", "字下げに全角スペースが使われています", "字下げは半角スペースで書いてください（全角スペースを消し、半角スペース2つずつにします）"
    return None


def _wide_colon(lines: list[str], i: int, line: _Line, sure: bool) -> Found:
    if line.key and "：" in line.sep:
        return "yaml-syntax", f"「{line.key}」の後の「：」が全角です", f"半角の「:」に直し、その後に半角スペースを1つ入れてください（例: {_example(line.key)}）"
    return None


def _wide_space(lines: list[str], i: int, line: _Line, sure: bool) -> Found:
    if not line.key or "\u3000" not in line.sep:
        return None
    if ":" in line.sep:
        return "yaml-syntax", f"「{line.key}:」の後の空白が全角スペースです", f"「:」の後は半角スペースにしてください（例: {_example(line.key)}）"
    return "yaml-syntax", f"「{line.key}」と値の間が全角スペースで、「:」がありません", f"項目名の後に半角の「:」と半角スペースを書いてください（例: {_example(line.key)}）"


def _no_space(lines: list[str], i: int, line: _Line, sure: bool) -> Found:
    if line.key and line.sep == ":" and line.rest and not line.rest.startswith("#"):
        return "yaml-syntax", f"「{line.key}:」の後に半角スペースがありません", f"「:」と値の間に半角スペースを入れてください（例: {_example(line.key)}）"
    return None


def _unclosed_quote(lines: list[str], i: int, line: _Line, sure: bool) -> Found:
    if line.key and ":" not in line.sep:
        return None
    value = line.rest  # after "key: " or "- "
    if value[:1] in ('"', "'") and not _closes(value, value[0]):
        quote = value[0]
        return "yaml-syntax", f"引用符「{quote}」が閉じられていません", f"値の最後にも「{quote}」を書いてください（値の中に「{quote}」があるときは、もう一方の引用符で囲みます）"
    return None


def _list_under_value(lines: list[str], i: int, line: _Line, sure: bool) -> Found:
    """``keywords: OJT`` followed by ``- BPR``: a value and a list under one key."""
    if not line.key or ":" not in line.sep or not line.rest.strip() or line.rest.lstrip().startswith(("#", "|", ">")):
        return None
    following = next((lines[j] for j in range(i + 1, len(lines)) if lines[j].strip()), "")
    below = _parse(following)
    if below and below.dash and len(below.indent) >= len(line.indent) and not (line.dash and len(below.indent) == len(line.indent)):
        value = line.rest.strip()[:30]
        message = f"「{line.key}:」の後に値「{value}」とリスト（「- 」の行）の両方が書かれています"
        if below.key and ":" in below.sep:  # a list of groups ("- question: …"): the value has no place in it
            return "yaml-syntax", message, f"「{line.key}:」の後の「{value}」を消し、「{line.key}:」だけの行にしてください（内容はリストの中の項目に書きます）"
        return "yaml-syntax", message, f"「{line.key}:」の後には何も書かず、「{value}」もリストの1行（「- {value}」）として次の行に書いてください"
    return None


def _missing_colon(lines: list[str], i: int, line: _Line, sure: bool) -> Found:
    if not line.key or ":" in line.sep or "：" in line.sep or "\u3000" in line.sep:
        return None
    if not line.rest.strip():  # a group's name: its fields follow on the next lines
        return "yaml-syntax", f"「{line.key}」の後に「:」がありません", f"項目名の後に半角の「:」を書いてください（例: {line.key}:）"
    return "yaml-syntax", f"「{line.key}」の後に「:」がありません", f"項目名の後に半角の「:」と半角スペースを書いてください（例: {_example(line.key)}）"


_LINE_CHECKS: list[Check] = [_tab, _wide_indent, _wide_colon, _wide_space, _no_space, _unclosed_quote, _list_under_value, _missing_colon]


def _colon_in_value(line: _Line, column: int) -> Found:
    """``title: 研修: 基礎編``: the parser stopped at a second ": " inside the value."""
    if line.key and line.sep.startswith(":") and column >= line.key_column + len(line.key) + len(line.sep):
        value = line.rest.strip()
        quote = "'" if '"' in value else '"'
        return "yaml-syntax", "値の中に「: 」があります", f"値全体を「{quote}」で囲んでください（例: {line.key}: {quote}{value}{quote}）"
    return None


_FIELD_NAMES: set[str] = set()


def _field_names() -> set[str]:
    if not _FIELD_NAMES:
        from builder.models import PAGE_TYPES, Case, nested_models

        def collect(model) -> None:  # type: ignore[no-untyped-def]
            for name, info in model.model_fields.items():
                if name not in _FIELD_NAMES:
                    _FIELD_NAMES.add(name)
                    for nested in nested_models(info.annotation):
                        collect(nested)

        for model in (Case, *PAGE_TYPES.values()):
            collect(model)
    return _FIELD_NAMES


def _check_line(lines: list[str], i: int, sure: bool) -> Slip | None:
    line = _parse(lines[i])
    if line is None:
        return None
    if line.key and not sure and line.key not in _field_names():
        # Not a field name: more likely text (a URL, a word) than a key, unless the parser says so.
        line = replace(line, key="", sep="", rest=line.text[line.key_column :])
    for check in _LINE_CHECKS:
        found = check(lines, i, line, sure)
        if found:
            kind, message, hint = found
            return Slip(i, message, hint, kind)
    return None


def folded_list(lines: list[str], start: int, end: int) -> Slip | None:
    """A plain value on ``start`` that ran on over "- " lines up to ``end`` (valid YAML, surely a slip)."""
    if not any(lines[j].lstrip(" ").startswith("- ") or lines[j].strip() == "-" for j in range(start + 1, min(end, len(lines) - 1) + 1)):
        return None
    line = _parse(lines[start])
    found = _list_under_value(lines, start, line, True) if line else None
    return Slip(start, found[1], found[2], found[0]) if found else None


def diagnose(text: str, exc: yaml.MarkedYAMLError) -> Slip | None:
    """The slip behind a parser error, on the line to edit; None if no pattern fits."""
    lines = text.split("\n")
    mark = exc.problem_mark or exc.context_mark
    if mark is None:
        return None
    problem = min(mark.line, len(lines) - 1)
    context = exc.context_mark.line if exc.context_mark is not None else None
    said = f"{exc.context or ''} {exc.problem or ''}"
    if "quoted scalar" in said and context is not None:
        line = _parse(lines[context])
        found = _unclosed_quote(lines, context, line, True) if line else None
        if found:
            return Slip(context, found[1], found[2], found[0])
    if "simple key" in said and context is not None:
        # The parser read this line as the start of a key and never found its ":".
        slip = _check_line(lines, context, sure=True)
        if slip:
            return slip
    if "mapping values are not allowed" in said:
        line = _parse(lines[problem])
        found = _colon_in_value(line, mark.column) if line else None
        if found:
            return Slip(problem, found[1], found[2], found[0])
        # The ":" is this line's own separator: the line before ran on into this one.
        start = problem - 1
    else:
        start = problem
    for i in range(start, -1, -1):
        slip = _check_line(lines, i, sure=False)
        if slip:
            return slip
    return None


def guess_path(lines: list[str], index: int) -> Path:
    """The field of line ``index`` judged by indentation (keys and "- " items), for text that does not parse."""
    stack: list[tuple[int, str | int]] = []  # (column, path part)
    block_column: int | None = None  # after "key: |", lines indented deeper are text, not keys
    for i in range(index + 1):
        text = lines[i]
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        column = len(text) - len(text.lstrip(" \t\u3000"))
        if block_column is not None and column > block_column and i != index:
            continue
        block_column = None
        line = _parse(text)
        if line is None:
            continue
        if line.dash:
            column = len(line.indent)
            while stack and stack[-1][0] > column:
                stack.pop()
            number = 0
            if stack and stack[-1][0] == column and isinstance(stack[-1][1], int):
                number = stack.pop()[1] + 1  # type: ignore[operator]
            stack.append((column, number))
        elif line.key:
            while stack and stack[-1][0] >= line.key_column:
                stack.pop()
        if line.key:
            stack.append((line.key_column, line.key))
            if _BLOCK_SCALAR.match(line.rest.strip()):
                block_column = line.key_column
    return tuple(part for _, part in stack)
