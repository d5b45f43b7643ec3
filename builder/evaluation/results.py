"""What an engine returned for the labelled set, and its scores overall and per query kind."""

from __future__ import annotations

from dataclasses import dataclass, field

from builder.evaluation.labels import KINDS, LabelledQuery
from builder.evaluation.metrics import CUTOFF, mean, ndcg_at_k, recall_at_k


@dataclass
class EngineRun:
    """Rankings (case ids, best first) by query text; ``unavailable`` says why there are none."""

    name: str  # stable key for JSON: "site:hybrid", "bm25", "material", "pagefind"
    label: str  # for the table
    rankings: dict[str, list[str]] = field(default_factory=dict)
    unavailable: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def available(self) -> bool:
        return not self.unavailable


@dataclass(frozen=True)
class QueryScore:
    query: LabelledQuery
    ndcg: float
    recall: float
    ranking: list[str]


@dataclass(frozen=True)
class Aggregate:
    ndcg: float
    recall: float
    queries: int


@dataclass
class EngineScore:
    run: EngineRun
    per_query: list[QueryScore]
    overall: Aggregate | None
    kinds: dict[str, Aggregate]

    @property
    def no_result(self) -> int:
        return sum(1 for score in self.per_query if not score.ranking)


def score(run: EngineRun, queries: list[LabelledQuery], k: int = CUTOFF) -> EngineScore:
    if not run.available:
        return EngineScore(run, [], None, {})
    per_query = []
    for query in queries:
        ranking = run.rankings.get(query.text, [])[:k]
        per_query.append(QueryScore(query, ndcg_at_k(ranking, query.relevance, k), recall_at_k(ranking, query.relevance, k), ranking))
    kinds = {}
    for kind in KINDS:
        of_kind = [s for s in per_query if s.query.kind == kind]
        if of_kind:
            kinds[kind] = _aggregate(of_kind)
    return EngineScore(run, per_query, _aggregate(per_query), kinds)


def _aggregate(scores: list[QueryScore]) -> Aggregate:
    return Aggregate(mean([s.ndcg for s in scores]), mean([s.recall for s in scores]), len(scores))
