"""The libyaml path of builder.yamlsource.load gives what the pure-Python path gives, or stands aside."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import astuple
from pathlib import Path

import pytest
import yaml

from builder import yamlsource
from conftest import BAD_INPUT, FIXTURE, REPO

pytestmark = pytest.mark.skipif(yamlsource._FAST_LOADER is None, reason="PyYAML without libyaml: there is only one path")


def _front_matter(text: str) -> str:
    lines = text.replace("\r\n", "\n").split("\n")
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), len(lines))
    return "\n".join(lines[1:end]) + "\n"


def _texts() -> list[str]:
    files = [*REPO.glob("cases/*.md"), *REPO.glob("pages/*.md"), *FIXTURE.rglob("*.md"), *BAD_INPUT.rglob("*.md")]
    texts = [_front_matter(f.read_bytes().decode("utf-8", "replace")) for f in files]
    texts += [f.read_text(encoding="utf-8") for f in [*REPO.glob("taxonomy/*.yml"), *FIXTURE.rglob("*.yml")]]
    guide = (FIXTURE / "cases" / "ibaraki-goka-fixture-guide.md").read_text(encoding="utf-8").split("\n")
    for slip in yaml.safe_load((REPO / "tests" / "yaml_slips.yml").read_text(encoding="utf-8")):
        for key in ("edit", "fixed"):
            lines = list(guide)
            for number, new in (slip.get(key) or {}).items():
                lines[number - 1] = new
            texts.append(_front_matter("\n".join(lines)))
    texts += [
        "", "# a comment\n", "~\n", "<<\n", "a: 1\na: 2\n", "[a]: b\nc: d\n", "{a: b}: c\n", "1: x\n", "a: &x 1\nb: *x\n",
        "a: [b, {c: d}]\n", "a: |\n  one\n  two\nb: >-\n  three\n", "keywords: OJT\n  - BPR\n", "a: 2024-13-45\n",
        "a:\tb\n", "a: 1\n---\nb: 2\n", "? a\n: b\n", "a: !!str 1\n", "a: |#\n  b\n", "\ufeffa: b\n", "a: b\u2028c: d\n",
        # every start the resolver knows, plain and quoted (the fast path asks it only for those plain ones)
        "a: [true, 'true', ~, null, '', .inf, -1, +1, 0o7, 0x1f, 1_000, 2024-01-02, '2024-01-02', <<, =, Yes, off, N, x1]\nb:\n",
    ]  # fmt: skip
    return texts


def _snapshot(result: tuple) -> tuple:
    located, issues = result
    issues = [astuple(i) for i in issues]
    if located is None:
        return None, issues
    spans = {k: astuple(v) for k, v in located.spans.items()}
    return (repr(located.data), located.value_lines, located.key_lines, spans), issues


def test_both_paths_read_every_file_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = _texts()
    fast = [_snapshot(yamlsource.load(t)) for t in texts]
    monkeypatch.setattr(yamlsource, "_FAST_LOADER", None)
    slow = [_snapshot(yamlsource.load(t)) for t in texts]
    for text, a, b in zip(texts, fast, slow):
        assert a == b, text


def test_the_real_cases_take_the_fast_path() -> None:
    for file in REPO.glob("cases/*.md"):
        assert yamlsource._load_fast(_front_matter(file.read_text(encoding="utf-8"))) is not None, file.name


@pytest.mark.parametrize("text", ["- " * 60_000 + "x", "[" * 1000 + "]" * 1000, "a:\n" + "".join(" " * i + f"k{i}:\n" for i in range(1, 60))])
def test_deep_nesting_is_refused_without_crashing(text: str) -> None:
    # libyaml's own composer recurses in C: 60,000 levels crash it (a segfault, not an exception).
    # In a child process, so a crash fails this test rather than the run.
    code = "import sys; from builder.yamlsource import load; print(load(sys.stdin.read())[1][0].detail)"
    result = subprocess.run([sys.executable, "-c", code], input=text, capture_output=True, text=True, cwd=REPO, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "入れ子が深すぎます"


def test_thousands_of_brackets_are_refused_on_their_line() -> None:
    # PyYAML's time grows with the square of the nesting; counting brackets answers first, on the right line.
    located, issues = yamlsource.load("title: x\nkeywords: " + "[" * 40_000 + "]" * 40_000 + "\n")
    assert located is None and [(i.line, i.detail) for i in issues] == [(2, "入れ子が深すぎます")]


def test_anchors_are_refused_on_either_path() -> None:
    located, issues = yamlsource.load("a: &x [1, 2]\nb: *x\n")
    assert located is None and [i.detail for i in issues] == ["アンカー（&）とエイリアス（*）は使えません"]
    assert yamlsource._load_fast("a: &x 1\n") is None
