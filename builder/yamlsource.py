"""YAML parsing that remembers where every value came from.

Contributors need ``path:line`` in every message, so YAML is composed into
nodes and converted by hand: each field path maps to its line, duplicate
keys are errors instead of silently keeping the last one, and anchors and
aliases are refused (an alias bomb would otherwise expand exponentially).

Where PyYAML has libyaml, a document both parsers read alike is read from
libyaml's events, several times faster (``check`` of 10,000 cases spent most of
its time in the pure-Python parser); anything else, and every error, takes the
pure-Python path, so the result is the same either way (tests/test_yaml_fast_path.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from builder import yamlslips

Path = tuple[str | int, ...]

MAX_DEPTH = 40

_STR = "tag:yaml.org,2002:str"
_SCALAR_TAGS = {
    _STR,
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}


@dataclass(frozen=True)
class YamlIssue:
    """A problem found while reading YAML; ``kind`` names the rule."""

    kind: str
    line: int  # 1-based, within the YAML text
    detail: str
    path: Path = ()
    hint: str = ""  # set for a recognised slip (builder.yamlslips): then ``detail`` is the whole message


@dataclass(frozen=True)
class Span:
    """Where a scalar sits in the YAML text (character offsets, 1-based lines)."""

    start: int
    end: int
    line: int
    end_line: int
    style: str | None  # None for plain, "'" or '"' for quoted, "|" or ">" for blocks


@dataclass
class Located:
    """Parsed YAML data plus the position of every key and value."""

    data: Any
    value_lines: dict[Path, int] = field(default_factory=dict)
    key_lines: dict[Path, int] = field(default_factory=dict)
    spans: dict[Path, Span] = field(default_factory=dict)

    def line_of(self, path: Path, *, key: bool = False) -> int:
        """Line of ``path``; falls back to its nearest known ancestor."""
        lines = self.key_lines if key else self.value_lines
        probe = tuple(path)
        while probe:
            if probe in lines:
                return lines[probe]
            if probe in self.value_lines:
                return self.value_lines[probe]
            probe = probe[:-1]
        return self.value_lines.get((), 1)

    def path_at_line(self, line: int) -> Path | None:
        """Deepest scalar whose text covers ``line``."""
        best: Path | None = None
        for path, span in self.spans.items():
            if span.line <= line <= span.end_line and (best is None or len(path) > len(best)):
                best = path
        return best


class _Converter(yaml.SafeLoader):
    """SafeLoader used only to construct scalar values from composed nodes."""


_CONVERTER = _Converter("")


def _construct_scalar(node: yaml.ScalarNode) -> Any:
    # The tag's constructor, called directly: a loader per scalar was a tenth of ``check``,
    # and scalar constructors keep no state (construct_object would remember every node).
    return _CONVERTER.yaml_constructors[node.tag](_CONVERTER, node)


class _Walker:
    def __init__(self, text: str) -> None:
        self.located = Located(data=None)
        self.issues: list[YamlIssue] = []
        self.lines = text.split("\n")

    def walk(self, node: yaml.Node, path: Path, depth: int) -> Any:
        line = node.start_mark.line + 1
        self.located.value_lines[path] = line
        if depth > MAX_DEPTH:
            self.issues.append(YamlIssue("yaml-structure", line, "入れ子が深すぎます", path))
            return None
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.walk(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
        return self._scalar(node.tag, node.value, node.start_mark, node.end_mark, node.style, path)

    def _scalar(self, tag: str, value: str, start: yaml.Mark, end: yaml.Mark, style: str | None, path: Path) -> Any:
        style = style or None  # libyaml says "" for plain, PyYAML None
        self.located.spans[path] = Span(start.index, end.index, start.line + 1, end.line + 1, style)
        if style is None and end.line > start.line:
            # Valid YAML, but "keywords: OJT" over "  - BPR" reads as the text "OJT - BPR".
            slip = yamlslips.folded_list(self.lines, start.line, end.line)
            if slip:
                self.issues.append(YamlIssue(slip.kind, slip.line + 1, slip.message, path, slip.hint))
        if tag == _STR:  # most values: the text as written, no constructor needed
            return value
        if tag not in _SCALAR_TAGS:
            self.issues.append(YamlIssue("yaml-structure", start.line + 1, f"YAML のタグ {tag} は使えません", path))
            return None
        try:
            return _construct_scalar(yaml.ScalarNode(tag, value, start, end, style=style))
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            # e.g. a timestamp like 2024-13-45 that matches the pattern but is no date
            self.issues.append(YamlIssue("yaml-structure", start.line + 1, f"値を読み取れません（{exc}）", path))
            return None

    def _mapping(self, node: yaml.MappingNode, path: Path, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STR:
                self.issues.append(YamlIssue("yaml-structure", key_line, "項目名は文字で書いてください", path))
                continue
            key = key_node.value
            if key in result:
                self.issues.append(YamlIssue("yaml-duplicate-key", key_line, key, path + (key,)))
                continue
            self.located.key_lines[path + (key,)] = key_line
            result[key] = self.walk(value_node, path + (key,), depth + 1)
        return result


def _find_alias(text: str) -> int | None:
    """Line of the first anchor or alias, scanning events (cheap, no expansion)."""
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        anchor = getattr(event, "anchor", None)
        if isinstance(event, yaml.AliasEvent) or anchor:
            return event.start_mark.line + 1
    return None


_FAST_LOADER = getattr(yaml, "CSafeLoader", None)  # libyaml, when PyYAML was built with it
_NON_PRINTABLE = yaml.reader.Reader.NON_PRINTABLE
# Where the two parsers part (found by fuzzing both): line breaks to YAML 1.1 (lines must count alike),
# tabs (libyaml takes more), a BOM (libyaml skips it, shifting every offset); document markers and
# complex keys (libyaml puts what follows on another line); tags; block scalar headers PyYAML refuses.
_SLOW_CHARACTERS = ("\t", "\x85", "\u2028", "\u2029", "\ufeff")
_DOCUMENT_MARKERS = ("---", "...")
_SUSPECT = re.compile(r"[!?|>]")  # one character class: a fast scan (an anchored alternation took as long as parsing)
_PLAIN_HEADER = re.compile(r"[-+1-9]{0,2}(?:[ ]+#.*)?[ ]*$", re.MULTILINE)


def _parsers_differ(text: str) -> bool:
    """Anything in ``text`` the two parsers may read differently (see above)."""
    if any(c in text for c in _SLOW_CHARACTERS):
        return True
    if text.startswith(_DOCUMENT_MARKERS) or any("\n" + m in text for m in _DOCUMENT_MARKERS):
        return True
    for found in _SUSPECT.finditer(text):
        at, ch = found.start(), found.group()
        before = text[at - 1] if at else "\n"
        if ch == "?":  # a complex key: "?" then a space, a line break or the end
            if at + 1 == len(text) or text[at + 1].isspace():
                return True
        elif ch == "!":  # a tag: "!" where a value can start
            if before.isspace() or before in "[{,:-":
                return True
        elif (before.isspace() or before in ":-") and not _PLAIN_HEADER.match(text, at + 1):
            return True  # a block scalar header other than "|", "|-", ">+2", "| # note"...
    return False


class _Different(Exception):
    """The text needs the pure-Python path (see ``_load_fast``)."""


class _EventWalker(_Walker):
    """``_Walker`` over libyaml's events: the node tree is never built, in C or in Python.

    Builds what ``_Walker`` builds from the composed tree, event by event, the way PyYAML's
    Composer would compose them (same marks, same tag resolution). Raises ``_Different`` on an
    anchor or alias, nesting deeper than MAX_DEPTH or more than one document: those, like any
    libyaml error, are the pure-Python path's to report. Events are told apart by their exact
    class and taken from the parser itself, not through ``yaml.parse``'s generator: this loop
    runs for every value of every file, and was most of the time ``check`` spends on YAML.
    """

    def __init__(self, text: str, parser: Any) -> None:
        super().__init__(text)
        self.get_event = parser.get_event
        self.depth = 0  # open collections

    def next(self) -> yaml.Event:
        event = self.get_event()
        kind = type(event)
        if kind is _SCALAR_EVENT:
            if event.anchor:
                raise _Different
        elif kind is _MAPPING_START or kind is _SEQUENCE_START:
            if event.anchor:
                raise _Different
            self.depth += 1
            if self.depth > MAX_DEPTH:  # checked before any recursion, so the walk stays shallow
                raise _Different
        elif kind is _MAPPING_END or kind is _SEQUENCE_END:
            self.depth -= 1
        elif kind is yaml.AliasEvent:
            raise _Different
        return event

    def document(self) -> Any:
        self.next()  # StreamStartEvent
        if isinstance(start := self.next(), yaml.StreamEndEvent):
            return None
        assert isinstance(start, yaml.DocumentStartEvent)
        data = self.node(self.next(), ())
        self.next()  # DocumentEndEvent
        if not isinstance(self.next(), yaml.StreamEndEvent):
            raise _Different  # a second document: PyYAML's composer says so
        return data

    def node(self, event: yaml.Event, path: Path) -> Any:
        self.located.value_lines[path] = event.start_mark.line + 1
        kind = type(event)
        if kind is _SCALAR_EVENT:
            return self._scalar(_scalar_tag(event), event.value, event.start_mark, event.end_mark, event.style, path)
        if kind is _SEQUENCE_START:
            items: list[Any] = []
            while type(item := self.next()) is not _SEQUENCE_END:
                items.append(self.node(item, path + (len(items),)))
            return items
        assert kind is _MAPPING_START
        result: dict[str, Any] = {}
        key_lines = self.located.key_lines
        while type(key := self.next()) is not _MAPPING_END:
            key_line = key.start_mark.line + 1
            if type(key) is not _SCALAR_EVENT or _scalar_tag(key) != _STR:
                self.issues.append(YamlIssue("yaml-structure", key_line, "項目名は文字で書いてください", path))
                self.skip(key)
                self.skip(self.next())
                continue
            name = key.value
            if name in result:
                self.issues.append(YamlIssue("yaml-duplicate-key", key_line, name, path + (name,)))
                self.skip(self.next())
                continue
            sub = path + (name,)
            key_lines[sub] = key_line
            result[name] = self.node(self.next(), sub)
        return result

    def skip(self, event: yaml.Event) -> None:
        """Past the node ``event`` starts, which ``_Walker`` would not walk (still refusing anchors)."""
        open_at = self.depth - isinstance(event, yaml.CollectionStartEvent)
        while self.depth > open_at:
            self.next()


_SCALAR_EVENT, _MAPPING_START, _MAPPING_END = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.MappingEndEvent
_SEQUENCE_START, _SEQUENCE_END = yaml.SequenceStartEvent, yaml.SequenceEndEvent


# The first characters of the plain scalars that may resolve to a tag other than str ("1", "true",
# "~", "2024-01-01"...): any other plain scalar, and every quoted one, is text without asking the
# resolver, which was asked for every key and value. SafeLoader has no wildcard (None) resolver.
_RESOLVABLE_STARTS = frozenset(_CONVERTER.yaml_implicit_resolvers)


def _scalar_tag(event: yaml.ScalarEvent) -> str:
    tag = event.tag
    if tag is None or tag == "!":  # as yaml.composer.Composer.compose_scalar_node
        if not event.implicit[0] or event.value[:1] not in _RESOLVABLE_STARTS:
            return _STR
        tag = _CONVERTER.resolve(yaml.ScalarNode, event.value, event.implicit)
    return tag


def _load_fast(text: str) -> tuple[Located | None, list[YamlIssue]] | None:
    """What ``load`` returns, read by libyaml (several times faster), or None: then ``load`` reads it as before.

    Only text that libyaml parses without complaint, with no anchor or alias, nesting at most
    MAX_DEPTH deep and nothing the two parsers read differently (``_parsers_differ``) or PyYAML's
    reader refuses, takes this path; anything else goes the pure-Python way, whose errors the
    messages and the slip diagnosis are written for. libyaml's own composer is not used: it
    recurses in C, and a deeply nested document would crash the process.
    """
    if _FAST_LOADER is None or _NON_PRINTABLE.search(text) or _parsers_differ(text):
        return None
    parser = _FAST_LOADER(text)
    walker = _EventWalker(text, parser)
    try:
        walker.located.data = walker.document()
    except (_Different, yaml.YAMLError, RecursionError, ValueError):
        return None
    finally:
        parser.dispose()
    return walker.located, walker.issues


# PyYAML's scanner rechecks every open bracket at each token, so its time grows with the square
# of the nesting: 20,000 "[" took 40 s before "too deep" was known. Far past MAX_DEPTH, counting
# brackets (even ones inside text) is answer enough, and no real value holds a thousand unclosed.
_BRACKET = re.compile(r"[\[\]{}]")
BRACKET_LIMIT = 1000


def _bracket_overflow(text: str) -> int | None:
    """The line where brackets nest BRACKET_LIMIT deep, if they do."""
    depth = 0
    for found in _BRACKET.finditer(text):
        if found.group() in "[{":
            depth += 1
            if depth >= BRACKET_LIMIT:
                return text.count("\n", 0, found.start()) + 1
        elif depth:
            depth -= 1
    return None


def load(text: str) -> tuple[Located | None, list[YamlIssue]]:
    """Parse ``text``; returns the located data or the reasons it could not be read."""
    overflow = _bracket_overflow(text)
    if overflow is not None:
        return None, [YamlIssue("yaml-structure", overflow, "入れ子が深すぎます")]
    fast = _load_fast(text)
    if fast is not None:
        return fast
    try:
        alias_line = _find_alias(text)
        if alias_line is not None:
            return None, [YamlIssue("yaml-structure", alias_line, "アンカー（&）とエイリアス（*）は使えません")]
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        slip = yamlslips.diagnose(text, exc)
        if slip:
            path = yamlslips.guess_path(text.split("\n"), slip.line)
            return None, [YamlIssue(slip.kind, slip.line + 1, slip.message, path, slip.hint)]
        problem = exc.problem or ""
        # An unclosed quote is found only at the end of the text; the quote's own line is the useful one.
        mark = exc.context_mark if "end of stream" in problem and exc.context_mark else exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        if mark is not None and _tab_at(text, mark.line):
            return None, [YamlIssue("yaml-tab", line, problem)]
        return None, [YamlIssue("yaml-syntax", line, _explain(exc))]
    except yaml.YAMLError as exc:  # reader errors (control characters) carry no mark
        return None, [YamlIssue("yaml-syntax", 1, str(exc).splitlines()[0])]
    except RecursionError:
        return None, [YamlIssue("yaml-structure", 1, "入れ子が深すぎます")]
    return _located(text, node)


def _located(text: str, node: yaml.Node | None) -> tuple[Located | None, list[YamlIssue]]:
    walker = _Walker(text)
    if node is None:
        walker.located.data = None
        return walker.located, []
    walker.located.data = walker.walk(node, (), 0)
    return walker.located, walker.issues


_EXPLANATIONS = [
    ("quoted scalar", "引用符（\" または '）が閉じられていません"),
    ("mapping values are not allowed", "値の中に「: 」があります。値を引用符で囲んでください"),
    ("could not find expected ':'", "「名前: 値」の「:」が見つかりません"),
    ("expected <block end>", "字下げがそろっていません"),
    ("did not find expected key", "字下げがそろっていないか、「- 」の位置がずれています"),
    ("did not find expected '-' indicator", "リストの「- 」の字下げがそろっていません"),
    ("found character '@' that cannot start any token", "「@」で始まる値は引用符で囲んでください"),
    ("found character '`' that cannot start any token", "「`」で始まる値は引用符で囲んでください"),
]


def _explain(exc: yaml.MarkedYAMLError) -> str:
    """The parser's complaint in Japanese where we know it, else as the parser said it."""
    said = f"{exc.context or ''} {exc.problem or ''}".strip()
    for needle, japanese in _EXPLANATIONS:
        if needle in said:
            return japanese
    return said or str(exc)


def _tab_at(text: str, line_index: int) -> bool:
    lines = text.split("\n")
    for probe in (line_index, line_index - 1):
        if 0 <= probe < len(lines) and "\t" in lines[probe][: len(lines[probe]) - len(lines[probe].lstrip())]:
            return True
    return False


def format_path(path: Path) -> str:
    """('interview', 0, 'answer') -> 'interview[0].answer'."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
