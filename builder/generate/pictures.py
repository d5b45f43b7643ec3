"""Pictures of the counts: a map of Japan and bar charts, drawn as static SVG at build time.

Every number is ``len(value.cases)`` of a facet value (facets.py): the count its index page
prints and its listing page lists, so a picture never disagrees with its list. Each picture
is raw HTML in the generated Markdown, so MkDocs does not rewrite its links: they are written
as final URLs here (``paths.href``). Nothing is fetched from another host; the stylesheet is
linked from the pictures themselves, so pages without one load nothing more.

Accessibility: a picture is a <figure> named by its <figcaption>. A chart is a list of links
whose text is the label and count (the bar is decoration); each prefecture of the map is a
focusable link named 「高知県: 2件」, and the caption links to the listing with every number.
Shades fall in lightness step by step (readable in greyscale); every prefecture is outlined, and
no cases is hatched whenever the lightest shade is in use, so that shade stays apart from both
the sea and zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

from builder.generate import japan_map, paths
from builder.taxonomy import Taxonomy

if TYPE_CHECKING:
    from builder.generate.facets import Facet, Value

STYLESHEET = "assets/stylesheets/dxnavi-figures.css"

# ColorBrewer "Blues": each step darker than the last (CIE L* about 86, 68, 46, 21).
SHADES = ("#c6dbef", "#6baed6", "#2171b5", "#08306b")
DARK_FROM = 2  # on these shades a white outline shows the border; on lighter ones a dark grey
OUTLINE_DARK = "#404040"  # 10:1 against white and 3:1 or more against the light shades
OUTLINE_LIGHT = "#ffffff"
HATCH = "#8c8c8c"
BAR = "#3f51b5"  # the theme's indigo: 6.9:1 against the white page
TOP_KEYWORDS = 15


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    target: str | None  # the Markdown path of the page listing these cases; None if none lists them


@dataclass(frozen=True)
class Step:
    low: int
    high: int
    fill: str

    @property
    def label(self) -> str:
        return f"{self.low}件" if self.low == self.high else f"{self.low}〜{self.high}件"

    @property
    def outline(self) -> str:
        return OUTLINE_LIGHT if SHADES.index(self.fill) >= DARK_FROM else OUTLINE_DARK


def steps(maximum: int) -> list[Step]:
    """The shade classes for counts 1..maximum: one per count while they fit, else roughly geometric."""
    if maximum < 1:
        return []
    if maximum <= len(SHADES):
        lows = list(range(1, maximum + 1))
    else:
        lows = sorted({1, *(max(1, round(maximum ** (i / len(SHADES)))) for i in range(1, len(SHADES)))})
    # Spread the classes over the whole ramp; a single class takes a dark shade so it stands out.
    shades = [SHADES[round(i * (len(SHADES) - 1) / (len(lows) - 1))] for i in range(len(lows))] if len(lows) > 1 else [SHADES[DARK_FROM]]
    highs = [low - 1 for low in lows[1:]] + [maximum]
    return [Step(low, high, shade) for low, high, shade in zip(lows, highs, shades)]


def _step(count: int, classes: list[Step]) -> Step | None:
    return next((s for s in classes if s.low <= count <= s.high), None)


def _stylesheet(here: str, use_directory_urls: bool) -> str:
    root = "../" * paths.url(here, use_directory_urls).count("/")
    return f'<link rel="stylesheet" href="{root}{STYLESHEET}">'


def _caption(key: str, title: str, listing: str | None, here: str, use_directory_urls: bool, note: str = "") -> str:
    more = f' <a href="{escape(paths.href(here, listing, use_directory_urls))}">一覧で見る</a>' if listing else ""
    note_html = f'<span class="dxn-figure__note">{escape(note)}</span>' if note else ""
    return f'<figcaption id="{key}-caption"><span class="dxn-figure__title">{escape(title)}</span>{more}{note_html}</figcaption>'


def bar_chart(
    key: str,
    title: str,
    groups: Sequence[tuple[str, Sequence[Bar]]],
    here: str,
    use_directory_urls: bool,
    listing: str | None = None,
    note: str = "",
) -> str:
    """Horizontal bars as a list of links (label, bar, 「3件」); ``groups`` titled "" are not headed."""
    key = f"dxn-fig-{key}"
    largest = max((bar.count for _, bars in groups for bar in bars), default=0) or 1
    lines = [f'<figure class="dxn-figure dxn-chart" id="{key}">', _stylesheet(here, use_directory_urls)]
    lines.append(_caption(key, title, listing, here, use_directory_urls, note))
    for group, bars in groups:
        if group:
            lines.append(f'<p class="dxn-chart__group">{escape(group)}</p>')
        lines.append('<ul class="dxn-chart__bars">')
        for bar in bars:
            width = f"{max(bar.count / largest * 100, 0.8):.1f}%" if bar.count else "0"
            svg = (
                '<svg class="dxn-chart__bar" aria-hidden="true" focusable="false">'
                f'<rect width="{width}" height="100%" fill="{BAR}"/></svg>'
            )
            inner = (
                f'<span class="dxn-chart__label">{escape(bar.label)}</span>{svg}<span class="dxn-chart__count">{bar.count}件</span>'
            )
            attrs = f'class="dxn-chart__row" data-count="{bar.count}"'
            if bar.target:
                lines.append(f'<li><a {attrs} href="{escape(paths.href(here, bar.target, use_directory_urls))}">{inner}</a></li>')
            else:
                lines.append(f"<li><span {attrs}>{inner}</span></li>")
        lines.append("</ul>")
    lines.append("</figure>")
    return "\n".join(lines)


@dataclass(frozen=True)
class Area:
    code: int  # JIS X 0401 prefecture code
    label: str
    count: int
    target: str | None


def prefecture_map(
    key: str,
    title: str,
    areas: Sequence[Area],
    here: str,
    use_directory_urls: bool,
    listing: str | None = None,
    small: bool = False,
) -> str:
    """The 47 prefectures shaded by count; a prefecture with a target is a link to it."""
    shapes = japan_map.shapes(japan_map.SMALL if small else japan_map.DETAILED)
    key = f"dxn-fig-{key}"
    classes = steps(max((a.count for a in areas), default=0))
    hatch = f"{key}-none"
    # Zero is hatched when the lightest shade is in use, which is too close to white to tell apart.
    hatched = bool(classes) and classes[0].fill == SHADES[0]
    zero = f"url(#{hatch})" if hatched else "#fff"
    x, y, w, h = shapes.inset
    svg = [f'<svg class="dxn-map__svg" viewBox="0 0 {shapes.width} {shapes.height}" role="group" aria-labelledby="{key}-caption">']
    if hatched:
        svg.append(
            f'<defs><pattern id="{hatch}" width="5" height="5" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
            f'<rect width="5" height="5" fill="#fff"/><path d="M0 0v5" stroke="{HATCH}" stroke-width="2"/></pattern></defs>'
        )
    svg.append(f'<rect class="dxn-map__inset" x="{x}" y="{y}" width="{w}" height="{h}" fill="none" stroke="{OUTLINE_DARK}"/>')
    for area in sorted(areas, key=lambda a: a.code):
        step = _step(area.count, classes)
        fill, outline = (step.fill, step.outline) if step else (zero, OUTLINE_DARK)
        name = f"{area.label}: {area.count}件"
        path = f'<path d="{shapes.paths[area.code]}" fill="{fill}" stroke="{outline}"/>'
        data = f'data-code="{area.code:02d}" data-count="{area.count}"'
        if area.target:
            link = escape(paths.href(here, area.target, use_directory_urls))
            svg.append(f'<a href="{link}" aria-label="{escape(name)}" {data}><title>{escape(name)}</title>{path}</a>')
        else:
            svg.append(f"<g {data}><title>{escape(name)}</title>{path}</g>")
    svg.append("</svg>")

    swatch = (
        '<svg class="dxn-legend__swatch" viewBox="0 0 20 14" aria-hidden="true" focusable="false">'
        '<rect x="1" y="1" width="18" height="12" fill="{}" stroke="{}"/></svg>'
    )
    legend = [f"<li>{swatch.format(zero, OUTLINE_DARK)}0件</li>"]
    legend += [f"<li>{swatch.format(s.fill, OUTLINE_DARK)}{escape(s.label)}</li>" for s in classes]
    note = "沖縄県は左上の枠の中に2倍の大きさで、島しょ部は省いて示しています。" if not small else ""
    size = "dxn-map--small" if small else "dxn-map--large"
    lines = [
        f'<figure class="dxn-figure dxn-map {size}" id="{key}">',
        _stylesheet(here, use_directory_urls),
        _caption(key, title, listing, here, use_directory_urls, note),
        '<div class="dxn-map__body">',
        *svg,
        f'<ul class="dxn-legend" aria-label="凡例">{"".join(legend)}</ul>',
        "</div>",
        "</figure>",
    ]
    return "\n".join(lines)


# ---- From the facets to pictures ------------------------------------------------------------


def facet_bars(facet: Facet) -> list[tuple[str, list[Bar]]]:
    """One bar per value, grouped as the index page groups them, with the index page's count."""
    groups: list[tuple[str, list[Bar]]] = []
    for value in facet.values:
        bar = Bar(facet.prefix + value.label, len(value.cases), paths.value(facet.folder, value.id) if value.has_page else None)
        if not groups or groups[-1][0] != value.group:
            groups.append((value.group, []))
        groups[-1][1].append(bar)
    return groups


def region_bars(prefectures: Facet) -> list[tuple[str, list[Bar]]]:
    """Regions (the prefecture index's headings): the sum of their prefectures' counts."""
    totals: dict[str, int] = {}
    for value in prefectures.values:
        totals[value.group] = totals.get(value.group, 0) + len(value.cases)
    index = paths.index(prefectures.folder)
    return [("", [Bar(region, count, index) for region, count in totals.items()])]


def year_bars(sources: Facet, taxonomy: Taxonomy) -> list[tuple[str, list[Bar]]]:
    """Publication years: the sum of their publications' counts; a year of one publication links to it."""
    by_year: dict[int | None, list[Value]] = {}
    for value in sources.values:
        publication = taxonomy.publication(value.id)
        by_year.setdefault(publication.year if publication else None, []).append(value)
    bars = []
    for year in sorted(by_year, key=lambda y: (y is None, y or 0)):
        values = by_year[year]
        count = sum(len(v.cases) for v in values)
        single = len(values) == 1 and values[0].has_page
        target = paths.value(sources.folder, values[0].id) if single else paths.index(sources.folder)
        bars.append(Bar(f"{year}年" if year else "発行年が書かれていない資料", count, target))
    return [("", bars)]


def top_keyword_bars(keywords: Facet, limit: int = TOP_KEYWORDS) -> list[tuple[str, list[Bar]]]:
    ranked = sorted((v for v in keywords.values if v.cases), key=lambda v: (-len(v.cases), v.label))[:limit]
    return [("", [Bar(keywords.prefix + v.label, len(v.cases), paths.value(keywords.folder, v.id)) for v in ranked])]


def areas(prefectures: Facet, taxonomy: Taxonomy, within: Value | None = None) -> list[Area]:
    """Each prefecture with its count: all its cases, or only those also listed under ``within``."""
    listed = {id(e) for e in within.cases} if within is not None else None
    found = []
    for value in prefectures.values:
        resolved = taxonomy.prefectures.resolve(value.label)
        if resolved is None:
            continue
        cases = value.cases if listed is None else [e for e in value.cases if id(e) in listed]
        page = paths.value(prefectures.folder, value.id)
        target = page if (value.has_page and (listed is None or cases)) else None
        found.append(Area(resolved.entry.code, value.label, len(cases), target))
    return found


def country_map(prefectures: Facet, taxonomy: Taxonomy, here: str, use_directory_urls: bool, key: str = "map") -> str:
    listing = paths.index(prefectures.folder) if here != paths.index(prefectures.folder) else None
    return prefecture_map(key, "都道府県ごとの事例の数", areas(prefectures, taxonomy), here, use_directory_urls, listing)


def index_figure(facet: Facet, facets: dict[str, Facet], taxonomy: Taxonomy, use_directory_urls: bool) -> str:
    """The pictures at the top of an index page (empty for facets without one)."""
    here = paths.index(facet.folder)
    if facet.folder == paths.PREFECTURES:
        regions = bar_chart("regions", "地方ごとの事例の数", region_bars(facet), here, use_directory_urls)
        return country_map(facet, taxonomy, here, use_directory_urls) + "\n\n" + regions
    if facet.folder == paths.KEYWORDS:
        note = "下位のキーワードの事例を含みます。"
        return bar_chart("keywords", f"事例の多いキーワード（上位{TOP_KEYWORDS}）", top_keyword_bars(facet), here, use_directory_urls, note=note)
    if facet.folder in (paths.CATEGORIES, paths.POPULATION, paths.KINDS, paths.SOURCES):
        chart = bar_chart(facet.folder, f"{facet.title}ごとの事例の数", facet_bars(facet), here, use_directory_urls)
        if facet.folder == paths.SOURCES:
            chart += "\n\n" + bar_chart("years", "発行年ごとの事例の数", year_bars(facet, taxonomy), here, use_directory_urls)
        return chart
    return ""


def value_figure(facet: Facet, value: Value, facets: dict[str, Facet], taxonomy: Taxonomy, use_directory_urls: bool) -> str:
    """A keyword page's small map of where its cases are."""
    if facet.folder != paths.KEYWORDS or not value.cases:
        return ""
    here = paths.value(facet.folder, value.id)
    found = areas(facets[paths.PREFECTURES], taxonomy, within=value)
    title = f"{facet.prefix}{value.label}の事例がある都道府県"
    return prefecture_map("keyword-map", title, found, here, use_directory_urls, small=True)

