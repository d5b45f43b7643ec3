"""The JSON Schema and CONTRIBUTING's tables are generated from the model and kept current."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml

from builder import rules
from builder.models import Case
from builder.project import Project
from builder.schema_docs import SCHEMA, case_schema, write_generated
from conftest import REPO, run_cli


def test_generated_files_are_current() -> None:
    assert write_generated(Project(REPO), check_only=True) == [], "run: python -m builder schema"


def test_schema_check_fails_when_stale(tmp_path: Path) -> None:
    for name in ("CONTRIBUTING.md",):
        (tmp_path / name).write_text((REPO / name).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "schema").mkdir()
    (tmp_path / SCHEMA).write_text("{}\n", encoding="utf-8")
    result = run_cli("schema", "--check", root=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "schema/case.schema.json が古くなっています",
        "python -m builder schema を実行して更新してください。",
    ]


def test_committed_schema_is_the_models_schema() -> None:
    committed = json.loads((REPO / SCHEMA).read_text(encoding="utf-8"))
    assert committed == json.loads(json.dumps(case_schema()))
    assert committed["properties"]["title"]["title"] == Case.model_fields["title"].title


def test_schema_accepts_every_real_case_and_rejects_unknown_fields() -> None:
    validator = jsonschema.Draft202012Validator(case_schema())
    for path in sorted((REPO / "cases").rglob("*.md")):
        front_matter = yaml.safe_load(path.read_text(encoding="utf-8").split("\n---\n")[0][4:])
        errors = [e.message for e in validator.iter_errors(front_matter)]
        assert errors == [], path.name
    assert not validator.is_valid({**front_matter, "titel": "x"})


def test_contributing_lists_every_field_and_rule() -> None:
    text = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    for name, info in Case.model_fields.items():
        assert f"| `{name}` | {info.title} |" in text
    for rule in rules.ALL_RULES:
        assert f"| `{rule.id}` | {rule.title} |" in text
