"""Pages that are not cases: policies and resources (資料), messages and dialogues (声), site pages."""

from __future__ import annotations

from builder.generate import markdown as md
from builder.generate import paths
from builder.generate.common import case_table, cite, keyword_tags, listing, page_list, person
from builder.generate.glossary import glossary_box, term_definitions, terms_in
from builder.generate.organisations import Organisations
from builder.generate.pipeline import BuildContext, OutputFile
from builder.generate.problems import problem_box
from builder.generate.related import by_organisation
from builder.models import DialoguePage, MessagePage, PageBase, PolicyPage
from builder.taxonomy import Taxonomy
from builder.validate import Corpus, Entry


def _card(page: PageBase, taxonomy: Taxonomy, organisations: Organisations, here: str) -> str:
    items: list[tuple[str, str]] = []
    if isinstance(page, PolicyPage):
        items.append(("団体", organisations.link(page.organisation.name, here)))
        if page.version:
            items.append(("版", md.text(page.version)))
        if page.period:
            items.append(("対象期間", md.text(page.period)))
    if isinstance(page, MessagePage):
        items.append(("話し手", person(page.speaker)))
    if isinstance(page, DialoguePage):
        items.append(("日付", md.text(f"{page.date.year}年{page.date.month}月{page.date.day}日")))
        if page.place:
            items.append(("場所", md.text(page.place)))
        items.append(("参加者", "  \n    ".join(person(p) for p in page.speakers)))
    tags = keyword_tags(page.keywords, taxonomy, here)
    if tags:
        items.append(("キーワード", tags))
    items.append(("出典", cite(page.source, taxonomy, here)))
    return md.block("dxn-card", md.definitions(items))


def render_page(entry: Entry, corpus: Corpus, same_organisation: dict[str, list[Entry]], organisations: Organisations) -> str:
    page = entry.model
    taxonomy = corpus.taxonomy
    here = paths.page(page.type, page.id)  # type: ignore[attr-defined]
    parts = [f"# {md.text(page.title)}"]  # type: ignore[attr-defined]
    if corpus.errors.get(entry.rel):  # only in a preview
        parts.append(problem_box(corpus.errors[entry.rel]))
    if not isinstance(page, PageBase):  # a site page: its body is all there is
        parts.append(entry.body.strip())
        return "\n\n".join(parts) + "\n"
    parts.append(_card(page, taxonomy, organisations, here))
    if page.summary:
        parts.append("## 概要\n\n" + md.paragraphs(page.summary))
    key_points = getattr(page, "key_points", [])
    if key_points:
        points = "\n".join(f"    - {md.text(point)}" for point in key_points)
        parts.append(f'!!! abstract "ポイント"\n\n{points}')
    if entry.body.strip():
        parts.append(entry.body.strip())
    if isinstance(page, PolicyPage):
        cases = same_organisation.get(page.organisation.name, [])
        if cases:
            parts.append(f"## {md.text(page.organisation.name)}の事例\n\n" + case_table(cases, here, taxonomy, listing(organisations)))
    own_terms = [term for term in taxonomy.glossary if term.publication == page.source.publication]
    if own_terms:
        # This document is the source of these glossary entries: show all of them.
        parts.append("## 用語解説\n\n" + term_definitions(own_terms, here))
    else:
        terms = terms_in("\n".join([page.title, page.summary or "", entry.body]), taxonomy.glossary)
        if terms:
            parts.append(glossary_box(terms, here))
    return "\n\n".join(parts) + "\n"


def _index(folder: str, title: str, intro: str, entries: list[Entry]) -> str:
    here = paths.index(folder)
    parts = [f"# {title}", intro]
    for heading, kinds in (("資料", ("policy", "resource")), ("メッセージ", ("message",)), ("対談", ("dialogue",))):
        selected = [e for e in entries if e.model.type in kinds]  # type: ignore[attr-defined]
        if selected:
            parts.append(f"## {heading}\n\n" + page_list(selected, here))
    return "\n\n".join(parts) + "\n"


class DocumentPages:
    name = "document-pages"

    def run(self, context: BuildContext) -> None:
        corpus = context.corpus
        same_organisation = by_organisation(corpus.cases)
        organisations = Organisations(corpus)
        for entry in corpus.pages:
            path = paths.page(entry.model.type, entry.id)  # type: ignore[attr-defined]
            context.add(OutputFile(path, render_page(entry, corpus, same_organisation, organisations), contributor_content=True))
        documents = [e for e in corpus.pages if paths.DOCUMENT_FOLDER.get(e.model.type) == paths.DOCUMENTS]  # type: ignore[attr-defined]
        voices = [e for e in corpus.pages if paths.DOCUMENT_FOLDER.get(e.model.type) == paths.VOICES]  # type: ignore[attr-defined]
        context.add(
            OutputFile(
                paths.index(paths.DOCUMENTS),
                _index(paths.DOCUMENTS, "資料", "団体の方針の全文や、方針づくりに使えるひな形です。事例と合わせて読むと、取組の背景が分かります。", documents),
            )
        )
        context.add(
            OutputFile(
                paths.index(paths.VOICES),
                _index(paths.VOICES, "デジタル人材の声", "自治体のデジタル人材からのメッセージと、首長の対談です。", voices),
            )
        )

