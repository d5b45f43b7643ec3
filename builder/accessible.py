"""Small fixes to rendered HTML for screen readers, applied to every generated page.

Markdown tables always have a header row, so a table transcribed from a PDF without
one (``|  |  |``) gets a row of empty header cells, which a screen reader announces as
unnamed columns (axe-core: empty-table-header; tests/test_accessibility.py).
"""

from __future__ import annotations

import re

_EMPTY_TH = r"<th(?:\s[^>]*)?>\s*</th>"
_EMPTY_HEAD = re.compile(rf"<thead>\s*<tr>(?:\s*{_EMPTY_TH})+\s*</tr>\s*</thead>\s*")
_EMPTY_CELL = re.compile(r"<th(\s[^>]*)?>(\s*)</th>")


def table_headers(html: str) -> str:
    """Drop header rows with no text; an empty header cell in a named row (a numbering column) becomes a data cell."""
    if "<thead>" not in html:
        return html
    html = _EMPTY_HEAD.sub("", html)
    return _EMPTY_CELL.sub(r"<td\1>\2</td>", html)
