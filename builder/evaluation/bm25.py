"""The plain BM25 anchor: Okapi BM25 over character bigrams of each case page's visible text.

Deliberately plain, so it measures what ranking work adds: no field boosts, no
taxonomy, no synonyms. Its tokeniser is its own (not ``builder.search_terms``),
so changes to the site's tokeniser never move the anchor.
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter
from collections.abc import Mapping

K1 = 1.2
B = 0.75


def tokens(text: str) -> list[str]:
    """NFKC, lower case; runs of ASCII letters/digits as words, other letter runs as bigrams."""
    out: list[str] = []
    run, run_kind = [], ""
    for ch in unicodedata.normalize("NFKC", text).lower() + " ":
        kind = "w" if ch.isascii() and ch.isalnum() else "j" if not ch.isascii() and ch.isalnum() else ""
        if kind != run_kind:
            if run_kind == "w":
                out.append("".join(run))
            elif run_kind == "j":
                out.extend(run[0:1] if len(run) == 1 else ["".join(run[i : i + 2]) for i in range(len(run) - 1)])
            run, run_kind = [], kind
        run.append(ch)
    return out


class Bm25:
    def __init__(self, documents: Mapping[str, str], k1: float = K1, b: float = B) -> None:
        self.k1, self.b = k1, b
        self.frequencies = {doc_id: Counter(tokens(text)) for doc_id, text in documents.items()}
        self.lengths = {doc_id: sum(counts.values()) for doc_id, counts in self.frequencies.items()}
        self.average = sum(self.lengths.values()) / len(self.lengths) if self.lengths else 0.0
        self.document_frequency: Counter[str] = Counter()
        for counts in self.frequencies.values():
            self.document_frequency.update(counts.keys())

    def idf(self, term: str) -> float:
        # Lucene's variant: never negative, so a term in most documents still counts a little.
        n, df = len(self.frequencies), self.document_frequency.get(term, 0)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def score(self, doc_id: str, query_terms: list[str]) -> float:
        counts, length = self.frequencies[doc_id], self.lengths[doc_id]
        norm = self.k1 * (1 - self.b + self.b * length / self.average) if self.average else self.k1
        total = 0.0
        for term in query_terms:
            tf = counts.get(term, 0)
            if tf:
                total += self.idf(term) * tf * (self.k1 + 1) / (tf + norm)
        return total

    def search(self, query: str, limit: int = 10) -> list[tuple[str, float]]:
        """(doc id, score) of the best documents that match at least one query term, best first."""
        terms = list(dict.fromkeys(tokens(query)))  # each distinct term once
        scored = [(doc_id, self.score(doc_id, terms)) for doc_id in self.frequencies]
        scored = [(doc_id, s) for doc_id, s in scored if s > 0]
        scored.sort(key=lambda item: (-item[1], item[0]))  # ties by id, so runs repeat exactly
        return scored[:limit]
