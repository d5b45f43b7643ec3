"""Pieces shared by several generated pages: case listings, citations, page links."""

from __future__ import annotations

from collections.abc import Iterable

from builder.generate import markdown as md
from builder.generate import paths
from builder.models import Case, Organisation, Person, Source
from builder.taxonomy import Keyword, Taxonomy
from builder.validate import Entry

EMPTY = "—"


def keyword_tag(keyword: Keyword, here: str, label: str | None = None) -> str:
    """A 「#OJT（職場内訓練）」 tag linking to the keyword's page."""
    return md.link(label or f"#{keyword.label}", md.relative(here, paths.value(paths.KEYWORDS, keyword.id)), "dxn-tag")


def keyword_tags(labels: Iterable[str], taxonomy: Taxonomy, here: str) -> str:
    """Tags for the labels the taxonomy knows (unknown ones were reported by check)."""
    return " ".join(keyword_tag(r.entry, here) for label in labels if (r := taxonomy.keywords.resolve(label)))


def place(organisation: Organisation, taxonomy: Taxonomy, here: str) -> list[str]:
    """Links to the organisation's kind and prefecture pages (「町」「茨城県」)."""
    links = [md.link(organisation.kind, md.relative(here, paths.value(paths.KINDS, paths.KIND_IDS[organisation.kind])))]
    prefecture = taxonomy.prefectures.resolve(organisation.prefecture)
    if prefecture:
        links.append(md.link(prefecture.entry.label, md.relative(here, paths.value(paths.PREFECTURES, prefecture.entry.id))))
    return links


def organisation_order(organisation: Organisation, taxonomy: Taxonomy) -> tuple:
    """North to south (prefecture code), the prefecture before its municipalities, then by name."""
    prefecture = taxonomy.prefectures.resolve(organisation.prefecture)
    return (prefecture.entry.code if prefecture else 99, organisation.kind != "都道府県", organisation.name)


def sort_cases(entries: Iterable[Entry], taxonomy: Taxonomy) -> list[Entry]:
    return sorted(entries, key=lambda e: (*organisation_order(e.model.organisation, taxonomy), e.id))  # type: ignore[attr-defined]


def case_table(entries: Iterable[Entry], here: str, taxonomy: Taxonomy) -> str:
    """Listing of cases: organisation, population, title and category."""
    rows = []
    for entry in sort_cases(entries, taxonomy):
        case: Case = entry.model  # type: ignore[assignment]
        category = taxonomy.categories.resolve(case.category)
        category_cell = (
            md.link(case.category, md.relative(here, paths.value(paths.CATEGORIES, category.entry.id)))
            if category
            else md.text(case.category)
        )
        rows.append(
            [
                md.link(case.organisation.name, md.relative(here, paths.organisation(case.organisation.name))),
                md.text(case.population.text),
                md.link(case.title, md.relative(here, paths.case(case.id))),
                category_cell,
            ]
        )
    return md.table(["団体", "人口", "事例", "カテゴリ"], rows)


def page_list(entries: Iterable[Entry], here: str) -> str:
    """Bullet list of non-case pages (policies, messages …) with who they are by."""
    lines = []
    for entry in sorted(entries, key=lambda e: e.id):
        page = entry.model
        target = md.relative(here, paths.page(page.type, page.id))  # type: ignore[attr-defined]
        lines.append(f"- {md.link(page.title, target)}{byline(page)}")  # type: ignore[attr-defined]
    return "\n".join(lines)


def person(who: Person) -> str:
    """「藤沢市 デジタル推進室 室長 山本慎一郎」: organisation, role and name as printed."""
    return md.text(" ".join(part for part in (who.organisation, who.role, who.name) if part))


def byline(page: object) -> str:
    """「（藤沢市 デジタル推進室 室長 山本慎一郎）」 style attribution for a page."""
    speaker = getattr(page, "speaker", None)
    if speaker is not None:
        return "（" + person(speaker) + "）"
    organisation = getattr(page, "organisation", None)
    if organisation is not None:
        return "（" + md.text(organisation.name) + "）"
    speakers = getattr(page, "speakers", None)
    if speakers:
        return "（" + md.text("、".join(f"{p.organisation or ''} {p.name}".strip() for p in speakers)) + "）"
    return ""


def cite(source: Source, taxonomy: Taxonomy, here: str) -> str:
    """「総務省「…」（2023年）p.4」, with the publication linked to its source page."""
    publication = taxonomy.publication(source.publication)
    if publication is None:
        return md.text(source.publication)
    title = md.link(f"「{publication.title}」", md.relative(here, paths.value(paths.SOURCES, publication.id)))
    parts = [md.text(publication.publisher) if publication.publisher else "", title]
    # Say so when the publication prints no year, rather than leave the reader guessing.
    parts.append(md.text(f"（{publication.year}年）" if publication.year else "（発行年の記載なし）"))
    if source.page:
        parts.append(md.text(f"p.{source.page}"))
    if source.item:
        # A bare number is an item number; anything else names a section of the publication.
        parts.append(md.text(f"項番 {source.item}" if source.item.isdigit() else f"「{source.item}」"))
    cited = "".join(parts)
    if source.url:
        cited += " " + md.link("資料を開く", source.url)
    return cited
