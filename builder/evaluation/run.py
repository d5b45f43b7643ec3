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
    project = Project(options.root)
    case_ids = _case_ids(project)
    if case_ids is None:
        print("The project has errors: run python -m builder check and fix them first.", file=sys.stderr)
        return 1
    try:
        queries = load_labels(options.labels, case_ids, shown_as=project.rel(options.labels))
    except LabelError as error:
        print(f"The labelled set is not valid:\n{error}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="dxnavi-eval-") as folder:
        try:
            runs = _run_engines(Path(folder), project, queries, case_ids, options, say)
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
    from builder.validate import check_project

    result = check_project(project)
    if result.corpus is None or result.errors:
        return None
    return [entry.id for entry in result.corpus.cases]


def _run_engines(
    folder: Path, project: Project, queries: list[LabelledQuery], case_ids: list[str], options: Options, say: Callable[[str], None]
) -> list[EngineRun]:
    say(f"copying {project.root} and building the site into {folder} …")
    copy = snapshot.copy_project(project.root, folder / "project")
    site = folder / "site"
    snapshot.build(copy, site)
    anchors: dict[str, EngineRun] = {}
    if "bm25" in options.anchors:
        index = bm25.Bm25(casepages.case_texts(site, case_ids))
        anchors["bm25"] = EngineRun("bm25", "bm25 (plain bigrams)", {q.text: [d for d, _ in index.search(q.text)] for q in queries})
    pagefind_label = ""
    if "pagefind" in options.anchors:
        say("indexing a copy of the site with Pagefind …")
        try:
            pagefind_label = f"pagefind {pagefind_anchor.version().removeprefix('pagefind ')}"
            pagefind_anchor.prepare(site, folder / "pagefind-site", case_ids)
        except pagefind_anchor.PagefindUnavailable as error:
            anchors["pagefind"] = EngineRun("pagefind", pagefind_label or "pagefind", unavailable=str(error))
    if "material" in options.anchors:
        say("building the same project with Material's search plugin (lang: ja) …")
        snapshot.use_material_search(copy)
        snapshot.build(copy, folder / "material-site")
    browser_runs = _in_browser(folder, queries, case_ids, options, pagefind_label, anchors, say)
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
    runs: list[EngineRun] = []
    try:
        with chromium.browser() as browser:
            if options.modes:
                say(f"running {len(queries)} queries through the site's page API ({', '.join(options.modes)}) …")
                with served(folder / "site") as base:
                    runs += site_api.run_site(browser, base, queries, options.modes, case_ids)
            if "material" in wanted:
                say("running the queries through Material's search box …")
                with served(folder / "material-site") as base:
                    runs.append(material.run_material(browser, base, queries, case_ids))
            if "pagefind" in wanted:
                say("running the queries through Pagefind …")
                with served(folder / "pagefind-site") as base:
                    runs.append(pagefind_anchor.run_pagefind(browser, base, queries, case_ids, pagefind_label))
    except chromium.BrowserUnavailable as error:
        ran = {run.name for run in runs}
        runs += [EngineRun(name, name.replace(":", " "), unavailable=str(error)) for name in wanted if name not in ran]
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
