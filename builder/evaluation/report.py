"""The report: a table of nDCG@10 / Recall@10 per engine and query kind, the worst losses, a summary."""

from __future__ import annotations

import unicodedata
from typing import Any

from builder.evaluation.labels import KINDS, LabelledQuery
from builder.evaluation.metrics import CUTOFF
from builder.evaluation.results import Aggregate, EngineScore, QueryScore

BASELINE = "bm25"
LOSSES_SHOWN = 10


def headline(scores: list[EngineScore], default: str) -> EngineScore | None:
    """The site mode the report is about: the default mode, else the first site mode that ran."""
    sites = [s for s in scores if s.run.name.startswith("site:")]
    for score in sites:
        if score.run.name == f"site:{default}" and score.run.available:
            return score
    return next((s for s in sites if s.run.available), None)


def render(scores: list[EngineScore], queries: list[LabelledQuery], cases: int, default: str) -> str:
    kinds = [kind for kind in KINDS if any(q.kind == kind for q in queries)]
    counts = ", ".join(f"{kind} {sum(q.kind == kind for q in queries)}" for kind in kinds)
    lines = [f"nDCG@{CUTOFF} / Recall@{CUTOFF} on {len(queries)} labelled queries ({counts}) over {cases} cases", ""]
    lines += _table(scores, kinds)
    notes = [f"  {s.run.label}: {note}" for s in scores for note in s.run.notes]
    if notes:
        lines += ["", "notes:", *notes]
    main = headline(scores, default)
    baseline = next((s for s in scores if s.run.name == BASELINE and s.run.available), None)
    if main and baseline:
        lines += ["", *_losses(main, baseline)]
    lines += ["", summary(scores, default)]
    return "\n".join(lines)


def _table(scores: list[EngineScore], kinds: list[str]) -> list[str]:
    name_width = max([len("engine"), *(_width(s.run.label) for s in scores)]) + 2
    header = _pad("engine", name_width) + "".join(_pad(column, 15) for column in ["overall", *kinds]) + "no result"
    sub = " " * name_width + "".join(_pad("nDCG  R@10", 15) for _ in ["overall", *kinds])
    rows = [header, sub]
    for score in scores:
        name = _pad(score.run.label, name_width)
        if score.overall is None:
            rows.append(name + "n/a: " + score.run.unavailable)
            continue
        cells = [score.overall, *(score.kinds.get(kind) for kind in kinds)]
        rows.append(name + "".join(_pad(_cell(cell), 15) for cell in cells) + f"{score.no_result}/{len(score.per_query)}")
    return rows


def _cell(aggregate: Aggregate | None) -> str:
    return "—" if aggregate is None else f"{aggregate.ndcg:.3f} {aggregate.recall:.3f}"


def _losses(main: EngineScore, baseline: EngineScore) -> list[str]:
    """Queries where the headline mode's nDCG is furthest below the baseline's, and where the relevant cases landed."""
    base = {s.query.text: s for s in baseline.per_query}
    deltas = [(s.ndcg - base[s.query.text].ndcg, s) for s in main.per_query]
    worst = [(delta, s) for delta, s in sorted(deltas, key=lambda item: item[0]) if delta < 0][:LOSSES_SHOWN]
    lost = sum(1 for delta, _ in deltas if delta < 0)
    won = sum(1 for delta, _ in deltas if delta > 0)
    title = f"worst losses of {main.run.label} against {baseline.run.label} (nDCG@{CUTOFF}; {lost} lost, {won} won, {len(deltas) - lost - won} tied):"
    if not worst:
        return [title, "  none"]
    out = [title]
    for delta, s in worst:
        out.append(
            f"  {delta:+.3f}  {s.query.kind:<10} 「{s.query.text}」 {main.run.name} {s.ndcg:.3f}, {baseline.run.name} {base[s.query.text].ndcg:.3f}"
            f"  relevant at: {_positions(s)}"
        )
    return out


def _positions(s: QueryScore) -> str:
    """Where the best-graded relevant cases landed: ``case(grade)#rank``, ``#-`` when not in the top 10."""
    graded = sorted(s.query.relevance.items(), key=lambda item: (-item[1], item[0]))
    shown = [f"{case}({grade})#{s.ranking.index(case) + 1 if case in s.ranking else '-'}" for case, grade in graded[:4]]
    return ", ".join(shown) + (f", … {len(graded) - 4} more" if len(graded) > 4 else "")


def summary(scores: list[EngineScore], default: str) -> str:
    main = headline(scores, default)
    anchors = [s for s in scores if not s.run.name.startswith("site:") and s.overall is not None]
    anchor_text = ", ".join(f"{s.run.name} {s.overall.ndcg:.3f}" for s in anchors) or "no anchor ran"
    if main is None or main.overall is None:
        reason = next((s.run.unavailable for s in scores if s.run.name.startswith("site:")), "no site mode asked for")
        return f"summary: site n/a ({reason}); anchors nDCG@{CUTOFF}: {anchor_text}"
    text = f"summary: {main.run.label} nDCG@{CUTOFF} {main.overall.ndcg:.3f} vs {anchor_text}"
    if not anchors:
        return text
    overall = all(main.overall.ndcg > a.overall.ndcg for a in anchors)
    losses = [
        f"{kind} to {a.run.name} ({main.kinds[kind].ndcg:.3f} ≤ {a.kinds[kind].ndcg:.3f})"
        for kind in main.kinds
        for a in anchors
        if kind in a.kinds and main.kinds[kind].ndcg <= a.kinds[kind].ndcg
    ]
    text += f" — beats every anchor overall: {'yes' if overall else 'no'}; on every kind: {'yes' if not losses else 'no'}"
    if losses:
        text += " (not on " + "; ".join(losses) + ")"
    return text


def as_json(scores: list[EngineScore], queries: list[LabelledQuery], cases: int, default: str) -> dict[str, Any]:
    def aggregate(a: Aggregate | None) -> dict[str, Any] | None:
        return None if a is None else {"ndcg": round(a.ndcg, 4), "recall": round(a.recall, 4), "queries": a.queries}

    return {
        "cutoff": CUTOFF,
        "cases": cases,
        "queries": len(queries),
        "engines": [
            {
                "name": s.run.name,
                "label": s.run.label,
                "available": s.run.available,
                "unavailable": s.run.unavailable or None,
                "notes": s.run.notes,
                "overall": aggregate(s.overall),
                "kinds": {kind: aggregate(a) for kind, a in s.kinds.items()},
                "no_result": s.no_result if s.overall else None,
                "per_query": [
                    {
                        "query": q.query.text,
                        "kind": q.query.kind,
                        "ndcg": round(q.ndcg, 4),
                        "recall": round(q.recall, 4),
                        "ranking": q.ranking,
                    }
                    for q in s.per_query
                ],
            }
            for s in scores
        ],
        "summary": summary(scores, default),
    }


def _width(text: str) -> int:
    """Columns a terminal gives ``text`` (East Asian wide characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(1, width - _width(text))
