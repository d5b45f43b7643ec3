"""The glossary: the 用語集 page, its definitions for the pages' term boxes, and finding terms in a page's text.

Latin terms (AI, BPR) match only as whole words, because Japanese text has no
spaces: 「BPRワークショップ」 contains BPR, but 「RAID」 does not contain AI.
"""

from __future__ import annotations

import functools
import hashlib
import re
from typing import TYPE_CHECKING

from builder.generate import markdown as md
from builder.generate import paths
from builder.generate.common import keyword_tag
from builder.generate.data_script import register
from builder.generate.pipeline import BuildContext, OutputFile
from builder.taxonomy import GlossaryTerm, Taxonomy
from builder.textnorm import nfkc

if TYPE_CHECKING:
    from builder.generate.memo import Memo

_ROWS = [
    ("あ行", "あいうえおぁぃぅぇぉ"),
    ("か行", "かきくけこがぎぐげご"),
    ("さ行", "さしすせそざじずぜぞ"),
    ("た行", "たちつてとだぢづでどっ"),
    ("な行", "なにぬねの"),
    ("は行", "はひふへほばびぶべぼぱぴぷぺぽ"),
    ("ま行", "まみむめも"),
    ("や行", "やゆよゃゅょ"),
    ("ら行", "らりるれろ"),
    ("わ行", "わをんゐゑ"),
]


def kana_row(reading: str) -> str:
    """The あいうえお row a reading sorts under (あ行, か行 …)."""
    first = reading[:1]
    return next((row for row, chars in _ROWS if first in chars), "その他")


@functools.lru_cache(maxsize=4096)  # every page looks for every term
def _matcher(term: str) -> tuple[str, re.Pattern[str] | None]:
    """The term's NFKC form, and for a Latin term the whole-word pattern that confirms a match."""
    key = nfkc(term)
    if key.isascii():
        return key.lower(), re.compile(rf"(?<![A-Za-z0-9]){re.escape(key)}(?![A-Za-z0-9])", re.IGNORECASE)
    return key, None


def terms_in(text: str, glossary: list[GlossaryTerm]) -> list[GlossaryTerm]:
    """Glossary terms that occur in ``text``, in あいうえお order."""
    haystack = nfkc(text)
    # A substring test first: a regex per term and page is most of the time at 10,000 cases.
    # IGNORECASE lets "i" match "\u0130" and "\u0131" (which NFKC keeps), so the lowered text spells them "i".
    lowered = haystack.replace("\u0130", "i").replace("\u0131", "i").lower()
    found = []
    for term in glossary:
        key, pattern = _matcher(term.term)
        if pattern is None and key in haystack or pattern is not None and key in lowered and pattern.search(haystack):
            found.append(term)
    return sorted(found, key=lambda t: t.reading)


class TermFinder:
    """``terms_in`` for many pages, each text's terms kept between builds in ``memo`` (a tenth of a rebuild's stages)."""

    def __init__(self, glossary: list[GlossaryTerm], memo: Memo | None) -> None:
        self.glossary, self.memo = glossary, memo
        self.by_id = {term.id: term for term in glossary}
        listed = "\0".join(f"{term.id}\0{term.term}\0{term.reading}" for term in glossary)
        self.kind = "glossary\0" + hashlib.sha256(listed.encode()).hexdigest()  # what the terms found depend on

    def __call__(self, text: str) -> list[GlossaryTerm]:
        if self.memo is None:
            return terms_in(text, self.glossary)
        found = self.memo.get(self.kind, text, lambda t: "\n".join(term.id for term in terms_in(t, self.glossary)))
        return [self.by_id[i] for i in found.split("\n") if i]


def term_label(term: GlossaryTerm) -> str:
    """「AI（エー・アイ）」: the term with the reading or spelling the source adds."""
    return term.term + (f"（{term.annotation}）" if term.annotation else "")


def term_definitions(terms: list[GlossaryTerm], here: str) -> str:
    """Definition list of terms, each linked to its entry in the glossary."""
    glossary = md.relative(here, paths.GLOSSARY)
    return md.definitions(_definition(term_label(term), f"{glossary}#{term.id}", term.definition) for term in terms)


@functools.lru_cache(maxsize=4096)  # the same few dozen terms on thousands of case pages, all linking from one folder
def _definition(label: str, target: str, definition: str) -> tuple[str, str]:
    return md.link(label, target), md.paragraphs(definition, indent="    ")


def glossary_box(terms: list[GlossaryTerm], here: str) -> str:
    """A collapsed box of the terms a page uses, each linked to its glossary entry; glossary-box.js
    adds the definitions from ``paths.GLOSSARY_DATA`` when a reader opens it (one copy in the site,
    not one on every page)."""
    glossary = md.relative(here, paths.GLOSSARY)
    items = "\n".join(f"    - {md.link(term_label(term), f'{glossary}#{term.id}')}" for term in terms)
    return f'??? info dxn-terms "このページに出てくる用語（{len(terms)}）"\n\n{items}'


def definitions_script(glossary: list[GlossaryTerm]) -> str:
    """Every term's definition by its id, as glossary-box.js reads them."""
    return register(paths.GLOSSARY_DATA, {term.id: term.definition for term in glossary})


class GlossaryPage:
    name = "glossary"

    def run(self, context: BuildContext) -> None:
        taxonomy = context.corpus.taxonomy
        context.add(OutputFile(paths.GLOSSARY, render_glossary(taxonomy)))
        context.add(OutputFile(paths.GLOSSARY_DATA, definitions_script(taxonomy.glossary)))


def render_glossary(taxonomy: Taxonomy) -> str:
    here = paths.GLOSSARY
    parts = [
        "# 用語集",
        "事例や資料に出てくる用語の解説です。解説は各用語の出典資料のとおりです。",
    ]
    keywords_by_term: dict[str, list[str]] = {}
    for keyword in taxonomy.keywords:
        for term in keyword.glossary:
            keywords_by_term.setdefault(term, []).append(keyword_tag(keyword, here))
    current_row = None
    for term in sorted(taxonomy.glossary, key=lambda t: t.reading):
        row = kana_row(term.reading)
        if row != current_row:
            parts.append(f"## {row}")
            current_row = row
        lines = [f"### {md.text(term_label(term))} {{: #{term.id} }}", md.paragraphs(term.definition)]
        publication = taxonomy.publication(term.publication)
        if publication:
            source = md.link(publication.short_title, md.relative(here, paths.value(paths.SOURCES, publication.id)))
            lines.append(f"出典: {source}")
        if term.term in keywords_by_term:
            lines.append("関連するキーワード: " + " ".join(keywords_by_term[term.term]))
        parts.append("\n\n".join(lines))
    return "\n\n".join(parts) + "\n"
