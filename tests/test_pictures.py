"""The map and the charts (builder/generate/pictures.py): the same counts as the listings, all 47
prefectures with their JIS codes, links that lead to pages, colours that pass WCAG AA, and a
map small enough for every page that has one."""

from __future__ import annotations

import gzip
import posixpath
import re
from collections import Counter, defaultdict
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from builder.generate import paths, pictures
from builder.generate.pipeline import generate
from builder.project import Project
from builder.validate import Corpus, check_project
from conftest import REPO

MAP_BUDGET_GZIP = 60_000  # bytes the map may add to a page


class _Figures(HTMLParser):
    """The <figure class="dxn-figure"> elements of a page: their links, and each counted item
    (a bar or a prefecture) with its count, link, code, name and text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.figures: list[dict] = []
        self._open: list[str] = []  # tags open inside the current figure
        self._item: dict | None = None
        self._item_depth = 0
        self._label_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if not self._open:
            if tag == "figure" and "dxn-figure" in a.get("class", ""):
                self.figures.append({"id": a.get("id", ""), "class": a["class"], "items": [], "links": []})
                self._open.append(tag)
            return
        if tag in ("link", "path", "rect", "line"):
            return  # void or self-closed: no end tag to match
        self._open.append(tag)
        if tag == "a" and "href" in a:
            self.figures[-1]["links"].append(a["href"])
        if "data-count" in a:
            self._item = {"count": int(a["data-count"]), "href": a.get("href"), "code": a.get("data-code"), "aria": a.get("aria-label")}
            self._item.update(text="", label="")
            self._item_depth = len(self._open)
            self.figures[-1]["items"].append(self._item)
        if "dxn-chart__label" in a.get("class", ""):
            self._label_depth = len(self._open)

    def handle_endtag(self, tag: str) -> None:
        if not self._open or tag in ("link", "path", "rect", "line"):
            return
        if len(self._open) == self._item_depth:
            self._item, self._item_depth = None, 0
        if len(self._open) == self._label_depth:
            self._label_depth = 0
        self._open.pop()

    def handle_data(self, data: str) -> None:
        if self._item is not None:
            self._item["text"] += data
            if self._label_depth:
                self._item["label"] += data


def figures(html: str) -> list[dict]:
    parser = _Figures()
    parser.feed(html)
    return parser.figures


def _corpus(root: Path) -> Corpus:
    result = check_project(Project(root))
    assert result.errors == [] and result.corpus is not None
    return result.corpus


@pytest.fixture(scope="module", params=["real", "fixture"])
def built(request: pytest.FixtureRequest, fixture_root: Path) -> tuple[Corpus, dict[str, str]]:
    corpus = _corpus(REPO if request.param == "real" else fixture_root)
    return corpus, {f.path: f.content for f in generate(corpus)}  # type: ignore[misc]


def _target(page: str, href: str) -> str:
    """The generated Markdown page a link on ``page`` opens (site built with .html URLs)."""
    path = posixpath.normpath(posixpath.join(posixpath.dirname(page), unquote(urlsplit(href).path)))
    return path[: -len(".html")] + ".md"


_LISTED = re.compile(r"^## 事例（(\d+) 件）$", re.MULTILINE)
_INDEX_ROW = re.compile(r"^\| \[(?:#|&#35;)?(.+?)\]\((.+?)\) \| (\d+) 件 \|", re.MULTILINE)


def _listed(pages: dict[str, str], page: str) -> int:
    """The number of cases a listing page says it lists (a page without a listing lists none)."""
    found = _LISTED.search(pages[page])
    return int(found.group(1)) if found else 0


def test_every_bar_and_prefecture_has_the_count_of_its_listing_page(built) -> None:
    corpus, pages = built
    checked = 0
    for page, content in pages.items():
        for figure in figures(content) if isinstance(content, str) else []:
            for item in figure["items"]:
                if not item["href"]:
                    continue
                target = _target(page, item["href"])
                assert target in pages, f"{page}: {item['href']}"
                if target.endswith("/index.md") or figure["id"] == "dxn-fig-keyword-map":
                    continue  # sums over a listing (regions, years) and a keyword's share: checked below
                assert item["count"] == _listed(pages, target), f"{page} {figure['id']}: {item['label'] or item['aria']} -> {target}"
                checked += 1
    assert checked > 50


def test_chart_on_an_index_page_matches_its_table(built) -> None:
    _, pages = built
    for folder in (paths.CATEGORIES, paths.POPULATION, paths.KINDS, paths.SOURCES):
        page = pages[paths.index(folder)]
        table = [int(count) for _, _, count in _INDEX_ROW.findall(page)]
        unlinked = re.findall(r"^\| (?!\[)[^|]+ \| (\d+) 件 \|", page, re.MULTILINE)
        chart = next(f for f in figures(page) if f["id"] == f"dxn-fig-{folder}")
        assert sorted(i["count"] for i in chart["items"]) == sorted(table + [int(c) for c in unlinked]), folder


def test_region_and_year_bars_are_the_sums_of_their_listings(built) -> None:
    corpus, pages = built
    stats = {f["id"]: f for f in figures(pages[paths.STATISTICS])}
    by_region: Counter[str] = Counter()
    for area in stats["dxn-fig-map"]["items"]:
        prefecture = next(p for p in corpus.taxonomy.prefectures if p.code == int(area["code"]))
        by_region[corpus.taxonomy.region_of(prefecture).label] += area["count"]
    regions = {i["label"]: i["count"] for i in stats["dxn-fig-regions"]["items"]}
    assert regions == {r.label: by_region[r.label] for r in corpus.taxonomy.regions}
    assert sum(regions.values()) == len(corpus.cases)
    years = sum(i["count"] for i in stats["dxn-fig-years"]["items"])
    assert years == sum(i["count"] for i in stats["dxn-fig-sources"]["items"]) == len(corpus.cases)


def test_keyword_map_counts_the_cases_its_page_lists(built) -> None:
    corpus, pages = built
    prefecture_of = {e.id: e.model.organisation.prefecture for e in corpus.cases}  # type: ignore[attr-defined]
    codes = {p.label: f"{p.code:02d}" for p in corpus.taxonomy.prefectures}
    seen = 0
    for page, content in pages.items():
        if not page.startswith(paths.KEYWORDS + "/") or page.endswith("index.md"):
            continue
        # Linked from the listing's Markdown, or from its HTML (builder/generate/table_html.py).
        found = re.findall(r'\]\(\.\./cases/([^)]+)\.md\)|href="\.\./cases/([^"]+)\.html"', content.split("## 事例（", 1)[1]) if "## 事例（" in content else []
        listed = [markdown or html for markdown, html in found]
        expected = Counter(codes[prefecture_of[case_id]] for case_id in dict.fromkeys(listed))
        maps = [f for f in figures(content) if f["id"] == "dxn-fig-keyword-map"]
        if not listed:
            assert maps == [], page
            continue
        counts = {i["code"]: i["count"] for i in maps[0]["items"]}
        assert {c: n for c, n in counts.items() if n} == dict(expected), page
        assert all(bool(i["href"]) == bool(i["count"]) for i in maps[0]["items"]), page  # only where its cases are
        seen += 1
    assert seen > 0


def test_map_has_all_47_prefectures_with_their_jis_codes(built) -> None:
    corpus, pages = built
    for page in (paths.HOME, paths.index(paths.PREFECTURES), paths.STATISTICS):
        (country,) = [f for f in figures(pages[page]) if "dxn-map" in f["class"]]
        items = country["items"]
        assert sorted(i["code"] for i in items) == [f"{n:02d}" for n in range(1, 48)], page
        for item in items:
            prefecture = next(p for p in corpus.taxonomy.prefectures if p.code == int(item["code"]))
            name = f"{prefecture.label}: {item['count']}件"
            assert item["text"] == name, page  # the <title>
            if item["href"]:
                assert item["aria"] == name
                assert _target(page, item["href"]) == paths.value(paths.PREFECTURES, prefecture.id)
            else:
                assert paths.value(paths.PREFECTURES, prefecture.id) not in pages  # no page to go to
        assert sum(i["count"] for i in items) == len(corpus.cases)


def test_links_work_with_directory_urls_too(fixture_root: Path) -> None:
    """Raw HTML links are not rewritten by MkDocs, so each URL scheme must be written right."""
    files = generate(_corpus(fixture_root), use_directory_urls=True)
    urls = {paths.url(f.path, True) for f in files if f.path.endswith(".md")}
    checked = 0
    for file in files:
        if not file.path.endswith(".md"):
            continue
        base = paths.url(file.path, True)
        for figure in figures(file.content):  # type: ignore[arg-type]
            for href in figure["links"]:
                folder = base if base.endswith("/") or not base else posixpath.dirname(base) + "/"
                resolved = posixpath.normpath(posixpath.join(folder, href)) + ("/" if href.endswith("/") else "")
                resolved = "" if resolved in ("./", "./.") else resolved
                assert resolved in urls, f"{file.path}: {href} -> {resolved}"
                checked += 1
    assert checked > 50


def test_picture_links_resolve_in_the_built_site(fixture_site: Path) -> None:
    broken, seen = [], 0
    for html_file in fixture_site.rglob("*.html"):
        for figure in figures(html_file.read_text(encoding="utf-8")):
            for href in figure["links"]:
                target = (html_file.parent / unquote(urlsplit(href).path)).resolve()
                seen += 1
                if not target.is_file():
                    broken.append(f"{html_file.relative_to(fixture_site)} -> {href}")
    assert broken == [] and seen > 50
    stats = (fixture_site / "statistics.html").read_text(encoding="utf-8")
    assert "<h1" in stats and "統計" in stats and 'href="statistics.html"' in (fixture_site / "index.html").read_text(encoding="utf-8")


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_colours_are_sequential_and_pass_wcag_aa() -> None:
    lightness = [_luminance(c) for c in pictures.SHADES]
    assert lightness == sorted(lightness, reverse=True) and len(set(lightness)) == len(lightness)  # readable in greyscale
    assert _contrast(pictures.BAR, "#ffffff") >= 3  # a bar against the page
    assert _contrast(pictures.OUTLINE_DARK, "#ffffff") >= 4.5  # the edge of a light prefecture against the sea
    for shade in pictures.SHADES[pictures.DARK_FROM :]:
        assert _contrast(shade, "#ffffff") >= 3  # dark shades stand on their own; their white edge parts neighbours
        assert _contrast(shade, pictures.OUTLINE_LIGHT) >= 3
    for shade in pictures.SHADES[: pictures.DARK_FROM]:
        assert _contrast(shade, pictures.OUTLINE_DARK) >= 3
    for maximum in range(1, 40):
        classes = pictures.steps(maximum)
        assert classes[0].low == 1 and classes[-1].high == maximum
        assert all(a.high + 1 == b.low for a, b in zip(classes, classes[1:]))
        assert [_luminance(s.fill) for s in classes] == sorted((_luminance(s.fill) for s in classes), reverse=True)


def test_zero_is_told_apart_from_the_lightest_shade(built) -> None:
    _, pages = built
    home = pages[paths.HOME]
    light = [f'fill="{pictures.SHADES[0]}"' in home, 'fill="url(#dxn-fig-map-none)"' in home]
    assert light[0] <= light[1], "the lightest shade is used, so zero is hatched"


def test_map_size_and_pages_without_a_picture_add_nothing(built) -> None:
    _, pages = built
    sizes = {}
    for page in (paths.HOME, paths.index(paths.PREFECTURES), paths.STATISTICS, paths.value(paths.KEYWORDS, "ojt")):
        maps = re.findall(r'<figure class="dxn-figure dxn-map.*?</figure>', pages[page], re.DOTALL)
        assert len(maps) == 1, page
        sizes[page] = (len(maps[0].encode()), len(gzip.compress(maps[0].encode(), 9)))
        assert sizes[page][1] <= MAP_BUDGET_GZIP, (page, sizes[page])
    print("map bytes (raw, gzip):", sizes)
    for page, content in pages.items():
        has_figure = "dxn-figure" in content if isinstance(content, str) else False
        loads = pictures.STYLESHEET in content if isinstance(content, str) else False
        assert has_figure == loads, page
    assert "dxn-figure" not in next(c for p, c in pages.items() if p.startswith("cases/") and p != "cases/index.md")


def test_map_geometry_comes_from_the_package() -> None:
    from builder.generate import japan_map

    shapes = japan_map.shapes()
    assert sorted(shapes.paths) == list(range(1, 48))
    assert all(re.fullmatch(r"M\d+ \d+l[-\d ]+z", d) for d in shapes.paths.values())
    # Okinawa sits inside its box; every other prefecture is outside it.
    x, y, w, h = shapes.inset
    okinawa_start = tuple(map(int, re.match(r"M(\d+) (\d+)", shapes.paths[47]).groups()))  # type: ignore[union-attr]
    assert x <= okinawa_start[0] <= x + w and y <= okinawa_start[1] <= y + h
    starts = defaultdict(list)
    for code, d in shapes.paths.items():
        starts[code] = list(map(int, re.match(r"M(\d+) (\d+)", d).groups()))  # type: ignore[union-attr]
    assert all(not (x <= sx <= x + w and y <= sy <= y + h) for code, (sx, sy) in starts.items() if code != 47)


def test_missing_map_data_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from builder.generate import japan_map

    monkeypatch.setattr(japan_map, "PACKAGE", "japanmap-not-installed")
    japan_map.shapes.cache_clear()
    try:
        with pytest.raises(japan_map.MapDataMissing, match="requirements/mapdata.txt"):
            japan_map.shapes()
    finally:
        japan_map.shapes.cache_clear()
