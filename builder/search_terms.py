"""Search terms for Japanese text: repair, NFKC, lower case, words and character bigrams.

Japanese has no spaces between words and the site cannot ship a morphological
dictionary, so runs of kanji and kana are indexed as overlapping character
pairs (ITパスポート → it / パス / スポ / ポー / ート) and runs of Latin letters
and digits as whole words. A query split the same way finds a text that
contains it, whether the reader typed it letter by letter or an IME committed
it at once, and finds a word inside a longer one (アドバイザー in キャリアアドバイザー).

Before NFKC, characters that PDFs put in place of kanji and punctuation (⼈ for
人, ︓ for ：, zero-width spaces) are folded with the tables of
``builder.artifacts``, so a query pasted from a PDF finds the repaired text.
``site_overrides/assets/javascripts/dxnavi/terms.js`` splits queries with the
same rules and the same table (tests/search_terms_table.json holds both to it).
"""

from __future__ import annotations

import unicodedata

from builder.artifacts import KANGXI_JAPANESE, KATAKANA_LOOKALIKES, RADICAL_SUPPLEMENT_JAPANESE, VERTICAL_FORMS, ZERO_WIDTH
from builder.textnorm import is_japanese, is_katakana

WORD, JAPANESE, OTHER = "w", "j", ""

# Character -> replacement applied before NFKC (terms.js embeds the same table; a test compares them).
FOLD: dict[str, str] = {**KANGXI_JAPANESE, **RADICAL_SUPPLEMENT_JAPANESE, **VERTICAL_FORMS, **{ch: "" for ch in ZERO_WIDTH}}


def fold(text: str) -> str:
    """PDF artifacts repaired, then NFKC and lower case: the text every term comes from.

    Cyrillic look-alikes of katakana (デバйд) become katakana only next to
    katakana, reading left to right, as ``builder.artifacts`` repairs them.
    """
    chars = [FOLD.get(ch, ch) for ch in text]
    for i, ch in enumerate(chars):
        if ch in KATAKANA_LOOKALIKES:
            before = chars[i - 1] if i else ""
            after = chars[i + 1] if i + 1 < len(chars) else ""
            if (before and is_katakana(before[-1])) or (after and is_katakana(after[0])):
                chars[i] = KATAKANA_LOOKALIKES[ch]
    return unicodedata.normalize("NFKC", "".join(chars)).lower()


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
    """(class, run) pairs of the folded text, separators dropped."""
    found: list[tuple[str, str]] = []
    current, chars = OTHER, []
    for ch in fold(text):
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
