"""``fix``: apply the safe mechanical fixes to case and page files, in place.

Only run when a contributor asks for it. It removes a BOM, turns CRLF into LF,
replaces PDF artifacts that have an unambiguous fix, and rewrites aliases to
their canonical labels. Everything else is left for a human; a file whose
fixed YAML would no longer parse is not written at all.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from builder import artifacts, rules
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


def _fix_aliases(yaml_text: str, located: Located, taxonomy: Taxonomy) -> tuple[str, int]:
    replacements: list[tuple[Span, str]] = []
    data = located.data if isinstance(located.data, dict) else {}
    for path, vocabulary in _label_paths(data, taxonomy):
        span = located.spans.get(path)
        node = _get(data, path)
        if span is None or not isinstance(node, str) or span.style in ("|", ">"):
            continue
        resolution = vocabulary.resolve(node)
        if resolution and not resolution.exact:
            replacements.append((span, _as_yaml_scalar(resolution.entry.label, span)))
    for span, text in sorted(replacements, key=lambda r: r[0].start, reverse=True):
        yaml_text = yaml_text[: span.start] + text + yaml_text[span.end :]
    return yaml_text, len(replacements)


def fix_file(file: Path, rel: str, taxonomy: Taxonomy | None) -> FileFix | None:
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
    findings = [f for f in artifacts.scan(text) if f.replacement is not None]
    if findings:
        for finding in findings:
            report.changes[rules.ARTIFACT_RULES[finding.rule].title] += 1
        text = artifacts.repair(text)
    text, aliases = _fix_front_matter(text, taxonomy)
    if aliases is None:
        return None
    if aliases:
        report.changes["別表記"] += aliases
    fixed = text.encode("utf-8")
    if fixed == original:
        return None
    file.write_bytes(fixed)
    return report


def _fix_front_matter(text: str, taxonomy: Taxonomy | None) -> tuple[str, int | None]:
    """Rewrite aliases; None when the result would not parse (file left alone)."""
    lines = text.split("\n")
    if taxonomy is None or not lines or lines[0].rstrip() != "---":
        return text, 0
    closing = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if closing is None:
        return text, 0
    head = "\n".join(lines[1:closing]) + "\n"
    located, issues = load(head)
    if located is None or issues:
        return text, 0
    new_head, count = _fix_aliases(head, located, taxonomy)
    if not count:
        return text, 0
    reparsed, issues = load(new_head)
    if reparsed is None or issues:
        return text, None
    return "\n".join([lines[0], new_head.rstrip("\n"), *lines[closing:]]), count


def fix_project(project: Project, taxonomy: Taxonomy | None, files: list[Path] | None = None) -> list[FileFix]:
    cases, pages = project.documents(files)
    reports = []
    for file in cases + pages:
        report = fix_file(file, project.rel(file), taxonomy)
        if report:
            reports.append(report)
    return reports
