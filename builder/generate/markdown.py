"""Writing generated Markdown safely.

Every string that comes from a contributor goes through ``text`` or ``paragraphs``:
ASCII punctuation becomes a numeric character reference, so Markdown and HTML
in a title or an answer render as the characters typed, never as markup.
Links stay Markdown links so that MkDocs checks and rewrites them.
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Iterable, Sequence

_REFERENCES = {ch: f"&#{ord(ch)};" for ch in r"""!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~"""}
_ESCAPED = re.compile("[" + re.escape("".join(_REFERENCES)) + "]")
_BLANK_LINES = re.compile(r"\n\s*\n")


@functools.lru_cache(maxsize=1 << 16)  # the index pages write each title, name and label many times over
def text(value: str) -> str:
    """Inline text: one line, every Markdown/HTML-significant character escaped."""
    return _ESCAPED.sub(lambda found: _REFERENCES[found.group()], " ".join(value.split()))


def paragraphs(value: str, indent: str = "") -> str:
    """Multi-paragraph text: blank lines separate paragraphs, single newlines become line breaks."""
    blocks = []
    for block in _BLANK_LINES.split(value.strip()):
        lines = [text(line) for line in block.split("\n") if line.strip()]
        blocks.append(("  \n" + indent).join(lines))
    return ("\n\n" + indent).join(blocks)


def url(target: str) -> str:
    """A URL for a Markdown link destination (already validated as http(s) or relative)."""
    return target.replace(" ", "%20").replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")


def link(label: str, target: str, classes: str = "") -> str:
    attrs = "{ " + " ".join(f".{c}" for c in classes.split()) + " }" if classes else ""
    return f"[{text(label)}]({url(target)}){attrs}"


def relative(from_page: str, to_file: str) -> str:
    """Relative path between two generated source files (e.g. cases/a.md -> keywords/b.md)."""
    return _relative(from_page.rpartition("/")[0], to_file)


@functools.lru_cache(maxsize=1 << 18)  # pages link from a few folders to the same targets, 100,000s of times at 10k cases
def _relative(folder: str, to_file: str) -> str:
    start, target = folder.split("/") if folder else [], to_file.split("/")
    if not set(start + target).isdisjoint(("", ".", "..")):
        return posixpath.relpath(to_file, folder or ".")
    # The generated paths are plain, so this is posixpath.relpath without its calls to getcwd (20 µs each).
    common = 0
    while common < min(len(start), len(target)) and start[common] == target[common]:
        common += 1
    return "/".join([".."] * (len(start) - common) + target[common:]) or "."


def table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A Markdown table; cells must already be escaped Markdown."""
    return table_of_rows(headers, [table_row(row) for row in rows])


def table_of_rows(headers: Sequence[str], rows: Iterable[str]) -> str:
    """A Markdown table of rows made by ``table_row`` (a row can then appear in many tables)."""
    lines = [table_row(headers), "|" + "|".join(" --- " for _ in headers) + "|", *rows]
    return "\n".join(lines)


def table_row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def definitions(items: Iterable[tuple[str, str]]) -> str:
    """A definition list (term, already-escaped Markdown definition)."""
    return "\n\n".join(f"{term}\n:   {definition}" for term, definition in items)


def block(classes: str, content: str, tag: str = "div") -> str:
    """A styled block whose content is still parsed as Markdown (md_in_html)."""
    return f'<{tag} class="{classes}" markdown>\n\n{content}\n\n</{tag}>'
