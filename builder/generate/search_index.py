"""Stage: the keyword search page and its index (lunr.py builds it, lunr.js queries it).

The index is written as a script (``search/index.js``), not JSON fetched at run
time, so that search also works when the site is opened from a folder
(browsers refuse ``fetch`` from ``file://``). Text is split into terms by
``builder.search_terms`` before lunr sees it, and lunr's English pipeline
(stemmer, stop words) is left out: the browser splits queries the same way.

Alongside the index go, per case, what a result shows and which facet values
(category, prefecture, population band …) it has, so the page can filter and
count without loading any case page.
"""

from __future__ import annotations

import json
import re
from typing import Any

from lunr.builder import Builder

from builder.generate import facets as facet_pages
from builder.generate import paths
from builder.generate.common import sort_cases
from builder.generate.pipeline import BuildContext, OutputFile
from builder.models import Case
from builder.search_terms import terms
from builder.taxonomy import Taxonomy
from builder.validate import Corpus, Entry

INDEX_SCRIPT = "search/index.js"
LUNR_SCRIPT = "assets/javascripts/vendor/lunr-2.3.9.min.js"
SEARCH_SCRIPT = "assets/javascripts/dxnavi-search.js"

# lunr field -> boost. A match in the title or a keyword says more than one in the body.
FIELDS = {"title": 4, "organisation": 4, "tags": 3, "summary": 2, "text": 1}

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

_MARKDOWN_LINK_TARGET = re.compile(r"\]\([^)]*\)")


def _names(vocabulary: Any, labels: list[str]) -> list[str]:
    """Each label with its aliases, so a case is found under any spelling the taxonomy knows."""
    out = []
    for label in labels:
        resolved = vocabulary.resolve(label)
        out += [label, *(resolved.entry.aliases if resolved else [])]
    return out


def document(entry: Entry, taxonomy: Taxonomy) -> dict[str, list[str]]:
    """The fields lunr indexes for one case, already split into terms."""
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
    text = [qa.question + "\n" + qa.answer for qa in case.interview]
    text += [case.department or "", *case.awards, _MARKDOWN_LINK_TARGET.sub("]", entry.body)]
    fields = {
        "title": case.title,
        "organisation": " ".join([organisation.name, organisation.prefecture, region]),
        "tags": " ".join(tags),
        "summary": case.summary or "",
        "text": "\n".join(text),
    }
    return {name: terms(value) for name, value in fields.items()}


def build_index(entries: list[Entry], taxonomy: Taxonomy) -> dict[str, Any]:
    """A serialised lunr index (lunr.js 2.3.9 format); refs are positions in ``entries``."""
    builder = Builder()  # empty pipelines: terms arrive already normalised
    builder.ref("ref")
    for name, boost in FIELDS.items():
        builder.field(name, boost=boost)
    for position, entry in enumerate(entries):
        builder.add({"ref": str(position), **document(entry, taxonomy)})
    return builder.build().serialize()


def compact(serialized: dict[str, Any]) -> dict[str, Any]:
    """lunr's serialised index without its repetition (the browser expands it back, losslessly).

    lunr writes every term's posting with an entry for every field, mostly empty,
    which made the index three times larger than what it holds. Here terms are
    listed in lunr's term-number order, each posting lists (field number, case
    positions …), and each field vector is (field number, case position, elements).
    """
    fields = serialized["fields"]
    ordered = sorted(serialized["invertedIndex"], key=lambda item: item[1]["_index"])
    postings = []
    for _, posting in ordered:
        postings.append([[n, *sorted(int(ref) for ref in posting[name])] for n, name in enumerate(fields) if posting[name]])
    vectors = []
    for key, elements in serialized["fieldVectors"]:
        name, ref = key.split("/", 1)
        vectors.append([fields.index(name), int(ref), elements])
    return {"version": serialized["version"], "fields": fields, "terms": [term for term, _ in ordered], "postings": postings, "vectors": vectors}


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


def result(entry: Entry, taxonomy: Taxonomy, use_directory_urls: bool) -> dict[str, Any]:
    """What a search result shows (all text; the page renders it with textContent)."""
    case: Case = entry.model  # type: ignore[assignment]
    publication = taxonomy.publication(case.source.publication)
    band = taxonomy.band_for(case.population.value)
    return {
        "url": paths.url(paths.case(case.id), use_directory_urls),
        "title": case.title,
        "organisation": case.organisation.name,
        "kind": case.organisation.kind,
        "population": case.population.text,
        "band": band.label if band else "",
        "category": case.category,
        "keywords": case.keywords,
        "summary": case.summary or "",
        "source": publication.short_title if publication else case.source.publication,
    }


def search_data(corpus: Corpus, use_directory_urls: bool) -> dict[str, Any]:
    # Cases in the index pages' order, which is also the order of results for an empty query.
    entries = sort_cases(corpus.cases, corpus.taxonomy)
    return {
        "index": compact(build_index(entries, corpus.taxonomy)),
        "facets": facets(entries, corpus),
        "cases": [result(entry, corpus.taxonomy, use_directory_urls) for entry in entries],
    }


def index_script(data: dict[str, Any]) -> str:
    return "window.DXNAVI_SEARCH = " + json.dumps(data, ensure_ascii=False, separators=(",", ":")) + ";\n"


def render_page(use_directory_urls: bool) -> str:
    here = paths.url(paths.SEARCH, use_directory_urls)
    root = "../" * here.count("/")
    keywords = root + paths.url(paths.index(paths.KEYWORDS), use_directory_urls)
    return f"""# 事例を検索

<div class="dxn-search" id="dxn-search" data-root="{root}" markdown="0">
<form class="dxn-search__form" role="search" action="">
<label for="dxn-search-query">キーワード・団体名・文章から探す</label>
<input id="dxn-search-query" name="q" type="search" autocomplete="off" placeholder="例: ITパスポート、OJT、アドバイザー、五霞町">
<button type="submit">検索</button>
</form>
<div class="dxn-search__facets" aria-label="絞り込み"></div>
<p class="dxn-search__status" role="status" aria-live="polite">検索の準備をしています…</p>
<ol class="dxn-search__results"></ol>
</div>

<noscript><p>検索には JavaScript が必要です。<a href="{keywords}">キーワードの一覧</a>などの一覧ページから事例をたどれます。</p></noscript>

<script src="{root}{INDEX_SCRIPT}"></script>
<script src="{root}{LUNR_SCRIPT}"></script>
<script src="{root}{SEARCH_SCRIPT}"></script>
"""


class KeywordSearch:
    name = "keyword-search"

    def run(self, context: BuildContext) -> None:
        data = search_data(context.corpus, context.use_directory_urls)
        context.add(OutputFile(INDEX_SCRIPT, index_script(data)))
        context.add(OutputFile(paths.SEARCH, render_page(context.use_directory_urls)))
