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

import functools
import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from builder.embedding.loader import resolved
from builder.embedding.settings import DOCUMENT_FIELDS
from builder.generate import markdown as md
from builder.generate import paths, similar_cache
from builder.generate.common import keyword_tag
from builder.generate.pipeline import BuildContext, Section
from builder.models import Case
from builder.taxonomy import Taxonomy
from builder.validate import Entry

if TYPE_CHECKING:
    import numpy as np

    from builder.embedding import Availability, Deferred, Embedder

SHOWN = 5
SHARED_SHOWN = 3
BLOCK = 1024  # rows of the score matrix at a time
CHUNK = 2048  # cases whose passages are embedded at a time (bounds the text held in memory)
# Weight of shared labels next to meaning, chosen on the labelled pairs (python -m builder eval-similar):
# nDCG@5 is 0.59 for labels alone, 0.55 for use-multilingual meaning alone, and 0.65–0.67 for the sum
# at any λ from 0.25 to 1.5 (λ = 1: +0.070 ± 0.025 over labels alone, paired per source case). 1.0 is
# in the middle of that plateau, where the gain is steadiest; each signal finds pairs the other misses.
LABEL_WEIGHT = 1.0
DECIMALS = 6  # scores are rounded before ordering, so float noise cannot reorder ties
NEAR = 1e-5  # more than float32 noise in a score, less than any real difference

BY_MEANING = (
    "文章の意味の近さと、共通するキーワード・カテゴリ・支援制度・人材像（珍しいものほど重く数えます）を合わせて選んだ、"
    "他の団体の事例です。意味の近さは、埋め込みエンジン {engine} のモデル「{model}」で測っています。"
)
BY_LABELS = (
    "共通するキーワード・カテゴリ・支援制度・人材像（珍しいものほど重く数えます）が多い、他の団体の事例です。"
    "文章の意味の近さは使っていません。このサイトの作成時に埋め込みモデルを使えなかったためです（{reason}）。"
)
NO_ENGINE = "埋め込みモデルが設定されていません"
NOTHING_SHARED = "共通するキーワード・カテゴリ・支援制度・人材像のある、他の団体の事例はありません。"
NO_OTHERS = "他の団体の事例はまだありません。"


def _case(entry: Entry) -> Case:
    return entry.model  # type: ignore[return-value]


# --- what the model reads -------------------------------------------------------------------

# Whole-text regexes (MULTILINE), not a loop over lines: 10,000 cases are 50 MB of text.
_TABLE_RULE = re.compile(r"^[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*(\|[ \t]*:?-{3,}:?[ \t]*)*\|?[ \t]*$\n?", re.MULTILINE)
_LINE_MARK = re.compile(r"^[ \t]*(#{1,6}[ \t]+|[-*+][ \t]+|\d+\.[ \t]+|>[ \t]?)+", re.MULTILINE)
_TABLE_ROW = re.compile(r"^[^\n|]*\|.*$", re.MULTILINE)
_HEADING = re.compile(r"^\s*#{1,6}\s")
_SENTENCE_END = re.compile(r"(?<=[。！？!?\n])")


def _cells(match: re.Match[str]) -> str:
    return " ".join(cell.strip() for cell in match.group(0).strip().strip("|").split("|") if cell.strip())


def _plain(markdown: str) -> str:
    """The words of a Markdown body: no heading marks, bullets, table rules or pipes."""
    text = _TABLE_RULE.sub("", markdown.replace("\\", ""))
    text = _LINE_MARK.sub("", text)
    return _TABLE_ROW.sub(_cells, text)


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

    Passages, not one vector per case: with use-multilingual (2,000 characters, so 9 of the
    34 cases split) passages score a little higher on the labelled pairs (nDCG@5 0.549 vs
    0.534 by meaning alone, 0.663 vs 0.654 with labels; within noise), and a
    sentence-transformers model reads only its first few hundred tokens, so one vector
    would silently drop most of a long case.
    ``one_vector`` is for that comparison (``python -m builder eval-similar``).
    """
    import numpy as np

    fields = embedder.settings.fields
    out = np.zeros((len(entries), embedder.dims), dtype=np.float32)
    for start in range(0, len(entries), CHUNK):
        chunk = entries[start : start + CHUNK]
        # A case whose text is unchanged gets its vector from the cache without being cut into
        # passages and folded again: at 10,000 cases that text work dominates a warm build.
        keys = [_case_key(e, embedder, one_vector) for e in chunk]
        found = embedder.cache.get(keys)
        todo = [n for n, key in enumerate(keys) if key not in found]
        if todo:
            if one_vector:
                texts = [embedding_text(chunk[n], fields) for n in todo]
                owners = np.arange(len(todo))
            else:
                per_case = [passages(chunk[n], embedder.encoder.max_chars, fields) for n in todo]
                texts = [p for case in per_case for p in case]
                owners = np.repeat(np.arange(len(todo)), [len(case) for case in per_case])
            fresh = np.zeros((len(todo), embedder.dims), dtype=np.float32)
            np.add.at(fresh, owners, embedder.documents(texts))
            fresh /= np.maximum(np.linalg.norm(fresh, axis=1, keepdims=True), 1e-12)
            computed = {keys[n]: fresh[row] for row, n in enumerate(todo)}
            embedder.cache.put(computed)
            found.update(computed)
        out[start : start + len(chunk)] = np.stack([found[key] for key in keys])
    return out


PASSAGES_FORMAT = 1  # bump when units() or passages() change what the model reads


def _case_key(entry: Entry, embedder: Embedder, one_vector: bool) -> str:
    """Cache key of a case's vector: everything it is made from, raw (the passages are keyed folded)."""
    from builder.embedding.cache import key

    case = _case(entry)
    s = embedder.settings
    recipe = [
        f"case-vector:{PASSAGES_FORMAT}:{'one' if one_vector else 'passages'}:{embedder.encoder.max_chars}:{_fold_digest()}",
        embedder.engine,
        embedder.encoder.fingerprint,
        s.document_prefix,
        ",".join(s.fields),
    ]
    text = [case.title, *case.keywords, case.summary or "", *(f"{qa.question}\x1e{qa.answer}" for qa in case.interview), entry.body]
    return key("\x1d".join(recipe), "\x1f".join(text))


@functools.cache
def _fold_digest() -> str:
    """The character fixes that ``fold`` applies: a change to them changes what the model reads."""
    from builder.artifacts import char_fixes

    return hashlib.sha256(repr(sorted(char_fixes().items())).encode()).hexdigest()[:16]


# --- what the taxonomy says -----------------------------------------------------------------


class KeywordExpander:
    """``Taxonomy.with_broader`` for many cases: each keyword's broader chain is resolved once."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self._chains: dict[str, list[str]] = {}

    def __call__(self, keywords: Sequence[str]) -> list[str]:
        out: dict[str, None] = dict.fromkeys(keywords)
        for keyword in keywords:
            chain = self._chains.get(keyword)
            if chain is None:
                chain = self._chains[keyword] = self.taxonomy.with_broader([keyword])[1:]
            out.update(dict.fromkeys(chain))
        return list(out)


def labels(case: Case, taxonomy: Taxonomy, expand: KeywordExpander | None = None) -> list[str]:
    """What the taxonomy says about a case, as '#keyword' (with broader keywords), category, schemes and roles."""
    keywords = (expand or KeywordExpander(taxonomy))(case.keywords)
    return [f"#{k}" for k in keywords] + [case.category, *case.schemes, *case.roles]


def label_vectors(entries: Sequence[Entry], taxonomy: Taxonomy, expand: KeywordExpander | None = None) -> np.ndarray:
    """One row per case: IDF-weighted, L2-normalised indicator vector of its labels."""
    import numpy as np

    expand = expand or KeywordExpander(taxonomy)
    per_case = [labels(_case(e), taxonomy, expand) for e in entries]
    columns = {label: n for n, label in enumerate(sorted({label for case in per_case for label in case}))}
    matrix = np.zeros((len(entries), len(columns)), dtype=np.float32)
    for row, case_labels in enumerate(per_case):
        matrix[row, [columns[label] for label in case_labels]] = 1.0
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

    ``meaning`` and ``label_rows`` are normalised row vectors (either may be None); a pair
    scores cos(meaning) + weight · cos(labels). Without meaning, only cases sharing a label
    are listed. Cases in the same ``groups`` value (organisation) are never listed, nor the
    case itself.
    """
    import numpy as np

    vectors, floor = combined(meaning, label_rows, weight)
    return [others.tolist() for others, _ in ranking(vectors, groups, floor, k)(np.arange(len(vectors)), None)]


def combined(meaning: np.ndarray | None, label_rows: np.ndarray | None, weight: float) -> tuple[np.ndarray, float]:
    """One row per case whose products are the pairs' scores, and the score a listed pair must beat."""
    import numpy as np

    parts = [m for m in (meaning,) if m is not None]
    if label_rows is not None:
        parts.append(label_rows * np.float32(np.sqrt(weight)))
    if not parts:
        raise ValueError("nothing to rank by")
    # One matrix, so one product per block gives the weighted sum: [m, √w·l]·[m', √w·l'] = m·m' + w·l·l'.
    vectors = np.ascontiguousarray(np.hstack(parts), dtype=np.float32)
    floor = NEAR if meaning is None else -np.inf  # labels alone: a pair sharing nothing scores exactly 0
    return vectors, floor


def ranking(vectors: np.ndarray, groups: np.ndarray | None, floor: float, k: int):  # type: ignore[no-untyped-def]
    """``ranked(rows, columns)``: for each of ``rows``, its k best others among ``columns`` (all when
    None) with their rounded scores, best first, ties to the earlier case (a generator, a block at a time)."""
    import numpy as np

    def ranked(rows: np.ndarray, columns: np.ndarray | None):  # type: ignore[no-untyped-def]
        targets = vectors if columns is None else vectors[columns]
        columns = np.arange(len(vectors)) if columns is None else columns
        width = len(columns)
        for start in range(0, len(rows), BLOCK):
            block = rows[start : start + BLOCK]
            scores = vectors[block] @ targets.T
            scores[block[:, None] == columns[None, :]] = -np.inf
            if groups is not None:
                scores[groups[block][:, None] == groups[columns][None, :]] = -np.inf
            kth = np.partition(scores, width - k, axis=1)[:, width - k] if k < width else np.full(len(block), -np.inf)
            for row, threshold in zip(scores, kth):
                # Candidates within float noise of the k-th best, rounded before ordering: products
                # computed in other block shapes can differ in the last bits, and must not reorder ties.
                candidates = np.flatnonzero((row >= threshold - NEAR) & (row > floor))
                rounded = np.round(row[candidates].astype(np.float64), DECIMALS)
                order = np.lexsort((columns[candidates], -rounded))[:k]
                yield columns[candidates][order], rounded[order]

    return ranked


# --- the stage ------------------------------------------------------------------------------


class Reasons:
    """Why a case is listed, as escaped Markdown, with what is the same for every pair computed once.

    Every case page sits in cases/, so a link or tag rendered for one works on all of them.
    """

    def __init__(self, entries: Sequence[Entry], taxonomy: Taxonomy, expand: KeywordExpander) -> None:
        self.taxonomy = taxonomy
        self.here = paths.case(entries[0].id)
        self.keywords = [expand(_case(e).keywords) for e in entries]
        self.frequency: dict[str, int] = {}
        for keywords in self.keywords:
            for keyword in keywords:
                self.frequency[keyword] = self.frequency.get(keyword, 0) + 1
        # Each case's keywords, rarest first (ties in the case's own order): the ones that say most.
        self.ranked = [sorted(ks, key=lambda k, ks=ks: (self.frequency[k], ks.index(k))) for ks in self.keywords]
        self.sets = [set(ks) for ks in self.keywords]
        self.bands = [taxonomy.band_for(_case(e).population.value) for e in entries]
        self._text: dict[str, str] = {}

    def text(self, key: str, render: Callable[[], str]) -> str:
        if key not in self._text:
            self._text[key] = render()
        return self._text[key]

    def tag(self, label: str) -> str:
        def render() -> str:
            keyword = self.taxonomy.keywords.resolve(label)
            return keyword_tag(keyword.entry, self.here) if keyword else md.text(f"#{label}")

        return self.text("#" + label, render)

    def shared_keywords(self, i: int, j: int) -> list[str]:
        """Keywords both cases have (counting broader ones), rarest first."""
        return [k for k in self.ranked[i] if k in self.sets[j]][:SHARED_SHOWN]

    def __call__(self, i: int, j: int, a: Case, b: Case, meaning: float | None) -> list[str]:
        out = []
        tags = [self.tag(label) for label in self.shared_keywords(i, j)]
        if tags:
            out.append(" ".join(tags))
        if a.category == b.category:
            out.append("同じカテゴリ")
        band = self.bands[i]
        if band is not None and self.bands[j] is not None and band.id == self.bands[j].id:
            out.append(self.text("band:" + band.id, lambda: md.text(f"同じ人口規模（{band.label}）")))
        if a.organisation.kind == b.organisation.kind:
            out.append(self.text("kind:" + a.organisation.kind, lambda: md.text(f"同じ団体区分（{a.organisation.kind}）")))
        for kind, ours, theirs in (("支援制度", a.schemes, b.schemes), ("人材像", a.roles, b.roles)):
            both = "、".join(x for x in ours if x in theirs)
            if both:
                out.append(self.text(f"{kind}:{both}", lambda: md.text(f"同じ{kind}（{both}）")))  # noqa: B023 (called at once)
        if meaning is not None:
            out.append(f"文章の意味の近さ {meaning:.2f}")
        return out


class SimilarCases:
    name = "similar-cases"

    def __init__(self, semantic: Availability | Deferred | None = None) -> None:
        self.semantic = semantic

    @property
    def embedder(self) -> Embedder | None:
        semantic = resolved(self.semantic)
        return semantic.embedder if semantic is not None else None

    @property
    def reason(self) -> str:
        semantic = resolved(self.semantic)
        return (semantic.reason if semantic is not None else "") or NO_ENGINE

    def note(self) -> str:
        if self.embedder is not None:
            return md.text(BY_MEANING.format(engine=self.embedder.engine, model=self.embedder.model))
        return md.text(BY_LABELS.format(reason=self.reason))

    def run(self, context: BuildContext) -> None:
        entries = context.corpus.cases
        if not entries:
            return
        taxonomy = context.corpus.taxonomy
        expand = KeywordExpander(taxonomy)
        label_rows = label_vectors(entries, taxonomy, expand)
        meaning = document_vectors(entries, self.embedder) if self.embedder is not None else None
        if self.embedder is not None:
            ranked = self._nearest_since_last_build(entries, meaning, label_rows, self.embedder.settings.cache_dir)
        else:
            ranked = nearest(meaning, label_rows, SHOWN, groups=organisation_groups(entries))
        reasons = Reasons(entries, taxonomy, expand)
        heads: dict[int, str] = {}  # "- [title](x.md)（organisation）", rendered once per listed case
        note = self.note()
        for i, (entry, neighbours) in enumerate(zip(entries, ranked)):
            lines = []
            for j in neighbours:
                other = _case(entries[j])
                if j not in heads:
                    link = md.link(other.title, md.relative(reasons.here, paths.case(other.id)))
                    heads[j] = f"- {link}（{md.text(other.organisation.name)}）"
                closeness = float(meaning[i] @ meaning[j]) if meaning is not None else None
                lines.append(heads[j] + "  \n  " + "・".join(reasons(i, j, _case(entry), other, closeness)))
            body = "\n".join(lines) if lines else md.text(NOTHING_SHARED if meaning is None else NO_OTHERS)
            context.case_sections[entry.id].append(Section("似ている事例", note + "\n\n" + body))

    @staticmethod
    def _nearest_since_last_build(entries: Sequence[Entry], meaning: np.ndarray | None, label_rows: np.ndarray, folder: Path) -> list[list[int]]:
        """``nearest``'s lists, scoring only the rows and columns that changed since the last build (similar_cache)."""
        vectors, floor = combined(meaning, label_rows, LABEL_WEIGHT)
        previous = similar_cache.Lists.load(folder, SHOWN)
        keys = similar_cache.row_keys(vectors, [_case(e).organisation.name for e in entries])
        ranked = ranking(vectors, organisation_groups(entries), floor, similar_cache.kept(SHOWN))
        lists = similar_cache.update(previous, keys, ranked, SHOWN)
        if lists is not previous:
            try:
                lists.save(folder)
            except OSError:
                pass  # a read-only cache: the next build scores again
        return [[j for j in row[:SHOWN] if j >= 0] for row in lists.others.tolist()]
