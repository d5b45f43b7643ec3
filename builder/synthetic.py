"""A synthetic national library of cases, for scale tests and ``make bench``: ``python -m builder synth N``.

The N cases are valid and look like a real library rather than copies of the real ones:

- every text is recombined from sentences, bullets and tables of the real cases (mostly of the
  real cases that share the synthetic case's keywords, so a case still reads as one topic), with
  the real organisation's name replaced by the synthetic one's;
- names of organisations are new (prefecture + invented place name + 市/町/村/区), and so are some
  project and tool names (「…プロジェクト」), drawn from a Pitman-Yor process: the distinct names
  grow like N^0.5 (Heaps' law), so the vocabulary, and with it the search index, grows with N;
- the labels follow the real cases and the taxonomy: keywords Zipf-distributed by their real
  frequency and favouring those the real cases use with the same category; categories, schemes,
  roles and which optional fields a case has, by publication, as the real cases have them;
- organisations follow the country: prefectures by their number of municipalities, kinds with
  consistent populations (村 and 町 small, a few 政令市 large, 都道府県 their own population), most
  organisations with one case and a few with 2 or 3, never more;
- every case has an interview, answers drawn from real answers to the same question.

Generation is sequential with one seeded RNG, so a seed gives the same bytes every time, and the
first cases of a larger library are those of a smaller one with the same seed.

It ships in ``builder`` (not ``tools``) because it is a ``python -m builder`` command that reads
the project through the builder's own validation, like ``eval-similar --scale``; it only ever
writes a new project folder, never into the project it reads.
"""

from __future__ import annotations

import math
import random
import re
import shutil
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import yaml

from builder.models import Case, Organisation
from builder.project import Project
from builder.taxonomy import Prefecture, Taxonomy
from builder.validate import Entry, check_project

COPIED = ("taxonomy", "pages", "site_overrides", "mkdocs.yml")  # a project without cases/

# (population in thousands, number of municipalities) by prefecture code, 2020 census; weights only.
_PREFECTURE_FACTS = [
    (5225, 179), (1238, 40), (1211, 33), (2302, 35), (960, 25), (1068, 35), (1833, 59), (2867, 44), (1933, 25),
    (1939, 35), (7345, 63), (6284, 54), (14048, 62), (9237, 33), (2201, 30), (1035, 15), (1133, 19), (767, 17),
    (810, 27), (2048, 77), (1979, 42), (3633, 35), (7542, 54), (1770, 29), (1414, 19), (2578, 26), (8838, 43),
    (5465, 41), (1324, 39), (923, 30), (553, 19), (671, 19), (1888, 27), (2800, 23), (1342, 19), (720, 24),
    (950, 17), (1335, 20), (692, 34), (5135, 60), (811, 20), (1312, 21), (1738, 45), (1124, 18), (1070, 26),
    (1588, 43), (1467, 41),
]  # fmt: skip

# Invented place names are two or three of these, with a reading that makes the case id.
_PLACE_KANJI = {
    "山": "yama", "川": "kawa", "田": "ta", "野": "no", "原": "hara", "島": "shima", "沢": "sawa", "浜": "hama",
    "松": "matsu", "岡": "oka", "橋": "hashi", "本": "moto", "北": "kita", "南": "minami", "東": "higashi",
    "西": "nishi", "大": "o", "小": "ko", "高": "taka", "長": "naga", "宮": "miya", "富": "tomi", "美": "mi",
    "和": "wa", "平": "hira", "中": "naka", "上": "kami", "下": "shimo", "石": "ishi", "井": "i", "森": "mori",
    "林": "hayashi", "里": "sato", "谷": "tani", "崎": "saki", "津": "tsu", "瀬": "se", "浦": "ura", "江": "e",
    "木": "ki", "竹": "take", "梅": "ume", "桜": "sakura", "鶴": "tsuru", "鹿": "shika", "熊": "kuma",
    "白": "shiro", "黒": "kuro", "赤": "aka", "青": "ao", "金": "kane", "玉": "tama", "若": "waka", "吉": "yoshi",
    "福": "fuku", "豊": "toyo", "栄": "sakae", "新": "shin", "古": "furu", "八": "ya", "千": "chi", "日": "hi",
    "星": "hoshi", "朝": "asa", "春": "haru", "秋": "aki", "泉": "izumi", "滝": "taki", "池": "ike", "坂": "saka",
    "峰": "mine", "台": "dai", "園": "sono", "花": "hana", "根": "ne", "室": "muro", "戸": "to", "岩": "iwa",
    "塩": "shio", "糸": "ito",
}  # fmt: skip

# Katakana syllables of coined project and tool names.
_MORAE = (
    "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワ"
    "ガギグゲゴザジズゼゾダデドバビブベボパピプペポ"
)
_NAME_SUFFIXES = (
    "ワーキンググループ", "プロジェクト", "アカデミー", "推進会議", "研修", "計画", "プラン", "制度", "講座", "ラボ",
    "チーム", "事業", "アプリ", "ツール", "塾",
)  # fmt: skip

_KINDS = {"市": 0.60, "町": 0.28, "村": 0.08, "区": 0.04}  # of municipal cases; a library over-represents 市
_PREFECTURE_SHARE = 0.08  # cases of a prefecture itself, while prefectures last (3 cases each at most)
_GROUP_SIZES = {1: 0.92, 2: 0.06, 3: 0.02}  # cases per organisation
_MAX_WARDS, _MAX_DESIGNATED = 23, 20  # as many as 東京都 has 特別区 and Japan has 政令市
_DESIGNATED_SHARE = 0.04  # of 市
_POPULATION = {  # log-normal: median, sigma, clamp
    "市": (60_000, 0.8, 3_000, 690_000),
    "町": (11_000, 0.75, 1_000, 50_000),
    "村": (3_500, 0.8, 150, 40_000),
    "区": (280_000, 0.5, 50_000, 950_000),
}
_URL_HOST = {"市": "city", "区": "city", "町": "town", "村": "vill", "都道府県": "pref"}
_CATALOG_ORG_TYPE = {"市": "市区", "区": "市区", "町": "町村", "村": "町村", "都道府県": "都道府県"}
_ZIPF_S = 0.5  # with 3–8 keywords a case drawn without replacement, the top keyword lands in about a quarter of the cases, as in the real ones

_LINE_STARTS = ("Ｑ：", "Q:", "※", "・", "①", "②", "③", "④", "⑤")  # note lines, kept whole
_FRAGMENT_STARTS = tuple("をにがはのでへ、。）」")
_SENTENCE_RE = re.compile(r"[^。]*。|[^。]+$")
_QUOTED_RE = re.compile(r"「([^「」]{2,30})」")

K = TypeVar("K")


@dataclass(frozen=True)
class _Org:
    name: str
    prefecture: Prefecture
    kind: str
    stem: str  # the invented place name, or the prefecture's name
    slug: str  # for the case id
    population: int


@dataclass(frozen=True)
class _Unit:
    """A piece of real text and the real case it came from (whose organisation's name it may use)."""

    text: str
    origin: int


def _sentences(text: str) -> list[str]:
    """Sentences and note lines; a 「Ｑ：」 line stays with the 「Ａ：」 line that answers it."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    units: list[str] = []
    for line in lines:
        if units and line.startswith(("Ａ：", "A:")) and units[-1].startswith(("Ｑ：", "Q:")):
            units[-1] += "\n" + line
        elif line.startswith(_LINE_STARTS):
            units.append(line)
        else:
            units.extend(s.strip() for s in _SENTENCE_RE.findall(line) if s.strip())
    # A sentence the PDF broke over two lines leaves a tail starting with a particle: not a sentence.
    return [u for u in units if not u.startswith(_FRAGMENT_STARTS)]


def _stem(name: str, kind: str) -> str:
    if kind == "都道府県":
        return name if name == "北海道" else name[:-1]
    return name.removesuffix(kind)


class _Corpus:
    """The real cases cut into reusable pieces, and the statistics the labels follow."""

    def __init__(self, cases: list[Entry], taxonomy: Taxonomy) -> None:
        self.cases: list[Case] = [e.model for e in cases]  # type: ignore[misc]
        self.taxonomy = taxonomy
        self.by_publication: dict[str, list[int]] = defaultdict(list)
        for i, case in enumerate(self.cases):
            self.by_publication[case.source.publication].append(i)
        self.summaries: dict[int, list[str]] = {}
        self.titles: dict[int, list[str]] = {}
        self.answers: dict[str, list[_Unit]] = defaultdict(list)  # by question
        self.all_answers: list[_Unit] = []
        self.bullets: dict[int, list[str]] = defaultdict(list)
        self.paragraphs: dict[int, list[str]] = defaultdict(list)
        self.tables: list[_Unit] = []
        self.headings: list[_Unit] = []
        for i, (entry, case) in enumerate(zip(cases, self.cases)):
            self.summaries[i] = _sentences(case.summary or "")
            self.titles[i] = [p for p in case.title.split("、") if p]
            for qa in case.interview:
                units = [_Unit(s, i) for s in _sentences(qa.answer)]
                self.answers[qa.question].extend(units)
                self.all_answers.extend(units)
            self._cut_body(i, entry.body)
        self.renames = [self._renamer(case.organisation) for case in self.cases]
        self.keyword_rank = self._keyword_ranks()
        self.keywords_with_category: dict[str, set[str]] = defaultdict(set)
        for case in self.cases:
            self.keywords_with_category[case.category].update(case.keywords)
        self.scheme_counts = Counter(s for case in self.cases for s in case.schemes)
        self.role_counts = Counter(r for case in self.cases for r in case.roles)
        self.awards = sorted({a for case in self.cases for a in case.awards if "http" not in a})
        self.departments = sorted(
            {case.department.split(" ", 1)[1] for case in self.cases if case.department and " " in case.department}
        )
        self.link_titles = [_Unit(link.title, i) for i, case in enumerate(self.cases) for link in case.links]

    def _cut_body(self, origin: int, body: str) -> None:
        table: list[str] = []
        for line in body.split("\n") + [""]:
            if line.startswith("|"):
                table.append(line)
                continue
            if table:
                if len(table) >= 3:
                    self.tables.append(_Unit("\n".join(table), origin))
                table = []
            if line.startswith("## "):
                self.headings.append(_Unit(line[3:].strip(), origin))
            elif line.startswith("- "):
                self.bullets[origin].append(line[2:].strip())
            elif line.strip() and not line.startswith(("#", " ", ">", "1.", "(")):
                self.paragraphs[origin].extend(_sentences(line))

    def _renamer(self, organisation: Organisation) -> tuple[re.Pattern[str], tuple[str, str, str]]:
        full = organisation.name
        short = full if organisation.kind == "都道府県" else full.removeprefix(organisation.prefecture)
        stem = _stem(short, organisation.kind)
        sources = [s for s in dict.fromkeys((full, short, stem)) if len(s) >= 2]
        pattern = re.compile("|".join(re.escape(s) for s in sorted(sources, key=len, reverse=True)))
        return pattern, (full, short, stem)

    def _keyword_ranks(self) -> dict[str, int]:
        counts = Counter(k for case in self.cases for k in case.keywords)
        order = sorted(self.taxonomy.keywords, key=lambda k: -counts[k.label])  # stable: ties in taxonomy order
        return {k.label: rank for rank, k in enumerate(order)}

    def rename(self, unit: _Unit, org: _Org) -> str:
        pattern, (full, short, stem) = self.renames[unit.origin]
        # Later keys win: a prefecture's name is both its full and short name, and becomes the short one.
        mine = {stem: org.stem, full: org.name}
        mine[short] = org.name if org.kind == "都道府県" else org.name.removeprefix(org.prefecture.label)
        return pattern.sub(lambda m: mine[m.group()], unit.text)


class _Coinage:
    """New names from a Pitman-Yor process: reused in proportion to use, new ones ever rarer (Heaps' law)."""

    def __init__(self, rng: random.Random, discount: float = 0.5, concentration: float = 10.0) -> None:
        self.rng, self.d, self.theta = rng, discount, concentration
        self.names: list[str] = []
        self.counts: list[int] = []
        self.seen: set[str] = set()

    def draw(self) -> str:
        n, k = sum(self.counts), len(self.counts)
        if not k or self.rng.random() < (self.theta + self.d * k) / (self.theta + n):
            name = self._coin()
            self.names.append(name)
            self.counts.append(1)
            return name
        i = self.rng.choices(range(k), weights=[c - self.d for c in self.counts])[0]
        self.counts[i] += 1
        return self.names[i]

    def _coin(self) -> str:
        while True:
            name = "".join(self.rng.choice(_MORAE) for _ in range(self.rng.randint(2, 4)))
            if self.rng.random() < 0.4:
                name += "ー" if self.rng.random() < 0.5 else "ン"
            if name not in self.seen:
                self.seen.add(name)
                return name


def _pick(rng: random.Random, weights: Mapping[K, float]) -> K:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _sample(rng: random.Random, weights: Mapping[str, float], k: int) -> list[str]:
    """k distinct keys, each drawn in proportion to its weight among those left."""
    left = dict(weights)
    chosen: list[str] = []
    while left and len(chosen) < k:
        key = _pick(rng, left)
        chosen.append(key)
        del left[key]
    return chosen


class _Places:
    """Invented organisations, one name per prefecture and place name, prefectures used once."""

    def __init__(self, rng: random.Random, taxonomy: Taxonomy) -> None:
        self.rng = rng
        self.prefectures = sorted(taxonomy.prefectures, key=lambda p: p.code)
        self.weights = {p.label: self._facts(p)[1] for p in self.prefectures}
        self.by_label = {p.label: p for p in self.prefectures}
        self.unused_prefectures = [p.label for p in self.prefectures]
        self.taken: set[tuple[str, str]] = set()  # (prefecture, place name or its reading)
        stems = [p.label if p.label == "北海道" else p.label[:-1] for p in self.prefectures]
        self.reserved = [s for s in stems if len(s) >= 2]  # no 「福島」 in a place name: a query would read it as the prefecture
        self.wards = self.designated = 0

    @staticmethod
    def _facts(prefecture: Prefecture) -> tuple[int, int]:
        return _PREFECTURE_FACTS[prefecture.code - 1] if 1 <= prefecture.code <= len(_PREFECTURE_FACTS) else (1500, 30)

    def next(self) -> _Org:
        rng = self.rng
        if self.unused_prefectures and rng.random() < _PREFECTURE_SHARE:
            label = self.unused_prefectures.pop(rng.randrange(len(self.unused_prefectures)))
            prefecture = self.by_label[label]
            population = self._facts(prefecture)[0] * 1000 + rng.randrange(-499, 500)
            return _Org(label, prefecture, "都道府県", _stem(label, "都道府県"), prefecture.id, population)
        kind = _pick(rng, _KINDS)
        if kind == "区" and self.wards >= _MAX_WARDS:
            kind = "市"
        tokyo = next((p for p in self.prefectures if p.label == "東京都"), None)
        if kind == "区" and tokyo is None:
            kind = "市"
        prefecture = tokyo if kind == "区" else self.by_label[_pick(rng, self.weights)]
        assert prefecture is not None
        self.wards += kind == "区"
        stem, reading = self._place(prefecture.label)
        designated = kind == "市" and self.designated < _MAX_DESIGNATED and rng.random() < _DESIGNATED_SHARE
        if designated:
            self.designated += 1
            population = round(math.exp(rng.uniform(math.log(700_000), math.log(3_800_000))))
        else:
            median, sigma, low, high = _POPULATION[kind]
            population = min(high, max(low, round(rng.lognormvariate(math.log(median), sigma))))
        return _Org(f"{prefecture.label}{stem}{kind}", prefecture, kind, stem, f"{prefecture.id}-{reading}", population)

    def _place(self, prefecture: str) -> tuple[str, str]:
        kanji = list(_PLACE_KANJI)
        while True:
            parts = [self.rng.choice(kanji) for _ in range(2 if self.rng.random() < 0.8 else 3)]
            stem, reading = "".join(parts), "".join(_PLACE_KANJI[k] for k in parts)
            if len(set(parts)) < len(parts) or any(r in stem for r in self.reserved):
                continue
            if (prefecture, stem) in self.taken or (prefecture, reading) in self.taken:
                continue
            self.taken.update({(prefecture, stem), (prefecture, reading)})
            return stem, reading


def _population_fields(value: int, publication: str) -> dict[str, object]:
    """The population as each publication prints it; the value is what the text says."""
    if publication == "senshin-jirei":
        return {"value": value, "text": f"{value:,}人", "as_of": "令和2年度国調"}
    if publication == "talent-casebook" and value >= 1000:
        value = round(value, -3)
        return {"value": value, "text": f"{value / 10_000:,.1f}万人"}
    value = max(100, round(value, -3 if value >= 10_000 else -2))
    return {"value": value, "text": f"約{value:,}人"}


class _Generator:
    def __init__(self, corpus: _Corpus, seed: int) -> None:
        self.c = corpus
        self.rng = random.Random(seed)
        self.places = _Places(self.rng, corpus.taxonomy)
        self.coinage = _Coinage(self.rng)
        self.ids: set[str] = {case.id for case in corpus.cases}  # never a real case's id: the two may meet in one folder
        self.items: Counter[str] = Counter()

    def organisations(self) -> Iterator[_Org]:
        """Each organisation once per case: once, sometimes twice or three times."""
        while True:
            org = self.places.next()
            for _ in range(_pick(self.rng, _GROUP_SIZES)):
                yield org

    def case(self, org: _Org, publications_used: list[str]) -> tuple[str, str]:
        rng, c = self.rng, self.c
        weights = {p: len(ids) for p, ids in sorted(c.by_publication.items()) if p not in publications_used}
        publication = _pick(rng, weights or {p: len(ids) for p, ids in sorted(c.by_publication.items())})
        publications_used.append(publication)
        template = c.cases[rng.choice(c.by_publication[publication])]  # which fields, how many labels, which questions
        is_prefecture = org.kind == "都道府県"
        similar_kind = [i for i in c.by_publication[publication] if (c.cases[i].organisation.kind == "都道府県") == is_prefecture]
        category = c.cases[rng.choice(similar_kind or c.by_publication[publication])].category
        keywords = self._keywords(category, len(template.keywords), is_prefecture)
        donors = self._donors(keywords, category)

        data: dict[str, object] = {"id": self._id(org, publication)}
        data["title"] = self._title(donors, org)
        data["organisation"] = {"name": org.name, "prefecture": org.prefecture.label, "kind": org.kind}
        data["population"] = _population_fields(org.population, publication)
        data["category"] = category
        data["keywords"] = keywords
        if template.summary:
            units = self._units(donors, lambda i: c.summaries[i], rng.choice((1, 1, 1, 2)))
            data["summary"] = self._join(units, org, paragraph=False)
        data["source"] = self._source(publication)
        data["interview"] = self._interview(template, donors, org)
        if template.links:
            data["links"] = [self._link(org, n) for n in range(len(template.links))]
        if template.department:
            short = org.name if is_prefecture else org.name.removeprefix(org.prefecture.label)
            data["department"] = f"{short} {rng.choice(c.departments)}" if c.departments else f"{short} デジタル推進課"
        if template.awards and c.awards:
            data["awards"] = [rng.choice(c.awards)]
        if template.schemes:
            data["schemes"] = _sample(rng, {s.label: c.scheme_counts[s.label] + 0.5 for s in c.taxonomy.schemes}, len(template.schemes))
        if template.roles:
            data["roles"] = _sample(rng, {r.label: c.role_counts[r.label] + 0.5 for r in c.taxonomy.roles}, len(template.roles))
        if template.catalog:
            catalog = template.catalog.model_dump()
            catalog.update(fiscal_year=rng.choice(("R3", "R4", "R5")), org_type=_CATALOG_ORG_TYPE[org.kind])
            data["catalog"] = catalog
        body = self._body(donors, org, long=publication == "senshin-jirei")
        return str(data["id"]), "---\n" + _dump(data) + "---\n\n" + body + "\n"

    def _id(self, org: _Org, publication: str) -> str:
        base = f"{org.slug}-{publication}"
        case_id, n = base, 1
        while case_id in self.ids:
            n += 1
            case_id = f"{base}-{n}"
        self.ids.add(case_id)
        return case_id

    def _keywords(self, category: str, count: int, is_prefecture: bool) -> list[str]:
        c = self.c
        with_category = c.keywords_with_category[category]
        weights = {}
        for keyword in c.taxonomy.keywords:
            weight = 1 / (c.keyword_rank[keyword.label] + 1) ** _ZIPF_S
            weight *= 1.5 if keyword.label in with_category else 1
            weight *= 0.2 if keyword.group == "prefecture" and not is_prefecture else 1
            weights[keyword.label] = weight
        return _sample(self.rng, weights, count)

    def _donors(self, keywords: list[str], category: str) -> list[float]:
        """How much each real case lends its text: by shared keywords, and a little to every case."""
        return [1 + 3 * len(set(keywords) & set(case.keywords)) + (case.category == category) for case in self.c.cases]

    def _units(self, donors: list[float], pieces: Callable[[int], list[str]], count: int) -> list[_Unit]:
        """``count`` pieces, each from a real case drawn by ``donors`` among those that have such pieces."""
        having = [i for i in range(len(donors)) if pieces(i)]
        if not having:
            return []
        chosen = self.rng.choices(having, weights=[donors[i] for i in having], k=count)
        return [_Unit(self.rng.choice(pieces(i)), i) for i in chosen]

    def _text(self, unit: _Unit, org: _Org) -> str:
        text = self.c.rename(unit, org)
        return _QUOTED_RE.sub(lambda m: self._coined(m, org), text)

    def _coined(self, match: re.Match[str], org: _Org) -> str:
        inner = match.group(1)
        suffix = next((s for s in _NAME_SUFFIXES if inner.endswith(s)), None)
        if suffix is None or self.rng.random() < 0.5:
            return match.group()
        prefix = org.stem if self.rng.random() < 0.3 else ""
        return f"「{prefix}{self.coinage.draw()}{suffix}」"

    def _join(self, units: list[_Unit], org: _Org, *, paragraph: bool = True) -> str:
        """Sentences run on; note and Q&A lines keep a line of their own (in a paragraph)."""
        out, previous_line = "", False
        for text in dict.fromkeys(self._text(u, org) for u in units):
            is_line = "\n" in text or text.startswith(_LINE_STARTS)
            if out and (is_line or previous_line) and paragraph:
                out += "\n"
            elif out and not out.endswith(("。", "）", ")")):
                out += "。"
            out += text
            previous_line = is_line
        return out if paragraph else out.replace("\n", "")

    def _title(self, donors: list[float], org: _Org) -> str:
        count = 1 if self.rng.random() < 0.5 else 2
        units = self._units(donors, lambda i: self.c.titles[i], count)
        parts = list(dict.fromkeys(self._text(u, org) for u in units))
        return "、".join(parts)[:200]

    def _source(self, publication: str) -> dict[str, object]:
        self.items[publication] += 1
        n = self.items[publication]
        if publication == "talent-guidebook":
            return {"publication": publication, "page": 2 + (n * 7) % 120}
        if publication == "senshin-jirei":
            return {"publication": publication, "item": f"事例No.{1000 + n}"}
        return {"publication": publication, "item": str(n)}

    def _interview(self, template: Case, donors: list[float], org: _Org) -> list[dict[str, str]]:
        questions = [qa.question for qa in template.interview]
        if not questions:  # a case without an interview borrows the questions of one that has them
            questions = [qa.question for qa in self.rng.choice([c for c in self.c.cases if c.interview]).interview]
        interview = []
        for question in questions:
            pool = self.c.answers.get(question, [])
            if len({u.origin for u in pool}) < 2:  # a question asked once: any real answer will do
                pool = self.c.all_answers
            weights = [donors[u.origin] for u in pool]
            paragraphs = []
            for _ in range(self.rng.choice((1, 1, 2, 2, 3))):
                units = self.rng.choices(pool, weights=weights, k=self.rng.randint(1, 4))
                paragraphs.append(self._join(units, org))
            interview.append({"question": question, "answer": "\n\n".join(paragraphs)})
        return interview

    def _link(self, org: _Org, n: int) -> dict[str, str]:
        pieces = self.c.link_titles
        title = self._text(self.rng.choice(pieces), org) if pieces else f"{org.name}のDX推進"
        host = f"www.{_URL_HOST[org.kind]}.{org.slug.split('-', 1)[-1]}.{org.prefecture.id}.lg.jp"
        if org.kind == "都道府県":
            host = f"www.pref.{org.prefecture.id}.lg.jp"
        return {"title": title, "url": f"https://{host}/soshiki/dx/{1000 + self.rng.randrange(9000)}.html"}

    def _body(self, donors: list[float], org: _Org, *, long: bool) -> str:
        rng, c = self.rng, self.c
        sections = []
        for n in range(rng.randint(4, 7) if long else rng.choice((1, 1, 2, 2, 3))):
            if n == 0 and not long and rng.random() < 0.6:
                heading = "事業の概要"
            else:
                heading = self._text(rng.choice(c.headings), org) if c.headings else "取組内容"
            lines = [f"## {heading}", ""]
            roll = rng.random()
            if roll < 0.12 and c.tables:
                lines.append(self._text(rng.choice(c.tables), org))
            elif roll < 0.3 or long:
                for _ in range(rng.randint(1, 3)):
                    units = self._units(donors, lambda i: c.paragraphs[i], rng.randint(1, 3))
                    if units:
                        lines += [self._join(units, org, paragraph=False), ""]
                lines += [f"- {self._text(u, org)}" for u in self._units(donors, lambda i: c.bullets[i], rng.randint(0, 3))]
            else:
                lines += [f"- {self._text(u, org)}" for u in self._units(donors, lambda i: c.bullets[i], rng.randint(2, 5))]
            sections.append("\n".join(lines).rstrip())
        return "\n\n".join(sections)


class _Dumper(yaml.SafeDumper):
    """YAML as contributors write it: block lists indented under their key, multi-line text as ``|-``."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _represent_str)


def _dump(data: dict[str, object]) -> str:
    # width: never fold a long line (a folded plain scalar is what a check rule warns about)
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1_000_000, default_flow_style=False)


def generate_cases(source: Path, count: int, seed: int) -> dict[str, str]:
    """``count`` case files (id -> text) made from the valid cases of the project at ``source``."""
    result = check_project(Project(source))
    if result.corpus is None or not result.corpus.cases:
        raise ValueError(f"{source} には合成の元になる正しい事例がありません")
    generator = _Generator(_Corpus(result.corpus.cases, result.corpus.taxonomy), seed)
    files: dict[str, str] = {}
    organisations = generator.organisations()
    used: dict[str, list[str]] = defaultdict(list)  # publications per organisation, so an organisation's cases differ
    while len(files) < count:
        org = next(organisations)
        case_id, text = generator.case(org, used[org.name])
        files[case_id] = text
    return files


def write_project(source: Path, out: Path, count: int, seed: int) -> int:
    """A copy of the project at ``source`` without its cases, with ``count`` synthetic ones in ``out/cases``."""
    source, out = source.resolve(), out.resolve()
    for folder in ("cases", "pages", "taxonomy"):
        if out == source / folder or (source / folder) in out.parents:
            raise ValueError(f"{out} はプロジェクトの {folder}/ の中です。プロジェクトの外のフォルダを指定してください")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ValueError(f"{out} は空のフォルダではありません。ないフォルダか空のフォルダを指定してください")
    if count < 1:
        raise ValueError("件数は1以上にしてください")
    files = generate_cases(source, count, seed)
    out.mkdir(parents=True, exist_ok=True)
    for name in COPIED:
        if (source / name).is_dir():
            shutil.copytree(source / name, out / name, symlinks=True)
        elif (source / name).is_file():
            shutil.copy(source / name, out / name)
    (out / "cases").mkdir()
    for case_id, text in files.items():
        (out / "cases" / f"{case_id}.md").write_text(text, encoding="utf-8")
    return len(files)
