"""Tables the browser uses to understand a query, built from the taxonomy (the single source).

- ``synonyms``: groups of names for one thing (a keyword with its aliases and
  the glossary terms it links to, a support scheme, a role). A query that
  contains one name is also searched for the others, shown as removable chips.
  Every name also marks its words as a topic, so the size and kind hints do
  not fire inside it (小さな成功体験, 都道府県と市町村の連携).
  English annotations of glossary terms (reskilling) only lead to the group;
  they are not offered as expansions of a Japanese query.
- ``bands``: population bands with their bounds, so 「人口1万人未満」「小さな町」
  become the band values of the population facet.

Places (prefectures, regions) and kinds come from the facets shipped with the
index; the wording rules (which phrases state a size or a kind) live in
``site_overrides/assets/javascripts/dxnavi/query.js``.
"""

from __future__ import annotations

import re
from typing import Any

from builder.taxonomy import Taxonomy

# Annotations that are English words (service design, reskilling), not readings in kana.
_ENGLISH = re.compile(r"^[A-Za-z][A-Za-z \-]+$")


def synonyms(taxonomy: Taxonomy) -> list[dict[str, Any]]:
    glossary = {term.term: term for term in taxonomy.glossary}
    groups: list[dict[str, Any]] = []
    linked: set[str] = set()
    for keyword in taxonomy.keywords:
        names = [keyword.label, *keyword.aliases]
        triggers = []
        for name in keyword.glossary:
            term = glossary.get(name)
            if term is None:
                continue
            linked.add(term.term)
            names.append(term.term)
            if term.annotation and _ENGLISH.match(term.annotation):
                triggers.append(term.annotation)
        groups.append({"label": keyword.label, "kind": "keyword", "names": list(dict.fromkeys(names)), "triggers": triggers})
    for term in taxonomy.glossary:
        if term.term in linked:
            continue
        triggers = [term.annotation] if term.annotation and _ENGLISH.match(term.annotation) else []
        groups.append({"label": term.term, "kind": "glossary", "names": [term.term], "triggers": triggers})
    for kind, vocabulary in (("scheme", taxonomy.schemes), ("role", taxonomy.roles), ("category", taxonomy.categories)):
        for entry in vocabulary:
            groups.append({"label": entry.label, "kind": kind, "names": [entry.label, *entry.aliases], "triggers": []})
    # Groups of one name expand nothing but still mark a phrase as a topic
    # (小さな成功体験 is a keyword, not a statement about a small town).
    return groups


def bands(taxonomy: Taxonomy) -> list[dict[str, Any]]:
    return [{"id": band.id, "label": band.label, "min": band.min, "max": band.max} for band in taxonomy.bands]


def query_hints(taxonomy: Taxonomy) -> dict[str, Any]:
    return {"synonyms": synonyms(taxonomy), "bands": bands(taxonomy)}
