/*
 * DX人材事例ナビ search: reciprocal rank fusion of the keyword and the semantic lists.
 *
 * RRF uses ranks only, so the two engines' scores (BM25 and cosine) need no
 * common scale: score(id) = Σ weight / (K + rank), rank counted from 1.
 */
(function (factory) {
  "use strict";
  const api = factory();
  if (typeof module === "object" && module.exports) module.exports = api;
  if (typeof window !== "undefined") (window.DxNavi = window.DxNavi || {}).fusion = api;
})(function () {
  "use strict";

  // The usual constant from Cormack et al. (2009): a case ranked 1st counts 61/62 of one ranked 2nd.
  const K = 60;

  /**
   * lists: [{name, ids: [id best first], weight = 1, factor(id) = 1}]; factor lets one list's vote
   * depend on the case (the semantic list knows nothing of 小さな町, so the page lifts the cases that fit).
   * Returns [{id, score, ranks: {name: rank}}], best first; ties keep the first list's order.
   */
  function rrf(lists, k) {
    const constant = k === undefined ? K : k;
    const found = new Map();
    let order = 0;
    for (const list of lists) {
      const weight = list.weight === undefined ? 1 : list.weight;
      list.ids.forEach(function (id, i) {
        if (!found.has(id)) found.set(id, { id, score: 0, ranks: {}, order: order++ });
        const item = found.get(id);
        if (item.ranks[list.name] !== undefined) return; // a list names each case once
        item.ranks[list.name] = i + 1;
        item.score += (weight * (list.factor ? list.factor(id) : 1)) / (constant + i + 1);
      });
    }
    return Array.from(found.values())
      .sort(function (a, b) { return b.score - a.score || a.order - b.order; })
      .map(function (item) { return { id: item.id, score: item.score, ranks: item.ranks }; });
  }

  return { rrf, K };
});
