"""Benchmark: semantic search, build side and browser side. Prints numbers; asserts nothing.

Usage: python tools/bench_semantic.py [--queries 50] [--file]

- Python encoder throughput on the real cases (their passages, as the build embeds them; no cache);
- the browser payload: every file the first semantic query loads, on disk and gzipped (goal ≤ 20 MB);
- in headless Chromium (the machine's, as the tests use): time from the first semantic
  query to its first result, with the encoder's own step timings (goal ≤ 3 s), and the
  time per query over N queries, p50/p95 (goal ≤ 100 ms), served from 127.0.0.1 and,
  with --file, opened from the folder.

It builds the real site with the use-multilingual engine into a temporary folder
(the model cache is the project's, .cache/dxnavi, unless DXNAVI_CACHE says otherwise).
"""

from __future__ import annotations

import argparse
import functools
import gzip
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
QUERIES = [
    "外部アドバイザーを使った小さな町の事例", "DX人材を認定している団体", "ITパスポートの取得支援", "職員のリスキリング",
    "民間企業からの副業人材", "CIO補佐官の任用", "RPAの導入で業務改善", "ノーコードツールの研修", "情報システム担当の育成",
    "デジタル推進リーダー", "人事評価とキャリアパス", "OJTで若手を育てる", "都道府県による市町村支援", "地域おこし協力隊",
    "データ利活用", "生成AIの活用", "研修の効果測定", "兼務職員のDX推進", "人口の少ない村", "大学との連携",
]  # fmt: skip


def python_throughput() -> None:
    from builder.embedding import EmbeddingSettings, load
    from builder.generate.similar import passages
    from builder.project import Project
    from builder.validate import check_project

    corpus = check_project(Project(REPO)).corpus
    assert corpus is not None
    started = time.perf_counter()
    embedder = load(EmbeddingSettings(engine="use-multilingual"), REPO)
    loaded = time.perf_counter() - started
    texts = [p for entry in corpus.cases for p in passages(entry, embedder.encoder.max_chars, embedder.settings.fields)]
    started = time.perf_counter()
    embedder.encoder.encode(texts)  # the encoder itself: the cache would make this free
    took = time.perf_counter() - started
    print("Python encoder (use-multilingual, onnxruntime)")
    print(f"  model load              {loaded:8.2f} s")
    print(f"  {len(corpus.cases)} cases, {len(texts)} passages, {sum(map(len, texts)):,} characters")
    print(f"  throughput              {len(corpus.cases) / took:8.1f} cases/s   {len(texts) / took:8.1f} passages/s   ({took:.2f} s)")
    started = time.perf_counter()
    for query in QUERIES:
        embedder.encoder.encode([query])
    print(f"  one query               {(time.perf_counter() - started) / len(QUERIES) * 1000:8.1f} ms")


def build(site: Path) -> dict:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "DXNAVI_ENGINE": "use-multilingual"}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "builder", "build", "--site-dir", str(site)], cwd=REPO, env=env, check=True, capture_output=True)
    print(f"\nBuild of the real site with use-multilingual: {time.perf_counter() - started:.1f} s")
    text = (site / "search" / "semantic.js").read_text(encoding="utf-8")
    return json.loads(re.search(r"window\.DXNAVI_SEMANTIC = (\{.*?\n\});\n", text, re.DOTALL).group(1))


def payload(site: Path, status: dict) -> None:
    files = {"status+loader": "search/semantic.js", **status["files"]}
    print("\nBrowser payload of the first semantic query (gzip -6, as a server sends it)")
    total_disk = total_gzip = 0
    for key, path in files.items():
        data = (site / path.split("?")[0]).read_bytes()
        packed = len(gzip.compress(data, 6))
        total_disk += len(data)
        total_gzip += packed
        print(f"  {key:18s} {path.split('?')[0]:40s} {len(data) / 1e6:8.2f} MB  gzip {packed / 1e6:7.2f} MB")
    print(f"  {'total':18s} {'':40s} {total_disk / 1e6:8.2f} MB  gzip {total_gzip / 1e6:7.2f} MB   (goal ≤ 20 MB)")


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def browser(site: Path, queries: int, from_folder: bool) -> None:
    from playwright.sync_api import sync_playwright

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    targets = [("http://127.0.0.1", f"http://127.0.0.1:{server.server_address[1]}/search.html")]
    if from_folder:
        targets.append(("file://", (site / "search.html").as_uri()))
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        for label, url in targets:
            page = instance.new_page()
            page.goto(url)
            page.wait_for_function("() => window.DxNavi && window.DxNavi.semantic")
            first = page.evaluate(
                "async q => { const t = performance.now(); const hits = await DxNavi.semantic.search(q, 10);"
                " return {ms: performance.now() - t, hits: hits.length, steps: DxNavi.encoder.timings, ua: navigator.userAgent}; }",
                QUERIES[0],
            )
            times = page.evaluate(
                "async qs => { const out = []; for (const q of qs) { const t = performance.now();"
                " await DxNavi.semantic.search(q, 10); out.push(performance.now() - t); } return out; }",
                [QUERIES[i % len(QUERIES)] + ("" if i < len(QUERIES) else f" {i}") for i in range(queries)],
            )
            times.sort()
            p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
            print(f"\nChromium ({first['ua'].split('HeadlessChrome/')[-1].split(' ')[0]}), {label}")
            print(f"  first query → first result  {first['ms']:8.0f} ms   (goal ≤ 3000; {first['hits']} results)")
            print("  encoder steps (ms since load): " + ", ".join(f"{k} {v}" for k, v in first["steps"].items()))
            print(f"  {queries} queries: p50 {statistics.median(times):6.1f} ms   p95 {p95:6.1f} ms   max {times[-1]:6.1f} ms   (goal p95 ≤ 100)")
            page.close()
        instance.close()
    server.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--file", action="store_true", help="also open the site from its folder (file://)")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}\n")
    python_throughput()
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder) / "site"
        status = build(site)
        if not status["available"]:
            print("Semantic search is off in this build: " + status["reason"])
            return
        payload(site, status)
        browser(site, args.queries, args.file)


if __name__ == "__main__":
    main()
