"""Property-based fuzzing: no input makes the loader, check or fix raise."""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder.fix import fix_file
from builder.loading import read_document
from builder.project import Project
from builder.taxonomy import load_taxonomy
from builder.validate import check_project
from builder.yamlsource import load

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

VALID = yaml.safe_load(
    """
id: fuzz-case
title: テスト用の事例
organisation: {name: 茨城県五霞町, prefecture: 茨城県, kind: 町}
population: {value: 8000, text: 約8,000人}
category: 計画と制度
keywords: [OJT（職場内訓練）]
summary: テスト用の概要です。
source: {publication: fixture-guide, page: 4}
interview: [{question: 効果はありましたか, answer: スキルが向上しました。}]
links: [{title: テスト, url: "https://www.example.jp/"}]
"""
)

_TRICKY = list(":-#'\"|>&*!%@`[]{},?\n\t ") + list("ab0１あ漢⼈⺠︓йдΑ\u200b\uf0d8ｱ<>=/\\") + ["---", "...", "\r\n", "\ufeff"]

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=40)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=12)


def _paths(data: object, prefix: tuple = ()) -> list[tuple]:
    found = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, prefix + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _paths(value, prefix + (index,))
    return found


@pytest.fixture(scope="module")
def taxonomy(fixture_root: Path):
    return load_taxonomy(fixture_root).taxonomy


def _check_file(fixture_root: Path, content: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / "fuzz-case.md"
        file.write_bytes(content)
        result = check_project(Project(fixture_root), [file])
        for problem in result.problems:
            assert problem.line >= 1
            assert problem.format().endswith(f"[{problem.rule.id}]")
        read_document(file, "fuzz-case.md")


@SETTINGS
@given(st.binary(max_size=3000))
def test_random_bytes(fixture_root: Path, data: bytes) -> None:
    _check_file(fixture_root, data)
    _check_file(fixture_root, b"---\n" + data)


@SETTINGS
@given(st.lists(st.sampled_from(_TRICKY), max_size=200).map("".join))
def test_yaml_like_text(fixture_root: Path, text: str) -> None:
    load(text)
    _check_file(fixture_root, ("---\n" + text + "\n---\n本文\n").encode("utf-8", "surrogatepass"))


@SETTINGS
@given(st.data())
def test_valid_case_with_one_value_replaced(fixture_root: Path, data: st.DataObject) -> None:
    case = copy.deepcopy(VALID)
    path = data.draw(st.sampled_from(_paths(case)))
    target = case
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = data.draw(values)
    text = yaml.safe_dump(case, allow_unicode=True)
    _check_file(fixture_root, ("---\n" + text + "---\n").encode("utf-8", "surrogatepass"))


@SETTINGS
@given(st.lists(st.sampled_from(_TRICKY), max_size=120).map("".join))
def test_fix_never_raises_and_is_idempotent(taxonomy, text: str) -> None:
    content = "---\nid: fuzz-case\nkeywords:\n  - " + text + "\n---\n" + text
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / "fuzz-case.md"
        file.write_bytes(content.encode("utf-8", "surrogatepass"))
        fix_file(file, "fuzz-case.md", taxonomy)
        once = file.read_bytes()
        fix_file(file, "fuzz-case.md", taxonomy)
        assert file.read_bytes() == once
