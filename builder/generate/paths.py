"""Where each generated page lives (as a Markdown source path inside the site).

One place for the site's URL scheme, so links between pages cannot drift.
"""

from __future__ import annotations

import posixpath

KIND_IDS = {"都道府県": "prefecture", "市": "city", "区": "ward", "町": "town", "村": "village"}

HOME = "index.md"
ABOUT = "about.md"
GLOSSARY = "glossary.md"
SEARCH = "search.md"
STATISTICS = "statistics.md"
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
    relative = posixpath.relpath(there.rstrip("/") or ".", folder or ".")
    if there == "" or there.endswith("/"):
        relative = relative.rstrip("/") + "/" if relative != "." else "./"
    return relative
