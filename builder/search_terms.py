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

import functools
import re
import unicodedata
from typing import Any

from builder.artifacts import KANGXI_JAPANESE, KATAKANA_LOOKALIKES, RADICAL_SUPPLEMENT_JAPANESE, VERTICAL_FORMS, ZERO_WIDTH
from builder.textnorm import is_katakana, nfkc

WORD = "w"  # the group of RUN a word matches

# Character -> replacement applied before NFKC (terms.js embeds the same table; a test compares them).
FOLD: dict[str, str] = {**KANGXI_JAPANESE, **RADICAL_SUPPLEMENT_JAPANESE, **VERTICAL_FORMS, **{ch: "" for ch in ZERO_WIDTH}}
_FOLD_TABLE = str.maketrans(FOLD)
_FOLDED = re.compile("[" + "".join(map(re.escape, FOLD)) + "]")
_LOOKALIKE = re.compile("[" + "".join(KATAKANA_LOOKALIKES) + "]")

# Letters and digits, and textnorm.is_japanese without ・, as code point ranges, for a regular expression and
# numpy: both split 10,000 cases' text in C, where a loop over characters took most of the search stage.
WORD_RANGES = [(0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A), (0xC0, 0xD6), (0xD8, 0xF6), (0xF8, 0x24F)]
JAPANESE_RANGES = [
    (0x3005, 0x3007), (0x3040, 0x30FA), (0x30FC, 0x30FF), (0x31F0, 0x31FF),
    (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xFF66, 0xFF9D), (0x20000, 0x3FFFF),
]  # fmt: skip


def _character_set(ranges: list[tuple[int, int]]) -> str:
    return "[" + "".join(f"{re.escape(chr(lo))}-{re.escape(chr(hi))}" for lo, hi in ranges) + "]+"


WORD_RUN = re.compile(_character_set(WORD_RANGES))
JAPANESE_RUN = re.compile(_character_set(JAPANESE_RANGES))
RUN = re.compile(f"(?P<w>{WORD_RUN.pattern})|(?P<j>{JAPANESE_RUN.pattern})")


def fold(text: str) -> str:
    """PDF artifacts repaired, then NFKC and lower case: the text every term comes from.

    Cyrillic look-alikes of katakana (デバйд) become katakana only next to
    katakana, reading left to right, as ``builder.artifacts`` repairs them.
    """
    if _LOOKALIKE.search(text) is None:  # nearly always: one C pass instead of a loop over characters
        if _FOLDED.search(text) is not None:  # rare too: searching is ~40 times faster than translate() copying
            text = text.translate(_FOLD_TABLE)
        return nfkc(text).lower()
    chars = [FOLD.get(ch, ch) for ch in text]
    for i, ch in enumerate(chars):
        if ch in KATAKANA_LOOKALIKES:
            before = chars[i - 1] if i else ""
            after = chars[i + 1] if i + 1 < len(chars) else ""
            if (before and is_katakana(before[-1])) or (after and is_katakana(after[0])):
                chars[i] = KATAKANA_LOOKALIKES[ch]
    return unicodedata.normalize("NFKC", "".join(chars)).lower()


@functools.cache
def _japanese_table() -> Any:
    """Whether each code point below 0x10000 is Japanese: one look-up per character instead of a
    comparison per range (eight passes over 10,000 cases' text)."""
    import numpy as np

    table = np.zeros(0x10000, dtype=bool)
    for low, high in JAPANESE_RANGES:
        table[low : min(high, 0xFFFF) + 1] = True
    return table


def japanese_mask(points: Any) -> Any:
    """Which code points (a numpy array) are Japanese, as JAPANESE_RUN reads them."""
    import numpy as np

    mask = _japanese_table()[np.minimum(points, 0xFFFF)]  # 0xFFFF itself is no character
    for low, high in JAPANESE_RANGES:
        if high > 0xFFFF:
            mask |= (points >= low) & (points <= high)
    return mask


def terms(text: str) -> list[str]:
    """Index terms in text order: words whole, Japanese runs as bigrams (a lone character as itself)."""
    out: list[str] = []
    for match in RUN.finditer(fold(text)):
        run = match.group()
        if match.lastgroup == WORD or len(run) == 1:
            out.append(run)
        else:
            out += map(str.__add__, run[:-1], run[1:])
    return out
