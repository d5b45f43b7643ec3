"""The labelled set: queries with a kind and graded case ids, read with ``file:line`` errors.

The set decides which ranking wins, so a typo must never pass silently: an
unknown case id would quietly make a query easier or harder for every engine.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from builder import yamlsource

KINDS = ("topic", "infix", "paraphrase", "property")
GRADES = (1, 2, 3)
_KEYS = {"query", "kind", "relevant", "note"}


@dataclass(frozen=True)
class LabelledQuery:
    text: str
    kind: str
    relevance: dict[str, int]  # case id -> grade 1..3; unlisted cases are 0
    line: int
    note: str = ""


@dataclass
class LabelError(Exception):
    """Every problem in the file, each already formatted as ``file:line: message``."""

    problems: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(self.problems)


def load_labels(path: Path, case_ids: Collection[str] | None = None, shown_as: str | None = None) -> list[LabelledQuery]:
    """Read and validate ``path``; ``case_ids`` (when given) are the ids every label must name."""
    where = shown_as or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LabelError([f"{where}:1: cannot read the labelled set ({exc})"]) from exc
    located, issues = yamlsource.load(text)
    if located is None or issues:
        raise LabelError([f"{where}:{issue.line}: {_yaml_message(issue)}" for issue in issues])
    return _validate(located, where, set(case_ids) if case_ids is not None else None)


def _validate(located: yamlsource.Located, where: str, case_ids: set[str] | None) -> list[LabelledQuery]:
    problems: list[str] = []

    def problem(path: tuple, message: str, key: bool = False) -> None:
        problems.append(f"{where}:{located.line_of(path, key=key)}: {message}")

    data = located.data
    if not isinstance(data, list) or not data:
        raise LabelError([f"{where}:1: expected a list of queries (- query: …, kind: …, relevant: …)"])
    queries: list[LabelledQuery] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(data):
        at = (index,)
        if not isinstance(entry, dict):
            problem(at, "each entry must be a mapping with query, kind and relevant")
            continue
        for key in sorted(set(entry) - _KEYS):
            problem(at + (key,), f"unknown key '{key}' (allowed: {', '.join(sorted(_KEYS))})", key=True)
        text, kind, relevant, note = entry.get("query"), entry.get("kind"), entry.get("relevant"), entry.get("note", "")
        ok = True
        if not isinstance(text, str) or not text.strip():
            problem(at + ("query",), "query must be a non-empty string")
            ok = False
        else:
            normalised = unicodedata.normalize("NFKC", text).strip().lower()
            if normalised in seen:
                problem(at + ("query",), f"query '{text}' repeats the query on line {seen[normalised]}")
                ok = False
            seen.setdefault(normalised, located.line_of(at + ("query",)))
        if kind not in KINDS:
            problem(at + ("kind",), f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
            ok = False
        if not isinstance(note, str):
            problem(at + ("note",), "note must be a string")
        grades = _grades(relevant, at, case_ids, problem)
        if grades is None:
            ok = False
        if ok and grades is not None:
            queries.append(LabelledQuery(text.strip(), kind, grades, located.line_of(at + ("query",)), note or ""))
    if problems:
        raise LabelError(problems)
    return queries


def _grades(relevant: object, at: tuple, case_ids: set[str] | None, problem) -> dict[str, int] | None:
    if not isinstance(relevant, dict) or not relevant:
        problem(at + ("relevant",), "relevant must map at least one case id to a grade (1, 2 or 3)")
        return None
    grades: dict[str, int] = {}
    for case_id, grade in relevant.items():
        path = at + ("relevant", case_id)
        if case_ids is not None and case_id not in case_ids:
            problem(path, f"unknown case id '{case_id}' (no cases/{case_id}.md)", key=True)
            continue
        if isinstance(grade, bool) or grade not in GRADES:
            problem(path, f"grade of '{case_id}' must be 1, 2 or 3, not {grade!r} (leave a case out for 0)")
            continue
        grades[case_id] = grade
    return grades if len(grades) == len(relevant) else None


def _yaml_message(issue: yamlsource.YamlIssue) -> str:
    if issue.kind == "yaml-duplicate-key":
        return f"'{issue.detail}' is listed twice"
    return f"YAML: {issue.detail}"
