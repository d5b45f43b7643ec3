"""Search terms for Japanese text: NFKC, lower case, words and character bigrams.

Japanese has no spaces between words and the site cannot ship a morphological
dictionary, so runs of kanji and kana are indexed as overlapping character
pairs (ITパスポート → it / パス / スポ / ポー / ート) and runs of Latin letters
and digits as whole words. A query split the same way finds a text that
contains it, whether the reader typed it letter by letter or an IME committed
it at once. ``site_overrides/assets/javascripts/dxnavi-search.js`` splits
queries with the same rules; a browser test holds the two to the same output.
"""

from __future__ import annotations

import unicodedata

from builder.textnorm import is_japanese

WORD, JAPANESE, OTHER = "w", "j", ""


def char_class(ch: str) -> str:
    code = ord(ch)
    if ch.isascii():
        return WORD if ch.isalnum() else OTHER
    if 0xC0 <= code <= 0x24F and code not in (0xD7, 0xF7):
        return WORD  # accented Latin letters
    if ch != "・" and is_japanese(ch):
        return JAPANESE
    return OTHER


def runs(text: str) -> list[tuple[str, str]]:
    """(class, run) pairs of the normalised text, separators dropped."""
    found: list[tuple[str, str]] = []
    current, chars = OTHER, []
    for ch in unicodedata.normalize("NFKC", text).lower():
        kind = char_class(ch)
        if kind != current:
            if current:
                found.append((current, "".join(chars)))
            current, chars = kind, []
        chars.append(ch)
    if current:
        found.append((current, "".join(chars)))
    return found


def terms(text: str) -> list[str]:
    """Index terms in text order: words whole, Japanese runs as bigrams (a lone character as itself)."""
    out: list[str] = []
    for kind, run in runs(text):
        if kind == WORD or len(run) == 1:
            out.append(run)
        else:
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return out
