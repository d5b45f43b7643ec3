"""Writing generated Markdown safely.

Every string that comes from a contributor goes through ``text`` or ``paragraphs``:
ASCII punctuation becomes a numeric character reference, so Markdown and HTML
in a title or an answer render as the characters typed, never as markup.
Links stay Markdown links so that MkDocs checks and rewrites them.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Sequence

_ESCAPED = frozenset(r"""!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~""")
_BLANK_LINES = re.compile(r"\n\s*\n")


def text(value: str) -> str:
    """Inline text: one line, every Markdown/HTML-significant character escaped."""
    value = " ".join(value.split())
    return "".join(f"&#{ord(ch)};" if ch in _ESCAPED else ch for ch in value)


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
    return posixpath.relpath(to_file, posixpath.dirname(from_page) or ".")


def table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A Markdown table; cells must already be escaped Markdown."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def definitions(items: Iterable[tuple[str, str]]) -> str:
    """A definition list (term, already-escaped Markdown definition)."""
    return "\n\n".join(f"{term}\n:   {definition}" for term, definition in items)


def block(classes: str, content: str, tag: str = "div") -> str:
    """A styled block whose content is still parsed as Markdown (md_in_html)."""
    return f'<{tag} class="{classes}" markdown>\n\n{content}\n\n</{tag}>'
