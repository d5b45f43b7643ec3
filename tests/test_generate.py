"""Generated pages for the fixture corpus: what each page shows and links to."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import quote

import pytest

from builder.generate import markdown as md
from builder.generate.pipeline import OutputFile, generate
from builder.project import Project
from builder.validate import check_project


@pytest.fixture(scope="module")
def pages(fixture_root: Path) -> dict[str, str]:
    result = check_project(Project(fixture_root))
    assert result.problems == []
    return {f.path: f.content for f in generate(result.corpus)}  # type: ignore[misc]


def _listings(page: str) -> str:
    """The case listings of an index page, handed to MkDocs as HTML in comments (table_html.embedded)."""
    return "\n".join(re.findall(r"<!--dxnavi-html\n(.*?)\n-->", page, re.DOTALL))


def _rows(page: str) -> list[list[str]]:
    """Each case row of the page's listings, as the HTML of its cells."""
    rows = re.findall(r"<tr>\n(<td>.*?)\n</tr>", _listings(page), re.DOTALL)
    return [[cell.removeprefix("<td>").removesuffix("</td>") for cell in row.split("\n")] for row in rows]


GOKA = "../organisations/" + quote("茨城県五霞町") + ".html"


def test_nothing_is_generated_twice_and_only_contributor_pages_are_sanitised(fixture_root: Path) -> None:
    result = check_project(Project(fixture_root))
    files: list[OutputFile] = generate(result.corpus)
    assert len({f.path for f in files}) == len(files)
    sanitised = {f.path for f in files if f.contributor_content}
    assert sanitised == {
        "cases/ibaraki-goka-fixture-casebook.md",
        "cases/ibaraki-goka-fixture-guide.md",
        "cases/kochi-fixture-guide.md",
        "cases/tokyo-nakano-fixture-casebook.md",
        "documents/fixture-policy.md",
        "voices/fixture-message.md",
        "about.md",
    }


def test_case_page_header_card(pages: dict[str, str]) -> None:
    page = pages["cases/ibaraki-goka-fixture-guide.md"]
    assert page.startswith("# テスト用の育成レベル別研修\n")
    card = page.split('<div class="dxn-card" markdown>')[1].split("</div>")[0]
    assert "[茨城県五霞町](../organisations/茨城県五霞町.md)（[町](../kinds/town.md)・[茨城県](../prefectures/ibaraki.md)・関東）" in card
    assert "約8&#44;000人 [1万人未満](../population/under-10k.md){ .dxn-band }" in card
    assert "[計画と制度](../categories/guide-plan.md)" in card
    assert "[&#35;OJT（職場内訓練）](../keywords/ojt.md){ .dxn-tag } [&#35;グループウェア](../keywords/groupware.md){ .dxn-tag }" in card
    assert "総務省[「テスト用ガイドブック＜事例編＞」](../sources/fixture-guide.md)（2025年）p&#46;4" in card


def test_source_line_shows_what_is_known_without_a_remark(pages: dict[str, str]) -> None:
    # fixture-casebook prints no year: publisher, title and item only; the publication's page explains the year.
    card = pages["cases/tokyo-nakano-fixture-casebook.md"].split('<div class="dxn-card" markdown>')[1].split("</div>")[0]
    assert "出典\n:   総務省[「テスト用事例集」](../sources/fixture-casebook.md)項番 6\n" in card
    assert not any("発行年の記載なし" in page for page in pages.values() if isinstance(page, str))


def test_case_page_body_interview_and_facts(pages: dict[str, str]) -> None:
    page = pages["cases/ibaraki-goka-fixture-guide.md"]
    assert "## 概要\n\nテスト用の概要です。職員アンケートを基にレベルを設定しています。" in page
    assert "| レベル1 | 研修に参加して知識を身につける |" in page  # the body, as written
    assert "Q1&#46; 実施によりどのような効果がありましたか\n:   OJTによって、職員のスキルが向上しました。" in page
    # Paragraphs stay paragraphs; lines inside a paragraph stay lines.
    assert "Q2&#46; 今後の課題は何でしょうか\n:   一つ目の段落です。\n\n    ・二つ目の段落の一行目  \n    ・二つ目の段落の二行目" in page
    assert "## 関連リンク\n\n- [テスト町DX計画](https://www.example.jp/dx-plan)" in page
    assert "## 担当\n\nテスト町 総務課" in page
    assert "## 受賞歴\n\n- テスト賞 受賞" in page
    assert "## 活用した国の支援制度\n\n- [地域情報化アドバイザー派遣制度](../schemes/chiiki-johoka-advisor.md)（総務省）" in page
    assert "## 対象となる人材像\n\n- [DX推進員](../roles/dx-promoter.md)" in page


def test_cases_of_one_organisation_link_each_other_and_its_policy(pages: dict[str, str]) -> None:
    guide = pages["cases/ibaraki-goka-fixture-guide.md"]
    casebook = pages["cases/ibaraki-goka-fixture-casebook.md"]
    assert "## 茨城県五霞町の他の事例・資料\n\n- [テスト用のBPR研修](ibaraki-goka-fixture-casebook.md)（テスト用事例集）\n- [テスト町人材育成方針](../documents/fixture-policy.md)" in guide
    assert "- [テスト用の育成レベル別研修](ibaraki-goka-fixture-guide.md)（テスト用ガイドブック）" in casebook
    policy = pages["documents/fixture-policy.md"]
    assert "## 茨城県五霞町の事例" in policy
    assert "[テスト用のBPR研修](../cases/ibaraki-goka-fixture-casebook.md)" in policy
    assert "[テスト用の育成レベル別研修](../cases/ibaraki-goka-fixture-guide.md)" in policy
    assert "## 茨城県五霞町の他の事例・資料" not in pages["cases/kochi-fixture-guide.md"]


def test_glossary_terms_on_case_pages(pages: dict[str, str]) -> None:
    page = pages["cases/ibaraki-goka-fixture-guide.md"]
    box = page.split('??? info dxn-terms "')[1]
    assert box.startswith("このページに出てくる用語（2）")
    assert "    - [OJT（オー・ジエーティー）](../glossary.md#ojt)" in box and "    - [DX](../glossary.md#dx)" in box
    assert "[BPR]" not in box  # the case never mentions BPR
    # The definitions are not repeated on every page: glossary.js holds each once, by the link's id.
    assert "職場での実践を通じて" not in box


def test_the_term_boxes_read_their_definitions_from_one_file(pages: dict[str, str], fixture_root: Path) -> None:
    from builder.generate.data_script import register

    taxonomy = check_project(Project(fixture_root)).corpus.taxonomy
    script = pages["glossary.js"]
    assert script.startswith('window.DxNavi.assets.register("glossary.js",{')
    definitions = json.loads(script[len('window.DxNavi.assets.register("glossary.js",') : -3])
    assert definitions == {term.id: term.definition for term in taxonomy.glossary}
    assert script == register("glossary.js", definitions)
    assert definitions["ojt"].startswith("職場での実践を通じて")


def test_catalog_and_prefecture_cases(pages: dict[str, str]) -> None:
    assert "## 事例データベースでの分類\n\n公表年度\n:   R4" in pages["cases/tokyo-nakano-fixture-casebook.md"]
    assert "[都道府県](../kinds/prefecture.md)・[高知県](../prefectures/kochi.md)・四国" in pages["cases/kochi-fixture-guide.md"]


def test_keyword_index_groups_readings_and_counts(pages: dict[str, str]) -> None:
    index = pages["keywords/index.md"]
    assert index.index("## 研修・育成の方法") < index.index("## 外部人材の活用")
    training = index.split("## 研修・育成の方法")[1].split("## 外部人材の活用")[0]
    labels = re.findall(r"^\| \[&#35;(.+?)\]", training, re.MULTILINE)
    assert labels == ["ITパスポート", "OJT（職場内訓練）", "グループウェア", "BPR"]  # あいうえお order by reading
    assert "| [&#35;OJT（職場内訓練）](ojt.md) | 1 件 |" in training
    assert "| [&#35;ITパスポート](it-passport.md) | 0 件 |" in training


def test_keyword_page(pages: dict[str, str]) -> None:
    page = pages["keywords/ojt.md"]
    assert page.startswith("# &#35;OJT（職場内訓練）\n\n[キーワード](index.md) › &#35;OJT（職場内訓練）\n\n職場での実務を通じた育成。")
    assert "## 用語の解説\n\n[OJT（オー・ジエーティー）](../glossary.md#ojt)\n:   職場での実践を通じて" in page
    assert _rows(page.split("## 事例（1 件）")[1]) == [
        [
            f'<a href="{GOKA}">茨城県五霞町</a>', "約8&#44;000人",
            '<a href="../cases/ibaraki-goka-fixture-guide.html">テスト用の育成レベル別研修</a>', '<a href="../categories/guide-plan.html">計画と制度</a>',
        ]
    ]  # fmt: skip
    assert "## 資料・デジタル人材の声\n\n- [テスト町人材育成方針](../documents/fixture-policy.md)（茨城県五霞町）" in page
    assert "## 関連するキーワード\n\n[&#35;伴走支援](accompanying-support.md){ .dxn-tag }" in pages["keywords/external-experts.md"]
    assert "keywords/it-passport.md" in pages  # a keyword is worth a page even before it has cases


def test_keyword_pages_include_narrower_keywords(pages: dict[str, str]) -> None:
    broad = pages["keywords/external-experts.md"]
    assert "## 下位のキーワード\n\n[&#35;外部専門人材（委託）](external-experts-contract.md){ .dxn-tag }" in broad
    assert "## 事例（2 件）" in broad  # 高知県 directly, 中野区 through 外部専門人材（委託）
    assert "../cases/tokyo-nakano-fixture-casebook.html" in broad and "../cases/kochi-fixture-guide.html" in broad
    narrow = pages["keywords/external-experts-contract.md"]
    assert "## 上位のキーワード\n\n[&#35;外部専門人材](external-experts.md){ .dxn-tag }" in narrow
    assert "## 事例（1 件）" in narrow
    assert "| [&#35;外部専門人材](external-experts.md) | 2 件 |" in pages["keywords/index.md"]


def test_prefectures_grouped_by_region(pages: dict[str, str]) -> None:
    index = pages["prefectures/index.md"]
    regions = re.findall(r"^## (.+)$", index, re.MULTILINE)
    assert regions == ["北海道", "東北", "関東", "中部", "近畿", "中国", "四国", "九州・沖縄"]
    assert len(re.findall(r"^\| ", index, re.MULTILINE)) == 47 + 2 * len(regions)  # 47 rows + a header and a separator per region table
    kanto = index.split("## 関東")[1].split("## 中部")[0]
    assert "| [茨城県](ibaraki.md) | 2 件 |" in kanto
    assert "| 栃木県 | 0 件 |" in kanto  # no page, no link
    assert "prefectures/tochigi.md" not in pages
    assert "## 団体\n\n[茨城県五霞町](../organisations/茨城県五霞町.md)" in pages["prefectures/ibaraki.md"]
    # An organisation with one case has no page of its own: the list links to the case.
    assert "## 団体\n\n[東京都中野区](../cases/tokyo-nakano-fixture-casebook.md)" in pages["prefectures/tokyo.md"]


def test_population_kind_and_organisation_indexes(pages: dict[str, str]) -> None:
    population = pages["population/index.md"]
    assert "| [1万人未満](under-10k.md) | 2 件 |" in population
    assert "| [20万人以上50万人未満](200k-500k.md) | 1 件 |" in population
    assert "| [50万人以上100万人未満](500k-1m.md) | 1 件 |" in population
    assert "| 100万人以上 | 0 件 |" in population
    kinds = pages["kinds/index.md"]
    assert re.findall(r"^\| \[?(都道府県|市|区|町|村)\]?.*?\| (\d) 件", kinds, re.MULTILINE) == [
        ("都道府県", "1"), ("市", "0"), ("区", "1"), ("町", "2"), ("村", "0"),
    ]  # fmt: skip
    organisation = pages["organisations/茨城県五霞町.md"]
    assert "## 事例（2 件）" in organisation
    assert "人口（資料の表記）: 0&#46;8万人、約8&#44;000人" in organisation
    assert "## 資料・デジタル人材の声\n\n- [テスト町人材育成方針](../documents/fixture-policy.md)" in organisation


def test_an_organisation_with_one_case_is_reached_through_the_case(pages: dict[str, str]) -> None:
    """Its page would only repeat the case: the index links to the case, listings and its card show the name."""
    assert "organisations/東京都中野区.md" not in pages and "organisations/高知県.md" not in pages
    index = pages["organisations/index.md"]
    assert "| [東京都中野区](../cases/tokyo-nakano-fixture-casebook.md) | 1 件 |" in index
    assert "| [茨城県五霞町](茨城県五霞町.md) | 2 件 |" in index  # two cases and a policy: a page gathers them
    card = pages["cases/tokyo-nakano-fixture-casebook.md"].split('<div class="dxn-card" markdown>')[1].split("</div>")[0]
    assert "団体\n:   東京都中野区（[区](../kinds/ward.md)" in card
    rows = [row for row in _rows(pages["kinds/ward.md"]) if "tokyo-nakano-fixture-casebook" in row[2]]
    assert rows == [
        [
            "東京都中野区", "33&#46;2万人",
            '<a href="../cases/tokyo-nakano-fixture-casebook.html">テスト用の民間人材の採用</a>', '<a href="../categories/casebook-training.html">人材の育成</a>',
        ]
    ]  # fmt: skip
    missing = [f"organisations/{name}" for name in ("東京都中野区", "高知県")]
    missing += [quote(name) for name in missing]  # as the listings' HTML writes it
    assert not any(name in page for name in missing for page in pages.values() if isinstance(page, str))


def test_sources_group_cases_by_category(pages: dict[str, str]) -> None:
    guide = pages["sources/fixture-guide.md"]
    assert guide.index("### 計画と制度") < guide.index("### 県による支援")
    # The headings name each case's category, as a category's own page does: their listings leave the column out.
    for page in (guide, pages["categories/guide-plan.md"]):
        assert "<th>団体</th>\n<th>人口</th>\n<th>事例</th>\n</tr>" in page and "<th>カテゴリ</th>" not in page and "../categories/" not in _listings(page)
    assert "<th>団体</th>\n<th>人口</th>\n<th>事例</th>\n<th>カテゴリ</th>\n</tr>" in pages["keywords/ojt.md"]
    casebook = pages["sources/fixture-casebook.md"]
    assert "注記\n:   資料に発行年の記載はありません。" in casebook
    assert "### 人材の育成" in casebook
    assert "## 資料・デジタル人材の声\n\n- [テスト町人材育成方針](../documents/fixture-policy.md)" in pages["sources/fixture-policy-doc.md"]


def test_glossary_page(pages: dict[str, str]) -> None:
    glossary = pages["glossary.md"]
    rows = re.findall(r"^## (.+)$", glossary, re.MULTILINE)
    assert rows == ["あ行", "た行", "は行"]  # OJT(お), DX(で), BPR(び)
    assert "### OJT（オー・ジエーティー） {: #ojt }" in glossary
    assert "関連するキーワード: [&#35;OJT（職場内訓練）](keywords/ojt.md){ .dxn-tag }" in glossary


def test_documents_voices_and_home(pages: dict[str, str]) -> None:
    assert "## 資料\n\n- [テスト町人材育成方針](fixture-policy.md)（茨城県五霞町）" in pages["documents/index.md"]
    assert "## メッセージ\n\n- [テスト用のメッセージ](fixture-message.md)（テスト市 係長 試験太郎）" in pages["voices/index.md"]
    message = pages["voices/fixture-message.md"]
    assert '!!! abstract "ポイント"\n\n    - 小さな成功を積み重ねる' in message
    assert "話し手\n:   テスト市 係長 試験太郎" in message
    home = pages["index.md"]
    # Each count is one unit, so a narrow screen cannot break 「6」 from 「キーワード」.
    assert (
        '<span class="dxn-count"><strong>4</strong> 件の事例</span>　<span class="dxn-count"><strong>3</strong> 団体</span>　'
        '<span class="dxn-count"><strong>3</strong> 都道府県</span>　<span class="dxn-count"><strong>6</strong> キーワード</span>'
    ) in home
    assert "- [すべての事例](cases/index.md) — " in home
    assert "[cases&#46;zip](cases.zip) に、次の二つのファイル" in home
    assert "- cases&#46;csv — Excel" in home and "- cases&#46;json — プログラム" in home
    assert "[&#35;外部専門人材（1）](keywords/external-experts.md){ .dxn-tag }" in home
    assert pages["about.md"].startswith("# このサイトについて\n\nテスト用のサイトです。")


def test_all_cases_page(pages: dict[str, str]) -> None:
    page = pages["cases/index.md"]
    assert page.startswith("---\nhide:\n  - toc\n---\n\n# すべての事例\n\n4 件の事例を、")
    assert "見出しの「団体」「人口」「出典資料」「発行年」のボタンで並べ替えられます。" in page  # the columns that have a sort key
    # Written as the HTML MkDocs would make of the Markdown table (builder/generate/table_html.py), links rewritten.
    table = page.split('<div class="dxn-cases dxn-sortable">')[1].split("</div>")[0]
    assert "<th>団体</th>\n<th>人口</th>\n<th>事例</th>\n<th>カテゴリ</th>\n<th>出典資料</th>\n<th>発行年</th>" in table  # the listing's columns, then the source's
    rows = table.split("<tbody>\n")[1].split("<tr>\n")[1:]
    # North to south, the same order as every listing; each sortable cell carries its rank in that column.
    assert [re.search(r'href="([a-z-]+)\.html"', row.split("\n")[2]).group(1) for row in rows] == [
        "ibaraki-goka-fixture-casebook", "ibaraki-goka-fixture-guide", "tokyo-nakano-fixture-casebook", "kochi-fixture-guide",
    ]  # fmt: skip
    organisation = "../organisations/" + quote("茨城県五霞町") + ".html"
    assert rows[1].split("\n")[:6] == [
        f'<td><data value="0"><a href="{organisation}">茨城県五霞町</a></data></td>', '<td><data value="0">約8&#44;000人</data></td>',
        '<td><a href="ibaraki-goka-fixture-guide.html">テスト用の育成レベル別研修</a></td>', '<td><a href="../categories/guide-plan.html">計画と制度</a></td>',
        '<td><data value="0"><a href="../sources/fixture-guide.html">テスト用ガイドブック</a></data></td>', '<td><data value="0">2025年</data></td>',
    ]  # fmt: skip
    assert rows[2].split("\n")[4:6] == ['<td><data value="1"><a href="../sources/fixture-casebook.html">テスト用事例集</a></data></td>', '<td><data value="">—</data></td>']
    assert page.rstrip().endswith('<script src="../assets/javascripts/dxnavi/table-sort.js"></script>')
    # Other listings share the columns but are not sortable.
    assert "<data" not in pages["keywords/ojt.md"] and '<div class="dxn-cases">' in _listings(pages["keywords/ojt.md"])


def test_footer_and_404_data() -> None:
    from builder.generate.theme_data import template_data

    data = template_data(1577977445, use_directory_urls=False)  # 2020-01-02 15:04:05 UTC
    footer = {row["term"]: row for row in data["footer"]}
    assert "総務省ほか、各出典資料" in footer["出典"]["text"]
    assert footer["ライセンス"]["text"] == "サイトのソースコードは MIT ライセンス、事例・資料の文章の著作権は各出典の発行者にあります"
    assert [link["url"] for link in footer["データ"]["links"]] == ["cases.zip"]
    assert (footer["作成日"]["text"], footer["作成日"]["datetime"]) == ("2020年1月3日", "2020-01-03")  # Japan's date
    assert data["search"]["url"] == "search.html"
    assert data["entry_points"][0] == {"title": "すべての事例", "url": "cases/index.html"}
    assert template_data(0, use_directory_urls=True)["entry_points"][0]["url"] == "cases/"


@pytest.mark.parametrize(
    ("typed", "generated"),
    [
        ("<script>alert(1)</script>", "&#60;script&#62;alert&#40;1&#41;&#60;&#47;script&#62;"),
        ("**太字**と[リンク](javascript:x)", "&#42;&#42;太字&#42;&#42;と&#91;リンク&#93;&#40;javascript&#58;x&#41;"),
        ("# 見出し\n- 箇条書き", "&#35; 見出し &#45; 箇条書き"),
        ("1. 番号 | 表 |", "1&#46; 番号 &#124; 表 &#124;"),
    ],
)
def test_contributor_text_is_never_markup(typed: str, generated: str) -> None:
    assert md.text(typed) == generated


def test_empty_table_header_cells_are_not_announced() -> None:
    """A table transcribed without a header row loses the empty row; an empty cell in a named row becomes a data cell."""
    from builder.accessible import table_headers

    body = "<tbody>\n<tr>\n<td>実施方法</td>\n<td>OJT</td>\n</tr>\n</tbody>\n</table>"
    headerless = "<table>\n<thead>\n<tr>\n<th></th>\n<th align=\"left\"> </th>\n</tr>\n</thead>\n" + body
    assert table_headers(headerless) == "<table>\n" + body
    numbered = "<table>\n<thead>\n<tr>\n<th></th>\n<th>名称</th>\n</tr>\n</thead>\n</table>"
    assert table_headers(numbered) == "<table>\n<thead>\n<tr>\n<td></td>\n<th>名称</th>\n</tr>\n</thead>\n</table>"
    named = "<table>\n<thead>\n<tr>\n<th>団体</th>\n<th>人口</th>\n</tr>\n</thead>\n</table>"
    assert table_headers(named) == named


def test_relative_links_are_posix_relpaths() -> None:
    """md.relative skips posixpath.relpath for plain paths (10,000s of links); the answers must not change."""
    import itertools
    import posixpath

    pages = ["index.md", "cases/a.md", "keywords/k.md", "organisations/茨城県五霞町.md", "a/b/c.md", "a/x/y.md"]
    targets = [*pages, "glossary.md", "cases", "a/b", "a/b/c/d.md", "./x.md", "../y.md", "a//b.md"]
    for page, target in itertools.product(pages, targets):
        assert md.relative(page, target) == posixpath.relpath(target, posixpath.dirname(page) or "."), (page, target)


def test_latin_glossary_terms_match_whole_words_in_any_case() -> None:
    from builder.generate.glossary import terms_in
    from builder.taxonomy import GlossaryTerm

    def term(name: str) -> GlossaryTerm:
        return GlossaryTerm(id=f"t{len(name)}", term=name, reading="あ", definition="説明", publication="p")

    glossary = [term("AI"), term("BPR"), term("RPA"), term("IT"), term("ＤＸ")]
    found = terms_in("BPRワークショップとrpa、RAID と ĪT、dx推進", glossary)
    assert [t.term for t in found] == ["BPR", "RPA", "ＤＸ"]  # not AI in RAID, not IT in ĪT
    assert [t.term for t in terms_in("\u0130T", glossary)] == ["IT"]  # as the regex's IGNORECASE has it


def test_case_tables_match_case_table(fixture_root: Path) -> None:
    """The facet pages' cached rows make the same listing as case_table, as its HTML (table_html.as_html)."""
    from builder.generate import table_html
    from builder.generate.common import CaseTables, case_table, listing
    from builder.generate.organisations import Organisations

    corpus = check_project(Project(fixture_root)).corpus
    assert corpus is not None
    organisations = Organisations(corpus)
    without = [column for column in listing(organisations) if column.heading != "カテゴリ"]
    for directory_urls in (False, True):
        tables = CaseTables(corpus.taxonomy, organisations, directory_urls)
        for here in ("keywords/ojt.md", "keywords/dx.md", "organisations/茨城県五霞町.md", "organisations/x.md", "categories/x.md"):
            for entries in (corpus.cases, corpus.cases[::-1], corpus.cases[1:]):
                for category, columns in ((True, listing(organisations)), (False, without)):
                    made = case_table(entries, here, corpus.taxonomy, columns)
                    assert tables.table(entries, here, category) == table_html.as_html(made, here, directory_urls)
                    assert tables.table(entries, here, category).startswith("<!--dxnavi-html\n")


def test_relative_links_are_posixpaths_relpath() -> None:
    """paths._relpath reuses each folder's relative path; it must give exactly posixpath.relpath's string."""
    import itertools
    import posixpath

    from builder.generate import paths

    places = [".", "a", "b", "a/b", "a/c", "b/a", "a/b/c", "x.html", "a/x.html", "a/b/x.html", "cases/x.html", "cases", "keywords/a", "keywords"]
    starts = [".", "a", "b", "a/b", "a/b/c", "keywords", "keywords/a", "cases"]
    assert [(p, s) for p, s in itertools.product(places, starts) if paths._relpath(p, s) != posixpath.relpath(p, s)] == []
