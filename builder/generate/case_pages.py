"""One page per case: header card, summary, body, interview, links and sections from other stages."""

from __future__ import annotations

from builder.generate import markdown as md
from builder.generate import paths
from builder.generate.common import cite, keyword_tags, place
from builder.generate.glossary import glossary_box, terms_in
from builder.generate.pipeline import BuildContext, OutputFile, Section
from builder.models import Case
from builder.taxonomy import Taxonomy
from builder.validate import Entry


class CasePages:
    name = "case-pages"

    def run(self, context: BuildContext) -> None:
        taxonomy = context.corpus.taxonomy
        for entry in context.corpus.cases:
            content = render_case(entry, taxonomy, context.case_sections.get(entry.id, []))
            context.add(OutputFile(paths.case(entry.id), content, contributor_content=True))


def _card(case: Case, taxonomy: Taxonomy, here: str) -> str:
    def to(target: str) -> str:
        return md.relative(here, target)

    organisation = case.organisation
    where = place(organisation, taxonomy, here)
    prefecture = taxonomy.prefectures.resolve(organisation.prefecture)
    if prefecture:
        where.append(md.text(taxonomy.region_of(prefecture.entry).label))
    organisation_cell = md.link(organisation.name, to(paths.organisation(organisation.name))) + "（" + "・".join(where) + "）"

    population = md.text(case.population.text)
    if case.population.as_of:
        population += md.text(f"（{case.population.as_of}）")
    band = taxonomy.band_for(case.population.value)
    if band:
        population += " " + md.link(band.label, to(paths.value(paths.POPULATION, band.id)), "dxn-band")

    category = taxonomy.categories.resolve(case.category)
    category_cell = md.link(case.category, to(paths.value(paths.CATEGORIES, category.entry.id))) if category else md.text(case.category)

    items = [
        ("団体", organisation_cell),
        ("人口", population),
        ("カテゴリ", category_cell),
        ("キーワード", keyword_tags(case.keywords, taxonomy, here) or "—"),
        ("出典", cite(case.source, taxonomy, here)),
    ]
    return md.block("dxn-card", md.definitions(items))


def _interview(case: Case) -> str:
    items = [
        (md.text(f"Q{number}. {qa.question}"), md.paragraphs(qa.answer, indent="    "))
        for number, qa in enumerate(case.interview, start=1)
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
                target = md.relative(here, paths.value(paths.SCHEMES, scheme.entry.id))
                lines.append(f"- {md.link(label, target)}（{md.text(scheme.entry.provider)}）")
        sections.append("## 活用した国の支援制度\n\n" + "\n".join(lines))
    if case.roles:
        lines = []
        for label in case.roles:
            role = taxonomy.roles.resolve(label)
            if role:
                lines.append(f"- {md.link(label, md.relative(here, paths.value(paths.ROLES, role.entry.id)))}")
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


def render_case(entry: Entry, taxonomy: Taxonomy, extra: list[Section]) -> str:
    case: Case = entry.model  # type: ignore[assignment]
    here = paths.case(case.id)
    parts = [f"# {md.text(case.title)}", _card(case, taxonomy, here)]
    if case.summary:
        parts.append("## 概要\n\n" + md.paragraphs(case.summary))
    if entry.body.strip():
        parts.append(entry.body.strip())
    if case.interview:
        parts.append(_interview(case))
    parts.extend(_facts(case, taxonomy, here))
    parts.extend(f"## {section.heading}\n\n{section.markdown}" for section in extra)
    terms = terms_in(case_text(case, entry.body), taxonomy.glossary)
    if terms:
        parts.append(glossary_box(terms, here))
    return "\n\n".join(parts) + "\n"
