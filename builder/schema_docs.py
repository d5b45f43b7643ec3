"""Files generated from the case model: the JSON Schema and CONTRIBUTING's reference tables.

The model is the single source of truth; these are committed so editors and
readers can use them, and a test fails when they no longer match the model.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel

from builder import rules
from builder.models import Case, nested_models
from builder.project import Project

SCHEMA = "schema/case.schema.json"
CONTRIBUTING = "CONTRIBUTING.md"


def case_schema() -> dict[str, Any]:
    schema = Case.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "DX人材事例ナビ 事例ファイルのフロントマター",
        "description": "cases/*.md の先頭の --- と --- の間に書く項目。python -m builder schema で builder/models.py から生成しています。",
        **{k: v for k, v in schema.items() if k not in ("title", "description")},
    }


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _example(value: Any) -> str:
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


def field_rows(model: type[BaseModel], prefix: str = "") -> list[str]:
    """One row per field; 必須 is relative to the parent (a question is required in each interview item)."""
    rows = []
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        required = info.is_required()
        nested = nested_models(info.annotation)
        is_list = "list[" in str(info.annotation)
        example = f"`{_cell(_example(info.examples[0]))}`" if info.examples else ""
        rows.append(f"| `{path}` | {info.title or name} | {'必須' if required else ''} | {_cell(info.description or '')} | {example} |")
        if nested:
            rows += field_rows(nested[0], f"{path}[]." if is_list else f"{path}.")
    return rows


def fields_table() -> str:
    header = ["| 項目 | 名前 | 必須 | 書き方 | 例 |", "| --- | --- | --- | --- | --- |"]
    return "\n".join(header + field_rows(Case))


def rules_table() -> str:
    header = ["| ルール | 内容 | 重さ | `fix` で直るか |", "| --- | --- | --- | --- |"]
    rows = [
        f"| `{r.id}` | {r.title} | {'エラー' if r.severity.value == 'error' else '警告'} | {'直る（一部）' if r.id == 'cjk-radical' else '直る' if r.fixable else ''} |"
        for r in rules.ALL_RULES
    ]
    return "\n".join(header + rows)


def _replace_section(text: str, name: str, content: str) -> str:
    pattern = re.compile(rf"(<!-- BEGIN GENERATED: {name} .*?-->\n).*?(<!-- END GENERATED: {name} -->)", re.DOTALL)
    if not pattern.search(text):
        raise ValueError(f"{CONTRIBUTING} has no generated section '{name}'")
    return pattern.sub(lambda m: m.group(1) + content + "\n" + m.group(2), text)


def expected_files(project: Project) -> dict[str, str]:
    contributing = (project.root / CONTRIBUTING).read_text(encoding="utf-8")
    contributing = _replace_section(contributing, "fields", fields_table())
    contributing = _replace_section(contributing, "rules", rules_table())
    return {
        SCHEMA: json.dumps(case_schema(), ensure_ascii=False, indent=2) + "\n",
        CONTRIBUTING: contributing,
    }


def write_generated(project: Project, check_only: bool = False) -> list[str]:
    """Paths that differ from what the model generates; written unless ``check_only``."""
    changed = []
    for rel, content in expected_files(project).items():
        path = project.root / rel
        if not path.exists() or path.read_text(encoding="utf-8") != content:
            changed.append(rel)
            if not check_only:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(content, encoding="utf-8")
    return changed
