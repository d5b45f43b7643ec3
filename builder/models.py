"""The case schema: the single source of truth for a case file's front matter.

Field titles, descriptions and examples live here; the JSON Schema, the field
reference in CONTRIBUTING, the comments of ``new`` and the hints of ``check``
are all generated from them. Rules that need the taxonomy (is this keyword
known?) live in ``builder.validate``, not here.
"""

from __future__ import annotations

import datetime
import re
import types
import typing
import unicodedata
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

KINDS = ("都道府県", "市", "区", "町", "村")
MAX_POPULATION = 15_000_000  # 東京都 is about 14 million


def nested_models(annotation: Any) -> list[type[BaseModel]]:
    """Model classes reachable from a field annotation (through Optional, list, Annotated)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return nested_models(typing.get_args(annotation)[0])
    if origin in (list, typing.Union, types.UnionType):
        return [model for arg in typing.get_args(annotation) for model in nested_models(arg)]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return []


class Model(BaseModel):
    # strict: YAML's `yes` must not become "True" in a title, nor "8000" an int.
    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True, frozen=True)


def _hint(message: str) -> dict[str, str]:
    return {"hint": message}


def _check_id(value: str) -> str:
    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", value) or len(value) > 80:
        raise PydanticCustomError(
            "id-format",
            "id「{value}」には使えない文字があります",
            {
                "value": value,
                **_hint("半角の英小文字・数字とハイフンだけで、80文字以内で書いてください（例: ibaraki-goka-talent-guidebook）"),
            },
        )
    if value == "index":
        # Every folder's listing page is index.html; a case, page or keyword called "index" would replace it.
        raise PydanticCustomError(
            "id-format",
            "id「{value}」は一覧ページの名前なので使えません",
            {"value": value, **_hint("団体・出典資料などを入れた別の id にしてください（例: ibaraki-goka-talent-guidebook）")},
        )
    return value


def _check_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PydanticCustomError(
            "url",
            "URL「{value}」は使えません",
            {"value": value, **_hint("http:// か https:// で始まる、ブラウザで開けるアドレスを書いてください")},
        )
    if any(ch.isspace() or ch in '<>"\'`\\' or unicodedata.category(ch) == "Cc" for ch in value):
        raise PydanticCustomError(
            "url",
            "URL「{value}」に空白や記号（< > \" ' ` \\）が含まれています",
            {"value": value, **_hint("資料に印刷された URL だけを、空白なしで書いてください")},
        )
    return value


def _check_population(value: int) -> int:
    if not 1 <= value <= MAX_POPULATION:
        raise PydanticCustomError(
            "population-range",
            "人口 {value} はありえない値です",
            {"value": value, **_hint("1 から 15,000,000 までの整数で書いてください（東京都でも約1,400万人です）")},
        )
    return value


Text = Annotated[str, StringConstraints(min_length=1, max_length=10_000)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Label = Annotated[str, StringConstraints(min_length=1, max_length=60)]
Slug = Annotated[str, AfterValidator(_check_id)]
Url = Annotated[str, AfterValidator(_check_url)]

_POPULATION_TEXT_RE = re.compile(r"^(?:約|およそ)?([0-9][0-9,]*(?:\.[0-9]+)?)(万|千)?人$")


def parse_population_text(text: str) -> int | None:
    """「約8,000人」-> 8000, 「0.7万人」-> 7000, 「1,379.5万人」-> 13795000; None if unreadable."""
    match = _POPULATION_TEXT_RE.match(unicodedata.normalize("NFKC", text).replace(" ", ""))
    if not match:
        return None
    number = float(match.group(1).replace(",", ""))
    factor = {"万": 10_000, "千": 1_000}.get(match.group(2) or "", 1)
    return round(number * factor)


class Organisation(Model):
    name: ShortText = Field(
        title="団体名",
        description="資料の「団体名」のとおり、都道府県名から書きます。都道府県の事例は都道府県名だけです。",
        examples=["茨城県五霞町", "東京都中野区", "北海道"],
    )
    prefecture: Label = Field(title="都道府県", description="47都道府県のいずれか。", examples=["茨城県"])
    kind: Literal["都道府県", "市", "区", "町", "村"] = Field(
        title="団体区分", description="都道府県・市・区（東京都の特別区）・町・村のいずれか。", examples=["町"]
    )

    @model_validator(mode="after")
    def _name_matches(self) -> Organisation:
        if self.kind == "都道府県":
            if self.name != self.prefecture:
                raise PydanticCustomError(
                    "organisation-name",
                    "団体区分が都道府県なのに、団体名「{name}」が都道府県「{prefecture}」と違います",
                    {
                        "name": self.name,
                        "prefecture": self.prefecture,
                        **_hint("都道府県の事例では name と prefecture に同じ都道府県名を書きます"),
                    },
                )
        elif not (self.name.startswith(self.prefecture) and self.name.endswith(self.kind) and self.name != self.prefecture):
            raise PydanticCustomError(
                "organisation-name",
                "団体名「{name}」が「{prefecture}」で始まり「{kind}」で終わる形になっていません",
                {
                    "name": self.name,
                    "prefecture": self.prefecture,
                    "kind": self.kind,
                    **_hint("団体名は「茨城県五霞町」のように都道府県名から書き、kind には最後の1字（市・区・町・村）を書きます"),
                },
            )
        return self


class Population(Model):
    value: Annotated[int, AfterValidator(_check_population)] = Field(
        title="人口（数値）",
        description="資料に書かれた人口を整数で書きます。「約8,000人」なら 8000、「0.7万人」なら 7000。カンマは付けません。",
        examples=[8000],
    )
    text: ShortText = Field(
        title="人口（表記）", description="資料に印刷されたとおりの人口の表記。", examples=["約8,000人", "0.7万人"]
    )
    as_of: ShortText | None = Field(
        default=None,
        title="人口の時点",
        description="資料が人口の時点を書いている場合だけ、そのとおりに書きます。",
        examples=["令和2年度国調"],
    )

    @model_validator(mode="after")
    def _text_matches_value(self) -> Population:
        parsed = parse_population_text(self.text)
        if parsed is None:
            raise PydanticCustomError(
                "population-text",
                "人口の表記「{text}」を数値として読み取れません",
                {"text": self.text, **_hint("「約8,000人」「78,190人」「0.7万人」のように、数字と「人」で書いてください")},
            )
        if parsed != self.value:
            raise PydanticCustomError(
                "population-text",
                "人口の数値 {value} が表記「{text}」（= {parsed}）と一致しません",
                {
                    "value": self.value,
                    "text": self.text,
                    "parsed": parsed,
                    **_hint(f"value を {parsed} にするか、text を資料の表記に合わせてください"),
                },
            )
        return self


class Source(Model):
    publication: Slug = Field(
        title="出典資料",
        description="taxonomy/publications.yml に登録した出典資料の id。資料名・発行者・発行年はそこから表示されます。",
        examples=["talent-guidebook"],
    )
    page: Annotated[int, Field(ge=1)] | None = Field(
        default=None, title="ページ", description="事例が載っているページ番号（資料に印刷された番号）。", examples=[4]
    )
    item: ShortText | None = Field(
        default=None,
        title="項番",
        description="資料の中の事例番号（ページ番号がない資料や、事例番号で引く資料の場合）。",
        examples=["9", "事例No.1626"],
    )
    url: Url | None = Field(
        default=None, title="URL", description="資料を公開しているページの URL（分かる場合だけ）。", examples=[]
    )


class CaseSource(Source):
    @model_validator(mode="after")
    def _has_location(self) -> CaseSource:
        if self.page is None and self.item is None:
            raise PydanticCustomError(
                "source-location",
                "出典のページ番号（page）も項番（item）もありません",
                _hint("事例が載っているページ番号を page に、またはその資料での事例番号を item に書いてください"),
            )
        return self


class QA(Model):
    question: Text = Field(title="質問", description="資料の質問文のとおり。", examples=["実施によりどのような効果がありましたか"])
    answer: Text = Field(
        title="回答",
        description="資料の回答を一字一句そのまま。PDF の改行や部首文字は直します。段落は空行で区切ります。",
        examples=["KPI設定とOJT(職場内訓練)によって、職員のスキルが向上しました。"],
    )


class Link(Model):
    title: ShortText = Field(title="リンクの名前", description="資料に書かれたリンク先の名前。", examples=["真岡市DX戦略計画"])
    url: Url = Field(
        title="URL", description="資料に印刷された URL（http:// か https:// で始まるもの）。", examples=["https://www.city.moka.lg.jp/"]
    )


class Catalog(Model):
    """How a national case database (総務省「先進事例検索システム」) files the case."""

    fiscal_year: ShortText = Field(title="公表年度", description="データベースの「公表年度」。", examples=["R4"])
    org_type: ShortText = Field(title="団体の属性", description="データベースの「団体の属性」。", examples=["市区"])
    class_major: ShortText = Field(title="事例区分（大）", description="データベースの「事例区分（大）」。", examples=["行政改革"])
    class_minor: ShortText = Field(title="事例区分（小）", description="データベースの「事例区分（小）」。", examples=["組織改革"])
    case_type: ShortText = Field(title="事例種類", description="データベースの「事例種類」。", examples=["人材育成・確保"])
    original_source: ShortText = Field(
        title="出典（元資料）",
        description="データベースが「出典」として挙げる元の資料。",
        examples=["ポスト・コロナ期における地方公務員のあり方に関する研究会説明資料"],
    )


class Case(Model):
    """One case: the front matter of a file in cases/."""

    id: Slug = Field(
        title="id",
        description="ファイル名（.md を除く）と同じ。都道府県・団体・出典資料から作ります。",
        examples=["ibaraki-goka-talent-guidebook"],
    )
    title: ShortText = Field(
        title="タイトル", description="資料の事例タイトルのとおり。", examples=["育成レベルに応じたデジタル人材の育成"]
    )
    organisation: Organisation = Field(title="団体", description="事例の団体。")
    population: Population = Field(title="人口", description="資料に書かれた団体の人口。")
    category: Label = Field(
        title="カテゴリ",
        description="出典資料の分類（taxonomy/categories.yml の見出し語）。その資料の分類から選びます。",
        examples=["人材育成を活性化する計画や制度の工夫"],
    )
    keywords: Annotated[list[Label], Field(min_length=1, max_length=10)] = Field(
        title="キーワード",
        description="taxonomy/keywords.yml の見出し語。資料がキーワードを印刷している場合はそのとおり、"
        "ない場合は読者が検索しそうな語を3〜8個選びます。",
        examples=[["定期アンケート", "OJT（職場内訓練）", "グループウェア"]],
    )
    summary: Text | None = Field(
        default=None,
        title="概要",
        description="資料の事例冒頭の要約文をそのまま（1段落）。資料に要約文がなければ書きません。",
        examples=["「五霞町デジタル人材育成プラン」を策定しています。"],
    )
    source: CaseSource = Field(title="出典", description="事例が載っている資料と場所。")
    interview: list[QA] = Field(
        default_factory=list, title="インタビュー", description="資料の質問と回答を、資料の順に。"
    )
    links: list[Link] = Field(default_factory=list, title="関連リンク", description="資料に印刷された関連 URL。")
    department: ShortText | None = Field(
        default=None, title="担当", description="資料の「担当」のとおり。", examples=["真岡市 デジタル戦略課"]
    )
    awards: list[ShortText] = Field(
        default_factory=list,
        title="受賞歴",
        description="資料の「受賞歴等」のとおり。",
        examples=[["日経自治体DXアワード「デジタル人材育成部門賞」受賞"]],
    )
    schemes: list[Label] = Field(
        default_factory=list,
        title="活用した国の支援制度",
        description="資料が活用したと書いている国の支援制度（taxonomy/schemes.yml の見出し語）。",
        examples=[["地域情報化アドバイザー派遣制度"]],
    )
    roles: list[Label] = Field(
        default_factory=list,
        title="対象となる人材像",
        description="取組が育成・確保の対象とする人材像（taxonomy/roles.yml の見出し語）。資料から明らかな場合だけ。",
        examples=[["管理監督職"]],
    )
    catalog: Catalog | None = Field(
        default=None,
        title="事例データベースの登録情報",
        description="総務省「先進事例検索システム」などの事例データベースから取った事例の場合だけ、その分類を書きます。",
    )


class Person(Model):
    name: ShortText = Field(title="氏名", description="資料に書かれた氏名。", examples=["千葉大右"])
    role: ShortText | None = Field(default=None, title="役職", description="資料に書かれた役職。", examples=["地方業務標準化エキスパート"])
    organisation: ShortText | None = Field(default=None, title="所属", description="資料に書かれた所属。", examples=["デジタル庁"])


class PageBase(Model):
    """A page that is not a case: a policy, a resource, a message or a dialogue."""

    id: Slug = Field(title="id", description="ファイル名（.md を除く）と同じ。", examples=["oyama-dx-policy"])
    title: ShortText = Field(title="タイトル", description="資料のとおりのタイトル。")
    summary: Text | None = Field(default=None, title="概要", description="資料の要約文（あれば）。")
    source: Source = Field(title="出典", description="ページの元になった資料。")
    keywords: list[Label] = Field(
        default_factory=list, title="キーワード", description="このページが語っているキーワード（キーワードのページから逆にリンクされます）。"
    )


class PolicyPage(PageBase):
    type: Literal["policy"] = Field(title="種類", description="団体の方針・計画の全文を紹介するページ。")
    organisation: Organisation = Field(title="団体", description="方針を定めた団体。同じ団体の事例と相互にリンクします。")
    version: ShortText | None = Field(default=None, title="版", description="資料に書かれた版。", examples=["ver.1.0.0"])
    period: ShortText | None = Field(default=None, title="対象期間", description="資料に書かれた対象期間。")


class ResourcePage(PageBase):
    type: Literal["resource"] = Field(title="種類", description="ひな形や手引きなど、団体を問わず使える資料のページ。")


class MessagePage(PageBase):
    type: Literal["message"] = Field(title="種類", description="デジタル人材からのメッセージ。")
    speaker: Person = Field(title="話し手", description="メッセージの話し手。")
    key_points: list[ShortText] = Field(
        default_factory=list, title="ポイント", description="資料が強調している要点（資料の言葉のまま）。"
    )


class DialoguePage(PageBase):
    type: Literal["dialogue"] = Field(title="種類", description="対談・座談会。")
    date: datetime.date = Field(title="日付", description="対談の日付（YYYY-MM-DD）。", examples=["2024-06-03"])
    place: ShortText | None = Field(default=None, title="場所", description="対談の場所。")
    speakers: Annotated[list[Person], Field(min_length=2)] = Field(title="参加者", description="対談の参加者。")
    key_points: list[ShortText] = Field(default_factory=list, title="ポイント", description="対談の要点（資料の言葉のまま）。")


class SitePage(Model):
    """A page about the site itself (このサイトについて): no source, no vocabulary."""

    id: Slug = Field(title="id", description="ファイル名（.md を除く）と同じ。ページはサイトの最上位に置かれます。", examples=["about"])
    type: Literal["site"] = Field(title="種類", description="サイトについてのページ。")
    title: ShortText = Field(title="タイトル", description="ページのタイトル。")


PAGE_TYPES: dict[str, type[Model]] = {
    "policy": PolicyPage,
    "resource": ResourcePage,
    "message": MessagePage,
    "dialogue": DialoguePage,
    "site": SitePage,
}
