"""A generated Markdown table as the HTML Python-Markdown and MkDocs would make of it, made directly (issue 12).

The all-cases page is a table of every case: at 1,000 cases Python-Markdown took a
second to convert it (its inline patterns run over 6,000 cells), on every rebuild,
since any edited title changes it; the index pages (a keyword's, a prefecture's …) list each
case about fifteen times in all (``common.CaseTables`` makes a row's HTML once per folder).
The tables' cells hold only what ``markdown.text``, ``markdown.link`` and the sort keys'
<data> tags write: escaped text, links to generated pages and <data value="…">.
``to_html`` turns exactly those into the HTML
MkDocs writes (links already rewritten to the pages' URLs, as ``paths.href`` does
for raw HTML) and gives None for anything else, which is then converted as Markdown:
the page is byte for byte the same either way (tests/test_incremental.py compares them).

Python-Markdown still parsed that HTML (md_in_html and MkDocs each run an HTML parser over
raw HTML: 0.18 s for the all-cases page at 1,000 cases), so ``as_html`` hands it over inside
an HTML comment, which the parsers skip in one search, and ``expand`` (the MkDocs plugin's
on_page_content) takes it out of the comment: 0.01 s, and the same bytes. MkDocs then sees
none of its links, which ``paths.href`` made from the generated pages, nor any id (it has none).
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import quote, unquote

from builder.generate import paths

_EMBEDDED = re.compile(r"<!--dxnavi-html\n(.*?)\n-->", re.DOTALL)
_BLOCK = re.compile(r'<div class="([\w -]+)" markdown>\n\n(.*)\n\n</div>', re.DOTALL)
# The forms a cell may take, each converted the way Python-Markdown does (links then rewritten by MkDocs).
_LINK = re.compile(r"\[([^\[\]()<>]*)\]\(([^()\s<>\"]+\.md)\)")
_DATA = re.compile(r'</?data(?: value="\d*")?>')
_REFERENCE = re.compile(r"&#\d+;")
_PUNCTUATION = re.compile(r"[!-/:-@\[-`{-~]")  # ASCII punctuation: md.text escapes all of it, so it means markup


def _plain(text: str) -> bool:
    """Escaped text Markdown leaves as it is: no markup, only character references."""
    return not _PUNCTUATION.search(_REFERENCE.sub("", text))


def _cell(cell: str, here: str, use_directory_urls: bool) -> str | None:
    def link(found: re.Match[str]) -> str:
        target = posixpath.normpath(posixpath.join(posixpath.dirname(here), unquote(found.group(2))))
        return f'<a href="{quote(paths.href(here, target, use_directory_urls))}">{found.group(1)}</a>'

    if not _plain(_DATA.sub("", _LINK.sub(lambda found: found.group(1), cell))):
        return None
    return _LINK.sub(link, cell)


def to_html(block: str, here: str, use_directory_urls: bool) -> str | None:
    """The HTML of ``common.case_table``'s block on page ``here``, or None if it holds more than plain cells."""
    found = _BLOCK.fullmatch(block)
    if found is None:
        return None
    classes, markdown = found.groups()
    header, separator, *rows = markdown.split("\n")
    return table(classes, header, [row_html(row, here, use_directory_urls) for row in rows])


def row_html(row: str, here: str, use_directory_urls: bool) -> str | None:
    """One Markdown row (``markdown.table_row``) as HTML, or None if a cell holds more than plain text and links."""
    lines = ["<tr>"]
    for cell in row.strip().removeprefix("|").removesuffix("|").split("|"):
        html = _cell(cell.strip(), here, use_directory_urls)
        if html is None:
            return None
        lines.append(f"<td>{html}</td>")
    lines.append("</tr>")
    return "\n".join(lines)


def table(classes: str, header: str, rows: list[str | None]) -> str | None:
    """The HTML MkDocs makes of a block of class ``classes`` holding a table (``header``: its Markdown
    heading row; ``rows``: ``row_html``'s), or None if a heading or a row is not plain."""
    lines = [f'<div class="{classes}">', "<table>", "<thead>", "<tr>"]
    for heading in header.strip("|").split("|"):
        if not _plain(heading.strip()):
            return None
        lines.append(f"<th>{heading.strip()}</th>")
    lines += ["</tr>", "</thead>", "<tbody>"]
    for row in rows:
        if row is None:
            return None
        lines.append(row)
    lines += ["</tbody>", "</table>", "</div>"]
    return "\n".join(lines)


def embedded(html: str | None, markdown: str) -> str:
    """``html`` in a comment for ``expand``; ``markdown`` (the same table) if there is none or it cannot be."""
    if html is None or "--" in html:  # "--" cannot stand inside a comment
        return markdown
    return f"<!--dxnavi-html\n{html}\n-->"


def as_html(block: str, here: str, use_directory_urls: bool) -> str:
    """``block`` as finished HTML in a comment for ``expand`` when its cells allow, else as it is."""
    return embedded(to_html(block, here, use_directory_urls), block)


def expand(html: str) -> str:
    """A converted page's HTML with each ``as_html`` comment replaced by the HTML it holds."""
    return _EMBEDDED.sub(lambda found: found.group(1), html) if "<!--dxnavi-html" in html else html
