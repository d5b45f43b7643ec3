"""PDF extraction artifacts: what is found, and which fix Japanese readers expect."""

from __future__ import annotations

import unicodedata

import pytest

from builder.artifacts import repair, scan


@pytest.mark.parametrize(
    ("pasted", "expected"),
    [
        ("神⼾市", "神戸市"),  # NFKC would give 戶 (U+6236)
        ("⺠間", "民間"),  # NFKC leaves ⺠ alone
        ("⻑期", "長期"),  # NFKC leaves ⻑ alone
        ("⼀⻫に", "一斉に"),  # NFKC leaves ⻫ alone
        ("デジタル⼈材の育成⽅針", "デジタル人材の育成方針"),
        ("出典元︓広島県", "出典元：広島県"),  # a Japanese colon, not NFKC's ASCII one
        ("デジタルデバйд対策", "デジタルデバイド対策"),
        ("ΑIの活用", "AIの活用"),  # Greek capital alpha inside a Latin word
        ("ﾃﾞｼﾞﾀﾙ", "デジタル"),
        ("人材\u200b育成", "人材育成"),
        ("研修の\uf9dc則", "研修の隆則"),
    ],
)
def test_repair(pasted: str, expected: str) -> None:
    assert repair(pasted) == expected
    assert scan(repair(pasted)) == []


def test_every_kangxi_radical_becomes_a_unified_ideograph() -> None:
    for code in range(0x2F00, 0x2FD6):
        fixed = repair(chr(code))
        assert len(fixed) == 1 and 0x4E00 <= ord(fixed) <= 0x9FFF, f"U+{code:04X} -> {fixed!r}"


def test_unsafe_findings_are_reported_but_not_changed() -> None:
    text = "\uf0d8箇条書き と 全庁द研修"
    assert repair(text) == text
    assert [(f.rule, f.text, f.replacement) for f in scan(text)] == [
        ("private-use", "\uf0d8", None),
        ("foreign-letter", "द", None),
    ]


@pytest.mark.parametrize(
    "clean",
    [
        "﨑と神奈川",  # U+FA11 is an ordinary unified ideograph in the compatibility block
        "Москва is a city",  # a Russian word on its own is not an artifact
        "OJT（職場内訓練）による育成、人材のⅰ リーダーシップ",
        "「五霞町デジタル人材育成プラン」を策定しています。",
    ],
)
def test_clean_text_has_no_findings(clean: str) -> None:
    assert scan(clean) == []


def test_repair_is_idempotent_on_the_002_alphabet() -> None:
    # Every radical the 002 source uses, in one string.
    pasted = "⼈⽤⽅⾏⺠⾃⾨⽬⾰⻑⼀⽀⼒⾒⼊⼯⼝⾼⽉⼿⼤⽴⽣⽥⼼⽇⼦⾯⾝⾦⾔⽂⽋⽰⼟⾮⼗⽐⾜⼾⾛⾵⾳⾸⼩⽳⾄⻫⼥⼰⽔⼜⾓"
    once = repair(pasted)
    assert repair(once) == once
    assert all(unicodedata.category(ch) == "Lo" and 0x4E00 <= ord(ch) <= 0x9FFF for ch in once)
    assert "戸" in once and "戶" not in once
