"""Pieces shared by several generated pages: case listings, citations, page links."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from builder.generate import markdown as md
from builder.generate import paths, table_html
from builder.models import Case, Organisation, Person, Source
from builder.taxonomy import Keyword, Taxonomy
from builder.validate import Entry

if TYPE_CHECKING:
    from builder.generate.memo import Memo
    from builder.generate.organisations import Organisations

EMPTY = "—"


def page_link(label: str, target: str, here: str, classes: str = "") -> str:
    """``md.link`` from the page ``here`` to the generated file ``target``, written once per folder:
    the same tags, places and sources are linked from thousands of case pages in one folder."""
    return _folder_link(label, target, here.rpartition("/")[0], classes)


@functools.lru_cache(maxsize=1 << 16)
def _folder_link(label: str, target: str, folder: str, classes: str) -> str:
    return md.link(label, md.relative(f"{folder}/", target), classes)


def keyword_tag(keyword: Keyword, here: str, label: str | None = None) -> str:
    """A 「#OJT（職場内訓練）」 tag linking to the keyword's page."""
    return page_link(label or f"#{keyword.label}", paths.value(paths.KEYWORDS, keyword.id), here, "dxn-tag")


def keyword_tags(labels: Iterable[str], taxonomy: Taxonomy, here: str) -> str:
    """Tags for the labels the taxonomy knows (unknown ones were reported by check)."""
    return " ".join(keyword_tag(r.entry, here) for label in labels if (r := taxonomy.keywords.resolve(label)))


def place(organisation: Organisation, taxonomy: Taxonomy, here: str) -> list[str]:
    """Links to the organisation's kind and prefecture pages (「町」「茨城県」)."""
    links = [page_link(organisation.kind, paths.value(paths.KINDS, paths.KIND_IDS[organisation.kind]), here)]
    prefecture = taxonomy.prefectures.resolve(organisation.prefecture)
    if prefecture:
        links.append(page_link(prefecture.entry.label, paths.value(paths.PREFECTURES, prefecture.entry.id), here))
    return links


def organisation_order(organisation: Organisation, taxonomy: Taxonomy) -> tuple:
    """North to south (prefecture code), the prefecture before its municipalities, then by name."""
    prefecture = taxonomy.prefectures.resolve(organisation.prefecture)
    return (prefecture.entry.code if prefecture else 99, organisation.kind != "都道府県", organisation.name)


def case_order(entry: Entry, taxonomy: Taxonomy) -> tuple:
    return (*organisation_order(entry.model.organisation, taxonomy), entry.id)  # type: ignore[attr-defined]


def sort_cases(entries: Iterable[Entry], taxonomy: Taxonomy) -> list[Entry]:
    return sorted(entries, key=lambda e: case_order(e, taxonomy))


@dataclass(frozen=True)
class Column:
    """A column of a case listing: its heading, its cell, and (if the table can be sorted by it) its order."""

    heading: str
    cell: Callable[[Case, str, Taxonomy], str]  # (case, here, taxonomy) -> escaped Markdown
    sort_key: Callable[[Case, Taxonomy], Any] | None = None  # None for a case: unknown, sorted last


def _category_cell(case: Case, here: str, taxonomy: Taxonomy) -> str:
    category = taxonomy.categories.resolve(case.category)
    if category is None:
        return md.text(case.category)
    return page_link(case.category, paths.value(paths.CATEGORIES, category.entry.id), here)


def _source_cell(case: Case, here: str, taxonomy: Taxonomy) -> str:
    publication = taxonomy.publication(case.source.publication)
    if publication is None:
        return md.text(case.source.publication)
    return page_link(publication.short_title, paths.value(paths.SOURCES, publication.id), here)


def _year(case: Case, taxonomy: Taxonomy) -> int | None:
    publication = taxonomy.publication(case.source.publication)
    return publication.year if publication else None


def _publication_order(case: Case, taxonomy: Taxonomy) -> int | None:
    ids = [p.id for p in taxonomy.publications]
    return ids.index(case.source.publication) if case.source.publication in ids else None


def organisation_column(organisations: Organisations) -> Column:
    """The organisation's name, linked to its page if it has one (the row's case is linked beside it)."""
    return Column(
        "団体", lambda c, here, t: organisations.link(c.organisation.name, here), lambda c, t: organisation_order(c.organisation, t)
    )


POPULATION = Column("人口", lambda c, here, t: md.text(c.population.text), lambda c, t: c.population.value)
TITLE = Column("事例", lambda c, here, t: md.link(c.title, md.relative(here, paths.case(c.id))))
CATEGORY = Column("カテゴリ", _category_cell)
SOURCE = Column("出典資料", _source_cell, _publication_order)
YEAR = Column("発行年", lambda c, here, t: md.text(f"{y}年") if (y := _year(c, t)) else EMPTY, _year)


def listing(organisations: Organisations) -> tuple[Column, ...]:
    """The columns of a case listing: organisation, population, title and category."""
    return (organisation_column(organisations), POPULATION, TITLE, CATEGORY)


def _ranks(keys: list[Any]) -> list[str]:
    """Each key's place among the distinct keys ("" for None), so any key fits in an attribute."""
    order = {key: rank for rank, key in enumerate(sorted({k for k in keys if k is not None}))}
    return ["" if key is None else str(order[key]) for key in keys]


def case_table(
    entries: Iterable[Entry], here: str, taxonomy: Taxonomy, columns: Sequence[Column], sortable: bool = False
) -> str:
    """Listing of cases, north to south, in ``columns`` (``listing`` and maybe more).

    ``sortable`` wraps each cell of a sortable column in <data value="rank"> for table-sort.js,
    so the browser sorts by population or prefecture order rather than by the text shown.
    """
    cases: list[Case] = [e.model for e in sort_cases(entries, taxonomy)]  # type: ignore[misc]
    cells = [[column.cell(case, here, taxonomy) for case in cases] for column in columns]
    if sortable:
        for i, column in enumerate(columns):
            if column.sort_key:
                ranks = _ranks([column.sort_key(case, taxonomy) for case in cases])
                cells[i] = [f'<data value="{rank}">{cell}</data>' for rank, cell in zip(ranks, cells[i])]
    return _listing(columns, [md.table_row(row) for row in zip(*cells)], sortable)


LISTING_CLASSES = "dxn-cases"  # the stylesheet keeps a phone from squeezing these columns (listing's order) to a few characters


def _listing(columns: Sequence[Column], rows: list[str], sortable: bool = False) -> str:
    table = md.table_of_rows([column.heading for column in columns], rows)
    return md.block(f"{LISTING_CLASSES} dxn-sortable" if sortable else LISTING_CLASSES, table)


class CaseTables:
    """``case_table`` (``listing``, not sortable) for the many pages of one stage, each case's row made once per folder.

    The facet pages list every case about fifteen times (each of its keywords, its category,
    prefecture …); a row links relative to its page's folder, so pages in one folder share it.
    ``category=False`` leaves out the category column, for pages that already name it.
    A table is handed over as its HTML (``table_html``: MkDocs took most of a rebuild's page
    time converting these tables), made row by row as the Markdown is.
    """

    def __init__(self, taxonomy: Taxonomy, organisations: Organisations, use_directory_urls: bool = False, memo: Memo | None = None) -> None:
        self.taxonomy = taxonomy
        self.use_directory_urls = use_directory_urls
        self.memo = memo  # the rows' HTML of earlier builds
        self._columns = {True: listing(organisations)}
        self._columns[False] = tuple(c for c in self._columns[True] if c is not CATEGORY)
        self._order: dict[str, tuple] = {}  # by case id
        self._rows: dict[tuple[str, str, bool], tuple[str, str | None]] = {}  # by (folder or page, case id, category): Markdown, HTML

    def table(self, entries: Iterable[Entry], here: str, category: bool = True) -> str:
        folder, columns = here.rpartition("/")[0], self._columns[category]
        # A page's links in HTML are relative to its URL, which with directory URLs is a folder of its own.
        shared = here if self.use_directory_urls else folder
        rows = []
        for entry in sorted(entries, key=self._key):
            row = self._rows.get((shared, entry.id, category))
            if row is None:
                case: Case = entry.model  # type: ignore[assignment]
                markdown = md.table_row([column.cell(case, here, self.taxonomy) for column in columns])
                row = self._rows[shared, entry.id, category] = (markdown, self._html(markdown, here, shared))
            rows.append(row)
        html = table_html.table(LISTING_CLASSES, md.table_row([column.heading for column in columns]), [h for _, h in rows])
        return table_html.embedded(html, _listing(columns, [m for m, _ in rows]))

    def _html(self, markdown: str, here: str, shared: str) -> str | None:
        if self.memo is None:
            return table_html.row_html(markdown, here, self.use_directory_urls)
        # "" for a row that is not plain (row_html: None); the same Markdown in one folder is the same HTML.
        made = self.memo.get(f"row\0{shared}\0{self.use_directory_urls}", markdown, lambda m: table_html.row_html(m, here, self.use_directory_urls) or "")
        return made or None

    def _key(self, entry: Entry) -> tuple:
        key = self._order.get(entry.id)
        if key is None:
            key = self._order[entry.id] = case_order(entry, self.taxonomy)
        return key


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
    title = page_link(f"「{publication.title}」", paths.value(paths.SOURCES, publication.id), here)
    parts = [md.text(publication.publisher) if publication.publisher else "", title]
    if publication.year:  # a missing year is explained once, on the publication's page
        parts.append(md.text(f"（{publication.year}年）"))
    if source.page:
        parts.append(md.text(f"p.{source.page}"))
    if source.item:
        # A bare number is an item number; anything else names a section of the publication.
        parts.append(md.text(f"項番 {source.item}" if source.item.isdigit() else f"「{source.item}」"))
    cited = "".join(parts)
    if source.url:
        cited += " " + md.link("資料を開く", source.url)
    return cited
