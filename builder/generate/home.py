"""The home page: what the site is, how much is in it, and every way in."""

from __future__ import annotations

from collections import Counter

from builder.generate import markdown as md
from builder.generate import paths
from builder.generate.common import keyword_tag
from builder.generate.facets import prefecture_facet
from builder.generate.pictures import country_map
from builder.generate.pipeline import BuildContext, OutputFile
from builder.generate.problems import files_box
from builder.validate import Corpus

ENTRY_POINTS = [
    (paths.CASES, "すべての事例", "団体・人口・出典資料・発行年で並べ替えられる一覧で"),
    (paths.KEYWORDS, "キーワードから探す", "「OJT」「ITパスポート」「外部専門人材」など、取組の中身から"),
    (paths.PREFECTURES, "都道府県から探す", "地方・都道府県ごとに、近くの団体の事例を"),
    (paths.POPULATION, "人口規模から探す", "同じくらいの規模の団体の事例を"),
    (paths.KINDS, "団体区分から探す", "都道府県・市・区・町・村ごとに"),
    (paths.ORGANISATIONS, "団体から探す", "同じ団体の複数の事例をまとめて"),
    (paths.CATEGORIES, "カテゴリから探す", "出典資料の分類のまま"),
    (paths.SCHEMES, "支援制度から探す", "地域情報化アドバイザーなど、国の制度を活用した事例を"),
    (paths.ROLES, "人材像から探す", "管理職・DX推進員など、育成の対象ごとに"),
    (paths.SOURCES, "出典資料から探す", "事例を集めた資料ごとに"),
]

TOP_KEYWORDS = 12
SEARCH_PLACEHOLDER = "例: ITパスポート、OJT、アドバイザー、五霞町"


def search_box(use_directory_urls: bool) -> str:
    """A plain form: it works without JavaScript on this page and hands ?q= to the search page."""
    action = paths.url(paths.SEARCH, use_directory_urls)
    return (
        f'<form class="dxn-search-box" action="{action}" role="search" aria-label="事例の検索" markdown="0">\n'
        f'<input name="q" type="search" aria-label="事例を検索" placeholder="{SEARCH_PLACEHOLDER}">\n'
        '<button type="submit">検索</button>\n'
        "</form>"
    )


def counted(number: int, label: str) -> str:
    """「67 キーワード」 as one unit, so a narrow screen never breaks the number from its label."""
    return f'<span class="dxn-count"><strong>{number}</strong> {md.text(label)}</span>'


def render_home(corpus: Corpus, use_directory_urls: bool) -> str:
    cases = [e.model for e in corpus.cases]
    organisations = {c.organisation.name for c in cases}  # type: ignore[attr-defined]
    prefectures = {c.organisation.prefecture for c in cases}  # type: ignore[attr-defined]
    keyword_counts: Counter[str] = Counter(k for c in cases for k in c.keywords)  # type: ignore[attr-defined]
    counts = [(len(cases), "件の事例"), (len(organisations), "団体"), (len(prefectures), "都道府県"), (len(keyword_counts), "キーワード")]

    parts = [
        "# DX人材事例ナビ",
        *filter(None, [files_box(corpus, paths.HOME)]),  # only a preview has errors to list
        "自治体のデジタル人材の確保・育成の事例を、キーワード・地域・人口規模などから探せるナレッジベースです。"
        "総務省などが公開した資料に載っている事例を、出典の言葉のまま集めています。"
        "市区町村・都道府県の DX推進・情報政策・人事のご担当の方が、他の団体の取組を探すときにお使いください。",
        md.block("dxn-counts", "　".join(counted(n, label) for n, label in counts)),
        "## 事例を探す",
        search_box(use_directory_urls),
        f"- {md.link('検索', paths.SEARCH)} — 言葉で探し、カテゴリ・都道府県・人口規模・キーワードなどで絞り込む\n"
        + "\n".join(f"- {md.link(title, paths.index(folder))} — {md.text(note)}" for folder, title, note in ENTRY_POINTS),
    ]
    parts += [
        "## 地図から探す",
        country_map(prefecture_facet(corpus), corpus.taxonomy, paths.HOME, use_directory_urls),
        f"カテゴリ・人口規模・団体区分・出典資料・キーワードごとの事例の数は、{md.link('統計', paths.STATISTICS)} のグラフで見られます。",
    ]
    if keyword_counts:
        tags = []
        for label, count in sorted(keyword_counts.items(), key=lambda item: (-item[1], item[0]))[:TOP_KEYWORDS]:
            keyword = corpus.taxonomy.keywords.resolve(label)
            if keyword:
                tags.append(keyword_tag(keyword.entry, paths.HOME, f"#{label}（{count}）"))
        parts += ["## よく使われるキーワード", " ".join(tags)]
    parts += [
        "## 資料とデジタル人材の声",
        f"- {md.link('資料', paths.index(paths.DOCUMENTS))} — 団体の人材育成方針の全文と、方針のひな形\n"
        f"- {md.link('デジタル人材の声', paths.index(paths.VOICES))} — デジタル人材からのメッセージと首長の対談\n"
        f"- {md.link('用語集', paths.GLOSSARY)} — BPR・OJT・リスキリングなどの用語の解説",
        "## データをダウンロードする",
        "すべての事例の項目（団体・人口・カテゴリ・キーワード・出典・インタビューなど）を、表計算ソフトやプログラムで使える形で配布しています。\n\n"
        f"{md.link(paths.CASES_ZIP, paths.CASES_ZIP)} に、次の二つのファイルが入っています（ZIP は Windows の標準機能で開けます）。\n\n"
        f"- {md.text(paths.CASES_CSV)} — Excel などで開ける CSV（UTF-8）\n"
        f"- {md.text(paths.CASES_JSON)} — プログラムで扱いやすい JSON",
        "## このサイトについて",
        f"事例の集め方や、事例を追加する方法は {md.link('このサイトについて', paths.ABOUT)} をご覧ください。",
    ]
    return "\n\n".join(parts) + "\n"


class HomePage:
    name = "home"

    def run(self, context: BuildContext) -> None:
        context.add(OutputFile(paths.HOME, render_home(context.corpus, context.use_directory_urls)))

