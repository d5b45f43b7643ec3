"""Drop the indentation and blank lines the theme's templates leave in every page.

About 5 KB of each page is whitespace from the template nesting, 100 MB at 10,000 cases.
A line break followed by more whitespace renders as one space, like the single line
break it becomes, so the page looks and reads the same. Elements whose whitespace is
kept (pre, textarea, code, kbd, script, style) are left as they are.

A line break right before a tag that starts or ends a block (a div, a list item, a table
cell …) goes too, about 0.2 KB a page: a line begins or ends at that tag, and the space
a break makes at the start or end of a line is not rendered. Before inline tags (a, span,
label …) and script or style, whose whitespace joins the text on either side, it stays.
(Breaks after such a tag could go too, but finding them cost five times as much time.)
"""

from __future__ import annotations

import re

_KEPT = re.compile(r"(<(pre|textarea|code|kbd|script|style)\b.*?</\2\s*>)", re.DOTALL | re.IGNORECASE)
_BREAK_RUN = re.compile(r"\n[ \t\r\n]+")  # not \s: a full-width space (U+3000) or &nbsp; is text
# Elements the site never lays out inline (CSS included): block boxes, table parts, the head's.
# Lower case, as MkDocs and Material write them; the name must end there (<p>, not <path>).
_BLOCK = (
    "html|head|body|meta|link|title|header|nav|main|footer|article|aside|section|div|p|ul|ol|li|dl|dt|dd"
    "|table|thead|tbody|tfoot|tr|th|td|caption|h[1-6]|form|details|summary|figure|figcaption|hr|blockquote|br"
)
_BREAK_BEFORE_BLOCK = re.compile(rf">\n(?=</?(?:{_BLOCK})[\s/>])")


def compact(html: str) -> str:
    parts = _KEPT.split(html)
    # split() gives: text, kept element, its tag name, text, kept element, its tag name, ..., text
    for i in range(0, len(parts), 3):
        parts[i] = _BREAK_BEFORE_BLOCK.sub(">", _BREAK_RUN.sub("\n", parts[i]))
    return "".join(parts[i] for i in range(len(parts)) if i % 3 != 2)
