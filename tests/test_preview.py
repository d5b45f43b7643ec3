"""The preview (issue 10): a case with errors is shown, with its problems in a red box on top;
the home page lists the files with errors; a strict build still refuses; text stays escaped."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

from builder.generate.pipeline import generate
from builder.project import Project
from builder.validate import check_project
from conftest import cli_env, run_cli

GUIDE = "cases/ibaraki-goka-fixture-guide.md"


def _write(project: Path, rel: str, edits: dict[int, str], case_id: str | None = None) -> None:
    lines = (project / GUIDE).read_text(encoding="utf-8").split("\n")
    for number, text in edits.items():
        lines[number - 1] = text
    if case_id:
        lines[1] = f"id: {case_id}"
    (project / rel).parent.mkdir(parents=True, exist_ok=True)
    (project / rel).write_text("\n".join(lines), encoding="utf-8")


def _preview(project: Path, site: Path) -> None:
    """Build as ``serve`` does: MkDocs with the plugin, not strict."""
    command = [sys.executable, "-m", "mkdocs", "build", "--config-file", str(project / "mkdocs.yml"), "--site-dir", str(site)]
    result = subprocess.run(command, cwd=project, env=cli_env(), capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr


def _box(html: str) -> str:
    match = re.search(r'<div class="dxn-problems">(.*?)</div>', html, re.S)
    assert match, "no red box"
    return match.group(1)


def test_preview_shows_cases_with_errors(project: Path, tmp_path: Path) -> None:
    # A type error whose message quotes markup, a front matter that does not parse,
    # and a second file with an id already taken (no page of its own).
    _write(project, "cases/nagano-midorino-fixture-guide.md", {3: "title: みどり野町の研修", 9: '  value: "<script>alert(1)</script>"'}, "nagano-midorino-fixture-guide")
    _write(project, "cases/nagano-broken-fixture-guide.md", {3: "title: 読めない事例", 11: 'category "計画と制度"'}, "nagano-broken-fixture-guide")
    _write(project, "cases/z-copy/ibaraki-goka-fixture-guide.md", {})
    site = tmp_path / "preview"
    _preview(project, site)

    page = (site / "cases" / "nagano-midorino-fixture-guide.html").read_text(encoding="utf-8")
    box = _box(page)
    assert page.index('class="dxn-problems"') < page.index('class="dxn-card"')  # at the top
    assert (
        "<li>cases/nagano-midorino-fixture-guide.md:9: population.value: 整数が必要ですが、文字「&lt;script&gt;alert(1)&lt;/script&gt;」が書かれています"
        " — 引用符やカンマを付けずに数字だけを書いてください。"
    ) in box
    assert "<script>alert" not in page
    assert "<h1" in page and "みどり野町の研修" in page

    broken = (site / "cases" / "nagano-broken-fixture-guide.html").read_text(encoding="utf-8")
    assert "cases/nagano-broken-fixture-guide.md:11: category: 「category」の後に「:」がありません — 項目名の後に半角の「:」" in _box(broken)
    assert "研修に参加して知識を身につける" in broken  # the body, though the front matter did not parse

    home = (site / "index.html").read_text(encoding="utf-8")
    listed = _box(home)
    assert 'href="cases/nagano-midorino-fixture-guide.html"' in listed
    assert 'href="cases/nagano-broken-fixture-guide.html"' in listed
    assert "cases&#47;z&#45;copy&#47;ibaraki&#45;goka&#45;fixture&#45;guide&#46;md — エラー 1 件" in listed  # no page: no link
    assert "は cases&#47;ibaraki&#45;goka&#45;fixture&#45;guide&#46;md でも使われています" in listed
    # Cases with schema errors stay out of listings, search and data files.
    with zipfile.ZipFile(site / "cases.zip") as archive:
        assert "nagano-midorino" not in archive.read("cases.json").decode("utf-8")

    result = run_cli("build", root=project)
    assert result.returncode == 1
    assert result.stdout.splitlines()[-1].startswith("エラーがあるためサイトを作りませんでした")


def test_a_site_without_errors_has_no_box(fixture_root: Path) -> None:
    result = check_project(Project(fixture_root))
    assert not result.errors
    outputs = generate(result.corpus)
    assert not [f.path for f in outputs if isinstance(f.content, str) and "dxn-problems" in f.content]
