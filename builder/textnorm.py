"""Unicode helpers for Japanese text: comparison keys and script classes.

Display text is kept as written; these keys are only for comparing and
searching, so that 「OJT(職場内訓練)」 and 「OJT（職場内訓練）」 are the same label.
"""

from __future__ import annotations

import functools
import re
import unicodedata

_SPACE_RE = re.compile(r"\s+")


def nfkc(text: str) -> str:
    """NFKC, line by line: most lines are NFKC already, which a quick check sees (a case's text in
    ~60 % of the time). A line break composes with nothing and reorders nothing: the same result."""
    if "\n" not in text:
        return text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)
    return "\n".join(map(nfkc, text.split("\n")))


def compare_key(text: str) -> str:
    """Key for comparing labels: NFKC, case-folded, no spaces, no leading '#'.

    Contributors copy keywords from the PDFs with their '#' and stray spaces
    (「# ITパスポート」); both must still find the label.
    """
    from builder.artifacts import repair  # artifacts imports this module

    key = nfkc(repair(text)).casefold()
    key = _SPACE_RE.sub("", key)
    return key.lstrip("#")


def is_kana(ch: str) -> bool:
    code = ord(ch)
    return 0x3040 <= code <= 0x30FF or 0x31F0 <= code <= 0x31FF or 0xFF66 <= code <= 0xFF9D


def is_katakana(ch: str) -> bool:
    code = ord(ch)
    return 0x30A0 <= code <= 0x30FF or 0x31F0 <= code <= 0x31FF or 0xFF66 <= code <= 0xFF9D


def is_han(ch: str) -> bool:
    code = ord(ch)
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x20000 <= code <= 0x3FFFF
        or ch in "々〆〇ヶ"
    )


def is_japanese(ch: str) -> bool:
    return is_kana(ch) or is_han(ch)


def is_hiragana_reading(text: str) -> bool:
    """A reading for あいうえお order: hiragana and the long-vowel mark only."""
    return bool(text) and all(0x3041 <= ord(ch) <= 0x309F or ch == "ー" for ch in text)


def script_of(ch: str) -> str:
    """First word of the Unicode name (LATIN, CYRILLIC, GREEK, DEVANAGARI …)."""
    name = unicodedata.name(ch, "")
    return name.split(" ", 1)[0] if name else ""


def fold(text: str) -> str:
    """Search and embedding form: the context-free PDF fixes (radicals …), then NFKC.

    The browser applies the same table (``artifacts.char_fixes``, shipped with the
    search data) to queries, so ⼈材 pasted from a PDF finds and means 人材.
    """
    return nfkc(text.translate(_fold_table()))


@functools.cache
def _fold_table() -> dict[int, str]:
    # str.translate, not a loop over characters: embedding 10,000 cases folds 50 MB of text.
    from builder.artifacts import char_fixes  # artifacts imports this module

    return str.maketrans(char_fixes())
