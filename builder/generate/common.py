"""Pieces shared by several generated pages: case listings, citations, page links."""

from __future__ import annotations

from collections.abc import Iterable

from builder.generate import markdown as md
from builder.generate import paths
from builder.models import Case, Source
from builder.taxonomy import Taxonomy
from builder.validate import Entry

EMPTY = "—"


def sort_cases(entries: Iterable[Entry], taxonomy: Taxonomy) -> list[Entry]:
    """North to south (prefecture code), then by organisation and id."""

    def key(entry: Entry) -> tuple:
        case: Case = entry.model  # type: ignore[assignment]
        prefecture = taxonomy.prefectures.resolve(case.organisation.prefecture)
        code = prefecture.entry.code if prefecture else 99
        kind_order = 0 if case.organisation.kind == "都道府県" else 1
        return (code, kind_order, case.organisation.name, case.id)

    return sorted(entries, key=key)


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


def byline(page: object) -> str:
    """「（藤沢市 デジタル推進室 室長 山本慎一郎）」 style attribution for a page."""
    speaker = getattr(page, "speaker", None)
    if speaker is not None:
        parts = [speaker.organisation, speaker.role, speaker.name]
        return "（" + md.text(" ".join(p for p in parts if p)) + "）"
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
        parts.append(md.text(f" p.{source.page}"))
    if source.item:
        # A bare number is an item number; anything else names a section of the publication.
        parts.append(md.text(f"項番 {source.item}" if source.item.isdigit() else f"「{source.item}」"))
    cited = "".join(parts)
    if source.url:
        cited += " " + md.link("資料を開く", source.url)
    return cited
