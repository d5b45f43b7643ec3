"""The generation pipeline: validated corpus -> generated pages and data files.

Each stage does one job and reads or adds to a shared ``BuildContext``. Stages
that enrich case pages (same organisation, similar cases) run before the stage
that renders the case pages, and add ``Section``s for it. Adding a feature means adding a stage to ``default_stages``.

A stage that reads only the corpus and only adds files may say ``independent = True``: it then
runs in a second process beside the others, with the same result: ``build``'s own process, which
has checked the corpus and hands the files over (``sitebuild.handed_stages``), else a worker
(``builder.workers.background``). The keyword index is a third to a half of the stages' time, so
a rebuild after one edit waits for the longer of the two halves, not for their sum.
"""

from __future__ import annotations

import time
from collections import defaultdict
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from builder import workers

if TYPE_CHECKING:
    from builder.embedding import Availability
    from builder.validate import Corpus


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


class Pending(Protocol):
    def result(self) -> tuple[list[OutputFile], float]: ...  # an independent stage's files and seconds


class StageLost(Exception):
    """The process making an independent stage gave no result: ``generate`` runs the stage itself."""


Sent = dict[str, tuple["Stage", Pending]]  # independent stages being made in another process, by name


def independent(stages: list[Stage]) -> list[Stage]:
    return [stage for stage in stages if getattr(stage, "independent", False)]


def send_independent(corpus: Corpus, use_directory_urls: bool, stages: list[Stage]) -> Sent:
    """Start the independent stages in the background worker (none with one core); ``generate`` collects them.

    The MkDocs plugin calls it as soon as the corpus is checked, so they run while the embedding
    engine loads and MkDocs gathers its files (``build`` makes them itself: sitebuild.handed_stages).
    """
    sent = independent(stages)
    pool = workers.background() if sent else None
    if pool is None:
        return {}
    return {stage.name: (stage, pool.submit(run_alone, stage, corpus, use_directory_urls)) for stage in sent}


def generate(
    corpus: Corpus,
    *,
    use_directory_urls: bool = False,
    stages: list[Stage] | None = None,
    timings: dict[str, float] | None = None,
    sent: Sent | None = None,
) -> list[OutputFile]:
    """The generated files, sorted by path; ``timings`` (if given) receives each stage's seconds (make bench).

    ``sent``: what ``send_independent`` started for this corpus, else it is called here.
    """
    context = BuildContext(corpus, use_directory_urls)
    stages = stages if stages is not None else default_stages()
    sent = send_independent(corpus, use_directory_urls, stages) if sent is None else sent
    seconds: dict[str, float] = {}
    for stage in stages:
        if stage.name not in sent:
            started = time.perf_counter()
            stage.run(context)
            seconds[stage.name] = time.perf_counter() - started
    for name, (stage, future) in sent.items():
        try:
            files, seconds[name] = future.result()
        except BrokenProcessPool:  # the worker died (killed, out of memory): run the stage here instead
            workers.drop_background()
            files, seconds[name] = run_alone(stage, corpus, use_directory_urls)
        except StageLost:
            files, seconds[name] = run_alone(stage, corpus, use_directory_urls)
        for file in files:
            context.add(file)
    if timings is not None:
        timings.update((stage.name, seconds[stage.name]) for stage in stages)
    return [context.files[path] for path in sorted(context.files)]


def run_alone(stage: Stage, corpus: Corpus, use_directory_urls: bool) -> tuple[list[OutputFile], float]:
    """An independent stage's files and seconds (in the background worker, or here)."""
    context = BuildContext(corpus, use_directory_urls)
    started = time.perf_counter()
    stage.run(context)
    return list(context.files.values()), time.perf_counter() - started
