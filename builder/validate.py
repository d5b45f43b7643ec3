"""``check``: validate every case and page against the schema and the taxonomy.

The result is both the list of problems and the corpus of valid documents,
with every label replaced by its canonical form, ready for page generation.
A document with schema errors stays out of the corpus; one with only other
problems (an unknown keyword, a stray radical) stays in, so a preview build
can still show it. A case file with schema errors becomes a ``Draft`` that
only the preview shows (see ``Corpus``).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import BaseModel, TypeAdapter, ValidationError

from builder import rules, safefiles, tracked_cache, workers
from builder.diagnostics import Problem, Rule
from builder.embedding.settings import for_project
from builder.loading import Document, read_document
from builder.model_errors import to_problems
from builder.models import PAGE_TYPES, Case, Slug
from builder.numbers import read_numbers, unparsed_numbers
from builder.project import SITE_CONFIG, Project
from builder.taxonomy import Resolution, Taxonomy, Vocabulary, load_taxonomy
from builder.yamlsource import Located, Path as YamlPath, format_path

_MARKUP_RE = re.compile(
    r"<\s*/?\s*[a-z][a-z0-9-]*(?:\s[^<>]*)?/?\s*>|<!--|\bon[a-z]{3,}\s*=|\b(?:java|vb)script\s*:|\bdata\s*:\s*text/html",
    re.IGNORECASE,
)
_FENCE_RE = re.compile(r"^\s{0,3}(```|~~~)")
_CODE_SPAN_RE = re.compile(r"(`+)(?:.+?)\1")
_HTML_IN_BODY_RE = re.compile(r"<(?!https?://|mailto:)\s*[a-z!/?]", re.IGNORECASE)
_LINK_RE = re.compile(r"\]\(\s*<?([^)\s>]*)")
_REF_DEF_RE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)")
_IMAGE_RE = re.compile(r"!\[[^\]]*\]\s*[(\[]")
_ATX_H1_RE = re.compile(r"^\s{0,3}#(?:\s|$)")
_SETEXT_H1_RE = re.compile(r"^\s{0,3}=+\s*$")
# A character every pattern of _body_problems needs (fence, heading, tag, image, link, reference).
_BODY_MARKS = re.compile(r"[`~#=<!\[\]]")
# Files checked in forked workers from this many on (builder/workers.py): a file takes about 0.6 ms,
# and sending its results back a sixth to a third of that again. At 1,000 files on a busy 2-core
# machine two workers took 1.2-2.3 s where one process took 0.8-1.1 s.
PARALLEL_FROM = 2000


@dataclass
class Entry:
    """A document that passed the schema, with labels made canonical."""

    rel: str
    model: BaseModel
    body: str
    body_line: int
    id_line: int

    @property
    def id(self) -> str:
        return self.model.id  # type: ignore[attr-defined]


@dataclass
class Draft:
    """A case file that did not pass the schema (or whose YAML did not parse): what could be read."""

    rel: str
    id: str  # the file name, which names its preview page
    data: dict  # the front matter as read, unvalidated ({} when it did not parse)
    body: str


@dataclass
class Corpus:
    """The validated documents, plus what a preview shows of the files with errors.

    A case that fails the schema is not in ``cases``: every stage trusts those models (an
    organisation name becomes a page name, a URL a link) and the public site is built from
    them alone. It is kept as a ``Draft``, whose page the preview renders from the raw
    values as escaped text, with the file's errors on top, so no stage has to cope with a
    half-valid model. A strict build stops on any error before it gets here.
    """

    taxonomy: Taxonomy
    cases: list[Entry] = field(default_factory=list)
    pages: list[Entry] = field(default_factory=list)
    drafts: list[Draft] = field(default_factory=list)  # one page each; in no listing, search or data file
    errors: dict[str, list[Problem]] = field(default_factory=dict)  # by file, for the preview's red boxes


@dataclass
class CheckResult:
    problems: list[Problem]
    corpus: Corpus | None
    files: int = 0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]


def check_project(project: Project, files: list[Path] | None = None) -> CheckResult:
    """Check the taxonomy and the given files (default: all cases and pages)."""
    taxonomy_load = load_taxonomy(project.root)
    problems = list(taxonomy_load.problems)
    taxonomy = taxonomy_load.taxonomy
    inputs = project.inputs(files)
    case_files, page_files = inputs.cases, inputs.pages
    # Links, FIFOs, devices...: reported here, never read (the readers skip them too).
    refused = {r.path: r for r in inputs.refused + project.support_refusals(site=files is None)}
    problems.extend(r.problem(project.rel(r.path)) for r in refused.values())
    if files is None:
        problems.extend(_site_folder_problems(project))
        problems.extend(tracked_cache.problems(project.root, for_project(project).configured_cache(project.root)))
    corpus = Corpus(taxonomy) if taxonomy else None
    drafts: list[Draft] = []
    labels: dict[tuple[int, str], Resolution | None] = {}  # label lookups, shared by the files of a process (the same few labels)
    jobs: list[tuple[Path, type[BaseModel] | None]] = [(file, Case) for file in case_files] + [(file, None) for file in page_files]
    from builder.check_cache import CheckCache  # here: it builds on this module's Entry and Draft

    cache = CheckCache(project)  # unchanged files keep their verdict (issue 12)
    checked = cache.verdicts(jobs, lambda todo: workers.ordered_map(lambda job: _check_one(project, job[0], job[1], taxonomy, labels), todo, min_items=PARALLEL_FROM))
    cache.close(prune=files is None)
    for (_, model), (entry, found) in zip(jobs, checked):
        problems.extend(found)
        if model is Case and isinstance(entry, Draft):
            drafts.append(entry)
        elif isinstance(entry, Entry) and corpus:
            (corpus.cases if model is Case else corpus.pages).append(entry)
    if corpus:
        for entries in (corpus.cases, corpus.pages):
            duplicates = _duplicate_ids(entries)
            problems.extend(duplicates)
            # The second file with an id gets no page (two pages at one path would stop the preview).
            entries[:] = [e for e in entries if not any(p.path == e.rel for p in duplicates)]
        corpus.cases.sort(key=lambda e: e.id)
        corpus.pages.sort(key=lambda e: e.id)
        taken = {e.id for e in corpus.cases}
        for draft in drafts:
            if _is_id(draft.id) and draft.id not in taken:  # else it is listed on the preview's home page only
                taken.add(draft.id)
                corpus.drafts.append(draft)
        for problem in problems:
            if problem.is_error:
                corpus.errors.setdefault(problem.path, []).append(problem)
    problems.sort(key=Problem.sort_key)
    if corpus:
        for found in corpus.errors.values():
            found.sort(key=Problem.sort_key)
    return CheckResult(problems, corpus, len(case_files) + len(page_files) + len(inputs.refused))


def _site_folder_problems(project: Project) -> list[Problem]:
    """mkdocs.yml must not publish a folder outside the project (links on the way are refused where they are)."""
    return [
        safefiles.problem(SITE_CONFIG, safefiles.OUTSIDE, line=folder.line, field=folder.setting)
        for folder in project.site_folders()
        if not safefiles.below(project.root, folder.path)
    ]


def _is_id(value: str) -> bool:
    try:
        TypeAdapter(Slug).validate_python(value)
    except ValidationError:
        return False
    return True


def _draft(doc: Document, file: Path, model: type[BaseModel] | None, data: object) -> Draft | None:
    """What the preview shows of a case file that failed: only cases, and only text that was read."""
    if model is not Case or doc.text is None:
        return None
    return Draft(doc.rel, file.stem, data if isinstance(data, dict) else {}, doc.body)


def _check_one(
    project: Project,
    file: Path,
    model: type[BaseModel] | None,
    taxonomy: Taxonomy | None,
    labels: dict[tuple[int, str], Resolution | None] | None = None,
) -> tuple[Entry | Draft | None, list[Problem]]:
    rel = project.rel(file)
    doc = read_document(file, rel)
    problems = list(doc.problems)
    if doc.located is None or any(p.rule.id.startswith("yaml") for p in problems):
        problems = _unparsed(doc, problems, [model] if model else list(PAGE_TYPES.values()))
        return _draft(doc, file, model, doc.data), problems
    data = doc.located.data
    assert isinstance(data, dict) and doc.body_line is not None
    model = model or _page_model(data, doc, problems)
    if model is None:
        return None, problems
    data, found = read_numbers(data, doc.located, model, rel, line_offset=1)
    problems.extend(found)
    problems.extend(_markup_problems(doc))
    problems.extend(_body_problems(doc))
    resolver = _Resolver(taxonomy, doc, labels) if taxonomy else None
    update = resolver.check(data, is_case=model is Case) if resolver else {}
    if resolver:
        problems.extend(resolver.problems)
    try:
        instance = model.model_validate(data)
    except ValidationError as exc:
        problems.extend(to_problems(exc, model, located=doc.located, path=rel, line_offset=1))
        return _draft(doc, file, model, data), problems
    id_line = doc.located.line_of(("id",)) + 1
    if instance.id != file.stem:  # type: ignore[attr-defined]
        problems.append(
            Problem(
                rel,
                id_line,
                "id",
                f"id「{instance.id}」がファイル名「{file.name}」と一致しません",  # type: ignore[attr-defined]
                f"id を「{file.stem}」にするか、ファイル名を「{instance.id}.md」にしてください",  # type: ignore[attr-defined]
                rules.ID_MISMATCH,
            )
        )
    if resolver is None:
        return None, problems
    if resolver.prefecture:
        update["organisation"] = instance.organisation.model_copy(update={"prefecture": resolver.prefecture})  # type: ignore[attr-defined]
    return Entry(rel, instance.model_copy(update=update), doc.body, doc.body_line, id_line), problems


_UNPARSED_NOTE = "（この誤りを直すと、ほかの項目も確認します）"
_BLOCKING = ("yaml-", rules.FRONT_MATTER_MISSING.id, rules.FRONT_MATTER_UNCLOSED.id)


def _unparsed(doc: Document, problems: list[Problem], models: list[type[BaseModel]]) -> list[Problem]:
    """A file whose front matter could not be read: what can be checked without it, and a note that the rest waits."""
    if doc.text is not None and doc.located is None and doc.body_line is not None:
        yaml_lines = doc.text.split("\n")[1 : doc.body_line - 2]
        problems = problems + unparsed_numbers(yaml_lines, models, doc.rel, first_line=2)
    blocking = sorted((p for p in problems if p.rule.id.startswith(_BLOCKING)), key=Problem.sort_key)
    if blocking:
        first = blocking[0]
        problems = [replace(p, hint=p.hint + _UNPARSED_NOTE) if p is first else p for p in problems]
    return problems


def _page_model(data: dict, doc: Document, problems: list[Problem]) -> type[BaseModel] | None:
    kind = data.get("type")
    if kind in PAGE_TYPES:
        return PAGE_TYPES[kind]
    assert doc.located is not None
    line = doc.located.line_of(("type",)) + 1 if "type" in data else 1
    problems.append(
        Problem(
            doc.rel,
            line,
            "type",
            "ページの種類（type）がありません" if kind is None else f"ページの種類「{kind}」はありません",
            "type に " + "・".join(PAGE_TYPES) + " のいずれかを書いてください",
            rules.REQUIRED if kind is None else rules.VALUE,
        )
    )
    return None


def _strings(value: object, path: YamlPath = ()) -> list[tuple[YamlPath, str]]:
    if isinstance(value, str):
        return [(path, value)]
    if isinstance(value, dict):
        return [item for key, sub in value.items() for item in _strings(sub, path + (key,))]
    if isinstance(value, list):
        return [item for i, sub in enumerate(value) for item in _strings(sub, path + (i,))]
    return []


def _texts(value: object, texts: list[str]) -> list[str]:
    """Every text of ``value`` but URLs, in ``texts`` (for one search of them all)."""
    if isinstance(value, str):
        texts.append(value)
    elif isinstance(value, dict):
        for key, sub in value.items():
            if key != "url" or not isinstance(sub, str):  # as _markup_problems skips them
                _texts(sub, texts)
    elif isinstance(value, list):
        for sub in value:
            _texts(sub, texts)
    return texts


def _markup_problems(doc: Document) -> list[Problem]:
    """HTML or script in any text field: shown as text on the site, but surely a mistake."""
    assert doc.located is not None
    # One search of all the texts first: a match in one text is a match in them joined by line
    # breaks (the pattern looks behind a match only for a word boundary, which a line break is).
    if not _MARKUP_RE.search("\n".join(_texts(doc.located.data, []))):
        return []
    problems = []
    for path, text in _strings(doc.located.data):
        if path and path[-1] == "url":  # URLs have their own rule
            continue
        match = _MARKUP_RE.search(text)
        if match:
            problems.append(
                Problem(
                    doc.rel,
                    doc.located.line_of(path) + 1,
                    format_path(path),
                    f"HTML やスクリプトのような文字列「{match.group()[:40]}」があります",
                    "項目には資料の文章だけを書きます。HTML のタグや「on…=」「javascript:」は消してください",
                    rules.MARKUP,
                )
            )
    return problems


def _body_problems(doc: Document) -> list[Problem]:
    assert doc.body_line is not None
    problems = []
    in_fence = False
    lines = doc.body.split("\n")
    for offset, line in enumerate(lines):
        if not _BODY_MARKS.search(line):
            continue  # most lines: plain text, in which no rule below can match
        number = doc.body_line + offset
        if _FENCE_RE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        text = _CODE_SPAN_RE.sub("", line)
        found: list[tuple[Rule, str, str]] = []
        setext_h1 = offset and _SETEXT_H1_RE.match(text) and lines[offset - 1].strip()
        if _ATX_H1_RE.match(text) or setext_h1:
            found.append((rules.BODY_HEADING, "本文に大見出し（# ）があります", "ページの大見出しはタイトル（title）から作られます。本文の見出しは「## 」から始めてください"))
        if _HTML_IN_BODY_RE.search(text):
            found.append((rules.BODY_HTML, "本文に HTML のタグがあります", "本文は Markdown で書きます。表は「| 列 | 列 |」、強調は「**語**」、改行は空行で表してください"))
        if _IMAGE_RE.search(text):
            found.append((rules.BODY_IMAGE, "本文に画像があります", "画像は使えません。図の内容は表や箇条書きで書き起こしてください"))
        targets = _LINK_RE.findall(text)
        ref = _REF_DEF_RE.match(text)
        if ref:
            targets.append(ref.group(1))
        for target in targets:
            scheme = urlsplit(target).scheme.lower()
            if scheme not in ("", "http", "https", "mailto"):
                found.append((rules.BODY_LINK, f"「{scheme}:」で始まるリンクは使えません", "リンク先は http:// か https:// で始まる URL か、他の事例のファイル名（例: other-case.md）にしてください"))
        problems.extend(Problem(doc.rel, number, "本文", message, hint, rule) for rule, message, hint in found)
    return problems


def _duplicate_ids(entries: list[Entry]) -> list[Problem]:
    first: dict[str, Entry] = {}
    problems = []
    for entry in entries:
        if entry.id in first:
            problems.append(
                Problem(
                    entry.rel,
                    entry.id_line,
                    "id",
                    f"id「{entry.id}」は {first[entry.id].rel} でも使われています",
                    "id は事例ごとに変えてください（ファイル名も合わせて変えます）",
                    rules.DUPLICATE_ID,
                )
            )
        else:
            first[entry.id] = entry
    return problems


class _Resolver:
    """Checks labels against the taxonomy; works on the raw data so every problem shows at once."""

    def __init__(self, taxonomy: Taxonomy, doc: Document, labels: dict[tuple[int, str], Resolution | None] | None = None) -> None:
        self.t = taxonomy
        self.labels = {} if labels is None else labels
        self.located: Located = doc.located  # type: ignore[assignment]
        self.rel = doc.rel
        self.problems: list[Problem] = []
        self.prefecture: str | None = None  # canonical prefecture label, once checked

    def _problem(self, path: YamlPath, message: str, hint: str, rule: Rule, fixable: bool = False) -> None:
        line = self.located.line_of(path) + 1
        self.problems.append(Problem(self.rel, line, format_path(path), message, hint, rule, fixable))

    def _label(self, vocabulary: Vocabulary, value: object, path: YamlPath, what: str, where: str, unknown: Rule) -> str | None:
        if not isinstance(value, str) or not value.strip():
            return None  # the schema reports wrong types and blanks
        value = value.strip()
        key = (id(vocabulary), value)  # the vocabularies live as long as the taxonomy, and the cache no longer
        if key not in self.labels:
            self.labels[key] = vocabulary.resolve(value)
        resolution = self.labels[key]
        if resolution is None:
            close = vocabulary.suggest(value)
            hint = f"もしかして{'、'.join(f'「{c}」' for c in close)}ですか？ " if close else ""
            self._problem(path, f"「{value}」は{what}にありません", f"{hint}新しい語は {where} に追加してください", unknown)
            return None
        if not resolution.exact:
            self._problem(
                path,
                f"「{value}」は「{resolution.entry.label}」の別表記です",
                f"見出し語の「{resolution.entry.label}」で書いてください",
                rules.ALIAS,
                fixable=True,
            )
        return resolution.entry.label

    def _labels(self, data: dict, key: str, vocabulary: Vocabulary, what: str, where: str, unknown: Rule) -> list[str] | None:
        values = data.get(key)
        if not isinstance(values, list):
            return None
        result: list[str] = []
        for index, value in enumerate(values):
            label = self._label(vocabulary, value, (key, index), what, where, unknown)
            if label is None:
                continue
            if label in result:
                self._problem((key, index), f"「{label}」が2回書かれています", "1回だけにしてください", rules.DUPLICATE_LABEL)
                continue
            result.append(label)
        return result

    def check(self, data: dict, *, is_case: bool) -> dict[str, object]:
        """Problems for every label; returns the canonical values to put in the model (see also ``prefecture``)."""
        update: dict[str, object] = {}
        organisation = data.get("organisation")
        if isinstance(organisation, dict):
            self.prefecture = self._label(self.t.prefectures, organisation.get("prefecture"), ("organisation", "prefecture"), "47都道府県", "taxonomy/prefectures.yml", rules.UNKNOWN_PREFECTURE)
        source = data.get("source")
        publication = None
        if isinstance(source, dict) and isinstance(source.get("publication"), str):
            publication_id = source["publication"]
            publication = self.t.publication(publication_id)
            if publication is None:
                known = [p.id for p in self.t.publications]
                close = difflib.get_close_matches(publication_id, known, n=1, cutoff=0.5)
                hint = f"もしかして「{close[0]}」ですか？ " if close else ""
                self._problem(
                    ("source", "publication"),
                    f"出典資料「{publication_id}」は登録されていません",
                    f"{hint}登録済み: {', '.join(known)}。新しい資料は taxonomy/publications.yml に追加してください",
                    rules.UNKNOWN_PUBLICATION,
                )
        if is_case:
            category = self._label(self.t.categories, data.get("category"), ("category",), "カテゴリ一覧", "taxonomy/categories.yml", rules.UNKNOWN_CATEGORY)
            if category:
                update["category"] = category
                entry = self.t.categories.resolve(category).entry  # type: ignore[union-attr]
                if publication and entry.publication != publication.id:
                    own = [c.label for c in self.t.categories if c.publication == publication.id]
                    hint = (
                        f"出典「{publication.short_title}」の分類から選んでください: {'、'.join(own)}"
                        if own
                        else f"出典「{publication.short_title}」の分類を taxonomy/categories.yml に追加してから選んでください"
                    )
                    self._problem(("category",), f"カテゴリ「{category}」は別の資料の分類です", hint, rules.CATEGORY_PUBLICATION)
            for key, vocabulary, what, where, unknown in (
                ("schemes", self.t.schemes, "支援制度一覧", "taxonomy/schemes.yml", rules.UNKNOWN_SCHEME),
                ("roles", self.t.roles, "人材像一覧", "taxonomy/roles.yml", rules.UNKNOWN_ROLE),
            ):
                labels = self._labels(data, key, vocabulary, what, where, unknown)
                if labels is not None:
                    update[key] = labels
        keywords = self._labels(data, "keywords", self.t.keywords, "キーワード一覧", "taxonomy/keywords.yml", rules.UNKNOWN_KEYWORD)
        if keywords is not None:
            update["keywords"] = keywords
        return update
