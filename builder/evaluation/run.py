"""``python -m builder eval-search``: build, serve, query every engine, score and report.

Everything is built into one temporary folder (removed afterwards); the
working tree's ``site/`` is never read or written. An engine that cannot run
here is reported as n/a with its reason, and the others still run.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from builder.evaluation import bm25, casepages, chromium, material, pagefind_anchor, report, site_api, snapshot
from builder.evaluation.labels import LabelError, LabelledQuery, load_labels
from builder.evaluation.results import EngineRun, score
from builder.evaluation.serving import served
from builder.project import Project

LABELS = Path("tests/search_eval/queries.yml")
ANCHORS = ("bm25", "material", "pagefind")


@dataclass
class Options:
    root: Path
    labels: Path
    modes: list[str]
    anchors: list[str]
    json_path: Path | None = None


def parse_list(value: str, allowed: tuple[str, ...], what: str) -> list[str]:
    """A comma-separated list of names from ``allowed`` (empty for none); ValueError names the bad one."""
    names = [name.strip() for name in value.split(",") if name.strip()]
    for name in names:
        if name not in allowed:
            raise ValueError(f"unknown {what} '{name}' (choose from {', '.join(allowed)})")
    return list(dict.fromkeys(names))


def evaluate(options: Options, progress: Callable[[str], None] | None = None) -> int:
    say = progress or (lambda message: print(message, file=sys.stderr, flush=True))
    with tempfile.TemporaryDirectory(prefix="dxnavi-eval-") as folder:
        # One copy for everything: the ids the labels are checked against are the ids that get built.
        say(f"copying {options.root} to {folder} …")
        copy = snapshot.copy_project(options.root, Path(folder) / "project")
        case_ids = _case_ids(Project(copy))
        if case_ids is None:
            return 1
        try:
            queries = load_labels(options.labels, case_ids, shown_as=Project(options.root).rel(options.labels))
        except LabelError as error:
            print(f"The labelled set is not valid:\n{error}", file=sys.stderr)
            return 1
        try:
            runs = _run_engines(Path(folder), copy, queries, case_ids, options, say)
        except snapshot.BuildFailed as error:
            print(str(error), file=sys.stderr)
            return 1
    scores = [score(run, queries) for run in runs]
    print(report.render(scores, queries, len(case_ids), site_api.DEFAULT_MODE))
    if options.json_path:
        data = report.as_json(scores, queries, len(case_ids), site_api.DEFAULT_MODE)
        options.json_path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        say(f"wrote {options.json_path}")
    return 0


def _case_ids(project: Project) -> list[str] | None:
    """The case ids, or None after printing why the project cannot be built."""
    from builder.validate import check_project

    result = check_project(project)
    if result.corpus is None or result.errors:
        print("The project has errors, so its site cannot be built (python -m builder check shows them all):", file=sys.stderr)
        for problem in result.errors[:10]:
            print(f"  {problem.format()}", file=sys.stderr)
        return None
    return [entry.id for entry in result.corpus.cases]


def _run_engines(
    folder: Path, copy: Path, queries: list[LabelledQuery], case_ids: list[str], options: Options, say: Callable[[str], None]
) -> list[EngineRun]:
    say("building the site …")
    site = folder / "site"
    snapshot.build(copy, site)
    anchors: dict[str, EngineRun] = {}
    if "bm25" in options.anchors:
        index = bm25.Bm25(casepages.case_texts(site, case_ids))
        anchors["bm25"] = EngineRun("bm25", "bm25 (plain bigrams)", {q.text: [d for d, _ in index.search(q.text)] for q in queries})
    pagefind_label, pagefind_note = "pagefind", ""
    if "pagefind" in options.anchors:
        say("indexing a copy of the site with Pagefind …")
        try:
            pagefind_label = pagefind_anchor.label()
            pagefind_note = pagefind_anchor.summarise(pagefind_anchor.prepare(site, folder / "pagefind-site", case_ids))
        except pagefind_anchor.PagefindUnavailable as error:
            anchors["pagefind"] = EngineRun("pagefind", pagefind_label, unavailable=str(error))
    if "material" in options.anchors:
        say("building the same project with Material's search plugin (lang: ja) …")
        snapshot.use_material_search(copy)
        try:
            snapshot.build(copy, folder / "material-site")
        except snapshot.BuildFailed as error:
            lines = str(error).splitlines()
            anchors["material"] = EngineRun("material", material.LABEL, unavailable=" … ".join(dict.fromkeys([lines[0], lines[-1]])))
    browser_runs = _in_browser(folder, queries, case_ids, options, pagefind_label, anchors, say)
    for run in browser_runs:
        if run.name == "pagefind" and pagefind_note:
            run.notes.append(pagefind_note)
    order = [*(f"site:{mode}" for mode in options.modes), *options.anchors]
    runs = {run.name: run for run in [*browser_runs, *anchors.values()]}
    return [runs[name] for name in order if name in runs]


def _in_browser(
    folder: Path,
    queries: list[LabelledQuery],
    case_ids: list[str],
    options: Options,
    pagefind_label: str,
    done: dict[str, EngineRun],
    say: Callable[[str], None],
) -> list[EngineRun]:
    wanted = [f"site:{mode}" for mode in options.modes] + [a for a in ("material", "pagefind") if a in options.anchors and a not in done]
    if not wanted:
        return []
    failures = chromium.failure_types()
    runs: list[EngineRun] = []

    def attempt(engines: list[tuple[str, str]], work: Callable[[], list[EngineRun]]) -> None:
        # A browser failure (a crashed page, a script error) costs that engine, not the report.
        try:
            runs.extend(work())
        except failures as error:
            runs.extend(EngineRun(name, label, unavailable=f"the browser failed: {str(error).splitlines()[0]}") for name, label in engines)

    try:
        with chromium.browser() as browser:
            if options.modes:
                say(f"running {len(queries)} queries through the site's page API ({', '.join(options.modes)}) …")
                engines = [(f"site:{mode}", site_api.label(mode)) for mode in options.modes]
                with served(folder / "site") as base:
                    attempt(engines, lambda: site_api.run_site(browser, base, queries, options.modes, case_ids))
            if "material" in wanted:
                say("running the queries through Material's search box …")
                with served(folder / "material-site") as base:
                    attempt([("material", material.LABEL)], lambda: [material.run_material(browser, base, queries, case_ids)])
            if "pagefind" in wanted:
                say("running the queries through Pagefind …")
                with served(folder / "pagefind-site") as base:
                    attempt(
                        [("pagefind", pagefind_label)],
                        lambda: [pagefind_anchor.run_pagefind(browser, base, queries, case_ids, pagefind_label)],
                    )
    except chromium.BrowserUnavailable as error:
        ran = {run.name for run in runs}
        labels = {f"site:{mode}": site_api.label(mode) for mode in options.modes} | {"material": material.LABEL, "pagefind": pagefind_label}
        runs += [EngineRun(name, labels[name], unavailable=str(error)) for name in wanted if name not in ran]
    return runs


def main(root: Path, labels: Path | None, modes: str, anchors: str, json_path: Path | None) -> int:
    """The command line's entry: check the arguments, then evaluate."""
    try:
        options = Options(
            root=root,
            labels=(labels or root / LABELS).resolve(),
            modes=parse_list(modes, site_api.MODES, "mode"),
            anchors=parse_list(anchors, ANCHORS, "anchor"),
            json_path=json_path,
        )
    except ValueError as error:
        print(f"eval-search: {error}", file=sys.stderr)
        return 2
    if not options.modes and not options.anchors:
        print("eval-search: nothing to run (give --modes and/or --anchors)", file=sys.stderr)
        return 2
    return evaluate(options)
