"""The catalogue of every rule ``check`` enforces.

Each rule has a stable id (printed at the end of every message), a severity
and a one-line description; CONTRIBUTING's rule table is generated from here.
"""

from __future__ import annotations

from builder.diagnostics import Rule, Severity

E, W = Severity.ERROR, Severity.WARNING

_ALL: list[Rule] = []


def _rule(rule_id: str, severity: Severity, title: str, fixable: bool = False) -> Rule:
    rule = Rule(rule_id, severity, title, fixable)
    _ALL.append(rule)
    return rule


# Reading the file
FILE_NOT_FOUND = _rule("file-not-found", E, "指定したファイルがない")
SYMLINK = _rule("symlink", E, "シンボリックリンク（ファイル・フォルダ）がある")
SPECIAL_FILE = _rule("special-file", E, "通常のファイルでないもの（名前付きパイプ、デバイスファイル、ソケット）がある")
OUTSIDE_PROJECT = _rule("outside-project", E, "プロジェクトのフォルダの外にあるファイルを指している")
TRACKED_CACHE = _rule("tracked-cache", E, "ビルドのキャッシュ（.cache/dxnavi/）がリポジトリに含まれている")
FILE_EMPTY = _rule("file-empty", E, "ファイルが空")
FILE_TOO_LARGE = _rule("file-too-large", E, "ファイルが大きすぎる（1 MB まで）")
ENCODING = _rule("encoding", E, "UTF-8 で保存されていない")
BOM = _rule("bom", E, "先頭に BOM（バイトオーダーマーク）がある", fixable=True)
LINE_ENDINGS = _rule("line-endings", E, "改行が CRLF（Windows 形式）", fixable=True)
LINE_SEPARATOR = _rule("line-separator", E, "見えない改行文字（U+2028・U+2029・U+0085）がある", fixable=True)
FRONT_MATTER_MISSING = _rule("front-matter-missing", E, "先頭に --- で始まるフロントマターがない")
FRONT_MATTER_UNCLOSED = _rule("front-matter-unclosed", E, "フロントマターを閉じる --- がない")
YAML_SYNTAX = _rule("yaml-syntax", E, "YAML の書き方の誤り")
YAML_TAB = _rule("yaml-tab", E, "YAML の字下げにタブ文字を使っている")
YAML_DUPLICATE_KEY = _rule("yaml-duplicate-key", E, "同じ項目が2回書かれている")
YAML_STRUCTURE = _rule("yaml-structure", E, "使えない YAML 構文（アンカー、タグ、深すぎる入れ子、項目の形）")

# The fields (schema)
REQUIRED = _rule("required", E, "必須項目がない")
BLANK = _rule("blank", E, "項目が空")
TYPE = _rule("type", E, "値の種類が違う（文字・数・リストなど）")
NUMBER_TEXT = _rule("number-text", E, "数の項目に全角数字・カンマ・空白・引用符がある", fixable=True)
UNKNOWN_FIELD = _rule("unknown-field", E, "定義されていない項目がある")
VALUE = _rule("value", E, "値が使える範囲・形式にない")
ID_FORMAT = _rule("id-format", E, "id に使えない文字がある")
ID_MISMATCH = _rule("id-mismatch", E, "id とファイル名が一致しない")
DUPLICATE_ID = _rule("duplicate-id", E, "同じ id の事例が2つある")
POPULATION_RANGE = _rule("population-range", E, "人口が 1〜15,000,000 の範囲にない")
POPULATION_TEXT = _rule("population-text", E, "人口の数値と表記が一致しない")
ORGANISATION_NAME = _rule("organisation-name", E, "団体名と都道府県・団体区分が合わない")
SOURCE_LOCATION = _rule("source-location", E, "出典のページ番号も項番もない")
URL = _rule("url", E, "URL が http:// か https:// で始まっていない")
MARKUP = _rule("markup", E, "項目の文字に HTML やスクリプトが含まれる")

# The controlled vocabulary (taxonomy)
UNKNOWN_KEYWORD = _rule("unknown-keyword", E, "キーワード一覧にないキーワード")
UNKNOWN_CATEGORY = _rule("unknown-category", E, "カテゴリ一覧にないカテゴリ")
UNKNOWN_PUBLICATION = _rule("unknown-publication", E, "出典資料一覧にない資料")
UNKNOWN_PREFECTURE = _rule("unknown-prefecture", E, "47都道府県にない都道府県名")
UNKNOWN_SCHEME = _rule("unknown-scheme", E, "支援制度一覧にない制度")
UNKNOWN_ROLE = _rule("unknown-role", E, "人材像一覧にない人材像")
ALIAS = _rule("alias", W, "別表記（エイリアス）で書かれている", fixable=True)
DUPLICATE_LABEL = _rule("duplicate-label", E, "同じキーワードなどを2回書いている")
CATEGORY_PUBLICATION = _rule("category-publication", E, "カテゴリが出典資料の分類と合わない")

# The Markdown body
BODY_HTML = _rule("body-html", E, "本文に HTML が書かれている")
BODY_HEADING = _rule("body-heading", E, "本文に大見出し（# ）がある")
BODY_IMAGE = _rule("body-image", E, "本文に外部の画像がある")
BODY_LINK = _rule("body-link", E, "本文のリンクが http:// か https:// で始まっていない")

# Characters pasted from PDFs
KANGXI_RADICAL = _rule("kangxi-radical", E, "康熙部首（⼈ など、漢字に見える部首の文字）", fixable=True)
CJK_RADICAL = _rule("cjk-radical", E, "CJK 部首補助（⺠ ⻑ など）", fixable=True)
COMPAT_IDEOGRAPH = _rule("compat-ideograph", E, "CJK 互換漢字", fixable=True)
PRIVATE_USE = _rule("private-use", E, "私用領域の文字（外字・記号フォント）")
FOREIGN_LETTER = _rule("foreign-letter", E, "日本語の語の中のキリル文字・ギリシャ文字など", fixable=True)
VERTICAL_FORM = _rule("vertical-form", E, "縦書き用の記号（︓ など）", fixable=True)
ZERO_WIDTH = _rule("zero-width", E, "ゼロ幅文字（見えない文字）", fixable=True)
HALFWIDTH_KANA = _rule("halfwidth-kana", E, "半角カタカナ", fixable=True)

# The taxonomy files themselves
TAXONOMY_MISSING = _rule("taxonomy-missing", E, "taxonomy のファイルがない")
TAXONOMY_DUPLICATE = _rule("taxonomy-duplicate", E, "taxonomy に同じ見出し語・別表記・id が2つある")
TAXONOMY_REFERENCE = _rule("taxonomy-reference", E, "taxonomy が存在しない項目を参照している")
TAXONOMY_READING = _rule("taxonomy-reading", E, "よみがひらがなでない")
TAXONOMY_BANDS = _rule("taxonomy-bands", E, "人口規模の区分に重なりやすき間がある")
TAXONOMY_PREFECTURES = _rule("taxonomy-prefectures", E, "都道府県が47件でない")

ALL_RULES: tuple[Rule, ...] = tuple(_ALL)
BY_ID = {rule.id: rule for rule in ALL_RULES}

ARTIFACT_RULES = {
    rule.id: rule
    for rule in (
        KANGXI_RADICAL,
        CJK_RADICAL,
        COMPAT_IDEOGRAPH,
        PRIVATE_USE,
        FOREIGN_LETTER,
        VERTICAL_FORM,
        ZERO_WIDTH,
        HALFWIDTH_KANA,
    )
}
