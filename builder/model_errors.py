"""Turn pydantic validation errors into contributor-facing problems.

Messages are in Japanese and say how to fix the value; they use the field's
title, description and examples from the model, so the schema stays the one
source of truth for what a field means.
"""

from __future__ import annotations

import difflib
import typing
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from builder import rules
from builder.diagnostics import Problem, Rule
from builder.models import nested_models
from builder.yamlsource import Located, Path, format_path

_TYPE_NAMES = {
    "string_type": "文字",
    "int_type": "整数",
    "float_type": "数",
    "bool_type": "true / false",
    "list_type": "リスト（- で始まる行）",
    "dict_type": "項目のまとまり（「名前: 値」の行）",
    "model_type": "項目のまとまり（「名前: 値」の行）",
    "model_attributes_type": "項目のまとまり（「名前: 値」の行）",
    "date_type": "日付（YYYY-MM-DD）",
}


def _yaml_kind(value: Any) -> str:
    if value is None:
        return "空"
    if isinstance(value, bool):
        return f"真偽値 {str(value).lower()}"
    if isinstance(value, int | float):
        return f"数 {value}"
    if isinstance(value, str):
        return f"文字「{value[:30]}」"
    if isinstance(value, list):
        return "リスト"
    if isinstance(value, dict):
        return "項目のまとまり"
    return type(value).__name__


def field_info(model: type[BaseModel], loc: Path) -> tuple[type[BaseModel], FieldInfo | None]:
    """The model that owns the last named field of ``loc``, and that field."""
    current, info = model, None
    for part in loc:
        if isinstance(part, int):
            continue
        info = current.model_fields.get(part)
        if info is None:
            return current, None
        nested = nested_models(info.annotation)
        if nested and part != loc[-1]:
            current = nested[0]
    return current, info


def _owner(model: type[BaseModel], loc: Path) -> type[BaseModel]:
    """The model whose fields ``loc`` (ending in a field name) belongs to."""
    parent_loc = tuple(loc[:-1])
    if not parent_loc:
        return model
    _, info = field_info(model, parent_loc)
    nested = nested_models(info.annotation) if info else []
    return nested[0] if nested else model


def _describe_field(info: FieldInfo | None) -> str:
    if info is None:
        return ""
    text = info.description or ""
    if info.examples:
        example = info.examples[0]
        if isinstance(example, list):
            example = "、".join(str(e) for e in example)
        text += f"（例: {example}）"
    return text


def _convert(error: dict[str, Any], model: type[BaseModel]) -> tuple[Rule, Path, bool, str, str]:
    """(rule, location, point-at-key?, message, hint) for one pydantic error."""
    kind = error["type"]
    loc: Path = tuple(error["loc"])
    ctx = error.get("ctx") or {}
    value = error.get("input")
    _, info = field_info(model, loc)

    if kind in rules.BY_ID:  # our own PydanticCustomError, message written in the model
        return rules.BY_ID[kind], loc, False, error["msg"], ctx.get("hint", "")
    if kind == "missing":
        return rules.REQUIRED, loc, False, f"必須項目「{loc[-1]}」がありません", f"「{loc[-1]}: …」を追加してください。{_describe_field(info)}"
    if kind == "extra_forbidden":
        owner = _owner(model, loc)
        allowed = list(owner.model_fields)
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1, cutoff=0.6)
        hint = f"もしかして「{close[0]}」ですか？ " if close else ""
        return rules.UNKNOWN_FIELD, loc, True, f"「{loc[-1]}」という項目はありません", hint + "使える項目: " + ", ".join(allowed)
    if kind in ("string_too_short", "too_short") and ctx.get("min_length") == 1 and not value:
        return rules.BLANK, loc, False, "空になっています", f"内容を書いてください。{_describe_field(info)}"
    if kind in _TYPE_NAMES:
        expected = _TYPE_NAMES[kind]
        hint = f"{expected}で書いてください。{_describe_field(info)}"
        if kind == "string_type" and value is not None and not isinstance(value, list | dict):
            hint = f"文字として読ませるには「\"…\"」のように引用符で囲んでください。{_describe_field(info)}"
        if kind == "int_type" and isinstance(value, str):
            hint = f"引用符やカンマを付けずに数字だけを書いてください。{_describe_field(info)}"
        return rules.TYPE, loc, False, f"{expected}が必要ですが、{_yaml_kind(value)}が書かれています", hint
    if kind == "literal_error":
        allowed = "・".join(str(a) for a in typing.get_args(info.annotation)) if info else ctx.get("expected", "")
        return rules.VALUE, loc, False, f"「{value}」は使えません", f"次のいずれかを書いてください: {allowed}"
    if kind == "too_short":
        return rules.VALUE, loc, False, f"少なくとも {ctx.get('min_length')} 個必要です", _describe_field(info)
    if kind == "too_long":
        return rules.VALUE, loc, False, f"{ctx.get('max_length')} 個までです（{ctx.get('actual_length')} 個あります）", "資料で重要なものに絞ってください"
    if kind == "string_too_long":
        return rules.VALUE, loc, False, f"長すぎます（{ctx.get('max_length')} 文字まで）", "資料の該当部分だけを書いてください"
    if kind in ("greater_than_equal", "greater_than"):
        return rules.VALUE, loc, False, f"{value} は小さすぎます（{ctx.get('ge', ctx.get('gt'))} 以上）", _describe_field(info)
    if kind in ("less_than_equal", "less_than"):
        return rules.VALUE, loc, False, f"{value} は大きすぎます（{ctx.get('le', ctx.get('lt'))} 以下）", _describe_field(info)
    return rules.VALUE, loc, False, f"値が正しくありません（{error['msg']}）", _describe_field(info)


def to_problems(
    exc: ValidationError,
    model: type[BaseModel],
    *,
    located: Located,
    path: str,
    line_offset: int,
    base: Path = (),
    root_label: str = "フロントマター",
) -> list[Problem]:
    """Problems for every error in ``exc``; ``base`` prefixes locations inside a larger file."""
    problems = []
    for error in exc.errors():
        rule, loc, at_key, message, hint = _convert(error, model)
        full = base + tuple(loc)
        if rule is rules.REQUIRED:
            line = located.line_of(full[:-1], key=True) if len(full) > 1 else 1 - line_offset
        else:
            line = located.line_of(full, key=at_key)
        problems.append(
            Problem(path, line + line_offset, format_path(full) or root_label, message, hint.strip(), rule)
        )
    return problems
