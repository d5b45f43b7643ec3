"""The similar-case lists of the last build, so that a build after an edit scores only what changed (issue 12).

``similar.nearest`` scores every pair of cases: at 10,000 cases a build with every vector
cached spent ~2 s in the n × n product, and the stage grew as n². A case's scores change only
when a vector does, so each case's row is known by a key (its vector and organisation), and
this file keeps, per row, the best ``kept(k)`` others with their scores. The next build

- reuses every list whose row and listed cases are unchanged (a build with nothing edited, or
  a preview after saving the same text, does no product at all);
- scores the changed rows against all (c × n), and the others against the changed ones
  (n × c), merging those scores into the kept lists. A kept list is the top of its row's
  ranking, so merged with every changed score it stays exact down to its last unchanged
  case; a row left with fewer than k of them is scored again in full.

More than an eighth of the rows changed (a new taxonomy, the label weights of a keyword
whose count moved, a new case, which moves every label's rarity) is a full product,
as before. The lists are the same as ``nearest``'s (tests/test_similar_cache.py compares them). The
file sits in the cache folder (``.cache/dxnavi/``), which a build never trusts when git
tracks it (builder/tracked_cache.py); one that cannot be read is recomputed, never an error.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

FILE = "similar-cases.npz"
FORMAT = 1
KEY_BYTES = 16
CHANGED_AT_MOST = 1 / 8  # of the rows; beyond it the full product is about as quick


def kept(k: int) -> int:
    """Others kept per row: k and as many again, so a few edited cases rarely force a full row."""
    return 2 * k


def row_keys(vectors: np.ndarray, organisations: list[str]) -> list[bytes]:
    """What a row of scores depends on besides the other rows: the case's vector and its organisation."""
    return [
        hashlib.blake2b(row.tobytes() + name.encode("utf-8"), digest_size=KEY_BYTES).digest() for row, name in zip(vectors, organisations)
    ]


class Lists:
    """Per row, the best others (row numbers, -1 after the last) and their rounded scores, best first."""

    def __init__(self, keys: list[bytes], others: np.ndarray, scores: np.ndarray, k: int) -> None:
        self.keys, self.others, self.scores, self.k = keys, others, scores, k

    def save(self, folder: Path) -> None:
        import numpy as np

        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".npz.tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                np.savez(out, format=np.array([FORMAT, self.k]), keys=np.frombuffer(b"".join(self.keys), dtype=np.uint8).reshape(-1, KEY_BYTES), others=self.others, scores=self.scores)
            os.replace(temporary, folder / FILE)  # whole or not at all: a build killed here leaves the last one
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, folder: Path, k: int) -> Lists | None:
        import numpy as np

        try:
            with open(folder / FILE, "rb") as file, np.load(file, allow_pickle=False) as data:
                if data["format"].tolist() != [FORMAT, k]:
                    return None
                # uint8 rows, not numpy bytes ("S16"), which drop a key's trailing zero bytes
                keys, others, scores = [row.tobytes() for row in data["keys"]], data["others"], data["scores"]
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
            return None  # missing, from another version, or damaged: scored in full
        if any(len(key) != KEY_BYTES for key in keys) or others.shape != scores.shape or others.ndim != 2 or others.shape != (len(keys), kept(k)) or others.dtype.kind != "i":
            return None
        if len(keys) and (others.min() < -1 or others.max() >= len(keys)):
            return None
        return cls(keys, others, scores, k)


def update(previous: Lists | None, keys: list[bytes], ranked, k: int) -> Lists:  # type: ignore[no-untyped-def]
    """This build's lists: the previous build's where they hold, else scored (``ranked``, see similar.ranking).

    ``ranked(rows, columns)`` gives, for each of ``rows``, its others among ``columns`` (all when
    None) with their rounded scores, best first, at most kept(k).
    """
    import numpy as np

    n, width = len(keys), kept(k)
    if previous is not None and previous.keys == keys:
        return previous  # nothing changed
    place = {key: row for row, key in enumerate(keys)}
    if previous is None or len(place) < n:  # twins (one vector, one organisation) would share a key
        return _scored(keys, ranked, np.arange(n), width, k)
    old_to_new = np.array([place.get(key, -1) for key in previous.keys] + [-1], dtype=np.int64)  # [-1]: "no one"
    new_to_old = np.full(n, -1, dtype=np.int64)
    found = old_to_new[:-1] >= 0
    new_to_old[old_to_new[:-1][found]] = np.flatnonzero(found)
    changed = np.flatnonzero(new_to_old < 0)
    if len(changed) > CHANGED_AT_MOST * n:
        return _scored(keys, ranked, np.arange(n), width, k)
    others = np.full((n, width), -1, dtype=np.int64)
    scores = np.full((n, width), -np.inf)
    again: list[int] = list(changed)
    unchanged = np.flatnonzero(new_to_old >= 0)
    fresh = dict(zip(unchanged.tolist(), ranked(unchanged, changed))) if len(changed) else {}
    for row in unchanged.tolist():
        old = new_to_old[row]
        listed = old_to_new[previous.others[old]]  # -1 for a changed, removed or empty place
        valid = listed >= 0
        if not valid.any():
            again.append(row)
            continue
        mine, mine_scores = listed[valid], previous.scores[old][valid]
        if row not in fresh:
            if len(mine) < k:
                again.append(row)
                continue
            others[row, : len(mine)], scores[row, : len(mine)] = mine, mine_scores
            continue
        theirs, their_scores = fresh[row]
        candidates = np.concatenate([mine, theirs])
        candidate_scores = np.concatenate([mine_scores, their_scores])
        order = np.lexsort((candidates, -candidate_scores))
        # Exact down to the last kept unchanged case: an unchanged case not kept ranks below it.
        last = int(np.flatnonzero(order == len(mine) - 1)[0]) + 1
        order = order[: min(last, width)]
        if len(order) < k:
            again.append(row)
            continue
        others[row, : len(order)], scores[row, : len(order)] = candidates[order], candidate_scores[order]
    if again:
        rows = np.array(sorted(again), dtype=np.int64)
        for row, (theirs, their_scores) in zip(rows.tolist(), ranked(rows, None)):
            others[row], scores[row] = -1, -np.inf
            others[row, : len(theirs)], scores[row, : len(theirs)] = theirs, their_scores
    return Lists(keys, others, scores, k)


def _scored(keys: list[bytes], ranked, rows: np.ndarray, width: int, k: int) -> Lists:  # type: ignore[no-untyped-def]
    import numpy as np

    others = np.full((len(keys), width), -1, dtype=np.int64)
    scores = np.full((len(keys), width), -np.inf)
    for row, (theirs, their_scores) in zip(rows.tolist(), ranked(rows, None)):
        others[row, : len(theirs)], scores[row, : len(theirs)] = theirs, their_scores
    return Lists(keys, others, scores, k)
