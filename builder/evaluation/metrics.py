"""Ranking metrics over graded relevance: nDCG@k (gain 2^rel − 1, log2 discount) and Recall@k."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

CUTOFF = 10


def dcg(grades: Sequence[int]) -> float:
    """Discounted cumulative gain of grades in rank order (rank 1 is undiscounted)."""
    return sum((2**grade - 1) / math.log2(rank + 1) for rank, grade in enumerate(grades, start=1))


def ndcg_at_k(ranking: Sequence[str], relevance: Mapping[str, int], k: int = CUTOFF) -> float:
    """DCG of the top k over the DCG of the ideal top k; a query with nothing relevant scores 0."""
    ideal = dcg(sorted(relevance.values(), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    return dcg([relevance.get(item, 0) for item in _unique(ranking)[:k]]) / ideal


def recall_at_k(ranking: Sequence[str], relevance: Mapping[str, int], k: int = CUTOFF) -> float:
    """Share of the cases graded 1 or more that appear in the top k."""
    relevant = {item for item, grade in relevance.items() if grade >= 1}
    if not relevant:
        return 0.0
    return len(relevant.intersection(_unique(ranking)[:k])) / len(relevant)


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _unique(ranking: Sequence[str]) -> list[str]:
    # An engine that lists a case twice must not be paid twice for it.
    return list(dict.fromkeys(ranking))
