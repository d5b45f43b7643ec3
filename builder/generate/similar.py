"""Stage: "similar cases" on every case page.

With a sentence-transformers model (see ``builder.embeddings``), cases are
compared by the meaning of their text. Without one, they are compared by what
the taxonomy says about them: shared keywords, category, support schemes and
target roles, each weighted by how rare it is (a shared #ITパスポート says more
than a shared #研修). Either way the page says which method chose the list.

Similarities are computed a block of rows at a time, so memory stays small
when the number of cases grows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from builder.generate import markdown as md
from builder.generate import paths
from builder.generate.case_pages import case_text
from builder.generate.pipeline import BuildContext, Section
from builder.models import Case
from builder.taxonomy import Taxonomy
from builder.validate import Entry

if TYPE_CHECKING:
    import numpy as np

    from builder.embedding import Embedder

SHOWN = 5
SHARED_SHOWN = 3
BLOCK = 1024

BY_MEANING = "概要・本文・インタビューの文章の意味が近い事例です（文章の埋め込みモデル {model} で比べています）。"
BY_LABELS = (
    "共通するキーワード・カテゴリ・支援制度・人材像が多い事例です。"
    "文章の意味の近さを測るモデルをこのサイトの作成時に読み込めなかったため、代わりにこの方法で選んでいます。"
)


def _case(entry: Entry) -> Case:
    return entry.model  # type: ignore[return-value]


def labels(case: Case, taxonomy: Taxonomy) -> list[str]:
    """What the taxonomy says about a case, as '#keyword' (with broader keywords), category, schemes and roles."""
    return [f"#{k}" for k in taxonomy.with_broader(case.keywords)] + [case.category, *case.schemes, *case.roles]


def label_vectors(entries: list[Entry], taxonomy: Taxonomy) -> np.ndarray:
    """One row per case: IDF-weighted, L2-normalised indicator vector of its labels."""
    import numpy as np

    per_case = [labels(_case(e), taxonomy) for e in entries]
    columns = {label: n for n, label in enumerate(sorted({label for case in per_case for label in case}))}
    matrix = np.zeros((len(entries), len(columns)), dtype=np.float32)
    for row, case_labels in enumerate(per_case):
        for label in case_labels:
            matrix[row, columns[label]] = 1.0
    frequency = matrix.sum(axis=0)
    matrix *= np.log((1 + len(entries)) / (1 + frequency)) + 1.0
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1.0, norms)


def embedding_text(entry: Entry) -> str:
    """What the model reads; models truncate long input, so the densest text comes first."""
    case = _case(entry)
    return "\n".join([case.title, "、".join(case.keywords), case_text(case, entry.body)])


def nearest(vectors: np.ndarray, k: int, *, positive_only: bool) -> list[list[int]]:
    """For each row, the k most similar other rows (ties broken by position, so builds are reproducible)."""
    import numpy as np

    found: list[list[int]] = []
    for start in range(0, len(vectors), BLOCK):
        scores = vectors[start : start + BLOCK] @ vectors.T
        for offset, row in enumerate(scores):
            own = start + offset
            order = [int(j) for j in np.lexsort((np.arange(len(row)), -row))[: k + 1] if j != own][:k]
            found.append([j for j in order if not positive_only or row[j] > 0])
    return found


def shared(a: Case, b: Case) -> list[str]:
    return [k for k in a.keywords if k in b.keywords][:SHARED_SHOWN]


class SimilarCases:
    name = "similar-cases"

    def __init__(self, embedder: Embedder | None = None) -> None:
        self.embedder = embedder

    def run(self, context: BuildContext) -> None:
        entries = context.corpus.cases
        if len(entries) < 2:
            return
        if self.embedder is not None:
            vectors = self.embedder.documents([embedding_text(e) for e in entries])
            note = md.text(BY_MEANING.format(model=self.embedder.model))
        else:
            vectors = label_vectors(entries, context.corpus.taxonomy)
            note = md.text(BY_LABELS)
        for entry, neighbours in zip(entries, nearest(vectors, SHOWN, positive_only=self.embedder is None)):
            if not neighbours:
                continue
            here = paths.case(entry.id)
            lines = []
            for j in neighbours:
                other = entries[j]
                line = f"- {md.link(_case(other).title, md.relative(here, paths.case(other.id)))}（{md.text(_case(other).organisation.name)}）"
                common = shared(_case(entry), _case(other))
                if common:
                    line += " — 共通: " + "、".join(md.text(f"#{k}") for k in common)
                lines.append(line)
            context.case_sections[entry.id].append(Section("似ている事例", note + "\n\n" + "\n".join(lines)))
