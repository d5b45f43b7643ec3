"""Where things are in a project checkout: cases/, pages/, taxonomy/."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from builder import safefiles
from builder.safefiles import Refusal

# Read or published besides cases/ and pages/: always the taxonomy; for a whole-site check also the site config.
TAXONOMY = "taxonomy"
SITE_CONFIG = "mkdocs.yml"
SITE_FILES = ("site_overrides", SITE_CONFIG)


@dataclass(frozen=True)
class SiteFolder:
    """A folder mkdocs.yml publishes from; it must be a real folder inside the project."""

    setting: str  # docs_dir, theme.custom_dir
    line: int  # in mkdocs.yml
    path: Path


@dataclass
class Inputs:
    cases: list[Path] = field(default_factory=list)
    pages: list[Path] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)  # never read; check reports each one


@dataclass(frozen=True)
class Project:
    root: Path

    @property
    def cases_dir(self) -> Path:
        return self.root / "cases"

    @property
    def pages_dir(self) -> Path:
        return self.root / "pages"

    @functools.cached_property
    def _root_forms(self) -> tuple[Path, ...]:
        return safefiles.root_forms(self.root)

    def rel(self, file: Path) -> str:
        """Path for messages: relative to the root when inside it, as given otherwise.

        Worked out without following links, so a message never names a link's target.
        """
        found = safefiles.below(self.root, file, self._root_forms)
        return "/".join(found[1]) if found and found[1] else file.as_posix()

    def inputs(self, files: list[Path] | None = None) -> Inputs:
        """The given files, or every .md under cases/ and pages/, split into cases and pages;
        links, FIFOs, devices and the like among them (or in the folders) go to ``refused``."""
        named = files is not None  # a person named these; they may lie outside the project
        result = Inputs()
        found: list[tuple[Path, bool | None]] = []  # (file, in pages/), None until worked out below
        for path in files if files is not None else [self.cases_dir, self.pages_dir]:
            refused = safefiles.refusal(self.root, path, outside_ok=named)
            if refused:
                result.refused.append(refused)
            elif path.is_dir():  # a real folder (checked above): it stands for the Markdown files in it
                walked, refusals = safefiles.walk(self.root, path, outside_ok=named)
                # Walking the project's own folders (through no link: refused above) tells where each file is.
                where = None if named else path == self.pages_dir
                found += [(f, where) for f in walked if f.name.endswith(".md")]
                result.refused += refusals
            else:
                found.append((path, None))
        pages = self.pages_dir.resolve()  # once, and a named file once (twice per file cost 0.8 s of check at 10,000 cases)
        for file, in_pages in found:
            page = in_pages if in_pages is not None else pages in file.resolve().parents
            (result.pages if page else result.cases).append(file)
        return result

    def documents(self, files: list[Path] | None = None) -> tuple[list[Path], list[Path]]:
        """(case files, page files) that are safe to read: see ``inputs``."""
        inputs = self.inputs(files)
        return inputs.cases, inputs.pages

    def _site_config(self) -> yaml.Node | None:
        """mkdocs.yml composed, not loaded: no tag (!ENV) is run, and every node keeps its line."""
        try:
            with safefiles.open_regular(self.root / SITE_CONFIG) as handle:
                return _composed(handle.read().decode("utf-8"))
        except (OSError, ValueError, yaml.YAMLError):
            return None  # MkDocs stops on a missing or broken config; a link is reported by support_refusals

    def embedding_options(self) -> dict[str, str | list[str]]:
        """The dxnavi plugin's ``embedding:`` options in mkdocs.yml, for what runs without MkDocs (check, make bench).

        Plain values only: a tagged one (!ENV) is left out, as MkDocs would resolve it at build time.
        """
        plugins = _value(self._site_config(), "plugins")
        for item in plugins.value if isinstance(plugins, yaml.SequenceNode) else ():
            options = _value(_value(item, "dxnavi"), "embedding")
            if isinstance(options, yaml.MappingNode):
                return {key.value: value for key, node in options.value if (value := _plain(node)) is not None}
        return {}

    def use_directory_urls(self) -> bool:
        """mkdocs.yml's ``use_directory_urls`` (MkDocs' default: true)."""
        node = _value(self._site_config(), "use_directory_urls")
        return not (isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:bool" and node.value.lower() in ("false", "no", "off"))

    def site_folders(self) -> list[SiteFolder]:
        """docs_dir and theme.custom_dir as mkdocs.yml sets them (MkDocs copies what is in them)."""
        node = self._site_config()
        if node is None:
            return []
        found: list[SiteFolder] = []

        def scan(mapping: object, prefix: str, names: tuple[str, ...]) -> None:
            for key, value in mapping.value if isinstance(mapping, yaml.MappingNode) else ():
                if key.value in names and isinstance(value, yaml.ScalarNode) and value.value:
                    found.append(SiteFolder(prefix + key.value, value.start_mark.line + 1, self.root / value.value))
                elif key.value == "theme" and not prefix:
                    scan(value, "theme.", ("custom_dir",))

        scan(node, "", ("docs_dir",))
        return found

    def support_refusals(self, *, site: bool) -> list[Refusal]:
        """Entries that must not be read in taxonomy/ and, with ``site``, in the site config and the folders
        it publishes from (those outside the project are ``check``'s to report, at their line in mkdocs.yml)."""
        refused = safefiles.walk(self.root, self.root / TAXONOMY)[1]
        if site:
            inside = [f.path for f in self.site_folders() if safefiles.below(self.root, f.path)]
            paths = [self.root / name for name in SITE_FILES] + inside
            for path in dict.fromkeys(Path(os.path.abspath(p)) for p in paths):
                refused += safefiles.walk(self.root, path)[1]  # a file is refused like a folder, or passes
        return refused


_PLAIN = ("tag:yaml.org,2002:str", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int")


def _value(mapping: object, key: str) -> object:
    """The node under ``key`` of a composed mapping, else None."""
    for k, v in mapping.value if isinstance(mapping, yaml.MappingNode) else ():
        if k.value == key:
            return v
    return None


def _plain(node: object) -> str | list[str] | None:
    """A scalar's text, or a list of scalars' texts; None for anything tagged or nested."""
    if isinstance(node, yaml.ScalarNode):
        return node.value if node.tag in _PLAIN else None
    if isinstance(node, yaml.SequenceNode) and all(isinstance(n, yaml.ScalarNode) and n.tag in _PLAIN for n in node.value):
        return [n.value for n in node.value]
    return None


@functools.lru_cache(maxsize=4)
def _composed(text: str) -> yaml.Node:
    """Composed once per text: a build asks for the settings five times (12 ms each), and nothing changes a node."""
    return yaml.compose(text, Loader=yaml.SafeLoader)
