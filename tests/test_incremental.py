"""A rebuild reuses the pages whose inputs did not change (issue 12), and its site is
byte for byte the site a clean full build makes of the same inputs."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest

from conftest import cli_env, run_cli

ENV = cli_env(SOURCE_DATE_EPOCH="1577934245")  # not a git checkout: the commit's date would be the clock's
REUSED = re.compile(r"ページ: (\d+) ページのうち (\d+) ページは変わっていないため")
LINKED = re.compile(r"ファイル: (\d+) 個は前回のサイトと同じため")


def _hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def _build(project: Path, site: Path) -> tuple[int, int]:
    """Build; (pages, pages reused from the previous build)."""
    previous = site.is_dir()
    result = run_cli("build", "--site-dir", str(site), root=project, env=ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    pages, reused = REUSED.search(result.stderr).groups()
    # Files the previous site has byte for byte are linked from it (builder/previous_site.py): the theme's at least.
    assert (LINKED.search(result.stderr) is not None) == previous
    return int(pages), int(reused)


def _clean_build(project: Path, tmp_path: Path) -> dict[str, str]:
    """A full build of the same inputs in a fresh copy of the project (no cache, no previous site)."""
    copy = tmp_path / "clean"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns(".cache", "site"))
    pages, reused = _build(copy, copy / "site")
    assert reused == 0
    return _hashes(copy / "site")


def test_a_rebuild_after_edits_equals_a_full_build(project: Path, tmp_path: Path) -> None:
    site = project / "site"
    pages, reused = _build(project, site)
    assert reused == 0

    # A title shows on other pages too: the same organisation's other case, the lists, the search index.
    case = project / "cases" / "ibaraki-goka-fixture-guide.md"
    case.write_text(case.read_text(encoding="utf-8").replace("title: テスト用の育成レベル別研修", "title: 改訂した育成研修"), encoding="utf-8")
    pages, reused = _build(project, site)
    assert 0 < reused < pages - 3  # the case, its neighbour and the lists are rendered again
    assert _hashes(site) == _clean_build(project, tmp_path)
    neighbour = (site / "cases" / "ibaraki-goka-fixture-casebook.html").read_text(encoding="utf-8")
    assert "改訂した育成研修" in neighbour and "テスト用の育成レベル別研修" not in neighbour

    # Files of the old site changed by hand are written again, not linked (only equal bytes are).
    (site / "cases" / "kochi-fixture-guide.html").write_text("edited", encoding="utf-8")
    (site / "assets" / "stylesheets" / "dxnavi.css").write_text("edited", encoding="utf-8")
    _build(project, site)
    assert _hashes(site) == _clean_build(project, tmp_path)

    # A deleted case: its page goes, the pages that listed it change, the others are reused.
    (project / "cases" / "tokyo-nakano-fixture-casebook.md").unlink()
    pages, reused = _build(project, site)
    assert 0 < reused < pages
    assert not (site / "cases" / "tokyo-nakano-fixture-casebook.html").exists()
    assert _hashes(site) == _clean_build(project, tmp_path)


def test_a_change_to_the_theme_renders_every_page_again(project: Path) -> None:
    site = project / "site"
    pages, _ = _build(project, site)
    footer = project / "site_overrides" / "partials" / "footer.html"
    edited = footer.read_text(encoding="utf-8").replace('<footer class="md-footer">', '<footer class="md-footer" data-edited>')
    footer.write_text(edited, encoding="utf-8")
    assert _build(project, site) == (pages, 0)
    assert "data-edited" in (site / "cases" / "kochi-fixture-guide.html").read_text(encoding="utf-8")


def test_a_page_whose_link_lost_its_target_is_rendered_again(project: Path) -> None:
    """A kept page is reused only while the files it links to exist: otherwise --strict must see the broken link."""
    site = project / "site"
    linked = project / "cases" / "kochi-fixture-guide.md"
    linking = project / "cases" / "ibaraki-goka-fixture-guide.md"
    linking.write_text(linking.read_text(encoding="utf-8") + "\n[高知の事例](kochi-fixture-guide.md)\n", encoding="utf-8")
    _build(project, site)
    before = _hashes(site)
    linked.unlink()
    result = run_cli("build", "--site-dir", str(site), root=project, env=ENV)
    assert result.returncode == 1
    assert "kochi-fixture-guide.md" in result.stderr
    assert _hashes(site) == before  # the failed build's links into the old site changed none of its files


def test_with_materials_search_on_every_page_is_rendered_again(project: Path) -> None:
    """Its plugin indexes each page's converted HTML, which a reused page lacks (eval-search's Material anchor)."""
    from builder.evaluation import snapshot

    snapshot.use_material_search(project)
    site = project / "site"
    pages, _ = _build(project, site)
    assert _build(project, site) == (pages, 0)
    assert (site / "search" / "search_index.json").is_file()


def test_the_browser_assets_are_compressed_once_and_kept_by_their_hash(tmp_path: Path) -> None:
    from builder.generate.semantic_assets import GZIP_CODEC, binary

    data = bytes(range(256)) * 1000
    fresh = binary(data)
    kept = binary(data, cache=tmp_path, dims=3)
    assert kept == {**fresh, "dims": 3}
    stored = tmp_path / f"{fresh['sha256']}.{GZIP_CODEC}.a7gz"  # another compressor would not read it
    assert stored.read_bytes() == b"%d\n%b" % (fresh["length"], fresh["data"])
    assert [p.name for p in tmp_path.iterdir()] == [stored.name]  # no partial file left behind
    other = binary(data[:-1], cache=tmp_path)  # other bytes, another entry: never the first one's encoding
    assert other["data"] != fresh["data"] and len(list(tmp_path.iterdir())) == 2


def test_check_keeps_each_files_verdict_until_its_inputs_change(project: Path, tmp_path: Path, monkeypatch) -> None:
    """Unchanged files are not checked again, and a kept verdict is the very one a fresh check gives, warnings and all."""
    from builder import check_cache
    from builder.check_cache import CheckCache
    from builder.project import Project
    from builder.validate import check_project

    monkeypatch.setenv("DXNAVI_CACHE", str(tmp_path / "cache"))
    checked: list[int] = []  # how many files each check read and validated
    verdicts = CheckCache.verdicts
    monkeypatch.setattr(CheckCache, "verdicts", lambda self, jobs, run: verdicts(self, jobs, lambda todo: checked.append(len(todo)) or run(todo)))
    cases = project / "cases"
    warned = cases / "kochi-fixture-guide.md"  # a keyword by its alias (a warning), a radical from a PDF (an error)
    warned.write_text(warned.read_text(encoding="utf-8").replace("  - 伴走支援\n", "  - 伴走支援\n  - OJT\n").replace("個別訪問", "個別⽅問"), encoding="utf-8")
    broken = cases / "tokyo-nakano-fixture-casebook.md"  # fails the schema: a draft
    broken.write_text(re.sub(r"value: \d+", "value: たくさん", broken.read_text(encoding="utf-8"), count=1), encoding="utf-8")

    fresh = check_project(Project(project))
    assert [p.rule.id for p in fresh.problems if not p.is_error] == ["alias"]
    assert {p.path for p in fresh.errors} == {"cases/kochi-fixture-guide.md", "cases/tokyo-nakano-fixture-casebook.md"}
    assert fresh.corpus is not None and [d.id for d in fresh.corpus.drafts] == ["tokyo-nakano-fixture-casebook"]
    files = checked[-1]
    monkeypatch.setattr(check_cache, "_recent", None)  # as a new process finds it: the verdicts come from the file
    kept = check_project(Project(project))
    assert checked[-1] == 0
    assert kept.problems == fresh.problems and kept.corpus == fresh.corpus
    # serve checks again on every save: the same process takes its last verdicts as they are.
    with monkeypatch.context() as patched:
        patched.setattr(CheckCache, "_kept", lambda self, keys: pytest.fail("read the file again") if any(keys) else {})
        again = check_project(Project(project))
    assert again.corpus is not None and kept.corpus is not None and again.corpus.cases[0] is kept.corpus.cases[0]

    edited = cases / "ibaraki-goka-fixture-guide.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("title: テスト用の育成レベル別研修", "title: 改訂した育成研修"), encoding="utf-8")
    assert check_project(Project(project)).corpus.cases[1].model.title == "改訂した育成研修"  # type: ignore[union-attr]
    assert checked[-1] == 1
    keywords = project / "taxonomy" / "keywords.yml"  # the taxonomy decides every verdict
    keywords.write_text(keywords.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    check_project(Project(project))
    assert checked[-1] == files


def test_the_tables_made_as_html_are_what_markdown_makes(project: Path, tmp_path: Path, monkeypatch) -> None:
    """builder/generate/table_html.py writes the case listings (all cases, every index page) as MkDocs
    would render their Markdown: every page of the site is byte for byte the same."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from builder.generate import table_html

    monkeypatch.chdir(project)
    monkeypatch.setenv("DXNAVI_ENGINE", "none")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1577934245")
    case = project / "cases" / "kochi-fixture-guide.md"  # punctuation in a title, escaped as character references
    case.write_text(case.read_text(encoding="utf-8").replace("title: テスト用の県による伴走支援", 'title: "県の*伴走*支援 [1] <b>&amp; (試行)"'), encoding="utf-8")
    made_as_html = table_html.table
    made: list[bool] = []  # per table of the fast builds: made as HTML
    handed: list[int] = []  # listing tables in each site
    for directory_urls in (False, True):
        sites = []
        for fast in (True, False):
            # Without HTML every table goes through Python-Markdown, as before table_html.
            monkeypatch.setattr(table_html, "table", (lambda *args: made.append((html := made_as_html(*args)) is not None) or html) if fast else lambda *args: None)
            site = tmp_path / f"site-{directory_urls}-{fast}"
            build(load_config(str(project / "mkdocs.yml"), site_dir=str(site), use_directory_urls=directory_urls))
            sites.append({page.relative_to(site): page.read_bytes() for page in site.rglob("*.html")})
            handed.append(sum(page.count(b'<div class="dxn-cases') for page in sites[-1].values()))
        assert sites[0].keys() == sites[1].keys()
        assert [page for page in sites[0] if sites[0][page] != sites[1][page]] == []
        assert "県の&#42;伴走&#42;支援".encode() in sites[0][Path("cases/index.html")]
    assert handed[0] == handed[1] > 10  # the same tables, and many of them
    assert len(made) > 10 and all(made)  # and the fast builds made every one as HTML (not the Markdown again)
    assert table_html.to_html("| a |\n| --- |\n| *b* |", "cases/index.md", False) is None  # not a block of plain cells


def test_serve_links_the_unchanged_files_of_its_last_build(project: Path, tmp_path: Path) -> None:
    """serve empties its folder before each build: its last build is moved aside, linked from and then removed."""
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]

    def get(path: str) -> bytes | None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/{path}", timeout=5) as response:
                return re.sub(rb"livereload\(\d+, \d+\)", b"", response.read())  # the build's number, added by the server
        except OSError:
            return None

    def until(condition, seconds: float = 120) -> None:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + seconds
        while not condition():
            assert server.poll() is None and time.monotonic() < deadline, log.read_text(encoding="utf-8")
            time.sleep(0.2)

    log = tmp_path / "serve.log"
    with log.open("w") as out:
        command = [sys.executable, "-m", "builder", "--root", str(project), "serve", "--dev-addr", f"127.0.0.1:{port}"]
        server = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=ENV, start_new_session=True)
    try:
        until(lambda: get("") is not None)
        unchanged, style = get("cases/kochi-fixture-guide.html"), get("assets/stylesheets/dxnavi.css")
        case = project / "cases" / "ibaraki-goka-fixture-guide.md"
        case.write_text(case.read_text(encoding="utf-8").replace("title: テスト用の育成レベル別研修", "title: 改訂した育成研修"), encoding="utf-8")
        until(lambda: "改訂した育成研修" in (get("cases/ibaraki-goka-fixture-casebook.html") or b"").decode("utf-8"))
        until(lambda: REUSED.findall(log.read_text(encoding="utf-8"))[1:] != [])  # the second build is done
        assert get("cases/kochi-fixture-guide.html") == unchanged and get("assets/stylesheets/dxnavi.css") == style
        assert len(LINKED.findall(log.read_text(encoding="utf-8"))) == 1  # the first build had none to link from
        time.sleep(2)  # a build reads every case, which is no change: no build follows it (builder/run_mkdocs.py)
        assert log.read_text(encoding="utf-8").count("Detected file changes") == 1
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
