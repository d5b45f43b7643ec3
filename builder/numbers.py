"""Numbers written as text: full-width digits, commas, spaces or quotes in an integer field.

Numbers copied from a PDF come as ６，２００, and YAML then reads text that the
strict schema refuses with a puzzling "not an integer". ``check`` says what is
wrong, ``fix`` writes the plain digits, and meanwhile the number is read as
meant so the other checks (population against its printed text) still run.
The integer fields are found from the models, so a new one needs no list here.
"""

from __future__ import annotations

import re
import types
import typing
from functools import cache

from pydantic import BaseModel

from builder import rules
from builder.diagnostics import Problem
from builder.textnorm import nfkc
from builder.yamlslips import guess_path
from builder.yamlsource import Located, Path, format_path

ANY_ITEM = "*"  # stands for every index of a list in a field pattern

_NUMBER = re.compile(r"[0-9]+")
_FULLWIDTH_DIGIT = re.compile("[０-９]")


def as_integer(text: str) -> int | None:
    """「６，２００」「8,000」「6 200」 -> the integer, after NFKC (the same reading as population.text)."""
    plain = re.sub(r"[\s,]", "", nfkc(text))
    return int(plain) if _NUMBER.fullmatch(plain) else None


def _patterns(annotation: object, path: tuple[str, ...]) -> list[tuple[str, ...]]:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _patterns(args[0], path)
    if origin in (typing.Union, types.UnionType):
        return [p for arg in args for p in _patterns(arg, path)]
    if origin is list:
        return _patterns(args[0], path + (ANY_ITEM,))
    if annotation is int:
        return [path]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [p for name, info in annotation.model_fields.items() for p in _patterns(info.annotation, path + (name,))]
    return []


@cache
def integer_fields(model: type[BaseModel]) -> tuple[tuple[str, ...], ...]:
    """Every integer field of ``model`` as a path pattern, e.g. ('population', 'value')."""
    return tuple(_patterns(model, ()))


def is_integer_field(model: type[BaseModel], path: Path) -> bool:
    return any(
        len(pattern) == len(path) and all(p == ANY_ITEM and isinstance(q, int) or p == q for p, q in zip(pattern, path))
        for pattern in integer_fields(model)
    )


def _describe(raw: str, quoted: bool) -> str:
    found = []
    if _FULLWIDTH_DIGIT.search(raw):
        found.append("全角数字")
    if re.search("[,，]", raw):
        found.append("カンマ")
    if re.search(r"\s", raw):
        found.append("空白")
    if quoted:
        found.append("引用符")
    return "・".join(found)


def problem(rel: str, line: int, path: Path, raw: str, number: int, *, quoted: bool, fixable: bool) -> Problem:
    shown = f'"{raw}"' if quoted else raw
    return Problem(
        rel,
        line,
        format_path(path),
        f"数の項目が{_describe(raw, quoted)}を含む文字「{shown}」になっています",
        f"半角数字だけで {number} と書いてください",
        rules.NUMBER_TEXT,
        fixable=fixable,
    )


def text_numbers(data: object, model: type[BaseModel]) -> list[tuple[Path, str, int]]:
    """(path, text, integer) for every integer field of ``data`` written as readable text."""
    found: list[tuple[Path, str, int]] = []

    # Down each integer field's pattern only (walking every value was a twentieth of ``check``).
    def walk(value: object, path: Path, rest: tuple[str, ...]) -> None:
        if not rest:
            if isinstance(value, str) and (number := as_integer(value)) is not None:
                found.append((path, value, number))
        elif isinstance(value, list):
            for index, sub in enumerate(value if rest[0] == ANY_ITEM else ()):
                walk(sub, path + (index,), rest[1:])
        elif isinstance(value, dict) and rest[0] in value:
            walk(value[rest[0]], path + (rest[0],), rest[1:])

    for pattern in integer_fields(model):
        walk(data, (), pattern)
    return found


def read_numbers(data: dict, located: Located, model: type[BaseModel], rel: str, *, line_offset: int) -> tuple[dict, list[Problem]]:
    """``data`` with such numbers read as integers, and a problem for each (``fix`` writes them)."""
    problems = []
    for path, raw, number in text_numbers(data, model):
        span = located.spans.get(path)
        quoted = span is not None and span.style in ("'", '"')
        fixable = span is not None and span.style not in ("|", ">")
        problems.append(problem(rel, located.line_of(path) + line_offset, path, raw, number, quoted=quoted, fixable=fixable))
        data = _replaced(data, path, number)
    return data, problems


def _replaced(data: object, path: Path, value: object) -> typing.Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(data, dict):
        return {**data, head: _replaced(data[head], rest, value)}
    if isinstance(data, list):
        return [_replaced(item, rest, value) if i == head else item for i, item in enumerate(data)]
    return data


_NUMBER_LINE = re.compile(r"^[ \-]*[a-z_]+[ \t\u3000]*[:：][ \t\u3000]*(?P<value>.+?)[ \t\u3000]*$")


def unparsed_numbers(yaml_lines: list[str], models: list[type[BaseModel]], rel: str, first_line: int) -> list[Problem]:
    """The same problem for front matter that does not parse, judged line by line (``first_line``: file line of the first)."""
    problems = []
    for index, line in enumerate(yaml_lines):
        match = _NUMBER_LINE.match(line)
        if not match:
            continue
        raw = match["value"]
        quoted = len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'"
        raw = raw[1:-1] if quoted else raw
        number = as_integer(raw)
        if number is None or (not quoted and _NUMBER.fullmatch(raw)):
            continue
        path = guess_path(yaml_lines, index)
        if any(is_integer_field(model, path) for model in models):
            problems.append(problem(rel, first_line + index, path, raw, number, quoted=quoted, fixable=False))
    return problems
