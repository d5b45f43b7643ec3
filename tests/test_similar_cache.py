"""The similar-case lists kept between builds (builder/generate/similar_cache.py): after any
edit they are the lists a full product gives, and only what changed is scored again."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from builder.generate import similar
from builder.generate import similar_cache as cache

K = 5


def _normalised(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


class Library:
    """Random meaning and label vectors with organisations, edited the ways a corpus is."""

    def __init__(self, n: int, seed: int = 0) -> None:
        self.rng = np.random.default_rng(seed)
        self.meaning = _normalised(self.rng.normal(size=(n, 16)))
        self.labels = _normalised(self.rng.random((n, 12)) * (self.rng.random((n, 12)) < 0.3) + 1e-3)
        self.organisations = [f"org-{self.rng.integers(n // 3)}" for _ in range(n)]

    def edit(self, rows: list[int]) -> None:
        self.meaning = self.meaning.copy()
        self.meaning[rows] = _normalised(self.rng.normal(size=(len(rows), 16)))

    def remove(self, rows: list[int]) -> None:
        keep = np.ones(len(self.meaning), dtype=bool)
        keep[rows] = False
        self.meaning, self.labels = self.meaning[keep], self.labels[keep]
        self.organisations = [o for o, k in zip(self.organisations, keep) if k]

    def insert(self, at: int, organisation: str) -> None:
        self.meaning = np.insert(self.meaning, at, _normalised(self.rng.normal(size=(1, 16))), axis=0)
        self.labels = np.insert(self.labels, at, self.labels[0], axis=0)
        self.organisations.insert(at, organisation)

    def groups(self) -> np.ndarray:
        return np.unique(self.organisations, return_inverse=True)[1]

    def lists(self, previous: cache.Lists | None, scored: list[int] | None = None) -> cache.Lists:
        vectors, floor = similar.combined(self.meaning, self.labels, similar.LABEL_WEIGHT)
        ranked = similar.ranking(vectors, self.groups(), floor, cache.kept(K))

        def counting(rows: np.ndarray, columns: np.ndarray | None):  # type: ignore[no-untyped-def]
            if scored is not None:
                scored.append(len(rows) * (len(vectors) if columns is None else len(columns)))
            return ranked(rows, columns)

        return cache.update(previous, cache.row_keys(vectors, self.organisations), counting, K)

    def full(self) -> list[list[int]]:
        return similar.nearest(self.meaning, self.labels, K, groups=self.groups())


def _shown(lists: cache.Lists) -> list[list[int]]:
    return [[j for j in row[:K] if j >= 0] for row in lists.others.tolist()]


def test_after_every_kind_of_edit_the_lists_are_the_full_products() -> None:
    library = Library(300)
    lists = library.lists(None)
    assert _shown(lists) == library.full()
    for step in range(8):
        library.edit(library.rng.choice(len(library.meaning), 1 + step % 3, replace=False).tolist())
        if step == 2:
            library.remove([5, 9, 40])
        if step == 4:
            library.insert(7, "org-new")
        if step == 6:
            library.insert(100, library.organisations[3])  # a second case of an organisation that has one
        lists = library.lists(lists)
        assert _shown(lists) == library.full(), step


def test_nothing_is_scored_when_nothing_changed_and_an_edit_scores_its_row_and_column() -> None:
    library = Library(400)
    lists = library.lists(None)
    scored: list[int] = []
    assert library.lists(lists, scored) is lists and scored == []
    library.edit([17])
    lists = library.lists(lists, scored)
    n = len(library.meaning)
    # The edited row against all, every other row against it, and a few rows whose kept list ran short.
    assert n + (n - 1) <= sum(scored) < 0.1 * n * n
    assert _shown(lists) == library.full()


def test_many_changed_rows_are_one_full_product() -> None:
    library = Library(200)
    lists = library.lists(None)
    library.edit(list(range(0, 200, 4)))  # a quarter of the rows: more than CHANGED_AT_MOST
    scored: list[int] = []
    lists = library.lists(lists, scored)
    assert scored == [200 * 200]
    assert _shown(lists) == library.full()


def test_the_lists_survive_a_save_and_a_damaged_file_is_scored_again(tmp_path: Path) -> None:
    library = Library(120)
    lists = library.lists(None)
    lists.keys[0] = lists.keys[0][:-1] + b"\0"  # numpy's bytes type would drop a trailing zero byte
    lists.save(tmp_path)
    loaded = cache.Lists.load(tmp_path, K)
    assert loaded is not None and loaded.keys == lists.keys
    assert np.array_equal(loaded.others, lists.others) and np.array_equal(loaded.scores, lists.scores)
    assert cache.Lists.load(tmp_path, K + 1) is None  # kept for another list length
    for damage in (b"", b"not a zip", (tmp_path / cache.FILE).read_bytes()[:200]):
        (tmp_path / cache.FILE).write_bytes(damage)
        assert cache.Lists.load(tmp_path, K) is None
    forged = cache.Lists(lists.keys, np.full_like(lists.others, 10_000), lists.scores, K)  # rows that do not exist
    forged.save(tmp_path)
    assert cache.Lists.load(tmp_path, K) is None


@pytest.mark.parametrize("twins", [False, True])
def test_twins_of_one_organisation_are_scored_in_full(twins: bool) -> None:
    library = Library(60)
    if twins:
        library.meaning[1], library.labels[1], library.organisations[1] = library.meaning[0], library.labels[0], library.organisations[0]
    lists = library.lists(None)
    library.edit([30])
    scored: list[int] = []
    lists = library.lists(lists, scored)
    assert (scored == [60 * 60]) == twins  # a key names two rows: which kept list is whose is unknown
    assert _shown(lists) == library.full()
