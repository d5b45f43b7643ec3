"""Case pages in a built site: which URL is which case, and the text a reader sees on it.

Every engine reports URLs of its own shape (``/cases/x.html``, ``cases/x.html#q1``,
absolute ``http://…``); they all reduce to a case id here, so rankings compare.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

CASES_FOLDER = "cases"
_CASE_PATH = re.compile(r"(?:^|/)cases/([^/]+?)(?:\.html|/(?:index\.html)?)?$")

# Inline elements join their text to the neighbours' (a browser does not break a word there).
_INLINE = {
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "i", "kbd", "mark", "q",
    "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var", "wbr",
}  # fmt: skip
_HIDDEN = {"script", "style", "template", "noscript", "svg"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def case_id_from_url(url: str) -> str | None:
    """The case id of a case page URL (any prefix, query or fragment), or None for other pages."""
    path = unquote(urlparse(url).path)
    match = _CASE_PATH.search(path)
    if not match or match.group(1) in ("index", ""):
        return None
    return match.group(1)


def case_page(site: Path, case_id: str) -> Path:
    return site / CASES_FOLDER / f"{case_id}.html"


class _ArticleText(HTMLParser):
    """Text of the first <article> (Material's main content), with block boundaries kept."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.open: list[str] = []  # elements open inside the article, the article first
        self.done = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if self.done or (not self.open and tag != "article"):
            return
        if tag not in _INLINE:
            self.parts.append("\n")
        if tag not in _VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.done or tag not in self.open:
            return  # stray or void end tag
        while self.open.pop() != tag:  # close what the author left open
            pass
        if tag not in _INLINE:
            self.parts.append("\n")
        self.done = not self.open

    def handle_data(self, data: str) -> None:
        if self.open and not self.done and not _HIDDEN.intersection(self.open):
            self.parts.append(data)


def article_text(html: str) -> str:
    """The visible text of a page's main article; empty when the page has none."""
    parser = _ArticleText()
    parser.feed(html)
    parser.close()
    return re.sub(r"\n\s*\n+", "\n", "".join(parser.parts)).strip()


def case_texts(site: Path, case_ids: list[str]) -> dict[str, str]:
    """Article text of each case's built page; a missing page is an error (the build is incomplete)."""
    texts = {}
    for case_id in case_ids:
        page = case_page(site, case_id)
        if not page.is_file():
            raise FileNotFoundError(f"no built page for case {case_id} ({page})")
        texts[case_id] = article_text(page.read_text(encoding="utf-8"))
    return texts
