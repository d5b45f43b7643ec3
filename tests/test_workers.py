"""builder.workers: the same results, in the same order, whether the work runs here or on all cores."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

from builder import validate, workers
from builder.project import Project
from conftest import BAD_INPUT


def _pid(item: int) -> tuple[int, int]:
    return item * item, os.getpid()


def test_ordered_map_keeps_the_order_and_uses_other_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "worker_count", lambda: 2)
    results = workers.ordered_map(_pid, list(range(100)), min_items=10)
    assert [square for square, _ in results] == [i * i for i in range(100)]
    pids = {pid for _, pid in results}
    # Other processes, at most one per core; how many chunks each takes depends on the scheduler
    # (with work this small one worker may take them all before the other starts).
    assert os.getpid() not in pids and 1 <= len(pids) <= 2


def test_few_items_run_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "worker_count", lambda: 2)
    assert {pid for _, pid in workers.ordered_map(_pid, [1, 2, 3], min_items=10)} == {os.getpid()}


def test_no_fork_while_another_thread_runs() -> None:
    release = threading.Event()
    thread = threading.Thread(target=release.wait)
    thread.start()
    try:
        assert workers.worker_count() == 1
    finally:
        release.set()
        thread.join()


def _check(root: Path, cache: Path, monkeypatch: pytest.MonkeyPatch, cores: int) -> validate.CheckResult:
    monkeypatch.setenv("DXNAVI_CACHE", str(cache))  # a cache of its own: each check does the work
    monkeypatch.setattr(workers, "worker_count", lambda: cores)
    return validate.check_project(Project(root))


def test_a_check_on_all_cores_finds_what_a_check_here_finds(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Every bad input twice over (the duplicate ids too) among the fixture's valid cases and pages.
    for copy in ("a", "b"):
        shutil.copytree(BAD_INPUT, project / "cases" / copy)
    monkeypatch.setattr(validate, "PARALLEL_FROM", 2)
    here = _check(project, tmp_path / "cache-here", monkeypatch, 1)
    forked = _check(project, tmp_path / "cache-forked", monkeypatch, 2)
    assert len(here.problems) > 100 and here.corpus is not None and here.corpus.cases and here.corpus.drafts
    assert forked.problems == here.problems
    assert [p.format() for p in forked.problems] == [p.format() for p in here.problems]
    assert forked.files == here.files
    assert forked.corpus is not None
    for name in ("cases", "pages", "drafts", "errors"):
        assert getattr(forked.corpus, name) == getattr(here.corpus, name), name
