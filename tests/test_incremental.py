"""A rebuild reuses the pages whose inputs did not change (issue 12), and its site is
byte for byte the site a clean full build makes of the same inputs."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

from conftest import cli_env, run_cli

ENV = cli_env(SOURCE_DATE_EPOCH="1577934245")  # not a git checkout: the commit's date would be the clock's
REUSED = re.compile(r"ページ: (\d+) ページのうち (\d+) ページは変わっていないため")


def _hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def _build(project: Path, site: Path) -> tuple[int, int]:
    """Build; (pages, pages reused from the previous build)."""
    result = run_cli("build", "--site-dir", str(site), root=project, env=ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    pages, reused = REUSED.search(result.stderr).groups()
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
    linked.unlink()
    result = run_cli("build", "--site-dir", str(site), root=project, env=ENV)
    assert result.returncode == 1
    assert "kochi-fixture-guide.md" in result.stderr


def test_the_browser_assets_are_compressed_once_and_kept_by_their_hash(tmp_path: Path) -> None:
    from builder.generate.semantic_assets import binary

    data = bytes(range(256)) * 1000
    fresh = binary(data)
    kept = binary(data, cache=tmp_path, dims=3)
    assert kept == {**fresh, "dims": 3}
    stored = tmp_path / f"{fresh['sha256']}.b64gz"
    assert stored.read_text(encoding="ascii") == fresh["data"]
    assert [p.name for p in tmp_path.iterdir()] == [stored.name]  # no partial file left behind
    other = binary(data[:-1], cache=tmp_path)  # other bytes, another entry: never the first one's encoding
    assert other["data"] != fresh["data"] and len(list(tmp_path.iterdir())) == 2
