"""Stage: "similar cases" on every case page.

Five cases of *other* organisations (a reader finds the same organisation's
cases in the section above). With an embedding engine, a pair scores

    cos(meaning) + LABEL_WEIGHT · cos(labels)

where the label vectors say what the taxonomy says about a case (keywords with
their broader ones, category, schemes, roles), each weighted by rarity: a shared
#ITパスポート says more than a shared #研修. Without an engine the labels alone
rank, and the page says so and why. Each listed case shows its reasons.

Scores are computed a block of rows at a time, so memory stays bounded when the
number of cases grows (10,000 cases: 40 MB per block, never N×N).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from builder.embedding.settings import DOCUMENT_FIELDS
from builder.generate import markdown as md
from builder.generate import paths
from builder.generate.common import keyword_tag
from builder.generate.pipeline import BuildContext, Section
from builder.models import Case
from builder.taxonomy import Taxonomy
from builder.validate import Entry

if TYPE_CHECKING:
    import numpy as np

    from builder.embedding import Availability, Embedder

SHOWN = 5
SHARED_SHOWN = 3
BLOCK = 1024  # rows of the score matrix at a time
CHUNK = 2048  # cases whose passages are embedded at a time (bounds the text held in memory)
# Weight of shared labels next to meaning, chosen on the labelled pairs (python -m builder eval-similar):
# nDCG@5 is 0.59 for labels alone, 0.53 for use-multilingual meaning alone, and 0.65–0.67 for the sum
# at any λ from 0.5 to 1.5 (λ = 1: +0.07 ± 0.025 over labels alone, paired per source case). 1.0 is the
# middle of that plateau; each signal finds pairs the other misses.
LABEL_WEIGHT = 1.0
DECIMALS = 6  # scores are rounded before ranking, so float noise (BLAS blocking, batch order) cannot reorder ties

BY_MEANING = (
    "文章の意味の近さと、共通するキーワード・カテゴリ・支援制度・人材像（珍しいものほど重く数えます）を合わせて選んだ、"
    "他の団体の事例です。意味の近さは {model} で測っています（埋め込みエンジン {engine}）。"
)
BY_LABELS = (
    "共通するキーワード・カテゴリ・支援制度・人材像（珍しいものほど重く数えます）が多い、他の団体の事例です。"
    "文章の意味の近さは使っていません。このサイトの作成時に埋め込みモデルを使えなかったためです（{reason}）。"
)
NO_ENGINE = "埋め込みモデルが設定されていません"
NOTHING_SHARED = "共通するキーワード・カテゴリ・支援制度・人材像のある、他の団体の事例はありません。"


def _case(entry: Entry) -> Case:
    return entry.model  # type: ignore[return-value]


# --- what the model reads -------------------------------------------------------------------

_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_LINE_MARK = re.compile(r"^\s*(#{1,6}\s+|[-*+]\s+|\d+\.\s+|>\s?)+")
_HEADING = re.compile(r"^\s*#{1,6}\s")
_SENTENCE_END = re.compile(r"(?<=[。！？!?\n])")


def _plain(markdown: str) -> str:
    """The words of a Markdown body: no heading marks, bullets, table rules or pipes."""
    lines = []
    for line in markdown.splitlines():
        if _TABLE_RULE.match(line):
            continue
        line = _LINE_MARK.sub("", line).replace("\\", "")
        if "|" in line:
            line = " ".join(cell.strip() for cell in line.strip().strip("|").split("|") if cell.strip())
        lines.append(line.rstrip())
    return "\n".join(lines)


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def units(entry: Entry, fields: Sequence[str] = DOCUMENT_FIELDS) -> list[str]:
    """The case's text in reading order, cut only where a passage may end: paragraphs and Q&A pairs."""
    case = _case(entry)
    out: list[str] = []
    for name in fields:
        if name == "title":
            out.append(case.title)
        elif name == "keywords":
            out.append("、".join(case.keywords))
        elif name == "summary" and case.summary:
            out.extend(_paragraphs(case.summary))
        elif name == "interview":
            for qa in case.interview:
                answer = _paragraphs(qa.answer)
                out.append(qa.question + "\n" + (answer[0] if answer else ""))
                out.extend(answer[1:])
        elif name == "body":
            heading = ""
            for paragraph in _paragraphs(entry.body):
                if all(_HEADING.match(line) for line in paragraph.splitlines()):
                    heading += _plain(paragraph) + "\n"  # a heading stays with the paragraph it introduces
                    continue
                out.append(heading + _plain(paragraph))
                heading = ""
            if heading:
                out.append(heading)
    return [u for u in out if u.strip()]


def embedding_text(entry: Entry, fields: Sequence[str] = DOCUMENT_FIELDS) -> str:
    """The whole text of a case for the model (``passages`` cuts it to the model's input size)."""
    return "\n".join(units(entry, fields))


def _split_long(unit: str, max_chars: int) -> Iterable[str]:
    """A paragraph longer than a passage: cut after sentences, and inside a sentence only if it must."""
    piece = ""
    for sentence in _SENTENCE_END.split(unit):
        while len(sentence) > max_chars:
            if piece:
                yield piece
                piece = ""
            yield sentence[:max_chars]
            sentence = sentence[max_chars:]
        if len(piece) + len(sentence) > max_chars:
            yield piece
            piece = ""
        piece += sentence
    if piece.strip():
        yield piece


def passages(entry: Entry, max_chars: int, fields: Sequence[str] = DOCUMENT_FIELDS) -> list[str]:
    """Consecutive paragraphs and Q&A pairs packed into passages of at most ``max_chars`` characters.

    Models read a limited input (sentence-transformers cut it off silently), so a long
    case is embedded passage by passage and the vectors averaged (``document_vectors``).
    """
    out: list[str] = []
    current = ""
    for unit in units(entry, fields):
        for piece in _split_long(unit, max_chars) if len(unit) > max_chars else [unit]:
            if current and len(current) + 1 + len(piece) > max_chars:
                out.append(current)
                current = ""
            current = f"{current}\n{piece}" if current else piece
    if current:
        out.append(current)
    return out


def document_vectors(entries: Sequence[Entry], embedder: Embedder, *, one_vector: bool = False) -> np.ndarray:
    """One L2-normalised row per case: the mean of its normalised passage vectors.

    Passages, not one vector per case: with use-multilingual (2,000 characters, so 9 of
    the 34 cases split) both score the same on the labelled pairs (nDCG@5 0.529 either way
    by meaning alone, 0.663 vs 0.668 with labels), but a sentence-transformers model reads
    only its first few hundred tokens, so one vector would silently drop most of a long case.
    ``one_vector`` is for that comparison (``python -m builder eval-similar``).
    """
    import numpy as np

    fields = embedder.settings.fields
    out = np.zeros((len(entries), embedder.dims), dtype=np.float32)
    for start in range(0, len(entries), CHUNK):
        chunk = entries[start : start + CHUNK]
        if one_vector:
            texts = [embedding_text(e, fields) for e in chunk]
            owners = np.arange(len(chunk))
        else:
            per_case = [passages(e, embedder.encoder.max_chars, fields) for e in chunk]
            texts = [p for case in per_case for p in case]
            owners = np.repeat(np.arange(len(chunk)), [len(case) for case in per_case])
        np.add.at(out, start + owners, embedder.documents(texts))
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norms == 0, 1.0, norms)


# --- what the taxonomy says -----------------------------------------------------------------


def labels(case: Case, taxonomy: Taxonomy) -> list[str]:
    """What the taxonomy says about a case, as '#keyword' (with broader keywords), category, schemes and roles."""
    return [f"#{k}" for k in taxonomy.with_broader(case.keywords)] + [case.category, *case.schemes, *case.roles]


def label_vectors(entries: Sequence[Entry], taxonomy: Taxonomy) -> np.ndarray:
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


def organisation_groups(entries: Sequence[Entry]) -> np.ndarray:
    """One integer per case, equal for cases of the same organisation."""
    import numpy as np

    ids: dict[str, int] = {}
    return np.array([ids.setdefault(_case(e).organisation.name, len(ids)) for e in entries], dtype=np.int64)


# --- ranking --------------------------------------------------------------------------------


def nearest(
    meaning: np.ndarray | None,
    label_rows: np.ndarray | None,
    k: int = SHOWN,
    *,
    weight: float = LABEL_WEIGHT,
    groups: np.ndarray | None = None,
) -> list[list[int]]:
    """For each case, the k best other cases, best first; ties go to the earlier case.

    ``meaning`` and ``label_rows`` are normalised row vectors (either may be None).
    Without meaning, only cases sharing a label (score > 0) are listed. Cases in the
    same ``groups`` value (organisation) are never listed; the case itself never is.
    """
    import numpy as np

    parts = [(m, 1.0) for m in (meaning,) if m is not None] + [(l, weight) for l in (label_rows,) if l is not None]
    if not parts:
        raise ValueError("nothing to rank by")
    n = len(parts[0][0])
    floor = 0.0 if meaning is None else -np.inf
    found: list[list[int]] = []
    for start in range(0, n, BLOCK):
        stop = min(start + BLOCK, n)
        scores = sum(w * (vectors[start:stop] @ vectors.T) for vectors, w in parts)
        scores = np.round(np.asarray(scores, dtype=np.float64), DECIMALS)
        rows = np.arange(stop - start)
        scores[rows, rows + start] = -np.inf
        if groups is not None:
            scores[groups[start:stop, None] == groups[None, :]] = -np.inf
        if k < n:
            kth = -np.partition(-scores, k - 1, axis=1)[:, k - 1]  # k-th best score of each row
        else:
            kth = np.full(stop - start, -np.inf)
        for row, threshold in zip(scores, kth):
            candidates = np.flatnonzero((row >= threshold) & (row > floor))
            order = candidates[np.lexsort((candidates, -row[candidates]))][:k]
            found.append([int(j) for j in order])
    return found


# --- the stage ------------------------------------------------------------------------------


def shared_keywords(a: Case, b: Case, taxonomy: Taxonomy, frequency: dict[str, int]) -> list[str]:
    """Keywords both cases have (counting broader ones), rarest first: the ones that say most."""
    theirs = set(taxonomy.with_broader(b.keywords))
    common = [k for k in taxonomy.with_broader(a.keywords) if k in theirs]
    return sorted(common, key=lambda k: (frequency.get(k, 0), common.index(k)))[:SHARED_SHOWN]


def reasons(entry: Entry, other: Entry, taxonomy: Taxonomy, here: str, frequency: dict[str, int], meaning: float | None) -> list[str]:
    """Why ``other`` is listed, as escaped Markdown: shared keywords (linked), then what else they share."""
    a, b = _case(entry), _case(other)
    out = []
    tags = []
    for label in shared_keywords(a, b, taxonomy, frequency):
        keyword = taxonomy.keywords.resolve(label)
        tags.append(keyword_tag(keyword.entry, here) if keyword else md.text(f"#{label}"))
    if tags:
        out.append(" ".join(tags))
    if a.category == b.category:
        out.append("同じカテゴリ")
    band_a, band_b = taxonomy.band_for(a.population.value), taxonomy.band_for(b.population.value)
    if band_a is not None and band_a == band_b:
        out.append(md.text(f"同じ人口規模（{band_a.label}）"))
    if a.organisation.kind == b.organisation.kind:
        out.append(md.text(f"同じ団体区分（{a.organisation.kind}）"))
    for kind, theirs, ours in (("支援制度", b.schemes, a.schemes), ("人材像", b.roles, a.roles)):
        both = [x for x in ours if x in theirs]
        if both:
            out.append(md.text(f"同じ{kind}（{'、'.join(both)}）"))
    if meaning is not None:
        out.append(f"文章の意味の近さ {meaning:.2f}")
    return out


class SimilarCases:
    name = "similar-cases"

    def __init__(self, semantic: Availability | None = None) -> None:
        self.embedder = semantic.embedder if semantic is not None else None
        self.reason = (semantic.reason if semantic is not None else "") or NO_ENGINE

    def note(self) -> str:
        if self.embedder is not None:
            return md.text(BY_MEANING.format(engine=self.embedder.engine, model=self.embedder.model))
        return md.text(BY_LABELS.format(reason=self.reason))

    def run(self, context: BuildContext) -> None:
        entries = context.corpus.cases
        if not entries:
            return
        taxonomy = context.corpus.taxonomy
        label_rows = label_vectors(entries, taxonomy)
        meaning = document_vectors(entries, self.embedder) if self.embedder is not None else None
        groups = organisation_groups(entries)
        frequency: dict[str, int] = {}
        for entry in entries:
            for keyword in set(taxonomy.with_broader(_case(entry).keywords)):
                frequency[keyword] = frequency.get(keyword, 0) + 1
        note = self.note()
        for row, (entry, neighbours) in enumerate(zip(entries, nearest(meaning, label_rows, SHOWN, groups=groups))):
            here = paths.case(entry.id)
            lines = []
            for j in neighbours:
                other = entries[j]
                closeness = float(meaning[row] @ meaning[j]) if meaning is not None else None
                title = md.link(_case(other).title, md.relative(here, paths.case(other.id)))
                why = "・".join(reasons(entry, other, taxonomy, here, frequency, closeness))
                lines.append(f"- {title}（{md.text(_case(other).organisation.name)}）  \n  {why}")
            body = "\n".join(lines) if lines else md.text(NOTHING_SHARED)
            context.case_sections[entry.id].append(Section("似ている事例", note + "\n\n" + body))
