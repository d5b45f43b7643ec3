"""Independent stages run in a second process beside the others (builder/generate/pipeline.py,
builder/workers.py background): the same files as run here, and a worker that dies costs only time."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from builder import workers
from builder.generate import pipeline
from builder.generate.pipeline import BuildContext, OutputFile
from builder.project import Project
from builder.validate import Corpus, check_project


class WhereItRan:
    """Writes the process it ran in and the cases it saw."""

    name = "where-it-ran"
    independent = True

    def run(self, context: BuildContext) -> None:
        ids = ",".join(entry.id for entry in context.corpus.cases)
        context.add(OutputFile("ran.txt", f"{os.getpid()} {ids} {context.use_directory_urls}"))


class DiesElsewhere:
    """Kills any process but the one that made it, as a worker killed for its memory would end."""

    name = "dies-elsewhere"
    independent = True

    def __init__(self) -> None:
        self.home = os.getpid()

    def run(self, context: BuildContext) -> None:
        if os.getpid() != self.home:
            os._exit(9)
        context.add(OutputFile("survived.txt", "here"))


class Here:
    name = "here"

    def run(self, context: BuildContext) -> None:
        context.add(OutputFile("here.txt", str(os.getpid())))


@pytest.fixture(scope="module")
def corpus(fixture_root: Path) -> Corpus:
    result = check_project(Project(fixture_root))
    assert result.corpus is not None
    return result.corpus


def _files(corpus: Corpus, stages: list, timings: dict[str, float] | None = None) -> dict[str, str]:
    return {f.path: f.content for f in pipeline.generate(corpus, use_directory_urls=True, stages=stages, timings=timings)}  # type: ignore[misc]


def test_an_independent_stage_makes_its_files_in_the_worker(corpus: Corpus) -> None:
    elsewhere = workers.background() is not None  # None on a machine with one core: then it runs here
    timings: dict[str, float] = {}
    files = _files(corpus, [WhereItRan(), Here()], timings)
    pid, ids, urls = files["ran.txt"].split(" ")
    assert (pid != str(os.getpid())) == elsewhere and files["here.txt"] == str(os.getpid())
    assert ids == ",".join(entry.id for entry in corpus.cases) and urls == "True"
    assert set(timings) == {"where-it-ran", "here"}


def test_without_a_worker_the_stage_runs_here_with_the_same_files(corpus: Corpus, monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = _files(corpus, [WhereItRan(), Here()])
    monkeypatch.setattr(workers, "background", lambda: None)
    here = _files(corpus, [WhereItRan(), Here()])
    assert here["ran.txt"].split(" ")[0] == str(os.getpid())
    assert here["ran.txt"].split(" ")[1:] == elsewhere["ran.txt"].split(" ")[1:]


def test_a_worker_that_dies_leaves_its_stage_to_this_process(corpus: Corpus) -> None:
    elsewhere = workers.background() is not None
    assert _files(corpus, [DiesElsewhere(), Here()])["survived.txt"] == "here"
    # The next build starts a new worker.
    assert (_files(corpus, [WhereItRan()])["ran.txt"].split(" ")[0] != str(os.getpid())) == elsewhere



class MakesAPage:
    name = "makes-a-page"
    independent = True

    def run(self, context: BuildContext) -> None:
        context.add(OutputFile("late.md", "# A page MkDocs would never render"))


def test_the_independent_stages_files_come_later_and_are_never_pages(corpus: Corpus) -> None:
    files, later = pipeline.start(corpus, stages=[WhereItRan(), Here()])
    assert [f.path for f in files] == ["here.txt"]  # MkDocs renders the pages meanwhile
    assert [f.path for f in later.files()] == ["ran.txt"]
    with pytest.raises(ValueError, match="late.md"):
        pipeline.generate(corpus, stages=[MakesAPage()])


def test_the_model_loads_while_the_stages_that_need_none_run(corpus: Corpus) -> None:
    from builder.embedding import Availability, Deferred

    ran: list[str] = []

    def load() -> Availability:
        ran.append("model")
        return Availability(None, "no model in this test")

    stages = [stage for stage in pipeline.default_stages(Deferred(load)) if not getattr(stage, "independent", False)]
    for stage in stages:
        stage.run = (lambda run, name: lambda context: (ran.append(name), run(context)))(stage.run, stage.name)  # type: ignore[method-assign]
    pipeline.generate(corpus, stages=stages)
    assert ran.count("model") == 1
    first_use = ran.index("similar-cases")
    assert ran[first_use + 1] == "model"  # loaded when the first stage that needs it asked
    assert set(ran[:first_use]) == {"document-pages", "facet-pages", "all-cases", "glossary", "home", "statistics", "search-page", "same-organisation"}


class PromisesAFile:
    """Says pages link to a file of its own, which it makes only when told to."""

    name = "promises-a-file"
    independent = True
    linked = ("data/promised.zip",)

    def __init__(self, keeps_its_word: bool) -> None:
        self.keeps_its_word = keeps_its_word

    def run(self, context: BuildContext) -> None:
        context.add(OutputFile("data/promised.zip" if self.keeps_its_word else "data/other.zip", b"PK"))


def test_mkdocs_is_told_of_the_files_pages_link_to_before_they_are_made(corpus: Corpus) -> None:
    sent = {"promises-a-file": (PromisesAFile(True), None), "where-it-ran": (WhereItRan(), None)}
    assert pipeline.linked_later(sent) == ["data/promised.zip"]  # type: ignore[arg-type]


def test_an_independent_stage_must_make_the_files_pages_link_to(corpus: Corpus) -> None:
    files, _ = pipeline.run_alone(PromisesAFile(True), corpus, False)
    assert [f.path for f in files] == ["data/promised.zip"]
    with pytest.raises(ValueError, match="promises-a-file did not make data/promised.zip"):
        pipeline.run_alone(PromisesAFile(False), corpus, False)


def _hand(fixture_root: Path, monkeypatch: pytest.MonkeyPatch, payload: object | None, site_dir: Path = Path("site")) -> pipeline.Sent | None:
    """What MkDocs reads when ``build`` hands it the independent stages: ``payload`` pickled into the pipe."""
    import pickle
    import threading

    from builder import sitebuild

    receive, send = os.pipe()
    monkeypatch.setenv("DXNAVI_STAGES", str(receive))

    def write() -> None:  # build's side (blocks until read, as build's process does)
        with os.fdopen(send, "wb") as out:
            if payload is not None:
                pickle.dump(payload, out)

    threading.Thread(target=write, daemon=True).start()
    return sitebuild.handed_stages(Project(fixture_root), False, [WhereItRan(), Here()], site_dir)


def test_files_build_made_are_neither_made_nor_written_here(fixture_root: Path, corpus: Corpus, monkeypatch: pytest.MonkeyPatch) -> None:
    # build moves the files into the site once MkDocs is done; MkDocs gets their timings.
    sent = _hand(fixture_root, monkeypatch, (fixture_root.resolve(), False, {"where-it-ran": 0.5}))
    assert sent is not None and list(sent) == ["where-it-ran"]  # only the independent stage
    timings: dict[str, float] = {}
    files = {f.path for f in pipeline.generate(corpus, stages=[WhereItRan(), Here()], sent=sent, timings=timings)}
    assert files == {"here.txt"} and timings["where-it-ran"] == 0.5


@pytest.mark.parametrize("handed", ["nothing", "for directory URLs", "for another project"])
def test_a_stage_build_did_not_hand_over_is_made_here(
    fixture_root: Path, corpus: Corpus, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, handed: str
) -> None:
    payload = {
        "nothing": None,  # build stopped, or failed while making it
        "for directory URLs": (fixture_root.resolve(), True, {"where-it-ran": 0.5}),  # its links would be wrong here
        "for another project": (fixture_root.parent.resolve(), False, {"where-it-ran": 0.5}),
    }[handed]
    site_dir = tmp_path / "site"
    late = tmp_path / "site.late"
    (late / "search").mkdir(parents=True)
    (late / "search" / "index.js").write_text("for another configuration")
    sent = _hand(fixture_root, monkeypatch, payload, site_dir)
    assert sent is not None
    files = {f.path: f.content for f in pipeline.generate(corpus, stages=[WhereItRan(), Here()], sent=sent)}
    assert files["ran.txt"] == f"{os.getpid()} {','.join(e.id for e in corpus.cases)} False"
    # What build made for another configuration is removed, so that build does not move it into this site.
    assert late.exists() == (handed == "nothing")


def test_build_moves_its_files_into_the_site_and_never_over_one(tmp_path: Path) -> None:
    from builder import sitebuild

    site, late = tmp_path / "site", tmp_path / "late"
    (site / "search" / "semantic").mkdir(parents=True)
    (site / "search.html").write_text("page")
    (late / "search" / "k").mkdir(parents=True)
    (late / "search" / "k" / "t0.js").write_text("chunk")
    (late / "search" / "index.js").write_text("manifest")
    sitebuild._move_into(late, site)
    assert (site / "search" / "k" / "t0.js").read_text() == "chunk" and (site / "search" / "index.js").read_text() == "manifest"
    assert (site / "search" / "semantic").is_dir() and (site / "search.html").read_text() == "page"
    (late / "search" / "index.js").write_text("another")
    with pytest.raises(sitebuild._Clash, match="index.js"):
        sitebuild._move_into(late, site)
    assert (site / "search" / "index.js").read_text() == "manifest"


def test_without_build_there_is_nothing_handed(fixture_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from builder import sitebuild

    monkeypatch.delenv("DXNAVI_STAGES", raising=False)
    assert sitebuild.handed_stages(Project(fixture_root), False, [WhereItRan()], Path("site")) is None
    monkeypatch.setenv("DXNAVI_STAGES", "987")  # a stale number in a shell: no such file descriptor
    assert sitebuild.handed_stages(Project(fixture_root), False, [WhereItRan()], Path("site")) is None


@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGKILL"])
def test_the_worker_ends_with_the_process_that_started_it(signal_name: str) -> None:
    """A process killed without cleaning up (serve stopped by a signal) leaves no worker, fork server or tracker waiting."""
    import signal
    import subprocess
    import sys
    import time

    from conftest import REPO

    code = (
        "import os, time\nfrom builder import workers\npool = workers.background()\n"
        "print(pool.submit(os.getpid).result(), flush=True)\ntime.sleep(60)\n"
    )
    with subprocess.Popen([sys.executable, "-c", code], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True) as owner:
        try:
            assert owner.stdout is not None
            worker = int(owner.stdout.readline())
            owner.send_signal(getattr(signal, signal_name))
            owner.wait(timeout=10)
        finally:
            owner.kill()
    deadline = time.monotonic() + 10
    while workers._alive(worker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not workers._alive(worker)
