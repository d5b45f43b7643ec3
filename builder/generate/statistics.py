"""The 統計 page: every chart on one page, each bar leading to its listing.

The counts are the facets' (facets.py), built by the same functions as the index pages.
"""

from __future__ import annotations

from builder.generate import markdown as md
from builder.generate import paths, pictures
from builder.generate.facets import category_facet, keyword_facet, kind_facet, population_facet, prefecture_facet, source_facet
from builder.generate.pipeline import BuildContext, OutputFile
from builder.validate import Corpus


# The facets charted here, not all of them: the organisation facet alone was half this stage's time.
CHARTED = (prefecture_facet, category_facet, population_facet, kind_facet, source_facet, keyword_facet)


def render_statistics(corpus: Corpus, use_directory_urls: bool) -> str:
    facets = {facet.folder: facet for facet in (build(corpus) for build in CHARTED)}
    t, here, urls = corpus.taxonomy, paths.STATISTICS, use_directory_urls

    def chart(folder: str, title: str, groups: list[tuple[str, list[pictures.Bar]]], note: str = "", key: str = "") -> str:
        return pictures.bar_chart(key or folder, title, groups, here, urls, listing=paths.index(folder), note=note)

    prefectures, sources = facets[paths.PREFECTURES], facets[paths.SOURCES]
    sections = [
        ("都道府県と地方", "prefectures", [
            pictures.country_map(prefectures, t, here, urls),
            chart(paths.PREFECTURES, "地方ごとの事例の数", pictures.region_bars(prefectures), key="regions"),
        ]),
        ("カテゴリ", "categories", [chart(paths.CATEGORIES, "カテゴリごとの事例の数（出典資料ごとの分類）", pictures.facet_bars(facets[paths.CATEGORIES]))]),
        ("人口規模", "population", [chart(paths.POPULATION, "人口規模ごとの事例の数", pictures.facet_bars(facets[paths.POPULATION]))]),
        ("団体区分", "kinds", [chart(paths.KINDS, "団体区分ごとの事例の数", pictures.facet_bars(facets[paths.KINDS]))]),
        ("出典資料と発行年", "sources", [
            chart(paths.SOURCES, "出典資料ごとの事例の数", pictures.facet_bars(sources)),
            chart(paths.SOURCES, "発行年ごとの事例の数", pictures.year_bars(sources, t), key="years", note="発行年は出典資料の発行年です（事例の年ではありません）。"),
        ]),
        ("キーワード", "keywords", [
            chart(
                paths.KEYWORDS,
                f"事例の多いキーワード（上位{pictures.TOP_KEYWORDS}）",
                pictures.top_keyword_bars(facets[paths.KEYWORDS]),
                note="1件の事例に複数のキーワードがあり、下位のキーワードの事例も含めて数えています。",
            ),
        ]),
    ]  # fmt: skip
    parts = [
        "# 統計",
        f"{len(corpus.cases)} 件の事例を、都道府県・カテゴリ・人口規模などで数えました。"
        "数は各一覧ページの件数と同じです。地図の都道府県や棒を選ぶと、その事例の一覧に移ります。",
    ]
    for heading, anchor, figures in sections:
        parts.append(f"## {md.text(heading)} {{ #{anchor} }}")
        parts.extend(figures)
    parts.append("地図の形は、japanmap（Apache License 2.0）の都道府県の境界データを簡略化して描いています。")
    return "\n\n".join(parts) + "\n"


class StatisticsPage:
    name = "statistics"

    def run(self, context: BuildContext) -> None:
        context.add(OutputFile(paths.STATISTICS, render_statistics(context.corpus, context.use_directory_urls)))
