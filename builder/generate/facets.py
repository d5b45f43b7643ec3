"""Index pages: every way to reach a case (keyword, category, prefecture …).

Each facet is an index page listing its values with counts, and one page per
value listing its cases. The nav links only the index pages, so the nav does
not grow with the number of cases.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from builder.generate import markdown as md
from builder.generate import paths, pictures
from builder.generate.common import CaseTables, keyword_tag, keyword_tags, organisation_order, page_list, place
from builder.generate.glossary import term_definitions
from builder.generate.memo import Memo
from builder.generate.organisations import Organisations
from builder.generate.pipeline import BuildContext, OutputFile
from builder.models import KINDS, Case
from builder.validate import Corpus, Entry


@dataclass
class Value:
    id: str
    label: str
    cases: list[Entry]
    pages: list[Entry] = field(default_factory=list)
    group: str = ""
    description: str = ""  # escaped Markdown
    details: list[str] = field(default_factory=list)  # extra sections on the value's page
    case_groups: list[tuple[str, list[Entry]]] | None = None  # split the case listing under headings
    standalone: bool = False  # worth a page even with nothing listed (a keyword's description and relations)
    elsewhere: str = ""  # the one case or page its page would only repeat: the index links there instead

    @property
    def has_page(self) -> bool:
        return not self.elsewhere and bool(self.cases or self.pages or self.standalone)


@dataclass
class Facet:
    folder: str
    title: str
    intro: str
    values: list[Value]
    prefix: str = ""  # shown before labels ("#" for keywords)
    group_descriptions: dict[str, str] = field(default_factory=dict)
    search_key: str = ""  # the search page's URL parameter for this facet, if it filters by it
    category_column: bool = True  # its pages' listings show each case's category (not where the page names it)


def _index_by(entries: Iterable[Entry], labels: Callable[[Entry], Iterable[str]]) -> dict[str, list[Entry]]:
    index: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        for label in labels(entry):
            index[label].append(entry)
    return index


def _case(entry: Entry) -> Case:
    return entry.model  # type: ignore[return-value]


def keyword_facet(corpus: Corpus) -> Facet:
    t = corpus.taxonomy
    cases = _index_by(corpus.cases, lambda e: _case(e).keywords)
    pages = _index_by(corpus.pages, lambda e: getattr(e.model, "keywords", []))
    terms = {term.term: term for term in t.glossary}
    values = []
    for group in t.groups:
        for keyword in sorted((k for k in t.keywords if k.group == group.id), key=lambda k: k.reading):
            here = paths.value(paths.KEYWORDS, keyword.id)
            details = []
            if keyword.related:
                details.append("## 関連するキーワード\n\n" + keyword_tags(keyword.related, t, here))
            explained = [terms[name] for name in keyword.glossary if name in terms]
            if explained:
                details.append("## 用語の解説\n\n" + term_definitions(explained, here))
            narrower = t.narrower(keyword)
            listed = list(cases[keyword.label])
            seen = {id(e) for e in listed}  # not `e not in listed`: quadratic, and it compares whole entries
            for sub in narrower:
                for entry in cases[sub.label]:
                    if id(entry) not in seen:
                        seen.add(id(entry))
                        listed.append(entry)
            if narrower:
                tags = " ".join(keyword_tag(k, here) for k in narrower)
                details.append("## 下位のキーワード\n\n" + tags + "\n\nこれらのキーワードの事例も、下の一覧に含めています。")
            if keyword.broader:
                details.append("## 上位のキーワード\n\n" + keyword_tags([keyword.broader], t, here))
            values.append(
                Value(keyword.id, keyword.label, listed, pages[keyword.label], group.label, md.text(keyword.description), details, standalone=True)
            )
    return Facet(
        paths.KEYWORDS,
        "キーワード",
        "事例に付けたキーワードを、グループごとにあいうえお順で並べています。資料に印刷されたキーワードはそのまま、印刷されていない資料の事例には内容から選んだキーワードを付けています。",
        values,
        prefix="#",
        group_descriptions={g.label: md.text(g.description) for g in t.groups},
        search_key="keyword",
    )


def category_facet(corpus: Corpus) -> Facet:
    t = corpus.taxonomy
    cases = _index_by(corpus.cases, lambda e: [_case(e).category])
    values = []
    for category in t.categories:
        publication = t.publication(category.publication)
        group = publication.short_title if publication else category.publication
        description = md.text(category.description) if category.description else ""
        values.append(Value(category.id, category.label, cases[category.label], group=group, description=description))
    intro = "カテゴリは出典資料ごとの分類です。資料ごとに、その資料が事例を分けた分類のまま並べています。"
    return Facet(paths.CATEGORIES, "カテゴリ", intro, values, search_key="category", category_column=False)


def prefecture_facet(corpus: Corpus) -> Facet:
    t = corpus.taxonomy
    organisations = Organisations(corpus)
    cases = _index_by(corpus.cases, lambda e: [_case(e).organisation.prefecture])
    pages = _index_by(corpus.pages, lambda e: [o.prefecture] if (o := getattr(e.model, "organisation", None)) else [])
    values = []
    for prefecture in sorted(t.prefectures, key=lambda p: p.code):
        here = paths.value(paths.PREFECTURES, prefecture.id)
        names = sorted({_case(e).organisation.name for e in cases[prefecture.label]})
        details = []
        if names:
            details.append("## 団体\n\n" + "、".join(md.link(name, md.relative(here, organisations.target(name))) for name in names))
        region = t.region_of(prefecture).label
        values.append(Value(prefecture.id, prefecture.label, cases[prefecture.label], pages[prefecture.label], region, md.text(f"{region}地方"), details))
    return Facet(paths.PREFECTURES, "都道府県", "事例の団体がある都道府県を、地方ごとに並べています。都道府県の事例と、その都道府県内の市区町村の事例を含みます。", values, search_key="prefecture")


def population_facet(corpus: Corpus) -> Facet:
    t = corpus.taxonomy
    cases: dict[str, list[Entry]] = defaultdict(list)
    for entry in corpus.cases:
        band = t.band_for(_case(entry).population.value)
        if band:
            cases[band.id].append(entry)
    values = []
    for band in t.bands:
        upper = f"{band.max:,}人" if band.max else ""
        description = md.text(f"人口 {band.min:,}人〜{upper}（資料に書かれた人口による）")
        values.append(Value(band.id, band.label, cases[band.id], description=description))
    return Facet(paths.POPULATION, "人口規模", "資料に書かれた団体の人口で分けています。同じくらいの規模の団体の事例を探すときに使えます。", values, search_key="population")


MEMO = "table-rows.sqlite"  # the case tables' rows as HTML, of earlier builds (builder.generate.memo)
_KIND_DESCRIPTIONS = {
    "都道府県": "都道府県の事例（市町村を支援する取組を含みます）",
    "市": "市の事例（指定都市を含みます）",
    "区": "東京都の特別区の事例",
    "町": "町の事例",
    "村": "村の事例",
}


def kind_facet(corpus: Corpus) -> Facet:
    cases = _index_by(corpus.cases, lambda e: [_case(e).organisation.kind])
    values = [Value(paths.KIND_IDS[kind], kind, cases[kind], description=md.text(_KIND_DESCRIPTIONS[kind])) for kind in KINDS]
    return Facet(paths.KINDS, "団体区分", "都道府県・市・区・町・村の区分ごとに事例を並べています。", values, search_key="kind")


def organisation_facet(corpus: Corpus) -> Facet:
    t = corpus.taxonomy
    links = Organisations(corpus)
    cases = _index_by(corpus.cases, lambda e: [_case(e).organisation.name])
    pages = _index_by(corpus.pages, lambda e: [o.name] if (o := getattr(e.model, "organisation", None)) else [])
    organisations = {}
    for entry in corpus.cases + corpus.pages:
        organisation = getattr(entry.model, "organisation", None)
        if organisation is not None:
            organisations.setdefault(organisation.name, organisation)

    values = []
    for name in sorted(organisations, key=lambda n: organisation_order(organisations[n], t)):
        organisation = organisations[name]
        here = paths.organisation(name)
        where = place(organisation, t, here)
        populations = sorted({_case(e).population.text for e in cases[name]})
        description = "・".join(where)
        if populations:
            description += "　人口（資料の表記）: " + "、".join(md.text(p) for p in populations)
        elsewhere = "" if links.has_page(name) else links.target(name)
        values.append(Value(name, name, cases[name], pages[name], organisation.prefecture, description, elsewhere=elsewhere))
    return Facet(
        paths.ORGANISATIONS,
        "団体",
        "事例や資料がある団体を、都道府県ごとに並べています。団体名のリンク先は、事例・資料が一つの団体ではそのページ、複数ある団体ではそれらをまとめたページです。",
        values,
    )


def scheme_facet(corpus: Corpus) -> Facet:
    t = corpus.taxonomy
    cases = _index_by(corpus.cases, lambda e: _case(e).schemes)
    values = [
        Value(s.id, s.label, cases[s.label], group=s.provider, description=md.text(s.description))
        for s in t.schemes
    ]
    return Facet(paths.SCHEMES, "支援制度", "事例の団体が活用した国などの支援制度です。資料が「活用した」と書いている制度だけを載せています。", values, search_key="scheme")


def role_facet(corpus: Corpus) -> Facet:
    t = corpus.taxonomy
    cases = _index_by(corpus.cases, lambda e: _case(e).roles)
    values = [Value(r.id, r.label, cases[r.label], description=md.text(r.description)) for r in t.roles]
    return Facet(
        paths.ROLES,
        "人材像",
        "取組が育成・確保の対象とする人材像です。人材像の区分と説明は「デジタル人材確保・育成方針（ひな形）」によります。事例の対象が資料から明らかな場合だけ付けています。",
        values,
        search_key="role",
    )


def source_facet(corpus: Corpus) -> Facet:
    t = corpus.taxonomy
    cases = _index_by(corpus.cases, lambda e: [_case(e).source.publication])
    pages = _index_by(corpus.pages, lambda e: [s.publication] if (s := getattr(e.model, "source", None)) else [])
    values = []
    for publication in t.publications:
        facts = [("資料名", md.text(publication.title))]
        if publication.publisher:
            facts.append(("発行", md.text(publication.publisher)))
        if publication.year:
            facts.append(("発行年", md.text(f"{publication.year}年")))
        notes = [n for n in (publication.title_note, publication.year_note) if n]
        if notes:
            facts.append(("注記", "  \n    ".join(md.text(n) for n in notes)))
        if publication.url:
            facts.append(("公開ページ", md.link(publication.url, publication.url)))
        description = md.text(publication.description) + "\n\n" + md.definitions(facts)
        groups = [
            (category.label, [e for e in cases[publication.id] if _case(e).category == category.label])
            for category in t.categories
            if category.publication == publication.id
        ]
        values.append(
            Value(publication.id, publication.short_title, cases[publication.id], pages[publication.id], description=description, case_groups=[g for g in groups if g[1]])
        )
    intro = "事例と資料の出典です。事例の文章は、ここに挙げた資料から書き写しています。"
    # A publication's page lists its cases under their categories' headings: no category column.
    return Facet(paths.SOURCES, "出典資料", intro, values, search_key="source", category_column=False)


FACETS: list[Callable[[Corpus], Facet]] = [
    keyword_facet,
    category_facet,
    prefecture_facet,
    population_facet,
    kind_facet,
    organisation_facet,
    scheme_facet,
    role_facet,
    source_facet,
]


def render_index(facet: Facet, figure: str = "") -> str:
    here = paths.index(facet.folder)
    parts = [f"# {md.text(facet.title)}", facet.intro, *filter(None, [figure])]
    group = None
    rows: list[list[str]] = []

    def flush() -> None:
        if rows:
            # dxn-index: the stylesheet keeps the 「12 件」 column narrow and on one line.
            parts.append(md.block("dxn-index", md.table([md.text(facet.title), "事例", "説明"], rows)))
            rows.clear()

    for value in facet.values:
        if value.group != group:
            flush()
            group = value.group
            if group:
                parts.append(f"## {md.text(group)}")
                if group in facet.group_descriptions:
                    parts.append(facet.group_descriptions[group])
        label = facet.prefix + value.label
        target = value.elsewhere or (paths.value(facet.folder, value.id) if value.has_page else "")
        cell = md.link(label, md.relative(here, target)) if target else md.text(label)
        summary = value.description.split("\n\n")[0]
        rows.append([cell, f"{len(value.cases)} 件", summary])
    flush()
    return "\n\n".join(parts) + "\n"


def render_value(facet: Facet, value: Value, tables: CaseTables, figure: str = "") -> str:
    here = paths.value(facet.folder, value.id)
    back = md.link(facet.title, md.relative(here, paths.index(facet.folder)))
    parts = [f"# {md.text(facet.prefix + value.label)}", f"{back} › {md.text(facet.prefix + value.label)}"]
    if value.description:
        parts.append(value.description)
    parts.extend(value.details)
    if value.cases:
        parts.append(f"## 事例（{len(value.cases)} 件）")
        if facet.search_key:
            search = md.relative(here, paths.SEARCH) + f"?{facet.search_key}={quote(value.id)}"
            parts.append(md.link("この事例を言葉や人口規模などでさらに絞り込む（検索）", search))
        if figure:
            parts.append(figure)
        for title, entries in value.case_groups or [("", value.cases)]:
            if title:
                parts.append(f"### {md.text(title)}")
            parts.append(tables.table(entries, here, facet.category_column))
    if value.pages:
        parts.append("## 資料・デジタル人材の声\n\n" + page_list(value.pages, here))
    return "\n\n".join(parts) + "\n"


class FacetPages:
    name = "facet-pages"

    def __init__(self, cache_dir: Path | None = None) -> None:
        self.cache_dir = cache_dir  # for MEMO

    def run(self, context: BuildContext) -> None:
        facets = {facet.folder: facet for facet in (build(context.corpus) for build in FACETS)}
        t, urls = context.corpus.taxonomy, context.use_directory_urls
        memo = Memo(self.cache_dir, MEMO) if self.cache_dir is not None else None
        tables = CaseTables(t, Organisations(context.corpus), urls, memo)
        for facet in facets.values():
            figure = pictures.index_figure(facet, facets, t, urls)  # the map and charts (same counts as the table)
            context.add(OutputFile(paths.index(facet.folder), render_index(facet, figure)))
            for value in facet.values:
                if value.has_page:
                    figure = pictures.value_figure(facet, value, facets, t, urls)
                    context.add(OutputFile(paths.value(facet.folder, value.id), render_value(facet, value, tables, figure)))
        if memo is not None:
            memo.save()
