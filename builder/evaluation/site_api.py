"""The site under test: each query through the page's own API, once per search mode.

``await window.caseSearch.ready; await window.caseSearch.search(query, {mode, limit})``
→ ``[{id, url, title, organization, score}]``, on any built page. A page without
the API, a mode that throws and a semantic model that did not load are reported
as unavailable with the page's own words, never as a crash or as zeros.
"""

from __future__ import annotations

import json
from collections.abc import Collection

from builder.evaluation.casepages import case_id_from_url
from builder.evaluation.labels import LabelledQuery
from builder.evaluation.results import EngineRun

PAGE = "index.html"
API_WAIT_MS = 15_000  # after load: the API may be set up by a deferred or module script
QUERY_WAIT_MS = 180_000  # the first semantic query may load a model in the page
MODES = ("keyword", "semantic", "hybrid")
DEFAULT_MODE = "hybrid"

_PROBE = """async (waitMs) => {
  const until = Date.now() + waitMs;
  while (!window.caseSearch && Date.now() < until) await new Promise(r => setTimeout(r, 100));
  const api = window.caseSearch;
  if (!api) return {missing: true};
  if (typeof api.search !== 'function') return {error: 'window.caseSearch.search is not a function'};
  const late = new Promise((_, no) => setTimeout(() => no(new Error(`did not settle in ${waitMs / 1000} s`)), waitMs));
  try { await Promise.race([Promise.resolve(api.ready), late]); }
  catch (e) { return {error: 'window.caseSearch.ready failed: ' + String((e && e.message) || e)}; }
  return {ok: true};
}"""

_STATUS = """async () => {
  const api = window.caseSearch;
  if (typeof api.semanticStatus !== 'function') return null;
  try { return await api.semanticStatus(); }
  catch (e) { return {available: false, reason: 'semanticStatus() failed: ' + String((e && e.message) || e)}; }
}"""

_SEARCH = """async ([query, mode, limit, waitMs]) => {
  const late = new Promise((_, no) => setTimeout(() => no(new Error(`no answer in ${waitMs / 1000} s`)), waitMs));
  try {
    const found = await Promise.race([window.caseSearch.search(query, {mode, limit}), late]);
    if (!Array.isArray(found)) return {error: `search() returned ${typeof found}, not an array`};
    return {results: found.map(r => ({
      id: r && r.id != null ? String(r.id) : null,
      url: r && r.url != null ? String(r.url) : null,
    }))};
  } catch (e) {
    return {error: String((e && e.message) || e)};
  }
}"""


def label(mode: str) -> str:
    return f"site {mode}" + (" (default)" if mode == DEFAULT_MODE else "")


def run_site(
    browser, base_url: str, queries: list[LabelledQuery], modes: list[str], case_ids: Collection[str], limit: int = 10
) -> list[EngineRun]:
    """One EngineRun per mode, in the order asked."""
    runs = [EngineRun(f"site:{mode}", label(mode)) for mode in modes]
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(base_url + PAGE, wait_until="load")
        probe = page.evaluate(_PROBE, API_WAIT_MS)
        if not probe.get("ok"):
            reason = _missing_reason(probe, errors)
            for run in runs:
                run.unavailable = reason
            return runs
        for run, mode in zip(runs, modes):
            _run_mode(page, run, mode, queries, set(case_ids), limit)
    finally:
        page.close()
    return runs


def _missing_reason(probe: dict, errors: list[str]) -> str:
    if probe.get("missing"):
        reason = (
            f"the page API is missing: window.caseSearch is not defined on {PAGE} "
            "(site_overrides/assets/javascripts/dxnavi/api.js not built into the site yet?)"
        )
    else:
        reason = str(probe.get("error"))
    if errors:
        reason += f"; page error: {errors[0]}"
    return reason


def _run_mode(page, run: EngineRun, mode: str, queries: list[LabelledQuery], known: set[str], limit: int) -> None:
    failures: list[str] = []
    unmapped = 0
    status: object = None
    for index, query in enumerate(queries):
        answer = page.evaluate(_SEARCH, [query.text, mode, limit, QUERY_WAIT_MS])
        if index == 0 and mode != "keyword":
            # Read after the first query: a page may load its model only when first asked.
            status = page.evaluate(_STATUS)
            down = _unavailable_status(status)
            if mode == "semantic" and down:
                run.unavailable = f"semantic search unavailable: {down}"
                return
            if down:
                run.notes.append(f"semantic part unavailable ({down}): {mode} may be keyword only")
            elif status is not None:
                run.notes.append(f"semanticStatus(): {describe(status)}")
        if "error" in answer:
            if index == 0:
                run.unavailable = f"search(…, {{mode: '{mode}'}}) failed: {answer['error']}"
                if status is not None:
                    run.unavailable += f" (semanticStatus(): {describe(status)})"
                return
            failures.append(f"{query.text}: {answer['error']}")
            run.rankings[query.text] = []
            continue
        ranking = []
        for result in answer["results"]:
            case_id = result["id"] if result["id"] in known else case_id_from_url(result["url"] or "")
            if case_id in known:
                ranking.append(case_id)
            else:
                unmapped += 1
        run.rankings[query.text] = list(dict.fromkeys(ranking))
    if failures:
        run.notes.append(f"{len(failures)} queries failed, first: {failures[0]}")
    if unmapped:
        run.notes.append(f"{unmapped} results named no known case (id or url) and were dropped")
    if mode == "semantic" and not any(run.rankings.values()):
        run.unavailable = "semantic search returned nothing for every query" + (
            f" (semanticStatus(): {describe(status)})" if status is not None else ""
        )


def _unavailable_status(status: object) -> str:
    """The reason semantic search is down, if ``semanticStatus()`` says so plainly; else empty."""
    down_words = {"unavailable", "error", "failed", "disabled", "off", "none", "missing"}
    if isinstance(status, dict):
        state = str(status.get("state") or status.get("status") or "").lower()
        if status.get("available") is False or status.get("ok") is False or state in down_words:
            return str(status.get("reason") or status.get("message") or status.get("error") or describe(status))
        return ""
    if isinstance(status, str) and any(word in status.lower() for word in down_words):
        return status
    if status is False:
        return "semanticStatus() returned false"
    return ""


def describe(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
