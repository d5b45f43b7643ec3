"""Drop the indentation and blank lines the theme's templates leave in every page.

About 5 KB of each page is whitespace from the template nesting, 100 MB at 10,000 cases.
A line break followed by more whitespace renders as one space, like the single line
break it becomes, so the page looks and reads the same. Elements whose whitespace is
kept (pre, textarea, code, kbd, script, style) are left as they are.
"""

from __future__ import annotations

import re

_KEPT = re.compile(r"(<(pre|textarea|code|kbd|script|style)\b.*?</\2\s*>)", re.DOTALL | re.IGNORECASE)
_BREAK_RUN = re.compile(r"\n[ \t\r\n]+")  # not \s: a full-width space (U+3000) or &nbsp; is text


def compact(html: str) -> str:
    parts = _KEPT.split(html)
    # split() gives: text, kept element, its tag name, text, kept element, its tag name, ..., text
    for i in range(0, len(parts), 3):
        parts[i] = _BREAK_RUN.sub("\n", parts[i])
    return "".join(parts[i] for i in range(len(parts)) if i % 3 != 2)
