"""Problems found by ``check`` and how they are printed.

Every problem names the file, the line, the field, what is wrong and how to
fix it; the rule id at the end is the key to the rule table in CONTRIBUTING.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    title: str  # what the rule checks, in Japanese, for the rule table
    fixable: bool = False  # ``fix`` can repair (some of) its problems


@dataclass(frozen=True)
class Problem:
    path: str  # relative to the project root, with forward slashes
    line: int
    field: str
    message: str
    hint: str
    rule: Rule
    fixable: bool = False

    @property
    def is_error(self) -> bool:
        return self.rule.severity is Severity.ERROR

    def sort_key(self) -> tuple:
        return (self.path, self.line, self.field, self.rule.id, self.message)

    def format(self) -> str:
        prefix = "" if self.is_error else "警告: "
        hint = self.hint
        if self.fixable:
            hint += "（python -m builder fix で自動修正できます）"
        return f"{self.path}:{self.line}: {self.field}: {prefix}{self.message} — {hint} [{self.rule.id}]"

    def annotation(self) -> str:
        """GitHub Actions workflow command that marks the line in the pull request."""
        level = "error" if self.is_error else "warning"
        body = _escape_data(f"{self.field}: {self.message} — {self.hint}")
        return f"::{level} file={_escape_property(self.path)},line={self.line},title={self.rule.id}::{body}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def summary(problems: list[Problem]) -> str:
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    if not problems:
        return "問題は見つかりませんでした。"
    return f"エラー {errors} 件、警告 {warnings} 件"


def print_report(problems: list[Problem], files: int) -> None:
    """Every problem, then (under GitHub Actions) the annotations, then the counts."""
    for problem in problems:
        print(problem.format())
    if os.environ.get("GITHUB_ACTIONS") == "true":
        for problem in problems:
            print(problem.annotation())
    print(f"{summary(problems)}（{files} ファイルを確認）")
