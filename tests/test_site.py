"""The built site: strict build, reachable pages, a nav that does not grow, nothing external."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from conftest import REPO, assemble_project, build_site, cli_env

# Attributes that make a browser fetch something (as opposed to <a href>, which the reader follows).
_FETCHING = {
    ("script", "src"), ("img", "src"), ("img", "srcset"), ("iframe", "src"), ("source", "src"), ("source", "srcset"),
    ("audio", "src"), ("video", "src"), ("video", "poster"), ("embed", "src"), ("object", "data"), ("input", "src"),
    ("track", "src"), ("image", "href"), ("use", "href"),
}  # fmt: skip
_FETCHING_LINK_RELS = {"stylesheet", "icon", "preload", "prefetch", "preconnect", "dns-prefetch", "modulepreload", "manifest", "apple-touch-icon"}
_CSS_EXTERNAL = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])\s*(?:https?:)?//""", re.IGNORECASE)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.anchors: list[str] = []
        self.fetched: list[str] = []
        self.styles: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "a" and "href" in values:
            self.anchors.append(values["href"])
        for name, value in values.items():
            if (tag, name) in _FETCHING:
                self.fetched.append(value)
            if name == "style":
                self.styles.append(value)
        if tag == "link" and set(values.get("rel", "").lower().split()) & _FETCHING_LINK_RELS:
            self.fetched.append(values.get("href", ""))
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self.fetched.append(values.get("content", ""))


def _parse(html_file: Path) -> _Links:
    parser = _Links()
    parser.feed(html_file.read_text(encoding="utf-8"))
    return parser


def test_built_pages_and_data(fixture_site: Path) -> None:
    for path in (
        "index.html",
        "about.html",
        "glossary.html",
        "cases.zip",
        "cases/ibaraki-goka-fixture-guide.html",
        "cases/index.html",
        "keywords/index.html",
        "keywords/ojt.html",
        "organisations/茨城県五霞町.html",
        "documents/fixture-policy.html",
        "voices/fixture-message.html",
    ):
        assert (fixture_site / path).is_file(), path
    assert not (fixture_site / "fixture-policy.html").exists()  # pages/ sources are not published as they are


def test_every_page_is_reachable_from_the_home_page(fixture_site: Path) -> None:
    seen: set[Path] = set()
    queue = [fixture_site / "index.html"]
    while queue:
        page = queue.pop()
        if page in seen or not page.is_file():
            continue
        seen.add(page)
        for href in _parse(page).anchors:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path:
                continue
            target = (page.parent / unquote(parts.path)).resolve()
            if target.suffix == ".html":
                queue.append(target)
    pages = {p.resolve() for p in fixture_site.rglob("*.html")} - {(fixture_site / "404.html").resolve()}
    assert pages - seen == set()


def _primary_nav(html: str) -> str:
    """The navigation every page embeds: the primary sidebar (no tabs: they repeated its top level)."""
    sidebar = re.search(r'<div class="md-sidebar md-sidebar--primary".*?<div class="md-sidebar md-sidebar--secondary"', html, re.DOTALL)
    assert sidebar and 'class="md-tabs"' not in html, "navigation not found, or tabs that repeat it"
    return sidebar.group()


def test_nav_does_not_grow_with_the_number_of_cases(tmp_path: Path, fixture_site: Path) -> None:
    root = assemble_project(tmp_path / "project")
    template = (root / "cases" / "kochi-fixture-guide.md").read_text(encoding="utf-8")
    for n in range(60):
        case_id = f"kochi-extra-{n}-fixture-guide"
        (root / "cases" / f"{case_id}.md").write_text(template.replace("kochi-fixture-guide", case_id), encoding="utf-8")
    build_site(root, root / "site")
    small = (fixture_site / "cases" / "kochi-fixture-guide.html").read_text(encoding="utf-8")
    large = (root / "site" / "cases" / "kochi-fixture-guide.html").read_text(encoding="utf-8")
    assert _primary_nav(small) == _primary_nav(large)
    assert "kochi-extra" not in _primary_nav(large) and "fixture-guide" not in _primary_nav(large)
    # One link to the listing, whatever the number of cases (navigation.prune: the section's name, on its first page).
    assert re.search(r'<a href="index.html" class="md-nav__link">\s*<span class="md-ellipsis">\s*事例を探す', _primary_nav(large))
    assert len(list((root / "site" / "cases").glob("*.html"))) == 64 + 1  # and the all-cases page, index.html


def test_every_page_has_the_japanese_footer(fixture_site: Path) -> None:
    for html_file in fixture_site.rglob("*.html"):
        html = html_file.read_text(encoding="utf-8")
        footer = html[html.index('<footer class="md-footer">') :]
        assert "Made with" not in footer and "Material for MkDocs" not in footer, html_file
        assert "総務省ほか、各出典資料" in footer and "MIT ライセンス" in footer and "各出典の発行者" in footer, html_file
        assert re.search(r'<time datetime="\d{4}-\d{2}-\d{2}">\d{4}年\d{1,2}月\d{1,2}日</time>', footer), html_file
        # The data links are relative, so they work at any depth and from a folder (file://).
        depth = "../" * (len(html_file.relative_to(fixture_site).parts) - 1)
        if html_file.name != "404.html":
            assert f'<a href="{depth}cases.zip">cases.zip</a>' in footer, html_file


def test_404_page_is_japanese_and_leads_somewhere(fixture_site: Path) -> None:
    html = (fixture_site / "404.html").read_text(encoding="utf-8")
    assert "Not found" not in html
    assert "<title>ページが見つかりません - DX人材事例ナビ</title>" in html and "<h1>ページが見つかりません</h1>" in html
    # Served at any missing address, so its links are from the site root (or SITE_URL's path).
    assert re.search(r'<form class="dxn-search-box" action="/search\.html" method="get" role="search"[^>]*>\s*<input name="q"', html)
    for folder in ("cases", "keywords", "prefectures", "population", "kinds", "organisations", "categories", "schemes", "roles", "sources"):
        assert f'<a href="/{folder}/index.html">' in html, folder
    assert '<a href="/cases.zip">cases.zip</a>' in html


def test_every_page_loads_the_page_scripts_as_one_bundle(fixture_site: Path) -> None:
    from builder.theme_files import PAGE_SCRIPTS

    folder = REPO / "site_overrides/assets/javascripts/dxnavi"
    bundle = (fixture_site / "assets/javascripts/dxnavi/bundle.js").read_text(encoding="utf-8")
    starts = [bundle.index((folder / f"{name}.js").read_text(encoding="utf-8").rstrip()) for name in PAGE_SCRIPTS]
    assert starts == sorted(starts) and starts[0] == 0  # every module, whole and in order
    for page in ("index.html", "cases/kochi-fixture-guide.html", "keywords/ojt.html"):
        scripts = re.findall(r'<script src="([^"]*dxnavi/[^"]*)"', (fixture_site / page).read_text(encoding="utf-8"))
        assert [s.rsplit("/", 1)[1] for s in scripts] == ["bundle.js"], page


def test_material_search_and_source_maps_are_not_published(fixture_site: Path) -> None:
    """Material's search is off (the site has its own) and no page loads a source map."""
    assert not (fixture_site / "assets/javascripts/lunr").exists() and not (fixture_site / "assets/javascripts/workers").exists()
    assert list(fixture_site.rglob("*.map")) == []
    assert any((fixture_site / "assets/javascripts").glob("bundle.*.min.js"))  # Material's own page script stays


def test_nothing_is_fetched_from_another_host(fixture_site: Path) -> None:
    offending = []
    for html_file in fixture_site.rglob("*.html"):
        links = _parse(html_file)
        for url in links.fetched:
            if re.search(r"(?:https?:)?//", url):
                offending.append(f"{html_file.relative_to(fixture_site)}: {url}")
        offending += [f"{html_file.relative_to(fixture_site)}: style {s}" for s in links.styles if _CSS_EXTERNAL.search(s)]
    for css in fixture_site.rglob("*.css"):
        text = css.read_text(encoding="utf-8")
        offending += [f"{css.relative_to(fixture_site)}: {m.group()}" for m in _CSS_EXTERNAL.finditer(text)]
    assert offending == []
    assert not (fixture_site / "assets" / "fonts").exists()
    assert "fonts.googleapis.com" not in (fixture_site / "index.html").read_text(encoding="utf-8")


def test_relative_links_resolve(fixture_site: Path) -> None:
    broken = []
    for html_file in fixture_site.rglob("*.html"):
        for href in _parse(html_file).anchors:
            parts = urlsplit(urljoin("http://site/" + html_file.relative_to(fixture_site).as_posix(), href))
            if parts.netloc != "site":
                continue
            target = fixture_site / unquote(parts.path.lstrip("/"))
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{html_file.relative_to(fixture_site)} -> {href}")
    assert broken == []


def test_real_site_builds_strictly(tmp_path: Path) -> None:
    """The README's site, built exactly as CI builds it: mkdocs build --strict, no warnings."""
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=cli_env(NO_MKDOCS_2_WARNING="1"),
    )
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr
    assert len(list((tmp_path / "site" / "cases").glob("*.html"))) == len(list((REPO / "cases").rglob("*.md"))) + 1  # + index.html
    shutil.rmtree(tmp_path / "site")


def test_material_search_files_stay_when_its_plugin_is_on(tmp_path: Path) -> None:
    # eval-search builds its Material anchor with the search plugin on: its worker must be in that site.
    from mkdocs.config import load_config

    from builder.theme_files import material_search

    (tmp_path / "docs").mkdir()
    for plugins, expected in ((["search"], True), ([{"search": {"lang": "ja"}}], True), ([], False)):
        config = tmp_path / "mkdocs.yml"
        config.write_text(json.dumps({"site_name": "x", "plugins": plugins}), encoding="utf-8")
        assert material_search(load_config(str(config))) is expected, plugins
