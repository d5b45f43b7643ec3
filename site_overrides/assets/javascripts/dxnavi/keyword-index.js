/*
 * DX人材事例ナビ search: loading the keyword index and reading its postings.
 *
 * search/index.js is a script (not fetched JSON) so that search works from a
 * folder (file://). It pushes its data onto window.DXNAVI_SEARCH_QUEUE, which
 * this module turns into a receiver; search.html includes the script itself,
 * other pages add it on first use. Format: builder/generate/search_index.py.
 */
(function (factory) {
  "use strict";
  const api = factory(typeof window !== "undefined" ? window : null);
  if (typeof module === "object" && module.exports) module.exports = api;
  if (typeof window !== "undefined") (window.DxNavi = window.DxNavi || {}).keywordIndex = api;
})(function (win) {
  "use strict";

  const INDEX_SCRIPT = "search/index.js";

  /** Postings of one build, decoded term by term on demand. */
  class KeywordIndex {
    constructor(raw) {
      this.fields = raw.fields;
      this.lengths = raw.lengths;
      this.size = raw.lengths.length;
      this.terms = raw.terms;
      this.raw = raw.postings;
      this.number = new Map(raw.terms.map(function (term, i) { return [term, i]; }));
      this.decoded = new Map();
      this.average = raw.fields.map(function (_, f) {
        let total = 0;
        for (const lengths of raw.lengths) total += lengths[f];
        return raw.lengths.length ? total / raw.lengths.length : 0;
      });
    }

    has(term) {
      return this.number.has(term);
    }

    /** Map case position -> term frequency per field, for one term of the index. */
    postings(term) {
      if (this.decoded.has(term)) return this.decoded.get(term);
      const out = new Map();
      const i = this.number.get(term);
      if (i !== undefined) {
        const flat = this.raw[i];
        let k = 0;
        while (k < flat.length) {
          const field = flat[k];
          const count = flat[k + 1];
          k += 2;
          let position = -1;
          for (let n = 0; n < count; n++) {
            position += flat[k];
            if (!out.has(position)) out.set(position, new Array(this.fields.length).fill(0));
            out.get(position)[field] = flat[k + 1];
            k += 2;
          }
        }
      }
      this.decoded.set(term, out);
      return out;
    }

    /** Index terms for which test(term) holds (a lone kanji inside pairs, a word being typed). */
    matching(test) {
      return this.terms.filter(test);
    }
  }

  // ---- Loading (browser only) ---------------------------------------------

  // Where this script came from tells where the site's root is, at any page depth and from file://.
  const SCRIPT = win && win.document && win.document.currentScript ? win.document.currentScript.src : "";
  const ROOT = SCRIPT ? SCRIPT.replace(/assets\/javascripts\/dxnavi\/[^/]*$/, "") : "";

  let data = null;
  let waiting = [];
  let loading = null;

  function receive(payload) {
    data = payload;
    data.keywordIndex = new KeywordIndex(payload.index);
    for (const resolve of waiting) resolve(data);
    waiting = [];
  }

  if (win) {
    const queued = win.DXNAVI_SEARCH_QUEUE;
    win.DXNAVI_SEARCH_QUEUE = { push: receive };
    if (Array.isArray(queued) && queued.length) receive(queued[queued.length - 1]);
  }

  /** Promise of the search data ({index, keywordIndex, cases, facets, hints}); adds the script if the page has none. */
  function load() {
    if (data) return Promise.resolve(data);
    if (loading) return loading;
    loading = new Promise(function (resolve, reject) {
      waiting.push(resolve);
      const doc = win.document;
      const present = Array.from(doc.scripts).some(function (s) { return s.src && s.src.endsWith(INDEX_SCRIPT); });
      if (present) return; // search.html: the script is in the page and pushes when it has run
      const script = doc.createElement("script");
      script.src = ROOT + INDEX_SCRIPT;
      script.async = true;
      script.onerror = function () {
        loading = null;
        reject(new Error("検索の索引（" + INDEX_SCRIPT + "）を読み込めませんでした。"));
      };
      doc.head.appendChild(script);
    });
    return loading;
  }

  function loaded() {
    return data;
  }

  return { KeywordIndex, load, loaded, root: function () { return ROOT; } };
});
