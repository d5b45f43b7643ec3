"""Where each generated page lives (as a Markdown source path inside the site).

One place for the site's URL scheme, so links between pages cannot drift.
"""

from __future__ import annotations

import functools
import posixpath

KIND_IDS = {"都道府県": "prefecture", "市": "city", "区": "ward", "町": "town", "村": "village"}

HOME = "index.md"
ABOUT = "about.md"
GLOSSARY = "glossary.md"
GLOSSARY_DATA = "glossary.js"  # the definitions, for the term boxes of other pages (glossary-box.js)
SEARCH = "search.md"
STATISTICS = "statistics.md"
CASES_ZIP = "cases.zip"  # holds the two below
CASES_JSON = "cases.json"
CASES_CSV = "cases.csv"

# Each index page, and the folder of its per-value pages.
CASES = "cases"  # its index lists every case
KEYWORDS = "keywords"
CATEGORIES = "categories"
PREFECTURES = "prefectures"
POPULATION = "population"
KINDS = "kinds"
ORGANISATIONS = "organisations"
SCHEMES = "schemes"
ROLES = "roles"
SOURCES = "sources"
DOCUMENTS = "documents"
VOICES = "voices"

DOCUMENT_FOLDER = {"policy": DOCUMENTS, "resource": DOCUMENTS, "message": VOICES, "dialogue": VOICES}


def index(folder: str) -> str:
    return f"{folder}/index.md"


def value(folder: str, value_id: str) -> str:
    return f"{folder}/{value_id}.md"


def case(case_id: str) -> str:
    return f"{CASES}/{case_id}.md"


def page(page_type: str, page_id: str) -> str:
    if page_type == "site":
        return f"{page_id}.md"
    return f"{DOCUMENT_FOLDER[page_type]}/{page_id}.md"


def organisation(name: str) -> str:
    # Organisation names are validated (prefecture + 市区町村), so they are safe path segments.
    return value(ORGANISATIONS, name)


def url(path: str, use_directory_urls: bool) -> str:
    """The URL MkDocs gives a page at ``path`` (relative to the site root)."""
    if not path.endswith(".md"):
        return path
    stem = path[: -len(".md")]
    if stem == "index" or stem.endswith("/index"):
        return stem[: -len("index")] if use_directory_urls else stem + ".html"
    return stem + "/" if use_directory_urls else stem + ".html"


def href(from_page: str, to_page: str, use_directory_urls: bool) -> str:
    """A relative link between two pages as the browser needs it, for raw HTML (MkDocs rewrites only Markdown links)."""
    here, there = url(from_page, use_directory_urls), url(to_page, use_directory_urls)
    folder = here.rsplit("/", 1)[0] if "/" in here else ""
    relative = _relpath(there.rstrip("/") or ".", folder or ".")
    if there == "" or there.endswith("/"):
        relative = relative.rstrip("/") + "/" if relative != "." else "./"
    return relative


def _relpath(path: str, start: str) -> str:
    """posixpath.relpath, the same string, from the relative path of ``path``'s folder: pages link to
    thousands of pages in a few folders, and relpath took most of the index pages' time."""
    head, _, tail = path.rpartition("/")
    if path == "." or start == path or start.startswith(path + "/"):  # path is start or holds it
        return posixpath.relpath(path, start)
    prefix = _folder_relpath(head or ".", start)
    return tail if prefix == "." else f"{prefix}/{tail}"


@functools.lru_cache(maxsize=4096)
def _folder_relpath(folder: str, start: str) -> str:
    return posixpath.relpath(folder, start)
