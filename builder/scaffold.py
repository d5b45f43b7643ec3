"""``new``: scaffold a case file from a few answers, every field explained.

The comments come from the model's field titles, descriptions and examples.
Fields the contributor still has to fill are left empty, so ``check`` points
at each of them with a hint.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
import types
import typing
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from builder.models import KINDS, Case, nested_models
from builder.project import Project
from builder.taxonomy import Taxonomy, load_taxonomy

_SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


class ScaffoldError(Exception):
    """Bad answers: the message says what to do."""


def _yaml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid YAML scalar


def _comment(info: FieldInfo, name: str) -> str:
    text = f"{info.title or name}: {info.description or ''}"
    if info.examples and not isinstance(info.examples[0], list | dict):
        text += f"（例: {info.examples[0]}）"
    elif info.examples and isinstance(info.examples[0], list):
        text += f"（例: {'、'.join(str(e) for e in info.examples[0])}）"
    return text


def _placeholder(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _placeholder(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _placeholder(args[0])
    if origin is list or annotation is list:
        return "[]"
    if annotation is int:
        return "0"
    return '""'


def _example_item(model: type[BaseModel], indent: str) -> list[str]:
    """A commented example list item built from the nested model's examples."""
    lines = []
    for i, (name, info) in enumerate(model.model_fields.items()):
        example = info.examples[0] if info.examples else ""
        marker = "- " if i == 0 else "  "
        lines.append(f"{indent}#   {marker}{name}: {example}")
    return lines


def template_lines(model: type[BaseModel], values: dict[str, Any], indent: str = "") -> list[str]:
    lines: list[str] = []
    for name, info in model.model_fields.items():
        lines.append(f"{indent}# {_comment(info, name)}")
        nested = nested_models(info.annotation)
        is_list = "list[" in str(info.annotation)
        optional = not info.is_required()
        if nested and not is_list:
            if optional and name not in values:
                lines.append(f"{indent}# {name}:  （書く場合は # を外し、下の項目も書きます）")
                lines += [f"{indent}#   {line.lstrip()}" for line in template_lines(nested[0], {}, "") if not line.lstrip().startswith("#")]
                continue
            lines.append(f"{indent}{name}:")
            lines += template_lines(nested[0], values.get(name, {}), indent + "  ")
        elif nested and is_list:
            lines.append(f"{indent}#   書き方の例:")
            lines += _example_item(nested[0], indent)
            lines.append(f"{indent}{name}: []")
        elif name in values:
            value = values[name]
            lines.append(f"{indent}{name}: {value if isinstance(value, int) else _yaml_str(str(value))}")
        elif optional and not is_list:
            lines.append(f"{indent}# {name}: {_placeholder(info.annotation)}")
        else:
            lines.append(f"{indent}{name}: {_placeholder(info.annotation)}")
    return lines


def _ask(prompt: str, current: Any) -> Any:
    if current not in (None, ""):
        return current
    if not sys.stdin.isatty():
        return current
    answer = input(f"{prompt}: ").strip()
    return answer or None


def _organisation(name: str, taxonomy: Taxonomy) -> tuple[str, str, str]:
    """(prefecture label, prefecture id, kind) derived from a full organisation name."""
    for prefecture in taxonomy.prefectures:
        if name == prefecture.label:
            return prefecture.label, prefecture.id, "都道府県"
        if name.startswith(prefecture.label) and len(name) > len(prefecture.label) and name[-1] in KINDS:
            return prefecture.label, prefecture.id, name[-1]
    raise ScaffoldError(f"団体名「{name}」から都道府県と団体区分が分かりません — 「茨城県五霞町」のように都道府県名から書いてください")


def build_case(project: Project, taxonomy: Taxonomy, args: argparse.Namespace) -> tuple[str, str]:
    """(id, file text) for the answers in ``args``; raises ScaffoldError on bad answers."""
    organisation = _ask("団体名（例: 茨城県五霞町）", args.organisation)
    if not organisation:
        raise ScaffoldError("団体名がありません — --organisation 茨城県五霞町 のように指定してください")
    prefecture, prefecture_id, kind = _organisation(organisation, taxonomy)
    slug = None
    if kind != "都道府県":
        slug = _ask("団体名のローマ字（例: 茨城県五霞町 → goka）", args.slug)
        if not slug or not _SLUG_RE.fullmatch(slug):
            raise ScaffoldError("団体名のローマ字（--slug）を半角の英小文字・数字・ハイフンで指定してください（例: --slug goka）")
    title = _ask("事例のタイトル（資料のとおり）", args.title)
    if not title:
        raise ScaffoldError("タイトルがありません — --title で資料の事例タイトルを指定してください")
    publication = _ask("出典資料の id（taxonomy/publications.yml）", args.publication)
    known = [p.id for p in taxonomy.publications]
    if publication not in known:
        close = difflib.get_close_matches(str(publication), known, n=1)
        hint = f"もしかして「{close[0]}」ですか？ " if close else ""
        raise ScaffoldError(f"出典資料「{publication}」は登録されていません — {hint}登録済み: {', '.join(known)}（新しい資料は taxonomy/publications.yml に追加します）")
    case_id = "-".join(part for part in (prefecture_id, slug, publication) if part)
    source: dict[str, Any] = {"publication": publication}
    if args.page:
        source["page"] = args.page
    if args.item:
        source["item"] = args.item
    values = {
        "id": case_id,
        "title": title,
        "organisation": {"name": organisation, "prefecture": prefecture, "kind": kind},
        "source": source,
    }
    header = [
        "# 事例のひな形です。「#」で始まる行は説明なので、消しても構いません。",
        f"# 書き終えたら python -m builder check cases/{case_id}.md で確認してください。",
        "# 本文（最後の --- の下）には、取組の内容や表を Markdown で書きます（見出しは ## から）。",
    ]
    text = "\n".join(["---", *header, *template_lines(Case, values), "---", ""])
    return case_id, text


def new_case(project: Project, args: argparse.Namespace) -> int:
    taxonomy = load_taxonomy(project.root).taxonomy
    if taxonomy is None:
        print("taxonomy に問題があるため事例を作れません — python -m builder check で確認してください。")
        return 1
    try:
        case_id, text = build_case(project, taxonomy, args)
    except ScaffoldError as exc:
        print(exc)
        return 1
    existing = [p for p in project.cases_dir.rglob(f"{case_id}.md")]
    if existing:
        print(f"{project.rel(existing[0])} は既にあります。上書きはしません — 同じ事例なら既存のファイルを直し、別の事例なら --slug や出典を見直して別の id にしてください。")
        return 1
    target = project.cases_dir / f"{case_id}.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    print(f"{project.rel(target)} を作りました。空の項目を資料に沿って埋め、python -m builder check {project.rel(target)} で確認してください。")
    return 0
