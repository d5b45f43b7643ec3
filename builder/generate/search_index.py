"""Stage: the search page and its keyword index (``search/index.js``).

The index is written as a script, not JSON fetched at run time, so that
search also works when the site is opened from a folder (browsers refuse
``fetch`` from ``file://``); other pages load it only when the reader starts
to search. Text is split into terms by ``builder.search_terms``; the browser
splits queries the same way (``dxnavi/terms.js``) and scores with BM25
(``dxnavi/ranking.js``); the page's scripts come with every page (``site_overrides/main.html``).

Why not lunr any more: lunr scores by a cosine of BM25 vectors (a case's score
is divided by the length of its whole vector, so a long case loses to a short
one for the same match), cannot say which query words a case lacks or whether
they stand next to each other, and stores per-case vectors indexed by global
term numbers, which cannot be split by term. Measured on the 34 cases: lunr's
compacted index 528 KB (157 KB gzipped), of which 309 KB per-case vectors;
these postings 268 KB (65 KB gzipped) for the same terms, and every term's
postings stand alone, so the index can later be cut into chunks by term.

Index format (``index``):
- ``fields``: field names; ``lengths[case][field]``: terms in that field.
- ``terms``: every term, sorted by code point; ``postings[i]`` belongs to
  ``terms[i]``: a flat list of ``field, count, (case gap, term frequency) × count``
  per field that has the term, case gaps counted from the previous case (first from -1).
  In Python a numpy array (``to_json()`` writes lists); the chunks encode the same numbers
  as text (``search_shards.encode``).

Alongside go, per case, what a result shows (including plain text for
snippets) and which facet values it has, the query tables of
``builder.generate.query_hints``, the pattern of the cases' URLs and each
case's folded text (``haystacks``, from which search_shards finds joints).

The site ships this data cut into chunks that a query loads by need
(``builder.generate.search_shards``; ``INDEX_SCRIPT`` is their manifest).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from builder.generate import facets as facet_pages
from builder.generate import paths
from builder.generate.common import sort_cases
from builder.generate.pipeline import BuildContext, OutputFile
from builder.generate.query_hints import query_hints
from builder.generate.memo import Memo
from builder.generate.search_shards import haystack_parts, shard, word_joints
from builder.models import Case
from builder.search_terms import WORD_RUN, fold, japanese_mask, terms
from builder.taxonomy import Taxonomy
from builder.validate import Corpus, Entry

INDEX_SCRIPT = "search/index.js"
MEMO = "search-texts.sqlite"  # folds, word joints and compressed display data of earlier builds (builder.generate.memo)
# Written by the semantic_assets stage: the encoder's status and loader (it loads the model only when asked).
SEMANTIC_SCRIPT = "search/semantic.js"

# Fields in index order; their boosts are in ranking.js.
FIELDS = ["title", "organisation", "tags", "summary", "text"]

# The facets a reader filters by, from the index pages' own definitions (same values, same order).
SEARCH_FACETS = [
    facet_pages.category_facet,
    facet_pages.prefecture_facet,
    facet_pages.population_facet,
    facet_pages.kind_facet,
    facet_pages.keyword_facet,
    facet_pages.scheme_facet,
    facet_pages.role_facet,
    facet_pages.source_facet,
]

# Cases per numpy pass of build_index(); their terms' numbers: pairs < 2**39, words from _WORD_KEY.
INDEX_BATCH = 500
_WORD_KEY = 1 << 40

_MARKDOWN_LINK_TARGET = re.compile(r"\]\([^)]*\)")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}.*$")
_LINE_MARKUP = re.compile(r"^\s*(?:#{1,6}\s+|[-*+]\s+|\d+\.\s+|>\s*)")
_INLINE_MARKUP = re.compile(r"\*\*|__|`|\[|\]")


def _names(vocabulary: Any, labels: list[str]) -> list[str]:
    """Each label with its aliases, so a case is found under any spelling the taxonomy knows."""
    out = []
    for label in labels:
        resolved = vocabulary.resolve(label)
        out += [label, *(resolved.entry.aliases if resolved else [])]
    return out


def plain(markdown: str) -> str:
    """Markdown body as the text a reader sees: no link targets, list marks, table rules or emphasis."""
    lines = []
    for line in _MARKDOWN_LINK_TARGET.sub("]", markdown).splitlines():
        if _TABLE_RULE.match(line):
            continue
        line = _INLINE_MARKUP.sub("", _LINE_MARKUP.sub("", line)).strip()
        if "|" in line:  # a table row: its cells, side by side
            line = "　".join(cell.strip() for cell in line.strip("|").split("|"))
        if line:
            lines.append(line)
    return "\n".join(lines)


def case_text(entry: Entry) -> str:
    """The body-like text of a case: interview, department, awards and the Markdown body."""
    case: Case = entry.model  # type: ignore[assignment]
    parts = [qa.question + "\n" + qa.answer for qa in case.interview]
    parts += [case.department or "", *case.awards, plain(entry.body)]
    return "\n".join(part for part in parts if part)


def fields(entry: Entry, taxonomy: Taxonomy, text: str | None = None) -> dict[str, str]:
    """The text of each indexed field of one case (``text``: its case_text(), if made already)."""
    case: Case = entry.model  # type: ignore[assignment]
    organisation = case.organisation
    prefecture = taxonomy.prefectures.resolve(organisation.prefecture)
    region = taxonomy.region_of(prefecture.entry).label if prefecture else ""
    tags = [
        *_names(taxonomy.keywords, taxonomy.with_broader(case.keywords)),
        *_names(taxonomy.categories, [case.category]),
        *_names(taxonomy.schemes, case.schemes),
        *_names(taxonomy.roles, case.roles),
    ]
    return {
        "title": case.title,
        "organisation": " ".join([organisation.name, organisation.prefecture, region]),
        "tags": "\n".join(tags),
        "summary": case.summary or "",
        "text": case_text(entry) if text is None else text,
    }


def folded(texts: dict[str, str], case: dict[str, Any], memo: Memo | None = None) -> tuple[list[str], str]:
    """The folded text of each field (FIELDS order) and the case's haystack (search_shards.haystack_parts).

    Both hold the title, summary and body, which are most of the text, and folding was a third of the
    stage (10,000 cases: ~8 s): each distinct piece is folded once. Folding texts joined by a line or a
    space is folding each and joining them: NFKC composes and reorders nothing across either
    (textnorm.nfkc), lower() reads no context across them, and a katakana look-alike only looks at
    its neighbours, which they are not (tests compare with fold() of the whole). ``memo``: the folds
    of earlier builds.
    """
    done: dict[str, str] = {}

    def once(text: str) -> str:
        if text not in done:
            done[text] = memo.get("fold", text, fold) if memo is not None else fold(text)
        return done[text]

    return [once(texts[name]) for name in FIELDS], "\n".join(map(once, haystack_parts(case)))


def document(entry: Entry, taxonomy: Taxonomy) -> dict[str, list[str]]:
    """The fields of one case, split into terms (as build_index() counts them; the tests' reference)."""
    return {name: terms(value) for name, value in fields(entry, taxonomy).items()}


def _term_keys(points: Any, words: dict[str, int], whole: str) -> tuple[Any, Any]:
    """(where, key) of every term of folded text as code points, the numbers of terms() (see build_index)."""
    import numpy as np

    japanese = japanese_mask(points)
    follows = np.r_[japanese[1:], False]
    pairs = np.flatnonzero(japanese & follows)
    singles = np.flatnonzero(japanese & ~follows & ~np.r_[False, japanese[:-1]])
    found = [(m.start(), _WORD_KEY + words.setdefault(m.group(), len(words))) for m in WORD_RUN.finditer(whole)]
    where = np.concatenate([pairs, singles, np.array([w for w, _ in found], dtype=np.int64)])
    keys = np.concatenate([(points[pairs] << 21) | points[pairs + 1], points[singles], np.array([k for _, k in found], dtype=np.int64)])
    return where, keys


def _term(key: int, words: list[str]) -> str:
    if key >= _WORD_KEY:
        return words[key - _WORD_KEY]
    return chr(key >> 21) + chr(key & 0x1FFFFF) if key >= 1 << 21 else chr(key)


def build_index(texts: list[list[str]]) -> dict[str, Any]:
    """Postings and field lengths (format in the module docstring) of each case's folded fields (folded()).

    The terms are those of ``builder.search_terms.terms`` (``document()``), found as numbers with numpy:
    a pair is its two code points, a lone kanji/kana its own, a word a number past both. 10,000
    cases hold ~15 million terms (~20,000 distinct), which made as strings and counted one by one
    took most of the build's keyword-search stage (~30 s). Cases go in batches: fresh memory is slow
    to touch on the build machines (search_shards.JOINT_BATCH).
    """
    import numpy as np

    width, size = len(FIELDS), len(texts)
    words: dict[str, int] = {}
    lengths = np.zeros(size * width, dtype=np.int64)
    found: list[tuple[Any, Any, Any]] = []  # per batch: term key, case × width + field, term frequency
    for begin in range(0, size, INDEX_BATCH):
        batch = [text for case in texts[begin : begin + INDEX_BATCH] for text in case]
        whole = "\n".join(batch)  # a line is a separator: no term crosses two texts
        points = np.frombuffer(whole.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        where, keys = _term_keys(points, words, whole)
        slot = np.searchsorted(np.cumsum([0] + [len(t) + 1 for t in batch[:-1]]), where, side="right") - 1
        lengths[begin * width : begin * width + len(batch)] = np.bincount(slot, minlength=len(batch))
        counted, tf = np.unique((keys << 13) | slot, return_counts=True)  # slot < 2**13: INDEX_BATCH × width
        found.append((counted >> 13, (counted & 0x1FFF) + begin * width, tf))
    rows = lengths.reshape(size, width).tolist()
    # Every term, sorted by code point; its rank is its place there.
    distinct = np.unique(np.concatenate([k[np.r_[True, k[1:] != k[:-1]]] for k, _, _ in found] or [np.zeros(0, np.int64)]))
    word_list = list(words)
    names = [_term(key, word_list) for key in distinct.tolist()]
    rank = np.empty(len(names), dtype=np.int64)
    rank[sorted(range(len(names)), key=names.__getitem__)] = np.arange(len(names))
    # Per batch, one key per (term, field, case) in the order of the flat postings; then the postings
    # range of terms by range, each from the batches' slices of it (arrays stay small, as above).
    ordered_batches = []
    for keys, slot, tf in found:
        keys = (rank[np.searchsorted(distinct, keys)] * width + slot % width) * size + slot // width
        order = np.argsort(keys)
        ordered_batches.append((keys[order], tf[order]))
    postings: list[Any] = []
    step = max(1, -(-len(names) // max(1, len(found))))
    for first in range(0, len(names), step):
        low, high = first * width * size, (first + step) * width * size
        parts = []
        for k, t in ordered_batches:
            a, b = np.searchsorted(k, [low, high])
            parts.append((k[a:b], t[a:b]))
        keys, tf = (np.concatenate(column) for column in zip(*parts))
        order = np.argsort(keys)
        postings += _flat_postings(keys[order], tf[order], width, size)
    return {"version": 1, "fields": FIELDS, "lengths": rows, "terms": sorted(names), "postings": postings}


def _flat_postings(keys: Any, tf: Any, width: int, size: int) -> list[Any]:
    """Each term's flat postings (a numpy view) from its sorted (term × width + field) × size + case keys."""
    import numpy as np

    group, case = np.divmod(keys, size)  # group: term × width + field
    change = np.r_[True, group[1:] != group[:-1]]
    starts = np.flatnonzero(change)  # each group's first key
    gaps = case - np.r_[-1, case[:-1]]
    gaps[starts] = case[starts] + 1
    # Laid out flat: per group its field and count, then (case gap, term frequency) per case.
    flat = np.empty(2 * (len(keys) + len(starts)), dtype=np.int32)  # every number is at most the cases' count
    at = 2 * (np.arange(len(keys)) + np.cumsum(change, dtype=np.int64))  # of bools: 3 times slower without a dtype
    flat[at], flat[at + 1] = gaps, tf
    heads = 2 * (starts + np.arange(len(starts)))
    flat[heads], flat[heads + 1] = group[starts] % width, np.diff(np.r_[starts, len(keys)])
    term_of = group[starts] // width
    bounds = [*heads[np.r_[True, term_of[1:] != term_of[:-1]]].tolist(), len(flat)]
    return [flat[a:b] for a, b in zip(bounds, bounds[1:])]


def read_postings(index: dict[str, Any], term: str) -> dict[int, dict[str, int]]:
    """Case position -> {field: term frequency} for one term (the inverse of the encoding, for tests and tools)."""
    try:
        flat = index["postings"][index["terms"].index(term)]
    except ValueError:
        return {}
    out: dict[int, dict[str, int]] = defaultdict(dict)
    i = 0
    while i < len(flat):
        field_number, count = flat[i], flat[i + 1]
        i += 2
        position = -1
        for _ in range(count):
            position += flat[i]
            out[position][index["fields"][field_number]] = flat[i + 1]
            i += 2
    return dict(out)


def facets(entries: list[Entry], corpus: Corpus) -> list[dict[str, Any]]:
    """Each facet's values (label, group) and, per value, the positions of its cases."""
    position = {id(entry): n for n, entry in enumerate(entries)}
    out = []
    for build in SEARCH_FACETS:
        facet = build(corpus)
        values = [
            {"label": value.label, "group": value.group, "id": value.id, "cases": sorted(position[id(e)] for e in value.cases)}
            for value in facet.values
            if value.cases
        ]
        out.append({"key": facet.search_key, "title": facet.title, "prefix": facet.prefix, "folder": facet.folder, "values": values})
    return out


def result(entry: Entry, taxonomy: Taxonomy, use_directory_urls: bool, text: str) -> dict[str, Any]:
    """What a search result shows (all text; the page renders it with textContent); ``text`` is case_text()."""
    case: Case = entry.model  # type: ignore[assignment]
    publication = taxonomy.publication(case.source.publication)
    band = taxonomy.band_for(case.population.value)
    prefecture = taxonomy.prefectures.resolve(case.organisation.prefecture)
    return {
        "id": case.id,
        "url": paths.url(paths.case(case.id), use_directory_urls),
        "title": case.title,
        "organisation": case.organisation.name,
        "prefecture": case.organisation.prefecture,
        "region": taxonomy.region_of(prefecture.entry).label if prefecture else "",
        "kind": case.organisation.kind,
        "population": case.population.text,
        "band": band.label if band else "",
        "category": case.category,
        "keywords": case.keywords,
        "summary": case.summary or "",
        "text": text,
        "source": publication.short_title if publication else case.source.publication,
    }


def search_data(corpus: Corpus, use_directory_urls: bool, memo: Memo | None = None) -> dict[str, Any]:
    """The whole index and what goes with it; ``memo``: folds and word joints of earlier builds (builder.generate.memo)."""
    # Cases in the index pages' order, which is also the order of results for an empty query.
    entries = sort_cases(corpus.cases, corpus.taxonomy)
    bodies = [case_text(entry) for entry in entries]
    cases = [result(entry, corpus.taxonomy, use_directory_urls, body) for entry, body in zip(entries, bodies)]
    texts = [folded(fields(entry, corpus.taxonomy, body), case, memo) for entry, body, case in zip(entries, bodies, cases)]
    extra: dict[str, Any] = {}
    if memo is not None:  # a joint never holds a line break (search_shards.word_joints)
        joints = [memo.get("word-joints", haystack, lambda text: "\n".join(sorted(word_joints(text)))) for _, haystack in texts]
        extra["word_joints"] = [found.split("\n") if found else [] for found in joints]
    return {
        "index": build_index([case_fields for case_fields, _ in texts]),
        "facets": facets(entries, corpus),
        "cases": cases,
        "hints": query_hints(corpus.taxonomy),
        # Every case's URL with "{id}" for its id: the sharded index's names (search_shards) carry no URLs.
        "caseUrl": paths.url(paths.case("{id}"), use_directory_urls),
        # Each case's folded haystack, for search_shards' joints (not shipped: the site holds the joints).
        "haystacks": [haystack for _, haystack in texts],
        **extra,  # each haystack's word joints, when kept from earlier builds
    }


def to_json(data: dict[str, Any]) -> str:
    """search_data() as JSON: the postings' numpy arrays as lists (what the unsharded engine reads)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=lambda array: array.tolist())


def index_script(data: dict[str, Any]) -> str:
    # window.DxNavi.keywordIndex.receive() takes it whether this script loads first or last.
    payload = to_json(data)
    return f"(window.DXNAVI_SEARCH_QUEUE = window.DXNAVI_SEARCH_QUEUE || []).push({payload});\n"


def render_page(use_directory_urls: bool) -> str:
    here = paths.url(paths.SEARCH, use_directory_urls)
    root = "../" * here.count("/")
    keywords = root + paths.url(paths.index(paths.KEYWORDS), use_directory_urls)
    prefectures = root + paths.url(paths.index(paths.PREFECTURES), use_directory_urls)
    return f"""---
hide:
  - navigation
  - toc
---

# 事例を検索

<div class="dxn-search" id="dxn-search" markdown="0">
<form class="dxn-search__form" role="search" aria-label="事例の検索" action="" method="get">
<label for="dxn-search-query">言葉・団体名・「小さな町で外部人材を活用」のような文で探す</label>
<div class="dxn-search__row">
<input id="dxn-search-query" name="q" type="search" autocomplete="off" enterkeyhint="search"
 placeholder="例: ITパスポート、アドバイザー、人口の少ない町の研修">
<button type="submit">検索</button>
</div>
<fieldset class="dxn-search__modes">
<legend>検索のしかた</legend>
<label><input type="radio" name="mode" value="hybrid" checked> 言葉と意味（おすすめ）</label>
<label><input type="radio" name="mode" value="keyword"> 言葉だけ</label>
<label><input type="radio" name="mode" value="semantic"> 意味だけ</label>
</fieldset>
</form>
<div class="dxn-search__chips" aria-live="polite"></div>
<p class="dxn-search__status" role="status" aria-live="polite">JavaScript を有効にすると、ここで検索できます。</p>
<p class="dxn-search__semantic" aria-live="polite"></p>
<div class="dxn-search__body">
<div class="dxn-search__side">
<button type="button" class="dxn-search__toggle" aria-expanded="false" aria-controls="dxn-search-facets" hidden>絞り込み</button>
<div class="dxn-search__facets" id="dxn-search-facets" role="group" aria-label="絞り込み"></div>
</div>
<ol class="dxn-search__results"></ol>
</div>
</div>

<noscript><p>検索には JavaScript が必要です。<a href="{keywords}">キーワード</a>・<a href="{prefectures}">都道府県</a>などの
一覧ページから、すべての事例をたどれます。</p></noscript>

<script src="{root}{INDEX_SCRIPT}"></script>
<script src="{root}{SEMANTIC_SCRIPT}"></script>
"""


class SearchPage:
    name = "search-page"

    def run(self, context: BuildContext) -> None:
        context.add(OutputFile(paths.SEARCH, render_page(context.use_directory_urls)))


class KeywordSearch:
    name = "keyword-search"
    # Reads only the corpus and makes no page: runs beside the other stages, and its files may
    # arrive while MkDocs renders the pages (pipeline.start).
    independent = True

    def __init__(self, cache_dir: Path | None = None) -> None:
        self.cache_dir = cache_dir  # for MEMO

    def run(self, context: BuildContext) -> None:
        memo = Memo(self.cache_dir, MEMO) if self.cache_dir is not None else None
        data = search_data(context.corpus, context.use_directory_urls, memo)
        # In chunks a query loads by need (INDEX_SCRIPT becomes their manifest); index_script() is the whole, for tools.
        for path, content in shard(data, memo).items():
            context.add(OutputFile(path, content))
        if memo is not None:
            memo.save()
