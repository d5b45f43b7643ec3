"""The Material anchor: Material for MkDocs' built-in search (``lang: ja``), used as a reader does.

Each query is typed into Material's search box the way an IME commits it (the
whole word at once, then a key release, which is what Material listens for).
The ranking read back is the result list Material's search worker hands to the
results panel, in the panel's order (one entry per page), captured from the
worker's messages: complete, whereas the panel renders the list lazily. Pages
that are not cases (keyword lists, prefectures …) are skipped.
"""

from __future__ import annotations

from collections.abc import Collection

from builder.evaluation.casepages import case_id_from_url
from builder.evaluation.labels import LabelledQuery
from builder.evaluation.results import EngineRun

LABEL = "material (lang: ja)"
PAGE = "index.html"
SEARCH_BOX = 'input[data-md-component="search-query"]'
READY_WAIT_MS = 60_000
QUERY_WAIT_MS = 30_000
# Material's worker messages (SearchMessageType): SETUP 0, READY 1, QUERY 2, RESULT 3.
_READY, _QUERY, _RESULT = 1, 2, 3

# Records what the page sends to and receives from every Worker it creates.
_WATCH_WORKERS = """(() => {
  const Native = window.Worker;
  if (!Native) return;
  const log = window.__evalWorker = {sent: [], received: []};
  window.Worker = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', event => log.received.push(event.data));
    }
    postMessage(message, ...rest) {
      log.sent.push(message);
      return super.postMessage(message, ...rest);
    }
  };
})();"""

_READY_JS = f"() => !!window.__evalWorker && window.__evalWorker.received.some(m => m && m.type === {_READY})"

# True once the last query sent is ``query`` and every query sent has had its result.
_ANSWERED_JS = f"""(query) => {{
  const log = window.__evalWorker;
  const sent = log.sent.filter(m => m && m.type === {_QUERY});
  const got = log.received.filter(m => m && m.type === {_RESULT});
  return sent.length > 0 && sent[sent.length - 1].data === query && got.length === sent.length;
}}"""

_LAST_RESULT_JS = f"""() => {{
  const got = window.__evalWorker.received.filter(m => m && m.type === {_RESULT});
  return got[got.length - 1].data.items.map(group => group.map(item => item.location));
}}"""


def run_material(browser, base_url: str, queries: list[LabelledQuery], case_ids: Collection[str], limit: int = 10) -> EngineRun:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    run = EngineRun("material", LABEL)
    known = set(case_ids)
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # desktop: the search box is in the header
    page.add_init_script(_WATCH_WORKERS)
    try:
        page.goto(base_url + PAGE, wait_until="load")
        box = page.locator(SEARCH_BOX)
        if box.count() == 0:
            run.unavailable = f"no Material search box ({SEARCH_BOX}) on {PAGE}: is the search plugin in the build?"
            return run
        try:
            page.wait_for_function(_READY_JS, timeout=READY_WAIT_MS)
        except PlaywrightTimeout:
            run.unavailable = f"Material's search worker never reported ready in {READY_WAIT_MS // 1000} s"
            return run
        skipped = 0
        for query in queries:
            box.fill(query.text)
            box.press("End")
            try:
                page.wait_for_function(_ANSWERED_JS, arg=query.text, timeout=QUERY_WAIT_MS)
            except PlaywrightTimeout:
                run.rankings[query.text] = []
                run.notes.append(f"「{query.text}」: no result from the worker in {QUERY_WAIT_MS // 1000} s (counted as empty)")
                continue
            ranking: list[str] = []
            for group in page.evaluate(_LAST_RESULT_JS):
                if len(ranking) == limit:
                    break
                case_id = case_id_from_url(group[0]) if group else None
                if case_id in known:
                    ranking.append(case_id)
                else:
                    skipped += 1
            run.rankings[query.text] = ranking
    finally:
        page.close()
    if skipped:
        run.notes.append(f"{skipped} results above a query's 10th case were other pages (lists, prefectures …), skipped")
    return run
