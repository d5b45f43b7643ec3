"""``fix``: apply the safe mechanical fixes to case and page files, in place.

Only run when a contributor asks for it. It removes a BOM, turns CRLF into LF,
replaces PDF artifacts that have an unambiguous fix, rewrites aliases to
their canonical labels and numbers written as text (６，２００) as digits. Everything else is left for a human; a file whose
fixed YAML would no longer parse is not written at all.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pydantic import BaseModel

from builder import artifacts, rules
from builder.models import PAGE_TYPES, Case
from builder.numbers import text_numbers
from builder.project import Project
from builder.taxonomy import Taxonomy, Vocabulary
from builder.yamlsource import Located, Span, load


@dataclass
class FileFix:
    rel: str
    changes: Counter = field(default_factory=Counter)

    def describe(self) -> str:
        parts = [f"{what} {count} 件" for what, count in sorted(self.changes.items())]
        return f"{self.rel}: {'、'.join(parts)}を直しました"


def _label_paths(data: dict, taxonomy: Taxonomy) -> list[tuple[tuple, Vocabulary]]:
    paths: list[tuple[tuple, Vocabulary]] = []
    for key, vocabulary in (("keywords", taxonomy.keywords), ("schemes", taxonomy.schemes), ("roles", taxonomy.roles)):
        values = data.get(key)
        if isinstance(values, list):
            paths.extend(((key, i), vocabulary) for i in range(len(values)))
    paths.append((("category",), taxonomy.categories))
    paths.append((("organisation", "prefecture"), taxonomy.prefectures))
    return paths


def _get(data: object, path: tuple) -> object:
    for part in path:
        if isinstance(data, dict) and isinstance(part, str):
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return None
    return data


def _as_yaml_scalar(value: str, span: Span) -> str:
    if span.style is None:
        try:
            if yaml.safe_load(value) == value and "\n" not in value:
                return value
        except yaml.YAMLError:
            pass
    return json.dumps(value, ensure_ascii=False)


def _alias_fixes(located: Located, taxonomy: Taxonomy | None) -> list[tuple[Span, str]]:
    replacements: list[tuple[Span, str]] = []
    data = located.data if isinstance(located.data, dict) else {}
    for path, vocabulary in _label_paths(data, taxonomy) if taxonomy else []:
        span = located.spans.get(path)
        node = _get(data, path)
        if span is None or not isinstance(node, str) or span.style in ("|", ">"):
            continue
        resolution = vocabulary.resolve(node)
        if resolution and not resolution.exact:
            replacements.append((span, _as_yaml_scalar(resolution.entry.label, span)))
    return replacements


def _number_fixes(located: Located, model: type[BaseModel] | None) -> list[tuple[Span, str]]:
    """６，２００ or "8,000" in an integer field -> 6200 (the same reading as check)."""
    if model is None:
        return []
    fixes = []
    for path, _, number in text_numbers(located.data, model):
        span = located.spans.get(path)
        if span is not None and span.style not in ("|", ">"):
            fixes.append((span, str(number)))
    return fixes


def fix_file(file: Path, rel: str, taxonomy: Taxonomy | None, *, is_case: bool = True) -> FileFix | None:
    """Fix one file; returns what changed, or None if nothing did."""
    original = file.read_bytes()
    report = FileFix(rel)
    data = original
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
        report.changes["BOM"] += 1
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None  # needs a human to pick the right encoding
    if "\r" in text:
        report.changes["CRLF の改行"] += text.count("\r")
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    separators = len(artifacts.LINE_SEPARATORS.findall(text))
    if separators:
        report.changes["見えない改行文字"] += separators
        text = artifacts.LINE_SEPARATORS.sub("", text)
    findings = [f for f in artifacts.scan(text) if f.replacement is not None]
    if findings:
        for finding in findings:
            report.changes[rules.ARTIFACT_RULES[finding.rule].title] += 1
        text = artifacts.repair(text)
    text, fixed_fields = _fix_front_matter(text, taxonomy, is_case)
    if fixed_fields is None:
        return None
    report.changes.update(fixed_fields)
    fixed = text.encode("utf-8")
    if fixed == original:
        return None
    file.write_bytes(fixed)
    return report


def _fix_front_matter(text: str, taxonomy: Taxonomy | None, is_case: bool) -> tuple[str, Counter | None]:
    """Rewrite aliases and numbers; None when the result would not parse (file left alone)."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return text, Counter()
    closing = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if closing is None:
        return text, Counter()
    head = "\n".join(lines[1:closing]) + "\n"
    located, issues = load(head)
    if located is None or issues or not isinstance(located.data, dict):
        return text, Counter()
    model = Case if is_case else PAGE_TYPES.get(str(located.data.get("type")))
    counts: Counter = Counter()
    replacements = []
    for what, found in (("別表記", _alias_fixes(located, taxonomy)), ("数の書き方", _number_fixes(located, model))):
        counts[what] += len(found)
        replacements += found
    if not replacements:
        return text, Counter()
    new_head = head
    for span, replacement in sorted(replacements, key=lambda r: r[0].start, reverse=True):
        new_head = new_head[: span.start] + replacement + new_head[span.end :]
    reparsed, issues = load(new_head)
    if reparsed is None or issues:
        return text, None
    return "\n".join([lines[0], new_head.rstrip("\n"), *lines[closing:]]), +counts


def fix_project(project: Project, taxonomy: Taxonomy | None, files: list[Path] | None = None) -> list[FileFix]:
    cases, pages = project.documents(files)
    reports = []
    for file in cases + pages:
        report = fix_file(file, project.rel(file), taxonomy, is_case=file in cases)
        if report:
            reports.append(report)
    return reports
