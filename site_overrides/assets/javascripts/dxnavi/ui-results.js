/*
 * DX人材事例ナビ search: one result, as the search page and the header list show it.
 *
 * Everything from the data is put on the page as text nodes (textContent);
 * highlights are <mark> elements around text nodes, never HTML strings.
 */
(function (factory) {
  "use strict";
  const node = typeof module === "object" && module.exports;
  const terms = node ? require("./terms.js") : window.DxNavi.terms;
  const api = factory(terms);
  if (node) module.exports = api;
  if (typeof window !== "undefined") (window.DxNavi = window.DxNavi || {}).results = api;
})(function (terms) {
  "use strict";

  const SNIPPET_LENGTH = 110;
  const SNIPPET_LEAD = 30; // characters shown before the first match

  /** [start, end) spans of source that match any of the folded phrases, merged. */
  function matches(source, phrases) {
    const map = terms.foldMap(source);
    const spans = [];
    for (const phrase of phrases) {
      if (!phrase) continue;
      let i = map.text.indexOf(phrase);
      while (i >= 0) {
        spans.push([map.from[i], map.to[i + phrase.length - 1]]);
        i = map.text.indexOf(phrase, i + phrase.length);
      }
    }
    spans.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
    const merged = [];
    for (const s of spans) {
      const last = merged[merged.length - 1];
      if (last && s[0] <= last[1]) last[1] = Math.max(last[1], s[1]);
      else merged.push(s.slice());
    }
    return merged;
  }

  /** Pieces [{text, mark}] of source with the matches marked. */
  function pieces(source, spans, from, to) {
    const out = [];
    let at = from;
    for (const [s, e] of spans) {
      if (e <= from || s >= to) continue;
      const a = Math.max(s, from);
      const b = Math.min(e, to);
      if (a > at) out.push({ text: source.slice(at, a), mark: false });
      out.push({ text: source.slice(a, b), mark: true });
      at = b;
    }
    if (at < to) out.push({ text: source.slice(at, to), mark: false });
    return out;
  }

  function safeCut(text, i) {
    // Never cut a surrogate pair in two.
    const code = text.charCodeAt(i);
    return code >= 0xdc00 && code <= 0xdfff ? i - 1 : i;
  }

  /**
   * A short passage around the best match: {pieces, before, after} (before/after: text was cut there).
   * The passage with the most distinct matched phrases wins; without a match, the start of the first text.
   */
  function snippet(texts, phrases, length) {
    const size = length || SNIPPET_LENGTH;
    let best = null;
    for (const raw of texts) {
      const source = (raw || "").replace(/\s+/g, " ").trim();
      if (!source) continue;
      const spans = matches(source, phrases);
      if (!spans.length) {
        if (!best) best = { source, spans, start: 0, weight: 0 };
        continue;
      }
      for (const [s] of spans) {
        const start = Math.max(0, s - SNIPPET_LEAD);
        const inside = spans.filter(function (x) { return x[0] >= start && x[1] <= start + size; });
        const weight = new Set(inside.map(function (x) { return terms.fold(source.slice(x[0], x[1])); })).size;
        if (!best || weight > best.weight) best = { source, spans, start, weight };
      }
    }
    if (!best) return { pieces: [], before: false, after: false };
    const from = safeCut(best.source, best.start);
    let to = safeCut(best.source, Math.min(best.source.length, from + size));
    for (const [s, e] of best.spans) if (s < to && e > to) to = e; // never cut a highlighted word
    return { pieces: pieces(best.source, best.spans, from, to), before: from > 0, after: to < best.source.length };
  }

  // ---- DOM ------------------------------------------------------------------

  function el(doc, tag, className, text) {
    const node = doc.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function appendPieces(doc, parent, list) {
    for (const p of list) {
      if (p.mark) parent.append(el(doc, "mark", "", p.text));
      else parent.append(doc.createTextNode(p.text));
    }
  }

  /** Why a case is listed: matched words, other names, stated properties, meaning. */
  function reasons(info) {
    const out = [];
    const words = [];
    const other = [];
    for (const m of info.matched || []) {
      const list = m.expansion ? other : words;
      const label = m.display || m.text;
      if (!list.includes(label)) list.push(label);
    }
    if (words.length) out.push("一致: " + words.map(function (w) { return "「" + w + "」"; }).join(""));
    if (other.length) out.push("別の言い方で一致: " + other.map(function (w) { return "「" + w + "」"; }).join(""));
    for (const h of info.hints || []) out.push("条件に合う: " + h.label);
    if (info.semanticRank) out.push("意味が近い（" + info.semanticRank + "位）");
    return out;
  }

  /**
   * <li> for one case. item: a case of the search data; info: {matched, hints, semanticRank}.
   * options: {href, compact (header list: title, organisation, snippet only), id, role}.
   */
  function render(doc, item, info, options) {
    options = options || {};
    const phrases = (info.matched || []).map(function (m) { return m.text; });
    const li = el(doc, "li", "dxn-result" + (options.compact ? " dxn-result--compact" : ""));
    if (options.id) li.id = options.id;
    if (options.role) li.setAttribute("role", options.role);

    const title = el(doc, options.compact ? "span" : "a", "dxn-result__title");
    if (!options.compact) title.href = options.href;
    appendPieces(doc, title, pieces(item.title, matches(item.title, phrases), 0, item.title.length));
    const head = el(doc, options.compact ? "div" : "h2", "dxn-result__head");
    head.append(title);
    li.append(head);

    const meta = [item.organisation + "（" + item.kind + "）", "人口 " + item.population + (item.band ? "・" + item.band : "")];
    if (!options.compact) meta.push(item.category, item.source);
    li.append(el(doc, "p", "dxn-result__meta", meta.join("　")));

    const cut = snippet([item.summary, item.text], phrases, options.compact ? 60 : SNIPPET_LENGTH);
    if (cut.pieces.length) {
      const p = el(doc, "p", "dxn-result__snippet");
      if (cut.before) p.append(doc.createTextNode("…"));
      appendPieces(doc, p, cut.pieces);
      if (cut.after) p.append(doc.createTextNode("…"));
      li.append(p);
    }
    if (options.compact) return li;

    if (item.keywords.length) {
      const tags = el(doc, "p", "dxn-result__keywords");
      for (const keyword of item.keywords) {
        const hit = matches(keyword, phrases).length > 0;
        const tag = el(doc, hit ? "mark" : "span", "dxn-tag" + (hit ? " dxn-tag--hit" : ""), "#" + keyword);
        tags.append(tag, doc.createTextNode(" "));
      }
      li.append(tags);
    }
    const why = reasons(info);
    if (why.length) li.append(el(doc, "p", "dxn-result__why", why.join("　")));
    return li;
  }

  return { render, snippet, matches, reasons };
});
