"""The generation pipeline: validated corpus -> generated pages and data files.

Each stage does one job and reads or adds to a shared ``BuildContext``. Stages
that enrich case pages (same organisation, similar cases) run before the stage
that renders the case pages, and add ``Section``s for it. Adding a feature means adding a stage to ``default_stages``.

A stage that reads only the corpus and only adds data files (no page) may say ``independent =
True``: it then runs in a second process beside the others, with the same result: ``build``'s own
process, which has checked the corpus and puts the files into the site itself once MkDocs is done
(``sitebuild.handed_stages``), else a worker (``builder.workers.background``), whose files the
MkDocs plugin takes only after MkDocs has rendered the pages (``start`` and ``Later``). The keyword
index is a third to a half of the stages' time. Such a stage names in ``linked`` its files that
pages link to: MkDocs is told they exist before they are made (``linked_later``), and the stage
must make them.
"""

from __future__ import annotations

import time
from collections import defaultdict
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from builder import workers

if TYPE_CHECKING:
    from builder.embedding import Availability, Deferred
    from builder.validate import Corpus


@dataclass(frozen=True)
class OutputFile:
    path: str  # inside the site, e.g. "cases/x.md" or "cases.zip"
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


def default_stages(semantic: Availability | Deferred | None = None, cache_dir: Path | None = None) -> list[Stage]:
    """Every stage, in order; ``cache_dir``: where a stage keeps what a later build may reuse (none: nothing kept)."""
    from builder.generate.case_index import AllCases
    from builder.generate.case_pages import CasePages
    from builder.generate.document_pages import DocumentPages
    from builder.generate.facets import FacetPages
    from builder.generate.glossary import GlossaryPage
    from builder.generate.home import HomePage
    from builder.generate.opendata import OpenData
    from builder.generate.related import SameOrganisation
    from builder.generate.search_index import KeywordSearch, SearchPage
    from builder.generate.semantic_assets import SemanticAssets
    from builder.generate.similar import SimilarCases
    from builder.generate.statistics import StatisticsPage

    # The stages that use the model come last: a Deferred engine loads while the others run.
    return [
        DocumentPages(),
        FacetPages(cache_dir),
        AllCases(),
        GlossaryPage(),
        HomePage(),
        StatisticsPage(),
        OpenData(cache_dir),
        SearchPage(),
        KeywordSearch(cache_dir),
        SameOrganisation(),
        SimilarCases(semantic),
        CasePages(cache_dir),
        SemanticAssets(semantic),
    ]


class Pending(Protocol):
    # An independent stage's files and seconds; no files when the process that made them writes them itself (build).
    def result(self) -> tuple[list[OutputFile], float]: ...


class StageLost(Exception):
    """The process making an independent stage gave no result: ``Later`` runs the stage itself."""


Sent = dict[str, tuple["Stage", Pending]]  # independent stages being made in another process, by name


def independent(stages: list[Stage]) -> list[Stage]:
    return [stage for stage in stages if getattr(stage, "independent", False)]


def linked_later(sent: Sent) -> list[str]:
    """The files pages link to that the stages made in another process will add (their ``linked``)."""
    return [path for stage, _ in sent.values() for path in getattr(stage, "linked", ())]


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
    files, later = start(corpus, use_directory_urls=use_directory_urls, stages=stages, timings=timings, sent=sent)
    return sorted(files + later.files(), key=lambda file: file.path)


def start(
    corpus: Corpus,
    *,
    use_directory_urls: bool = False,
    stages: list[Stage] | None = None,
    timings: dict[str, float] | None = None,
    sent: Sent | None = None,
) -> tuple[list[OutputFile], Later]:
    """Run the stages, all but the independent ones, whose files come later (``Later.files``).

    The MkDocs plugin renders the pages meanwhile: an independent stage makes data files, never pages.
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
    if timings is not None:
        timings.update(seconds)
    return [context.files[path] for path in sorted(context.files)], Later(corpus, use_directory_urls, sent, set(context.files), timings)


@dataclass
class Later:
    """The files of the stages ``start`` left to another process."""

    corpus: Corpus
    use_directory_urls: bool
    sent: Sent
    made: set[str]  # the paths the other stages made
    timings: dict[str, float] | None = None

    def files(self) -> list[OutputFile]:
        """Waits for them; a stage whose process gave nothing is made here, with the same files."""
        out: list[OutputFile] = []
        for name, (stage, future) in self.sent.items():
            try:
                files, seconds = future.result()
            except BrokenProcessPool:  # the worker died (killed, out of memory): run the stage here instead
                workers.drop_background()
                files, seconds = run_alone(stage, self.corpus, self.use_directory_urls)
            except StageLost:
                files, seconds = run_alone(stage, self.corpus, self.use_directory_urls)
            for file in files:
                if file.path in self.made or file.path.endswith(".md"):
                    raise ValueError(f"{name} generates {file.path}, a page or a file the site has already")
                self.made.add(file.path)
            out += files
            if self.timings is not None:
                self.timings[name] = seconds
        self.sent = {}
        return out


def run_alone(stage: Stage, corpus: Corpus, use_directory_urls: bool) -> tuple[list[OutputFile], float]:
    """An independent stage's files and seconds (in the background worker, or here)."""
    context = BuildContext(corpus, use_directory_urls)
    started = time.perf_counter()
    stage.run(context)
    missing = [path for path in getattr(stage, "linked", ()) if path not in context.files]
    if missing:  # pages link to it: MkDocs was told it would be there
        raise ValueError(f"{stage.name} did not make {', '.join(missing)}")
    return list(context.files.values()), time.perf_counter() - started
