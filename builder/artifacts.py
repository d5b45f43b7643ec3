"""Characters that text pasted from PDFs brings along, and their safe fixes.

PDF text extraction writes many kanji as radical code points (⼈ for 人),
vertical-form punctuation (︓ for ：), private-use bullets, zero-width
characters, and letters of other scripts inside Japanese words (デジタルデバйд).
Such text looks right but does not match a search for 人材. ``scan`` finds
them; ``repair`` applies every fix that is safe to make without a human.

NFKC alone is not enough: it leaves ⺠ ⻑ ⻫ alone and turns ⼾ into 戶 where
Japanese writes 戸, so the radicals map to the kanji a Japanese reader expects.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from builder.textnorm import is_japanese, is_katakana, script_of

# Kangxi radicals whose NFKC form is not the one Japanese text uses.
KANGXI_JAPANESE = {
    "⼾": "戸",  # NFKC gives 戶 (U+6236); 神戸市 is written with 戸 (U+6238)
    "⾭": "青",  # NFKC gives 靑
    "⿔": "亀",  # NFKC gives 龜
    "⿑": "斉",  # NFKC gives 齊
    "⿒": "歯",  # NFKC gives 齒
    "⿈": "黄",  # NFKC gives 黃
    "⿆": "麦",  # NFKC gives 麥
}

# CJK Radicals Supplement: NFKC leaves almost all of them unchanged. Only
# forms that stand for a kanji are listed; the rest (⺅ ⺡ …) are parts of
# characters and need a human to say which kanji was meant.
RADICAL_SUPPLEMENT_JAPANESE = {
    "⺌": "小",
    "⺗": "心",
    "⺜": "日",
    "⺝": "月",
    "⺟": "母",
    "⺠": "民",
    "⺩": "王",
    "⺬": "示",
    "⻁": "虎",
    "⻄": "西",
    "⻅": "見",
    "⻆": "角",
    "⻉": "貝",
    "⻋": "車",
    "⻑": "長",
    "⻓": "長",
    "⻔": "門",
    "⻗": "雨",
    "⻘": "青",
    "⻚": "頁",
    "⻛": "風",
    "⻜": "飛",
    "⻝": "食",
    "⻢": "馬",
    "⻣": "骨",
    "⻤": "鬼",
    "⻥": "魚",
    "⻦": "鳥",
    "⻨": "麦",
    "⻩": "黄",
    "⻫": "斉",
    "⻬": "斉",
    "⻭": "歯",
    "⻯": "竜",
    "⻰": "竜",
    "⻱": "亀",
    "⻲": "亀",
    "⻳": "亀",
}

# Vertical presentation forms and the horizontal characters Japanese expects.
# NFKC would give ASCII (︓ -> ':'), but the text is Japanese (：).
VERTICAL_FORMS = {
    "︐": "，",
    "︑": "、",
    "︒": "。",
    "︓": "：",
    "︔": "；",
    "︕": "！",
    "︖": "？",
    "︗": "〖",
    "︘": "〗",
    "︙": "…",
    "︰": "‥",
    "︱": "—",
    "︲": "–",
    "︳": "＿",
    "︴": "＿",
    "︵": "（",
    "︶": "）",
    "︷": "｛",
    "︸": "｝",
    "︹": "〔",
    "︺": "〕",
    "︻": "【",
    "︼": "】",
    "︽": "《",
    "︾": "》",
    "︿": "〈",
    "﹀": "〉",
    "﹁": "「",
    "﹂": "」",
    "﹃": "『",
    "﹄": "』",
    "﹇": "［",
    "﹈": "］",
}

# Line breaks to YAML and to some editors, invisible in most others; pasted from PDFs and web pages.
# YAML would count them as lines, so every line number after one would be off.
LINE_SEPARATORS = re.compile("[\x85\u2028\u2029]")
ZERO_WIDTH = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"}

# Letters the PDF fonts of the sources emit for katakana (デジタルデバйд).
KATAKANA_LOOKALIKES = {"й": "イ", "д": "ド"}

# Cyrillic and Greek capitals and small letters that look like Latin ones,
# for words like 「ΑI」 written with a Greek Alpha.
LATIN_LOOKALIKES = dict(
    zip(
        "АВЕКМНОРСТХаеорсухΑΒΕΖΗΙΚΜΝΟΡΤΥΧο",
        "ABEKMHOPCTXaeopcyxABEZHIKMNOPTYXo",
    )
)

# Scripts whose letters belong in Japanese text; any other letter next to
# Japanese is an extraction artifact.
_HOME_SCRIPTS = {"LATIN", "CJK", "HIRAGANA", "KATAKANA", "KATAKANA-HIRAGANA", "HALFWIDTH", "FULLWIDTH", "IDEOGRAPHIC", "MODIFIER"}

_HALFWIDTH_KANA_RE = re.compile(r"[\uff61-\uff9f]+")


@dataclass(frozen=True)
class Finding:
    """One artifact: which rule, where (character index), what, and the fix.

    ``replacement`` is None when no fix is safe without a human.
    """

    rule: str
    index: int
    text: str
    replacement: str | None


def _is_compat_ideograph(ch: str) -> bool:
    code = ord(ch)
    in_block = 0xF900 <= code <= 0xFAFF or 0x2F800 <= code <= 0x2FA1F
    # Twelve characters in the block (﨑 …) are ordinary unified ideographs.
    return in_block and unicodedata.decomposition(ch) != ""


def _neighbour(text: str, index: int, step: int) -> str:
    """Nearest non-space character from ``index`` in direction ``step``."""
    index += step
    while 0 <= index < len(text) and text[index].isspace():
        index += step
    return text[index] if 0 <= index < len(text) else " "


def _is_foreign_letter(ch: str) -> bool:
    if is_japanese(ch) or unicodedata.category(ch)[0] not in "LM":
        return False
    return script_of(ch) not in _HOME_SCRIPTS


def _foreign_run(text: str, start: int) -> Finding | None:
    """A run of letters of another script starting at ``start``, if it sits in a word."""
    end = start
    while end < len(text) and _is_foreign_letter(text[end]):
        end += 1
    run = text[start:end]
    before, after = _neighbour(text, start, -1), _neighbour(text, end - 1, 1)
    if is_japanese(before) or is_japanese(after):
        fix = None
        if (is_katakana(before) or is_katakana(after)) and all(c in KATAKANA_LOOKALIKES for c in run):
            fix = "".join(KATAKANA_LOOKALIKES[c] for c in run)
        return Finding("foreign-letter", start, run, fix)
    in_latin_word = any(c.isalpha() and script_of(c) == "LATIN" for c in (before, after))
    if in_latin_word and all(c in LATIN_LOOKALIKES for c in run):
        return Finding("foreign-letter", start, run, "".join(LATIN_LOOKALIKES[c] for c in run))
    return None


def _scan_char(text: str, index: int) -> Finding | None:
    ch = text[index]
    code = ord(ch)
    if 0x2F00 <= code <= 0x2FDF:
        return Finding("kangxi-radical", index, ch, KANGXI_JAPANESE.get(ch, unicodedata.normalize("NFKC", ch)))
    if 0x2E80 <= code <= 0x2EFF:
        return Finding("cjk-radical", index, ch, RADICAL_SUPPLEMENT_JAPANESE.get(ch))
    if _is_compat_ideograph(ch):
        return Finding("compat-ideograph", index, ch, unicodedata.normalize("NFC", ch))
    if 0xE000 <= code <= 0xF8FF or code >= 0xF0000:
        return Finding("private-use", index, ch, None)
    if ch in VERTICAL_FORMS:
        return Finding("vertical-form", index, ch, VERTICAL_FORMS[ch])
    if ch in ZERO_WIDTH:
        return Finding("zero-width", index, ch, "")
    return None


@functools.cache
def _unusual_re() -> re.Pattern[str]:
    """Any character but those ``scan`` always passes over: ASCII, and the kana, kanji and full-width
    forms that are no artifact and no foreign letter (worked out with the very tests ``scan`` uses,
    so skipping them cannot change a finding; checking 10,000 cases spent a quarter of its time here)."""
    plain = [(0, 0x7F)]
    for code in [*range(0x3000, 0x3100), *range(0x4E00, 0xA000), *range(0xFF00, 0xFFF0)]:
        ch = chr(code)
        if not _is_foreign_letter(ch) and _scan_char(ch, 0) is None:
            if plain[-1][1] == code - 1:
                plain[-1] = (plain[-1][0], code)
            else:
                plain.append((code, code))
    ranges = "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in plain)
    return re.compile(f"[^{ranges}]")


def scan(text: str) -> list[Finding]:
    """Every artifact in ``text``, in order of position."""
    findings = [
        Finding("halfwidth-kana", m.start(), m.group(), unicodedata.normalize("NFKC", m.group()))
        for m in _HALFWIDTH_KANA_RE.finditer(text)
    ]
    index = 0
    while index < len(text):
        unusual = _unusual_re().search(text, index)  # jumps over kana, kanji and ASCII, which hold no artifact
        if unusual is None:
            break
        index = unusual.start()
        ch = text[index]
        if _is_foreign_letter(ch) and not _is_foreign_letter(text[index - 1] if index else " "):
            run = _foreign_run(text, index)
            if run:
                findings.append(run)
                index += len(run.text)
                continue
        finding = _scan_char(text, index)
        if finding:
            findings.append(finding)
        index += 1
    return sorted(findings, key=lambda f: f.index)


def repair(text: str) -> str:
    """``text`` with every safe fix applied; unsafe findings stay as they are."""
    findings = [f for f in scan(text) if f.replacement is not None]
    if not findings:
        return text
    parts: list[str] = []
    position = 0
    for finding in findings:
        parts.append(text[position : finding.index])
        parts.append(finding.replacement)
        position = finding.index + len(finding.text)
    parts.append(text[position:])
    return "".join(parts)


def describe(ch: str) -> str:
    """「⼈」(U+2F08) style label for messages."""
    if ch in ZERO_WIDTH or not ch.isprintable():
        return f"U+{ord(ch):04X} {unicodedata.name(ch, '')}".rstrip()
    return f"「{ch}」(U+{ord(ch):04X})"


@functools.cache
def char_fixes() -> dict[str, str]:
    """The fixes that need no context, as one character table (for search and embeddings, here and in the browser)."""
    table = {chr(code): KANGXI_JAPANESE.get(chr(code), unicodedata.normalize("NFKC", chr(code))) for code in range(0x2F00, 0x2FE0)}
    table.update(RADICAL_SUPPLEMENT_JAPANESE)
    table.update(VERTICAL_FORMS)
    table.update(dict.fromkeys(sorted(ZERO_WIDTH), ""))  # sorted: builds must be byte-identical
    return table
