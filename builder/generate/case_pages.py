"""One page per case: header card, summary, body, interview, links and sections from other stages."""

from __future__ import annotations

from pathlib import Path

from builder.generate import markdown as md
from builder.generate import paths
from builder.generate.common import cite, keyword_tags, page_link, place
from builder.generate.glossary import TermFinder, glossary_box
from builder.generate.memo import Memo
from builder.generate.organisations import Organisations
from builder.diagnostics import Problem
from builder.generate.pipeline import BuildContext, OutputFile, Section
from builder.generate.problems import problem_box
from builder.models import Case
from builder.taxonomy import Taxonomy
from builder.validate import Draft, Entry


MEMO = "case-terms.sqlite"  # the glossary terms of each case's text, of earlier builds (builder.generate.memo)


class CasePages:
    name = "case-pages"

    def __init__(self, cache_dir: Path | None = None) -> None:
        self.cache_dir = cache_dir  # for MEMO

    def run(self, context: BuildContext) -> None:
        corpus = context.corpus
        organisations = Organisations(corpus)
        memo = Memo(self.cache_dir, MEMO) if self.cache_dir is not None else None
        find = TermFinder(corpus.taxonomy.glossary, memo)
        for entry in corpus.cases:
            sections, errors = context.case_sections.get(entry.id, []), corpus.errors.get(entry.rel, [])
            content = render_case(entry, corpus.taxonomy, organisations, sections, errors, find)
            context.add(OutputFile(paths.case(entry.id), content, contributor_content=True))
        if memo is not None:
            memo.save()
        for draft in corpus.drafts:  # only in a preview: cases with schema errors
            context.add(OutputFile(paths.case(draft.id), render_draft(draft, corpus.errors.get(draft.rel, [])), contributor_content=True))


def _card(case: Case, taxonomy: Taxonomy, organisations: Organisations, here: str) -> str:
    organisation = case.organisation
    where = place(organisation, taxonomy, here)
    prefecture = taxonomy.prefectures.resolve(organisation.prefecture)
    if prefecture:
        where.append(md.text(taxonomy.region_of(prefecture.entry).label))
    organisation_cell = organisations.link(organisation.name, here) + "（" + "・".join(where) + "）"

    population = md.text(case.population.text)
    if case.population.as_of:
        population += md.text(f"（{case.population.as_of}）")
    band = taxonomy.band_for(case.population.value)
    if band:
        population += " " + page_link(band.label, paths.value(paths.POPULATION, band.id), here, "dxn-band")

    category = taxonomy.categories.resolve(case.category)
    category_cell = page_link(case.category, paths.value(paths.CATEGORIES, category.entry.id), here) if category else md.text(case.category)

    items = [
        ("団体", organisation_cell),
        ("人口", population),
        ("カテゴリ", category_cell),
        ("キーワード", keyword_tags(case.keywords, taxonomy, here) or "—"),
        ("出典", cite(case.source, taxonomy, here)),
    ]
    return md.block("dxn-card", md.definitions(items))


def _interview(pairs: list[tuple[str, str]]) -> str:
    items = [
        (md.text(f"Q{number}. {question}"), md.paragraphs(answer, indent="    "))
        for number, (question, answer) in enumerate(pairs, start=1)
    ]
    return "## インタビュー\n\n" + md.block("dxn-interview", md.definitions(items))


def _facts(case: Case, taxonomy: Taxonomy, here: str) -> list[str]:
    sections = []
    if case.links:
        sections.append("## 関連リンク\n\n" + "\n".join(f"- {md.link(link.title, link.url)}" for link in case.links))
    if case.department:
        sections.append("## 担当\n\n" + md.text(case.department))
    if case.awards:
        sections.append("## 受賞歴\n\n" + "\n".join(f"- {md.text(award)}" for award in case.awards))
    if case.schemes:
        lines = []
        for label in case.schemes:
            scheme = taxonomy.schemes.resolve(label)
            if scheme:
                lines.append(f"- {page_link(label, paths.value(paths.SCHEMES, scheme.entry.id), here)}（{md.text(scheme.entry.provider)}）")
        sections.append("## 活用した国の支援制度\n\n" + "\n".join(lines))
    if case.roles:
        lines = []
        for label in case.roles:
            role = taxonomy.roles.resolve(label)
            if role:
                lines.append(f"- {page_link(label, paths.value(paths.ROLES, role.entry.id), here)}")
        sections.append("## 対象となる人材像\n\n" + "\n".join(lines))
    if case.catalog:
        catalog = case.catalog
        items = [
            ("公表年度", catalog.fiscal_year),
            ("団体の属性", catalog.org_type),
            ("事例区分（大）", catalog.class_major),
            ("事例区分（小）", catalog.class_minor),
            ("事例種類", catalog.case_type),
            ("出典（元資料）", catalog.original_source),
        ]
        sections.append("## 事例データベースでの分類\n\n" + md.definitions((term, md.text(value)) for term, value in items))
    return sections


def case_text(case: Case, body: str) -> str:
    """All the words of a case, for finding glossary terms."""
    parts = [case.title, case.summary or "", body]
    parts += [qa.question + "\n" + qa.answer for qa in case.interview]
    return "\n".join(parts)


def render_case(
    entry: Entry,
    taxonomy: Taxonomy,
    organisations: Organisations,
    extra: list[Section],
    errors: list[Problem],
    find: TermFinder,
) -> str:
    case: Case = entry.model  # type: ignore[assignment]
    here = paths.case(case.id)
    parts = [f"# {md.text(case.title)}", problem_box(errors), _card(case, taxonomy, organisations, here)]
    if case.summary:
        parts.append("## 概要\n\n" + md.paragraphs(case.summary))
    if entry.body.strip():
        parts.append(entry.body.strip())
    if case.interview:
        parts.append(_interview([(qa.question, qa.answer) for qa in case.interview]))
    parts.extend(_facts(case, taxonomy, here))
    parts.extend(f"## {section.heading}\n\n{section.markdown}" for section in extra)
    terms = find(case_text(case, entry.body))
    if terms:
        parts.append(glossary_box(terms, here))
    return "\n\n".join(p for p in parts if p) + "\n"


def _read(data: object, *path: str) -> str | None:
    """The text at ``path`` in unvalidated data, if it is text (or a number)."""
    for key in path:
        data = data.get(key) if isinstance(data, dict) else None
    if isinstance(data, int) and not isinstance(data, bool):
        data = str(data)
    return data.strip() if isinstance(data, str) and data.strip() else None


def _source(data: dict) -> str | None:
    page, item = _read(data, "source", "page"), _read(data, "source", "item")
    parts = [_read(data, "source", "publication"), f"p.{page}" if page else None, f"項番 {item}" if item else None]
    return " ".join(filter(None, parts)) or None


def render_draft(draft: Draft, errors: list[Problem]) -> str:
    """A case with schema errors, for the preview: the values that could be read, as plain text (no links)."""
    data = draft.data
    parts = [f"# {md.text(_read(data, 'title') or draft.id)}", problem_box(errors)]
    keywords = data.get("keywords")
    items = [
        ("団体", _read(data, "organisation", "name")),
        ("人口", _read(data, "population", "text")),
        ("カテゴリ", _read(data, "category")),
        ("キーワード", "、".join(filter(None, (_read(k) for k in keywords))) if isinstance(keywords, list) else _read(data, "keywords")),
        ("出典", _source(data)),
    ]
    shown = [(term, md.text(value)) for term, value in items if value]
    if shown:
        parts.append(md.block("dxn-card", md.definitions(shown)))
    summary = _read(data, "summary")
    if summary:
        parts.append("## 概要\n\n" + md.paragraphs(summary))
    if draft.body.strip():
        parts.append(draft.body.strip())
    interview = data.get("interview")
    pairs = [(_read(qa, "question"), _read(qa, "answer")) for qa in interview] if isinstance(interview, list) else []
    complete = [(q, a) for q, a in pairs if q and a]
    if complete:
        parts.append(_interview(complete))
    return "\n\n".join(p for p in parts if p) + "\n"
