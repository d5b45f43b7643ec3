"""``make bench``: how check, the builder's stages and the site scale with the number of cases.

Usage: python tools/bench.py [SIZE ...] [--seed S] [--out FILE]    (default sizes: 34 1000 10000)

A size equal to the number of real cases (34) means the real cases; any other size is a
synthetic library of that many cases (``python -m builder synth``, seed 0), each in a fresh
temporary project. For each size it measures, in child processes:

- ``check`` (the command, wall time);
- the builder without MkDocs: load and validate, loading the embedding engine, and each stage
  of ``builder.generate.pipeline``, twice: with a fresh embedding cache (DXNAVI_CACHE), then warm;
- ``build`` with the warm cache (check, then MkDocs: check, stages, rendering), its peak memory
  (the largest process), the site's size and number of files;
- a rebuild after editing one case's title (``build`` again, warm cache; it reuses the HTML of the
  pages whose inputs did not change, builder/incremental.py, and says how many);
- up to 1,000 cases (the goal's size; serve's first build renders every page again, which at
  10,000 would double the run): ``serve``'s reload, from saving an edited title to the server
  answering with the new page.

Peak memory is ru_maxrss of the child's process tree (os.wait4). The browser figures are the
search benchmark's (tools/bench_search.py --site, run on each built site; --no-browser skips it,
and the rows say n/a when it is missing or fails). Prints one table, with the issue's targets next
to the figures, and writes it as Markdown (default: bench-results.md in the temporary folder), with
the search benchmark's own output below it. Asserts nothing; the machine's load average is printed
with the table, since other work on it slows every figure.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

EMBEDDING_STAGES = ("similar-cases", "semantic-assets")
BROWSER = "n/a (search bench)"
BROWSER_BENCH = REPO / "tools" / "bench_search.py"  # the search engineer's; its printed figures are read back
# Figures of its output, by row: (pattern, how to show the groups).
BROWSER_FIGURES = {
    "keyword_bytes": (r"First keyword query.*?\n\s*bytes\s+p50\s+([\d.]+) KB\s+p95\s+([\d.]+) KB", "p50 {} KB, p95 {} KB"),
    "semantic_bytes": (r"First semantic query from an ordinary page: ([\d.]+) MB gzip", "{} MB"),
    "ready": (r"load event → window\.caseSearch\.ready\s+([\d.]+) ms", "{} ms"),
    "page_ready": (r"navigation → all cases listed\s+([\d.]+) ms", "{} ms"),
    "keyword_p95": (r"Keyword query time.*?\n\s*first run \(loads its chunks\)\s+p50\s+[\d.]+ ms\s+p95\s+([\d.]+) ms", "{} ms"),
    "hybrid_p95": (r"Hybrid query time.*?\n\s*first run\s+p50\s+[\d.]+ ms\s+p95\s+([\d.]+) ms", "{} ms"),
}
MB = 1e6


@dataclass
class Run:
    seconds: float
    peak_mb: float  # largest process of the tree
    output: str


def run(command: list[str], env: dict[str, str], cwd: Path) -> Run:
    """Run ``command``; wall time and the peak memory of its process tree (not of earlier children)."""
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        child = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({child.returncode}):\n{text[-3000:]}")
    return Run(seconds, usage.ru_maxrss / 1024, text)  # KiB on Linux


@dataclass
class Size:
    label: str
    cases: int
    generate_s: float | None = None
    check: Run = None  # type: ignore[assignment]  # all set by measure()
    cold: dict = field(default_factory=dict)
    warm: dict = field(default_factory=dict)
    build: Run = None  # type: ignore[assignment]
    rebuild: Run = None  # type: ignore[assignment]
    serve_reload: float | None = None  # None: not measured at this size
    site_mb: float = 0.0
    site_files: int = 0
    html_pages: int = 0
    search_mb: float = 0.0
    browser: dict[str, str] = field(default_factory=dict)  # row -> figure, or "error" -> why there are none
    browser_output: str = ""


def browser_figures(size: Size, site: Path, env: dict[str, str], queries: int | None) -> None:
    """Run the search benchmark on the built site and keep the figures it prints (or why there are none)."""
    command = [sys.executable, str(BROWSER_BENCH), "--site", str(site)] + (["--queries", str(queries)] if queries else [])
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    size.browser_output = result.stdout + result.stderr
    if result.returncode != 0:
        size.browser["error"] = "failed, its output is below the table"
    for row, (pattern, shown) in BROWSER_FIGURES.items():  # what it printed before any failure still counts
        found = re.search(pattern, result.stdout, re.DOTALL)
        if found:
            size.browser[row] = shown.format(*found.groups())


def measure(count: int, real_count: int, seed: int, folder: Path, browser: bool, browser_queries: int | None) -> Size:
    python = sys.executable
    root = folder / f"project-{count}"
    cache = folder / f"cache-{count}"
    size = Size("real" if count == real_count else "synthetic", count)
    started = time.perf_counter()
    from builder.synthetic import COPIED, write_project

    if count == real_count:
        for name in (*COPIED, "cases"):
            (shutil.copytree if (REPO / name).is_dir() else shutil.copy)(REPO / name, root / name)
    else:
        write_project(REPO, root, count, seed)
        size.generate_s = time.perf_counter() - started
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "DXNAVI_CACHE": str(cache), "HF_HUB_OFFLINE": "1"}
    env.pop("SOURCE_DATE_EPOCH", None)
    say = lambda what: print(f"  [{count}] {what} …", file=sys.stderr, flush=True)  # noqa: E731
    say("check")
    size.check = run([python, "-m", "builder", "--root", str(root), "check"], env, root)
    for label, target in (("stages, cold cache", size.cold), ("stages, warm cache", size.warm)):
        say(label)
        stages = run([python, str(Path(__file__).resolve()), "--stages", str(root)], env, root)
        target.update(json.loads(stages.output.strip().splitlines()[-1]))
        target["peak_mb"] = stages.peak_mb
    site = root / "site"
    say("build")
    size.build = run([python, "-m", "builder", "--root", str(root), "build", "--site-dir", str(site)], env, root)
    files = [p for p in site.rglob("*") if p.is_file()]
    size.site_files = len(files)
    size.site_mb = sum(p.stat().st_size for p in files) / MB
    size.html_pages = sum(1 for p in files if p.suffix == ".html")
    size.search_mb = sum(p.stat().st_size for p in files if p.relative_to(site).parts[0] == "search") / MB
    if browser and BROWSER_BENCH.is_file():
        say("browser (tools/bench_search.py)")
        browser_figures(size, site, env, browser_queries)
    edit_title(sorted((root / "cases").glob("*.md"))[0], "（改訂）")
    say("rebuild after editing one case")
    size.rebuild = run([python, "-m", "builder", "--root", str(root), "build", "--site-dir", str(site)], env, root)
    if count <= SERVE_UP_TO:
        say("serve: reload after editing one case")
        size.serve_reload = serve_reload(root, env)
    shutil.rmtree(root)  # a 10,000-case site is large; the cache goes with the folder
    return size


def edit_title(case: Path, mark: str) -> None:
    """Append ``mark`` to the case's title, as a contributor's edit."""
    text = case.read_text(encoding="utf-8")
    title = next(line for line in text.split("\n") if line.startswith("title: "))
    case.write_text(text.replace(title, title + mark, 1), encoding="utf-8")


SERVE_UP_TO = 1000
SERVE_WAIT_S = 600


def _page(urls: list[str]) -> str:
    for url in urls:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return response.read().decode("utf-8", "replace")
        except OSError:
            continue
    return ""


def _until(condition: Callable[[], bool], seconds: float, step: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return False


def serve_reload(root: Path, env: dict[str, str]) -> float | None:
    """Seconds from saving an edited case to ``serve`` answering with its new page; None if it never did."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    case = sorted((root / "cases").glob("*.md"))[1]
    urls = [f"http://127.0.0.1:{port}/cases/{case.stem}{tail}" for tail in (".html", "/")]
    command = [sys.executable, "-m", "builder", "--root", str(root), "serve", "--dev-addr", f"127.0.0.1:{port}"]
    server = subprocess.Popen(command, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        if not _until(lambda: "</html>" in _page(urls), SERVE_WAIT_S, 0.2):
            return None
        time.sleep(1)  # the file watcher is running
        mark = "（プレビューで改訂）"
        edit_title(case, mark)
        started = time.perf_counter()
        if not _until(lambda: mark in _page(urls), SERVE_WAIT_S, 0.05):
            return None
        return time.perf_counter() - started
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


# --- the builder without MkDocs, in a child process (--stages) ------------------------------


def stages_main(root: Path) -> None:
    from builder import embedding
    from builder.embedding.settings import for_project
    from builder.generate.pipeline import default_stages, generate, independent
    from builder.project import Project
    from builder.validate import check_project

    project = Project(root)
    started = time.perf_counter()
    result = check_project(project)
    load_validate = time.perf_counter() - started
    assert result.corpus is not None and not result.errors, "the project has errors: run check"
    settings, directory_urls = for_project(project), project.use_directory_urls()
    started = time.perf_counter()
    semantic = embedding.availability(settings, root)
    engine_s = time.perf_counter() - started
    engine = f"{semantic.embedder.engine} ({semantic.embedder.model})" if semantic.embedder else f"none: {semantic.reason}"
    timings: dict[str, float] = {}
    stages = default_stages(semantic, settings.with_environment(root).cache_dir)
    started = time.perf_counter()
    generate(result.corpus, use_directory_urls=directory_urls, stages=stages, timings=timings)
    generate_s = time.perf_counter() - started  # less than the stages' sum: independent ones run beside the others
    beside = [stage.name for stage in independent(stages)]
    print(json.dumps({"load_validate": load_validate, "engine_load": engine_s, "engine": engine, "stages": timings, "generate": generate_s, "independent": beside}))


# --- the table --------------------------------------------------------------------------------


@dataclass
class Row:
    name: str
    cells: list[str]
    target: str = ""


def _s(seconds: float | None) -> str:
    if seconds is None:
        return ""
    return f"{seconds:.2f}" if seconds < 10 else f"{seconds:.1f}" if seconds < 100 else f"{seconds:.0f}"


REUSED = re.compile(r"ページ: (\d+) ページのうち (\d+) ページは変わっていない")  # builder/incremental.py's report


def rendered_again(size: Size) -> str:
    found = REUSED.search(size.rebuild.output)
    if not found:
        return "?"
    pages, reused = (int(n) for n in found.groups())
    return f"{pages - reused:,} / {pages:,}"


def table(sizes: list[Size]) -> list[Row]:
    synthetic = {s.cases: s for s in sizes if s.label == "synthetic"}

    def goal(text: str, *checks: tuple[int, Callable[[Size], bool]]) -> str:
        """The target, and whether the figures at the sizes it names meet it (when those sizes ran)."""
        found = [f"{n:,}: {'met' if ok(synthetic[n]) else 'NOT met'}" for n, ok in checks if n in synthetic]
        return text + (f" ({'; '.join(found)})" if found else "")

    def without_mkdocs(run: dict) -> float:
        return run["load_validate"] + run["engine_load"] + run["generate"]

    def rendering(s: Size) -> float:  # build = the check command + MkDocs (whose plugin checks and runs the stages) + rendering
        return s.build.seconds - s.check.seconds - without_mkdocs(s.warm)

    def each(cell: Callable[[Size], str]) -> list[str]:
        return [cell(s) for s in sizes]

    def browser(row: str) -> Callable[[Size], str]:
        def cell(s: Size) -> str:
            if row in s.browser:
                return s.browser[row]
            return f"{BROWSER}: {s.browser['error']}" if "error" in s.browser else BROWSER
        return cell

    rows = [
        Row("generate the synthetic cases (s)", each(lambda s: "—" if s.generate_s is None else _s(s.generate_s))),
        Row("check (s)", each(lambda s: _s(s.check.seconds)), goal("< 15 s at 10k", (10_000, lambda s: s.check.seconds < 15))),
        Row("check peak memory (MB)", each(lambda s: f"{s.check.peak_mb:.0f}")),
        Row("builder: load and validate (s)", each(lambda s: _s(s.warm["load_validate"]))),
        Row("builder: load the embedding engine, cold → warm (s)", each(lambda s: f"{_s(s.cold['engine_load'])} → {_s(s.warm['engine_load'])}")),
    ]
    for name in dict.fromkeys(name for s in sizes for name in s.warm["stages"]):
        if name in EMBEDDING_STAGES:
            cells = each(lambda s: f"{_s(s.cold['stages'].get(name))} → {_s(s.warm['stages'].get(name))}")  # noqa: B023
            rows.append(Row(f"stage {name}, cold → warm cache (s)", cells))
        else:
            beside = ", in a second process beside the others" if any(name in s.warm.get("independent", ()) for s in sizes) else ""
            rows.append(Row(f"stage {name}{beside} (s)", each(lambda s: _s(s.warm["stages"].get(name)))))  # noqa: B023
    rows += [
        Row("builder without MkDocs, cold cache (s)", each(lambda s: _s(without_mkdocs(s.cold)))),
        Row(
            "builder without MkDocs, warm cache (s)",
            each(lambda s: _s(without_mkdocs(s.warm))),
            goal("< 30 s at 10k", (10_000, lambda s: without_mkdocs(s.warm) < 30)),
        ),
        Row(
            "builder without MkDocs, peak memory cold / warm (MB)",
            each(lambda s: f"{s.cold['peak_mb']:.0f} / {s.warm['peak_mb']:.0f}"),
            goal("< 2 GB at 10k", (10_000, lambda s: max(s.cold["peak_mb"], s.warm["peak_mb"]) < 2000)),
        ),
        Row(
            "build: check + MkDocs, warm cache (s)",
            each(lambda s: _s(s.build.seconds)),
            goal("< 60 s at 1k; < 10 min at 10k", (1000, lambda s: s.build.seconds < 60), (10_000, lambda s: s.build.seconds < 600)),
        ),
        Row("  of which MkDocs rendering, derived (s)", each(lambda s: _s(rendering(s)))),
        Row(
            "build peak memory, largest process (MB)",
            each(lambda s: f"{s.build.peak_mb:.0f}"),
            goal("< 4 GB at 10k", (10_000, lambda s: s.build.peak_mb < 4000)),
        ),
        Row(
            "site size (MB)",
            each(lambda s: f"{s.site_mb:.1f}"),
            goal("< 60 MB at 1k; < 600 MB at 10k", (1000, lambda s: s.site_mb < 60), (10_000, lambda s: s.site_mb < 600)),
        ),
        Row("site files / HTML pages", each(lambda s: f"{s.site_files:,} / {s.html_pages:,}")),
        Row("  of which search/ (MB)", each(lambda s: f"{s.search_mb:.1f}")),
        Row(
            "rebuild after editing one case (s)",
            each(lambda s: _s(s.rebuild.seconds)),
            goal("< 1/5 of the full build at 1k", (1000, lambda s: s.rebuild.seconds < s.build.seconds / 5)),
        ),
        Row("  rebuild / full build", each(lambda s: f"{s.rebuild.seconds / s.build.seconds:.2f}")),
        Row(
            "serve: reload after editing one case (s)",
            each(lambda s: "—" if s.serve_reload is None else _s(s.serve_reload)),
            goal("< 1/5 of the full build at 1k", (1000, lambda s: s.serve_reload is not None and s.serve_reload < s.build.seconds / 5)),
        ),
        Row("  pages rendered again / all pages", each(rendered_again)),
        Row("browser: search/ bytes of a first keyword query, gzip", each(browser("keyword_bytes")), "≤ 1.5 MB at 10k"),
        Row("browser: search/ bytes of a first semantic query, gzip", each(browser("semantic_bytes"))),
        Row("browser: search ready, load → caseSearch.ready", each(browser("ready")), "< 1 s at 1k"),
        Row("browser: search.html, navigation → all cases listed", each(browser("page_ready"))),
        Row("browser: keyword query p95, first run", each(browser("keyword_p95")), "< 30 ms at 1k; < 50 ms at 10k"),
        Row("browser: hybrid query p95, encoder loaded", each(browser("hybrid_p95")), "< 150 ms at 1k"),
    ]
    return rows


# --- growth -----------------------------------------------------------------------------------

# A step this short says little about its growth: start-up and timer noise dominate.
SHORT_S = {"smaller": 0.05, "larger": 0.5}


def growth(sizes: list[Size]) -> list[str]:
    """How each timed step grows between the two largest synthetic sizes, against n log n.

    The exponent k of time ∝ n^k; n log n from 1,000 to 10,000 is k ≈ 1.12, so a step above
    that (by more than timing noise, 0.15) grows faster than the issue allows.
    """
    synthetic = sorted((s for s in sizes if s.label == "synthetic"), key=lambda s: s.cases)
    if len(synthetic) < 2:
        return []
    small, big = synthetic[-2], synthetic[-1]
    ratio = big.cases / small.cases
    limit = math.log(big.cases * math.log(big.cases) / (small.cases * math.log(small.cases))) / math.log(ratio)
    steps = {"check": (small.check.seconds, big.check.seconds), "load and validate": (small.warm["load_validate"], big.warm["load_validate"])}
    for name in big.warm["stages"]:
        steps[f"stage {name} (warm)"] = (small.warm["stages"].get(name), big.warm["stages"][name])
    for name in big.cold["stages"]:
        if name in EMBEDDING_STAGES:
            steps[f"stage {name} (cold)"] = (small.cold["stages"].get(name), big.cold["stages"][name])
    steps["MkDocs build"] = (small.build.seconds, big.build.seconds)
    lines = [f"Growth from {small.cases:,} to {big.cases:,} cases: exponent k of time ∝ n^k (n log n: k = {limit:.2f})", ""]
    for name, (a, b) in steps.items():
        if not a or b is None or a < SHORT_S["smaller"] or b < SHORT_S["larger"]:
            lines.append(f"  {name:<36} —  (too short to tell)")
            continue
        k = math.log(b / a) / math.log(ratio)
        verdict = "faster than n log n" if k > limit + 0.15 else "ok"
        lines.append(f"  {name:<36} k = {k:4.2f}  {verdict}")
    return lines


def markdown(sizes: list[Size], rows: list[Row]) -> str:
    header = ["", *[f"{s.cases:,} ({s.label})" for s in sizes], "target"]
    lines = [header, ["---"] * len(header)] + [[r.name, *r.cells, r.target] for r in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return "\n".join("| " + " | ".join(c.ljust(w) for c, w in zip(line, widths)) + " |" for line in lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[34, 1000, 10_000])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "bench-results.md")
    parser.add_argument("--no-browser", action="store_true", help="skip the search benchmark in Chromium (tools/bench_search.py)")
    # All of them by default: a p95 of 20 first runs is their second slowest, which says more about the
    # order they ran in (the first queries of a page run cold) than about the queries.
    parser.add_argument("--browser-queries", type=int, default=None, help="the first K labelled queries for the search benchmark (default: all)")
    parser.add_argument("--stages", type=Path, help=argparse.SUPPRESS)  # internal: the builder without MkDocs
    args = parser.parse_args()
    if args.stages:
        stages_main(args.stages.resolve())
        return
    real = len(list((REPO / "cases").glob("*.md")))
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    sizes = []
    with tempfile.TemporaryDirectory(prefix="dxnavi-bench-") as folder:
        for count in args.sizes:
            print(f"measuring {count:,} cases …", file=sys.stderr, flush=True)
            sizes.append(measure(count, real, args.seed, Path(folder), not args.no_browser, args.browser_queries))
    rows = table(sizes)
    engine = sizes[0].warm.get("engine", "?") if sizes else "?"
    context = (
        f"{os.cpu_count()} cores, load average {load_before:.1f} at the start and {os.getloadavg()[0]:.1f} at the end; "
        f"Python {sys.version.split()[0]}; embedding engine {engine}; synthetic seed {args.seed}; "
        f"{time.perf_counter() - started:.0f} s in all; {time.strftime('%Y-%m-%d %H:%M')}"
    )
    text = markdown(sizes, rows)
    growth_lines = growth(sizes)
    if growth_lines:
        text += "\n\n```text\n" + "\n".join(growth_lines) + "\n```"
    print(f"\n{context}\n\n{text}\n")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    appendix = "".join(
        f"\n## tools/bench_search.py, {s.cases:,} cases\n\n```text\n{s.browser_output.strip()}\n```\n" for s in sizes if s.browser_output
    )
    args.out.write_text(f"# make bench\n\n{context}\n\n{text}\n{appendix}", encoding="utf-8")
    raw = [
        {k: {"seconds": v.seconds, "peak_mb": v.peak_mb} if isinstance(v, Run) else v for k, v in vars(s).items() if k != "browser_output"}
        for s in sizes
    ]
    args.out.with_suffix(".json").write_text(json.dumps({"context": context, "sizes": raw}, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"Markdown: {args.out} (figures as JSON: {args.out.with_suffix('.json')})")


if __name__ == "__main__":
    main()
