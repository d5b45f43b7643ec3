"""Allowlist sanitising of rendered pages that hold a contributor's Markdown body.

``check`` rejects raw HTML and unsafe links in bodies, but a preview build
(``serve``) still renders files with errors, and the site must never run a
contributor's markup. Like GitHub, we render Markdown and then keep only
known-safe tags, attributes and URL schemes.
"""

from __future__ import annotations

import nh3

TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "s", "small", "span",
    "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip

ATTRIBUTES = {
    "*": {"class", "id", "title"},
    "a": {"href"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan"},
    "ol": {"start"},
    "details": {"open"},
}


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
        strip_comments=True,
    )
