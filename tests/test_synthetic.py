"""The synthetic library (python -m builder synth) and what must not change as the number of cases grows."""

from __future__ import annotations

import re
import statistics
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

from builder.search_terms import terms
from builder.synthetic import generate_cases
from conftest import REPO, run_cli


@pytest.fixture(scope="module")
def library() -> dict[str, str]:
    """400 synthetic cases (seed 0); the first N of a library are the library of N."""
    return generate_cases(REPO, 400, 0)


def _front(text: str) -> dict:
    return yaml.safe_load(text.split("---\n")[1])


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((folder / "cases").glob("*.md"))}


def test_a_seed_gives_the_same_bytes_and_another_seed_other_ones(tmp_path: Path) -> None:
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        result = run_cli("synth", "40", "--seed", str(seed), "--out", str(tmp_path / name), root=REPO)
        assert result.returncode == 0, result.stderr
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    assert len(_files(tmp_path / "a")) == 40
    assert _files(tmp_path / "a") != _files(tmp_path / "c")
    for name in ("taxonomy", "pages", "site_overrides", "mkdocs.yml"):  # a whole project, without the real cases
        assert (tmp_path / "a" / name).exists(), name
    assert not set(_files(tmp_path / "a")) & {p.name for p in (REPO / "cases").glob("*.md")}


def test_never_writes_into_the_project_or_a_folder_in_use(tmp_path: Path) -> None:
    before = sorted(p.name for p in (REPO / "cases").iterdir())
    for out in (REPO / "cases" / "synthetic", REPO, REPO / "pages"):
        result = run_cli("synth", "3", "--out", str(out), root=REPO)
        assert result.returncode == 1 and "Traceback" not in result.stderr, out
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "keep.txt").write_text("x", encoding="utf-8")
    assert run_cli("synth", "3", "--out", str(tmp_path / "used"), root=REPO).returncode == 1
    assert sorted(p.name for p in (REPO / "cases").iterdir()) == before
    assert sorted(p.name for p in (tmp_path / "used").iterdir()) == ["keep.txt"]


def test_every_generated_case_passes_check(tmp_path: Path) -> None:
    assert run_cli("synth", "200", "--seed", "3", "--out", str(tmp_path / "p"), root=REPO).returncode == 0
    result = run_cli("check", root=tmp_path / "p")
    assert result.returncode == 0, result.stdout
    assert "問題は見つかりませんでした" in result.stdout, result.stdout  # not even a warning


def test_vocabulary_grows_with_the_number_of_cases(library: dict[str, str]) -> None:
    texts = list(library.values())

    def distinct(n: int) -> int:
        return len({t for text in texts[:n] for t in terms(text)})

    small, large = distinct(100), distinct(400)
    assert large > small
    assert large > 1.2 * small  # new names keep coming, as in a real library, not a fixed pool of sentences


def test_distributions_look_like_a_national_library(library: dict[str, str]) -> None:
    cases = [_front(text) for text in library.values()]
    assert [c["id"] for c in cases] == list(library)
    organisations = Counter(c["organisation"]["name"] for c in cases)
    assert max(organisations.values()) <= 3
    assert sum(1 for n in organisations.values() if n > 1) >= 3  # a few organisations in more than one source...
    assert sum(1 for n in organisations.values() if n > 1) < len(organisations) / 5  # ...and most in one
    assert len({c["category"] for c in cases}) >= 6
    assert len({c["organisation"]["prefecture"] for c in cases}) >= 30
    kinds = Counter(c["organisation"]["kind"] for c in cases)
    assert set(kinds) >= {"都道府県", "市", "町", "村"} and kinds["市"] > kinds["町"] > kinds["村"]
    population = {kind: [c["population"]["value"] for c in cases if c["organisation"]["kind"] == kind] for kind in kinds}
    assert max(population["村"]) <= 40_000 and max(population["町"]) <= 50_000
    assert statistics.median(population["村"]) < statistics.median(population["町"]) < statistics.median(population["市"])
    assert min(population["都道府県"]) > 500_000
    for case in cases:
        if case["organisation"]["kind"] != "都道府県":
            assert re.fullmatch(re.escape(case["organisation"]["prefecture"]) + r"\w{2,3}" + case["organisation"]["kind"], case["organisation"]["name"])
        assert case["interview"] and all(qa["question"] and qa["answer"] for qa in case["interview"])
    keywords = Counter(k for c in cases for k in c["keywords"])
    counts = sorted(keywords.values(), reverse=True)
    assert len(keywords) >= 50  # most of the vocabulary is used...
    assert counts[0] > 4 * statistics.median(counts)  # ...but a few keywords far more than the rest


# --- at a few hundred cases: what must not change with the number of cases ----------------------


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs += [v for k, v in attrs if k == "href" and v]


def _links(page: Path) -> list[Path]:
    parser = _Anchors()
    parser.feed(page.read_text(encoding="utf-8"))
    found = []
    for href in parser.hrefs:
        parts = urlsplit(href)
        if not parts.scheme and not parts.netloc and parts.path.endswith(".html"):
            found.append((page.parent / unquote(parts.path)).resolve())
    return found


def _primary_nav(html: str) -> str:
    sidebar = re.search(r'<div class="md-sidebar md-sidebar--primary".*?<div class="md-sidebar md-sidebar--secondary"', html, re.DOTALL)
    assert sidebar and 'class="md-tabs"' not in html, "navigation not found, or tabs that repeat it"
    return sidebar.group()


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """The sites of the first 34 and the first 300 synthetic cases of one seed (no embedding model)."""
    built = {}
    for count in (34, 300):
        root = tmp_path_factory.mktemp(f"synthetic-{count}") / "project"
        assert run_cli("synth", str(count), "--out", str(root), root=REPO).returncode == 0
        result = run_cli("build", "--site-dir", str(root / "site"), root=root)  # cli_env: DXNAVI_ENGINE=none
        assert result.returncode == 0, result.stdout + result.stderr
        built[count] = root / "site"
    return built


def test_the_nav_does_not_grow_with_the_number_of_cases(sites: dict[int, Path]) -> None:
    small, large = sites[34], sites[300]
    first_case = sorted((small / "cases").glob("*.html"))[0].relative_to(small)  # also among the 300
    assert first_case.name != "index.html" and (large / first_case).is_file()
    for page in (Path("index.html"), Path("cases/index.html"), first_case):
        nav = _primary_nav((large / page).read_text(encoding="utf-8"))
        assert nav == _primary_nav((small / page).read_text(encoding="utf-8")), page
        assert first_case.stem not in nav


def test_every_case_is_reachable_from_an_index_page(sites: dict[int, Path]) -> None:
    site = sites[300]
    cases = {p.resolve() for p in (site / "cases").glob("*.html") if p.name != "index.html"}
    assert len(cases) == 300
    # Follow links from the home page through every page but the cases: what a listing links to.
    seen: set[Path] = set()
    queue = [(site / "index.html").resolve()]
    while queue:
        page = queue.pop()
        if page in seen or not page.is_file():
            continue
        seen.add(page)
        if page not in cases:
            queue += _links(page)
    assert cases - seen == set()
