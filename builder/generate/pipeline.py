"""The generation pipeline: validated corpus -> generated pages and data files.

Each stage does one job and reads or adds to a shared ``BuildContext``. Stages
that enrich case pages (same organisation, similar cases) run before the stage
that renders the case pages, and add ``Section``s for it. Adding a feature means adding a stage to ``default_stages``.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from builder.validate import Corpus

if TYPE_CHECKING:
    from builder.embedding import Availability


@dataclass(frozen=True)
class OutputFile:
    path: str  # inside the site, e.g. "cases/x.md" or "cases.json"
    content: str | bytes
    contributor_content: bool = False  # rendered HTML is sanitised (it holds a contributor's Markdown body)


@dataclass(frozen=True)
class Section:
    """An extra section for a case page, contributed by an earlier stage."""

    heading: str
    markdown: str  # may contain links relative to the case page


@dataclass
class BuildContext:
    corpus: Corpus
    use_directory_urls: bool = False
    files: dict[str, OutputFile] = field(default_factory=dict)
    case_sections: dict[str, list[Section]] = field(default_factory=lambda: defaultdict(list))

    def add(self, file: OutputFile) -> None:
        if file.path in self.files:
            raise ValueError(f"two stages generate {file.path}")
        self.files[file.path] = file


class Stage(Protocol):
    name: str

    def run(self, context: BuildContext) -> None: ...


def default_stages(semantic: Availability | None = None) -> list[Stage]:
    from builder.generate.case_index import AllCases
    from builder.generate.case_pages import CasePages
    from builder.generate.document_pages import DocumentPages
    from builder.generate.facets import FacetPages
    from builder.generate.glossary import GlossaryPage
    from builder.generate.home import HomePage
    from builder.generate.opendata import OpenData
    from builder.generate.related import SameOrganisation
    from builder.generate.search_index import KeywordSearch
    from builder.generate.semantic_assets import SemanticAssets
    from builder.generate.similar import SimilarCases
    from builder.generate.statistics import StatisticsPage

    return [
        SameOrganisation(),
        SimilarCases(semantic),
        CasePages(),
        DocumentPages(),
        FacetPages(),
        AllCases(),
        GlossaryPage(),
        HomePage(),
        StatisticsPage(),
        OpenData(),
        KeywordSearch(),
        SemanticAssets(semantic),
    ]


def generate(
    corpus: Corpus,
    *,
    use_directory_urls: bool = False,
    stages: list[Stage] | None = None,
    timings: dict[str, float] | None = None,
) -> list[OutputFile]:
    """The generated files, sorted by path; ``timings`` (if given) receives each stage's seconds (make bench)."""
    context = BuildContext(corpus, use_directory_urls)
    for stage in stages if stages is not None else default_stages():
        started = time.perf_counter()
        stage.run(context)
        if timings is not None:
            timings[stage.name] = time.perf_counter() - started
    return [context.files[path] for path in sorted(context.files)]
