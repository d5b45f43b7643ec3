"""Bytes as the text of a JavaScript string (builder/generate/ascii7.py): every byte comes back, no
character a string literal cannot hold raw, and 8 characters' worth of UTF-8 for every 7 bytes.
The browser's decoder reads the same text in tests/js/semantic.test.js."""

from __future__ import annotations

import os

import pytest

from builder.generate import ascii7

SAMPLES = [
    b"",
    b"\x00",
    b"\n\r\"\\",
    bytes(range(256)) * 3,
    b"\x00" * 7,  # a run of forbidden groups, the last one without a partner
    b"\x00" * 8,
    b"\x14\x28" * 5,  # groups of value 10 (a line feed) one after another
    os.urandom(6),
    os.urandom(7),
    os.urandom(8),
    os.urandom(100_003),
]


@pytest.mark.parametrize("data", SAMPLES, ids=lambda d: f"{len(d)} bytes")
def test_every_byte_comes_back(data: bytes) -> None:
    assert ascii7.decode(ascii7.encode(data).decode("utf-8"), len(data)) == data


@pytest.mark.parametrize("data", SAMPLES, ids=lambda d: f"{len(d)} bytes")
def test_the_text_can_stand_in_a_string_literal(data: bytes) -> None:
    text = ascii7.encode(data).decode("utf-8")
    assert not set(text) & set("\x00\n\r\"\\\u2028\u2029")
    assert all(ord(ch) < 0x300 for ch in text)


def test_seven_bytes_take_eight_bytes_of_utf8() -> None:
    data = os.urandom(700_000)
    assert len(ascii7.encode(data)) <= len(data) * 8 // 7 + 2
