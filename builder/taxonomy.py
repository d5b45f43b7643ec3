"""The controlled vocabulary in taxonomy/*.yml: models, loading and its own checks.

Cases refer to keywords, categories, prefectures, support schemes and roles by
label; a label written as one of its aliases (or another spelling that is the
same after NFKC) is accepted and reported, and an unknown one gets the nearest
allowed labels as suggestions.
"""

from __future__ import annotations

import difflib
import typing
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Generic, Protocol, TypeVar

from pydantic import Field, TypeAdapter, ValidationError

from builder import rules, safefiles
from builder.diagnostics import Problem
from builder.loading import read_text, yaml_issue_problem
from builder.model_errors import to_problems
from builder.models import Label, Model, ShortText, Slug, Text, Url
from builder.textnorm import compare_key, is_hiragana_reading
from builder.yamlsource import Located, load


class Region(Model):
    id: Slug = Field(description="地方の id（URL に使います）。")
    label: Label = Field(description="地方の名前。")


class Prefecture(Model):
    id: Slug = Field(description="都道府県の id（ローマ字、URL に使います）。")
    label: Label = Field(description="都道府県名。")
    reading: Label = Field(description="よみ（ひらがな）。")
    region: Slug = Field(description="地方の id。")
    code: Annotated[int, Field(ge=1, le=47)] = Field(description="全国地方公共団体コードの都道府県番号（並び順に使います）。")


class PrefecturesFile(Model):
    regions: list[Region]
    prefectures: list[Prefecture]


class PopulationBand(Model):
    id: Slug = Field(description="区分の id。")
    label: Label = Field(description="区分の名前。")
    min: Annotated[int, Field(ge=1)] = Field(description="この区分の最小人口（この値を含む）。")
    max: Annotated[int, Field(ge=1)] | None = Field(default=None, description="この区分の最大人口（この値を含む）。最後の区分は書きません。")


class Publication(Model):
    id: Slug = Field(description="出典資料の id（事例の source.publication に書きます）。")
    title: ShortText = Field(description="資料名（資料の表紙のとおり）。")
    short_title: ShortText = Field(description="一覧で使う短い名前。")
    publisher: ShortText | None = Field(default=None, description="発行者。資料に書かれていなければ書きません。")
    year: Annotated[int, Field(ge=1990, le=2100)] | None = Field(default=None, description="発行年（西暦）。")
    year_note: ShortText | None = Field(default=None, description="発行年の根拠（資料に発行年が明記されていない場合）。")
    title_note: ShortText | None = Field(default=None, description="資料名の根拠（資料に表題が明記されていない場合）。")
    url: Url | None = Field(default=None, description="資料の公開 URL。")
    description: Text = Field(description="どんな資料か（一文）。")


class Category(Model):
    id: Slug = Field(description="カテゴリの id（URL に使います）。")
    label: Label = Field(description="カテゴリ名（資料のとおり）。")
    publication: Slug = Field(description="このカテゴリを定めた出典資料の id。")
    description: Text | None = Field(default=None, description="カテゴリの説明。")
    aliases: list[Label] = Field(default_factory=list, description="別表記。")


class KeywordGroup(Model):
    id: Slug = Field(description="グループの id。")
    label: Label = Field(description="グループ名。")
    description: Text = Field(description="どんなキーワードをまとめるか。")


class Keyword(Model):
    id: Slug = Field(description="キーワードの id（URL に使います）。")
    label: Label = Field(description="見出し語。事例にはこの形で書きます。")
    reading: Label = Field(description="よみ（ひらがな）。あいうえお順に並べるのに使います。")
    group: Slug = Field(description="キーワードのグループの id。")
    description: Text = Field(description="このキーワードが何を指すか（一文）。")
    aliases: list[Label] = Field(default_factory=list, description="別表記・表記ゆれ。事例に書かれると見出し語に直します。")
    broader: Label | None = Field(
        default=None, description="より広い意味のキーワードの見出し語。広い方のキーワードの一覧にも、このキーワードの事例が載ります。"
    )
    related: list[Label] = Field(default_factory=list, description="関連するキーワードの見出し語。")
    glossary: list[Label] = Field(default_factory=list, description="関連する用語（taxonomy/glossary.yml の用語）。")


class KeywordsFile(Model):
    groups: list[KeywordGroup]
    keywords: list[Keyword]


class Scheme(Model):
    id: Slug = Field(description="制度の id（URL に使います）。")
    label: Label = Field(description="制度名。")
    provider: ShortText = Field(description="所管（総務省など）。")
    description: Text = Field(description="どんな制度か（一文）。")
    aliases: list[Label] = Field(default_factory=list, description="別表記。")


class Role(Model):
    id: Slug = Field(description="人材像の id（URL に使います）。")
    label: Label = Field(description="人材像の名前。")
    description: Text = Field(description="どんな役割の人材か。")
    aliases: list[Label] = Field(default_factory=list, description="別表記。")


class GlossaryTerm(Model):
    id: Slug = Field(description="用語の id（URL のアンカーに使います）。")
    term: Label = Field(description="用語。")
    annotation: Label | None = Field(default=None, description="資料で用語に添えられたよみや英語表記。")
    reading: Label = Field(description="よみ（ひらがな）。")
    definition: Text = Field(description="解説（出典のとおり）。")
    publication: Slug = Field(description="解説の出典資料の id。")


class Labelled(Protocol):
    id: str
    label: str


E = TypeVar("E", bound=Labelled)


@dataclass(frozen=True)
class Resolution(Generic[E]):
    entry: E
    exact: bool  # False when written as an alias or another spelling


@dataclass
class Vocabulary(Generic[E]):
    """Entries addressable by label, alias or any spelling equal after NFKC."""

    entries: list[E]
    _by_key: dict[str, E] = field(default_factory=dict, init=False)
    _by_label: dict[str, E] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        # Checked labels are canonical: the stages look them up 100,000s of times at 10,000 cases.
        self._by_label = {entry.label: entry for entry in reversed(self.entries)}
        for entry in self.entries:
            for name in self.names(entry):
                self._by_key.setdefault(compare_key(name), entry)

    @staticmethod
    def names(entry: Labelled) -> list[str]:
        return [entry.label, *getattr(entry, "aliases", [])]

    def __iter__(self) -> Iterator[E]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def resolve(self, value: str) -> Resolution[E] | None:
        if value in self._by_label:
            return Resolution(self._by_label[value], exact=True)
        entry = self._by_key.get(compare_key(value))
        if entry is None:
            return None
        return Resolution(entry, exact=value == entry.label)

    def suggest(self, value: str, limit: int = 3) -> list[str]:
        """The nearest labels, for 「もしかして…」 hints."""
        key = compare_key(value)
        found: list[str] = []
        if key:
            for name_key, entry in self._by_key.items():
                if key in name_key or name_key in key:
                    found.append(entry.label)
            for name_key in difflib.get_close_matches(key, list(self._by_key), n=limit, cutoff=0.5):
                found.append(self._by_key[name_key].label)
        return list(dict.fromkeys(found))[:limit]


@dataclass
class Taxonomy:
    regions: list[Region]
    prefectures: Vocabulary[Prefecture]
    bands: list[PopulationBand]
    publications: list[Publication]
    categories: Vocabulary[Category]
    groups: list[KeywordGroup]
    keywords: Vocabulary[Keyword]
    schemes: Vocabulary[Scheme]
    roles: Vocabulary[Role]
    glossary: list[GlossaryTerm]

    def narrower(self, keyword: Keyword) -> list[Keyword]:
        """Keywords under ``keyword`` (at any depth), for listing their cases with it."""
        found: list[Keyword] = []
        for candidate in self.keywords:
            if candidate.broader == keyword.label and candidate not in found:
                found.append(candidate)
                found.extend(k for k in self.narrower(candidate) if k not in found)
        return found

    def with_broader(self, labels: list[str]) -> list[str]:
        """Keyword labels followed by every keyword above them (a case belongs under those too)."""
        out = list(labels)
        for label in out:  # items appended here are visited too: broader of broader
            keyword = self.keywords.resolve(label)
            if keyword and keyword.entry.broader and keyword.entry.broader not in out:
                out.append(keyword.entry.broader)
        return out

    def band_for(self, population: int) -> PopulationBand | None:
        return next((b for b in self.bands if b.min <= population and (b.max is None or population <= b.max)), None)

    def publication(self, publication_id: str) -> Publication | None:
        return next((p for p in self.publications if p.id == publication_id), None)

    def region_of(self, prefecture: Prefecture) -> Region:
        return next(r for r in self.regions if r.id == prefecture.region)


FILES = {
    "prefectures": "prefectures.yml",
    "bands": "population_bands.yml",
    "publications": "publications.yml",
    "categories": "categories.yml",
    "keywords": "keywords.yml",
    "schemes": "schemes.yml",
    "roles": "roles.yml",
    "glossary": "glossary.yml",
}

_SHAPES: dict[str, type[Model] | type[list]] = {
    "prefectures": PrefecturesFile,
    "bands": list[PopulationBand],
    "publications": list[Publication],
    "categories": list[Category],
    "keywords": KeywordsFile,
    "schemes": list[Scheme],
    "roles": list[Role],
    "glossary": list[GlossaryTerm],
}


def _validate(name: str, data: object, located: Located, rel: str) -> tuple[object | None, list[Problem]]:
    shape = _SHAPES[name]
    item_model = shape if isinstance(shape, type) else typing.get_args(shape)[0]
    try:
        return TypeAdapter(shape).validate_python(data), []
    except ValidationError as exc:
        return None, to_problems(exc, item_model, located=located, path=rel, line_offset=0, root_label="ファイル")


@dataclass
class TaxonomyLoad:
    taxonomy: Taxonomy | None
    problems: list[Problem]


DIRECTORY = "taxonomy"


def load_taxonomy(root: Path) -> TaxonomyLoad:
    """Read and check every taxonomy file; ``taxonomy`` is None if any is unusable."""
    problems: list[Problem] = []
    parsed: dict[str, object] = {}
    located_files: dict[str, Located] = {}
    for name, filename in FILES.items():
        rel = f"{DIRECTORY}/{filename}"
        file = root / DIRECTORY / filename
        if safefiles.refusal(root, file):
            continue  # a link, FIFO...: never read; check reports it with the rest of taxonomy/
        if not file.is_file():
            problems.append(
                Problem(rel, 1, "ファイル", "taxonomy のファイルがありません", f"{rel} を作ってください", rules.TAXONOMY_MISSING)
            )
            continue
        text, read_problems = read_text(file, rel)
        problems.extend(read_problems)
        if text is None:
            continue
        located, issues = load(text)
        problems.extend(yaml_issue_problem(issue, rel, 0) for issue in issues)
        if located is None or issues:
            continue
        located_files[name] = located
        value, validation_problems = _validate(name, located.data, located, rel)
        problems.extend(validation_problems)
        if value is not None:
            parsed[name] = value
    if len(parsed) < len(FILES):
        return TaxonomyLoad(None, problems)

    prefectures: PrefecturesFile = parsed["prefectures"]  # type: ignore[assignment]
    keywords: KeywordsFile = parsed["keywords"]  # type: ignore[assignment]
    taxonomy = Taxonomy(
        regions=prefectures.regions,
        prefectures=Vocabulary(prefectures.prefectures),
        bands=sorted(parsed["bands"], key=lambda b: b.min),  # type: ignore[arg-type]
        publications=parsed["publications"],  # type: ignore[arg-type]
        categories=Vocabulary(parsed["categories"]),  # type: ignore[arg-type]
        groups=keywords.groups,
        keywords=Vocabulary(keywords.keywords),
        schemes=Vocabulary(parsed["schemes"]),  # type: ignore[arg-type]
        roles=Vocabulary(parsed["roles"]),  # type: ignore[arg-type]
        glossary=parsed["glossary"],  # type: ignore[arg-type]
    )
    problems.extend(_TaxonomyChecker(taxonomy, located_files).run())
    return TaxonomyLoad(taxonomy, problems)


class _TaxonomyChecker:
    """Rules across taxonomy entries: uniqueness, references, readings, bands."""

    def __init__(self, taxonomy: Taxonomy, located: dict[str, Located]) -> None:
        self.t = taxonomy
        self.located = located
        self.problems: list[Problem] = []

    def _add(self, file_key: str, path: tuple, field_name: str, message: str, hint: str, rule) -> None:
        line = self.located[file_key].line_of(path)
        self.problems.append(Problem(f"{DIRECTORY}/{FILES[file_key]}", line, field_name, message, hint, rule))

    def run(self) -> list[Problem]:
        self._unique_names("prefectures", ("prefectures",), self.t.prefectures)
        self._unique_ids("publications", (), self.t.publications)
        self._unique_names("categories", (), self.t.categories)
        self._unique_names("keywords", ("keywords",), self.t.keywords)
        self._unique_names("schemes", (), self.t.schemes)
        self._unique_names("roles", (), self.t.roles)
        self._unique_ids("prefectures", ("regions",), self.t.regions)
        self._unique_ids("bands", (), self.t.bands)
        self._unique_ids("keywords", ("groups",), self.t.groups)
        self._unique_ids("glossary", (), self.t.glossary)
        self._prefectures()
        self._bands()
        self._references()
        self._readings()
        return self.problems

    def _unique_ids(self, file_key: str, base: tuple, entries: Iterable) -> None:
        seen: dict[str, int] = {}
        for index, entry in enumerate(entries):
            if entry.id in seen:
                self._add(
                    file_key,
                    base + (index, "id"),
                    _field(base, index, "id"),
                    f"id「{entry.id}」が {seen[entry.id] + 1} 件目と重複しています",
                    "別の id にしてください",
                    rules.TAXONOMY_DUPLICATE,
                )
            seen.setdefault(entry.id, index)

    def _unique_names(self, file_key: str, base: tuple, vocabulary: Vocabulary) -> None:
        self._unique_ids(file_key, base, vocabulary)
        seen: dict[str, tuple[int, str, str]] = {}
        for index, entry in enumerate(vocabulary):
            names = [("label", entry.label)] + [
                (f"aliases[{i}]", alias) for i, alias in enumerate(getattr(entry, "aliases", []))
            ]
            for attr, name in names:
                key = compare_key(name)
                if key in seen and seen[key][0] != index:
                    other_index, other_label, other_attr = seen[key]
                    kind = "見出し語" if other_attr == "label" else "別表記"
                    self._add(
                        file_key,
                        base + (index,) + _attr_path(attr),
                        _field(base, index, attr),
                        f"「{name}」は {other_index + 1} 件目「{other_label}」の{kind}と同じ語です",
                        "見出し語と別表記は、一つの項目にだけ書いてください",
                        rules.TAXONOMY_DUPLICATE,
                    )
                seen.setdefault(key, (index, entry.label, attr))

    def _prefectures(self) -> None:
        count = len(self.t.prefectures)
        codes = sorted(p.code for p in self.t.prefectures)
        if count != 47 or codes != list(range(1, 48)):
            self._add(
                "prefectures",
                ("prefectures",),
                "prefectures",
                f"都道府県が {count} 件あります（番号 1〜47 が1件ずつ必要です）",
                "47都道府県をすべて、code 1〜47 で1回ずつ書いてください",
                rules.TAXONOMY_PREFECTURES,
            )

    def _bands(self) -> None:
        bands = self.t.bands
        expected_min = 1
        for band in bands:
            index = next(i for i, b in enumerate(self.located["bands"].data) if b.get("id") == band.id)
            if band.min != expected_min:
                self._add(
                    "bands",
                    (index, "min"),
                    f"[{index}].min",
                    f"区分「{band.label}」の min {band.min} が前の区分の続き（{expected_min}）になっていません",
                    "区分は 1 から始め、前の区分の max + 1 を次の min にしてください",
                    rules.TAXONOMY_BANDS,
                )
            if band.max is None:
                if band is not bands[-1]:
                    self._add("bands", (index,), f"[{index}]", f"区分「{band.label}」に max がありません", "max を省けるのは最後の区分だけです", rules.TAXONOMY_BANDS)
                break
            if band.max < band.min:
                self._add("bands", (index, "max"), f"[{index}].max", f"区分「{band.label}」の max が min より小さくなっています", "max は min 以上にしてください", rules.TAXONOMY_BANDS)
            expected_min = band.max + 1
        if bands and bands[-1].max is not None:
            index = len(bands) - 1
            self._add("bands", (index, "max"), f"[{index}].max", "最後の区分に max があるため、それより多い人口の団体が区分に入りません", "最後の区分の max を消してください", rules.TAXONOMY_BANDS)

    def _missing(self, file_key: str, path: tuple, field_name: str, what: str, value: str, known: list[str]) -> None:
        close = difflib.get_close_matches(value, known, n=1, cutoff=0.5)
        hint = f"もしかして「{close[0]}」ですか？" if close else f"登録済みの{what}を書いてください"
        self._add(file_key, path, field_name, f"{what}「{value}」がありません", hint, rules.TAXONOMY_REFERENCE)

    def _references(self) -> None:
        region_ids = [r.id for r in self.t.regions]
        for i, pref in enumerate(self.t.prefectures):
            if pref.region not in region_ids:
                self._missing("prefectures", ("prefectures", i, "region"), f"prefectures[{i}].region", "地方", pref.region, region_ids)
        publication_ids = [p.id for p in self.t.publications]
        for i, category in enumerate(self.t.categories):
            if category.publication not in publication_ids:
                self._missing("categories", (i, "publication"), f"[{i}].publication", "出典資料", category.publication, publication_ids)
        for i, term in enumerate(self.t.glossary):
            if term.publication not in publication_ids:
                self._missing("glossary", (i, "publication"), f"[{i}].publication", "出典資料", term.publication, publication_ids)
        group_ids = [g.id for g in self.t.groups]
        terms = [t.term for t in self.t.glossary]
        for i, keyword in enumerate(self.t.keywords):
            if keyword.group not in group_ids:
                self._missing("keywords", ("keywords", i, "group"), f"keywords[{i}].group", "グループ", keyword.group, group_ids)
            if keyword.broader is not None:
                resolved = self.t.keywords.resolve(keyword.broader)
                if resolved is None or not resolved.exact or resolved.entry is keyword:
                    self._missing("keywords", ("keywords", i, "broader"), f"keywords[{i}].broader", "キーワード", keyword.broader, [k.label for k in self.t.keywords if k is not keyword])
                elif self._loops(keyword):
                    self._add(
                        "keywords",
                        ("keywords", i, "broader"),
                        f"keywords[{i}].broader",
                        f"「{keyword.label}」の broader をたどると自分自身に戻ります",
                        "broader は、より広い意味のキーワードへ一方向にだけ向けてください",
                        rules.TAXONOMY_REFERENCE,
                    )
            for j, related in enumerate(keyword.related):
                resolved = self.t.keywords.resolve(related)
                if resolved is None or not resolved.exact:
                    self._missing("keywords", ("keywords", i, "related", j), f"keywords[{i}].related[{j}]", "キーワード", related, [k.label for k in self.t.keywords])
            for j, term in enumerate(keyword.glossary):
                if term not in terms:
                    self._missing("keywords", ("keywords", i, "glossary", j), f"keywords[{i}].glossary[{j}]", "用語", term, terms)

    def _loops(self, keyword: Keyword) -> bool:
        seen = {keyword.label}
        current = keyword
        while current.broader is not None:
            resolved = self.t.keywords.resolve(current.broader)
            if resolved is None:
                return False
            current = resolved.entry
            if current.label in seen:
                return True
            seen.add(current.label)
        return False

    def _readings(self) -> None:
        checks = [("prefectures", ("prefectures",), self.t.prefectures), ("keywords", ("keywords",), self.t.keywords), ("glossary", (), self.t.glossary)]
        for file_key, base, entries in checks:
            for i, entry in enumerate(entries):
                if not is_hiragana_reading(entry.reading):
                    self._add(
                        file_key,
                        base + (i, "reading"),
                        _field(base, i, "reading"),
                        f"よみ「{entry.reading}」がひらがなではありません",
                        "あいうえお順に並べるため、ひらがなと「ー」だけで書いてください（例: おーじぇいてぃー）",
                        rules.TAXONOMY_READING,
                    )


def _attr_path(attr: str) -> tuple:
    if attr.startswith("aliases["):
        return ("aliases", int(attr[len("aliases[") : -1]))
    return (attr,)


def _field(base: tuple, index: int, attr: str) -> str:
    prefix = ".".join(str(b) for b in base)
    return f"{prefix}[{index}].{attr}"
