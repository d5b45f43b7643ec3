"""Bytes as the text of a JavaScript string: 7 bits a character, 14 % over the bytes (base64: 33 %).

The model and the runtime reach a page opened from a folder only as scripts (file:// allows no
fetch), so their bytes are written inside a string. Base64 spends a character on 6 bits; here one
ASCII character carries 7. Five of the 128 values cannot stand raw in a string literal (NUL, line
feed, carriage return, ``"`` and ``\\``): such a group is written as one character U+0080 + (its
number among those five) × 128 + (the next group), two bytes in UTF-8 for 14 bits, as in Kevin
Albertson's base-122. At 1,000 cases the site took 3.5 MB less than with base64 (74.1 → 70.6 MB, make bench).

Groups are the bits of the bytes from the first byte's highest bit, the last group padded with
zeros (and one zero group more when the last group needs a partner). The decoder is
``assets.js`` ``decodeAscii7``; it stops after the number of bytes it is told. ``encode`` gives the
text as UTF-8, which is how the builder keeps and writes it.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

FORBIDDEN = (0, 10, 13, 34, 92)  # NUL, LF, CR, ", \


@functools.cache
def _index() -> Any:
    """Each 7-bit value's number among FORBIDDEN, -1 for the others."""
    import numpy as np

    index = np.full(128, -1, dtype=np.int64)
    index[list(FORBIDDEN)] = np.arange(len(FORBIDDEN))
    return index


def _groups(data: bytes) -> np.ndarray:
    """The 7-bit groups, as bytes (uint8 arithmetic on columns: touching wide arrays is slow)."""
    import numpy as np

    b = np.frombuffer(data + bytes(-len(data) % 7), dtype=np.uint8).reshape(-1, 7).T
    groups = np.empty((b.shape[1], 8), dtype=np.uint8)
    groups[:, 0] = b[0] >> 1
    for k in range(1, 7):  # group k: the low k bits of byte k-1, then the high 7-k bits of byte k
        groups[:, k] = ((b[k - 1] & ((1 << k) - 1)) << (7 - k)) | (b[k] >> (k + 1))
    groups[:, 7] = b[6] & 127
    return groups.ravel()[: -(-len(data) * 8 // 7)]  # no group made only of padding


def encode(data: bytes) -> bytes:
    """The text, as UTF-8 (how it is kept and written)."""
    import numpy as np

    index = _index()
    groups = _groups(data)
    # A forbidden group takes the next one with it. In a run of forbidden groups, the first, third …
    # start pairs: the second, fourth … are taken as data by the one before. They are rare (5 in 128).
    found = np.flatnonzero(index[groups] >= 0)
    begins = np.ones(len(found), dtype=bool)
    begins[1:] = found[1:] != found[:-1] + 1
    run_start = np.maximum.accumulate(np.where(begins, np.arange(len(found)), 0)) if len(found) else found
    starts = found[(np.arange(len(found)) - run_start) % 2 == 0]
    if len(starts) and starts[-1] == len(groups) - 1:  # nothing left to take: a zero group
        groups = np.r_[groups, np.uint8(0)]
    # A pair is two groups and two bytes of UTF-8 (U+0080 … U+02FF: 110xxxxx 10xxxxxx), in place.
    code = 0x80 + index[groups[starts]] * 128 + groups[starts + 1]
    out = groups.copy()
    out[starts], out[starts + 1] = 0xC0 | (code >> 6), 0x80 | (code & 63)
    return out.tobytes()


def decode(text: str, length: int) -> bytes:
    """The first ``length`` bytes ``text`` holds (for tests and tools; pages use assets.js)."""
    import numpy as np

    codes = np.frombuffer(text.encode("utf-32-le"), dtype="<u4").astype(np.int64)
    pairs = codes >= 0x80
    first = np.where(pairs, np.asarray(FORBIDDEN)[np.clip((codes - 0x80) >> 7, 0, len(FORBIDDEN) - 1)], codes)
    groups = np.stack([first, np.where(pairs, (codes - 0x80) & 127, -1)], axis=1).ravel()
    groups = groups[groups >= 0].astype(np.uint8)
    bits = np.unpackbits(groups[:, None], axis=1)[:, 1:].ravel()
    return np.packbits(bits[: length * 8]).tobytes()
