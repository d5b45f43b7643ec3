/*
 * DX人材事例ナビ search: one engine for the search page, the header box and tests.
 *
 *   window.caseSearch.search(query, {mode, filters, limit})
 *     -> Promise of [{id, url, title, organization, score}], best first
 *   window.caseSearch.ready            resolves when the keyword index's manifest is loaded (asking starts the
 *                                      load; each query then loads the chunks it needs)
 *   window.caseSearch.semanticStatus() {state, reason, engine, model} of window.DxNavi.semantic
 *
 * mode: "hybrid" (default: keyword and semantic fused by RRF; keyword only
 * while the encoder is unavailable), "keyword" or "semantic". filters:
 * {facet key: value id or [value ids]}; values of one facet are alternatives,
 * facets all apply. url is absolute, so it works from any page.
 */
(function (factory) {
  "use strict";
  const node = typeof module === "object" && module.exports;
  const deps = node
    ? { terms: require("./terms.js"), keywordIndex: require("./keyword-index.js"), ranking: require("./ranking.js"), query: require("./query.js"), fusion: require("./fusion.js") }
    : window.DxNavi;
  const api = factory(deps, typeof window !== "undefined" ? window : null);
  if (node) module.exports = api;
  if (typeof window !== "undefined") {
    (window.DxNavi = window.DxNavi || {}).api = api;
    window.caseSearch = api.caseSearch;
  }
})(function (deps, win) {
  "use strict";

  const MODES = ["hybrid", "keyword", "semantic"];
  const DEFAULT_LIMIT = 20;
  // Semantic neighbours fused into a hybrid list: enough to add recall, few enough not to bury exact matches.
  const SEMANTIC_DEPTH = 20;
  // Weights of the semantic list in the hybrid RRF (the keyword list weighs 1). Measured with
  // eval-search on the labelled set: at equal weight the semantic list (nDCG@10 0.55 alone) pulled
  // hybrid below keyword-only on every kind but paraphrases; at 0.5 it still lifts paraphrases.
  const SEMANTIC_WEIGHT = 0.5;
  // A query of one short word (ワーキング, 起業人) is a look-up of that word, which meaning cannot do
  // (it finds no infix): the semantic cases still merge in, below the word's own matches.
  const SHORT_QUERY_CHARS = 8;
  const SHORT_QUERY_SEMANTIC_WEIGHT = 0.15;
  // The semantic list ignores stated properties (小さな町): with property hints, it votes only for cases
  // that have them, in proportion. RRF keeps ranks, not the keyword score's ×4 lift for fitting cases, so a
  // full vote for others reordered them (property nDCG@10 0.733 with a double vote for fits, 0.861 so).
  const SEMANTIC_OFF = { state: "off", reason: "意味検索はまだ用意されていません", engine: "", model: "" };

  /**
   * The search over one build's data: keyword ranking, facets and case look-up. data is either a
   * whole index in memory ({index, cases, facets, hints}: tests, tools) or a sharded build
   * (keyword-index.js sharded()): then prepare(plan) loads a query's chunks before keyword(plan),
   * loadCases(docs) the display data of cases to show, and facet sets arrive with loadFacets().
   */
  function createEngine(data) {
    const index = data.keywordIndex || new deps.keywordIndex.KeywordIndex(data.index);
    const cases = data.cases;
    const byId = data.byId || new Map(cases.map(function (c, doc) { return [c.id, doc]; }));
    // sets (value id -> Set of cases) are null until the facets' cases are loaded.
    const facets = data.facets.map(function (facet) {
      return Object.assign({}, facet, { ids: new Set(facet.values.map(function (v) { return v.id; })), sets: null });
    });
    const facetByKey = new Map(facets.map(function (f) { return [f.key, f]; }));
    const haystacks = [];
    let facetsReady = null;

    function fillFacets(lists) {
      facets.forEach(function (facet, f) {
        facet.sets = new Map(facet.values.map(function (v, i) { return [v.id, new Set(lists ? lists[f][i] : v.cases)]; }));
      });
    }
    if (!data.sharded) fillFacets(null);

    function loadFacets() {
      if (!data.sharded) return Promise.resolve();
      if (!facetsReady) {
        facetsReady = data.loadFacets().then(fillFacets, function (error) { facetsReady = null; throw error; });
      }
      return facetsReady;
    }

    function haystack(doc) {
      if (haystacks[doc] === undefined) {
        const c = cases[doc];
        const text = [c.title, c.organisation, c.prefecture, c.region, c.keywords.join("\n"), c.category, c.summary, c.text].join("\n");
        haystacks[doc] = deps.terms.fold(text);
      }
      return haystacks[doc];
    }

    // Which cases hold two neighbouring query terms together: their text when in memory, the index's joints when sharded.
    const together = data.sharded
      ? function (text) { const set = index.jointCases(text); return function (doc) { return set[doc] === 1; }; }
      : function (text) { return function (doc) { return haystack(doc).includes(text); }; };

    function sets(facet) {
      if (!facet.sets) throw new Error("絞り込みの情報を読み込む前に使おうとしました（prepare(plan, {facets: true})）");
      return facet.sets;
    }

    function members(key, values) {
      const facet = facetByKey.get(key);
      const out = new Set();
      if (!facet) return out;
      for (const v of values) for (const doc of sets(facet).get(v) || []) out.add(doc);
      return out;
    }

    /** {key: [ids]} from {key: id | [ids] | "a,b"}, unknown keys and values dropped. */
    function normaliseFilters(filters) {
      const out = {};
      for (const key of Object.keys(filters || {})) {
        const facet = facetByKey.get(key);
        if (!facet) continue;
        let values = filters[key];
        if (typeof values === "string") values = values.split(",");
        values = (values || []).filter(function (v) { return facet.ids.has(v); });
        if (values.length) out[key] = values;
      }
      return out;
    }

    /** Whether a case passes every filter but the one named by except. */
    function allowed(doc, filters, except) {
      for (const key of Object.keys(filters)) {
        if (key === except) continue;
        const facet = facetByKey.get(key);
        if (!filters[key].some(function (v) { return sets(facet).get(v).has(doc); })) return false;
      }
      return true;
    }

    function plan(query, disabled) {
      return deps.query.parse(query, { hints: data.hints, facets: data.facets, disabled: disabled || new Set() });
    }

    /**
     * Load what keyword(plan) reads: the chunks of its terms and phrases, and the facets' cases
     * when the plan states a property (小さな町) or options.facets asks (filters, facet counts).
     */
    function prepare(p, options) {
      const jobs = [index.ensure(deps.ranking.needs(p))];
      if ((options && options.facets) || (p.boosts && p.boosts.length)) jobs.push(loadFacets());
      return Promise.all(jobs);
    }

    /** Keyword results for a prepared plan, before filters: [{doc, score, …}]. */
    function keyword(p) {
      return deps.ranking.rank(p, { index, together, members });
    }

    /** Load the display data (engine.cases[doc]) of these cases. */
    function loadCases(docs) {
      return data.sharded ? data.loadCases(docs) : Promise.resolve();
    }

    /** Promise of every case's {id, url, title, organisation} by position (one file when sharded): what window.caseSearch returns. */
    let wholeNames = null;
    function loadNames() {
      if (data.sharded) return data.loadNames();
      if (!wholeNames) wholeNames = Promise.resolve(cases.map(function (c) { return { id: c.id, url: c.url, title: c.title, organisation: c.organisation }; }));
      return wholeNames;
    }

    // Per facet, each case's values (value positions, CSR), built once the facets' cases are in.
    let valuesOf = null;

    function caseValues() {
      if (!valuesOf) {
        valuesOf = facets.map(function (facet) {
          const lists = Array.from({ length: index.size }, function () { return []; });
          facet.values.forEach(function (v, i) { for (const doc of sets(facet).get(v.id)) lists[doc].push(i); });
          const start = new Int32Array(index.size + 1);
          lists.forEach(function (list, doc) { start[doc + 1] = start[doc] + list.length; });
          return { start, values: Int32Array.from(lists.flat()) };
        });
      }
      return valuesOf;
    }

    /**
     * counts[key][valueIndex] for these cases, each facet under the other facets' filters (what
     * ui-facets.js shows). One pass over the cases' own values: the search page recounts on every
     * keystroke, and value-by-value set look-ups took 40 ms at 10,000 cases.
     */
    function counts(docs, filters) {
      const out = {};
      caseValues().forEach(function (csr, f) {
        const facet = facets[f];
        const n = new Array(facet.values.length).fill(0);
        for (const doc of docs) {
          if (!allowed(doc, filters, facet.key)) continue;
          for (let k = csr.start[doc]; k < csr.start[doc + 1]; k++) n[csr.values[k]] += 1;
        }
        out[facet.key] = n;
      });
      return out;
    }

    return { data, index, cases, facets, byId, haystack, members, normaliseFilters, allowed, plan, prepare, keyword, loadCases, loadNames, loadFacets, counts };
  }

  // ---- Semantic side (written elsewhere; used when present) -----------------

  function semantic() {
    const s = win && win.DxNavi && win.DxNavi.semantic;
    return s && typeof s.status === "function" ? s : null;
  }

  // search.html includes search/semantic.js; other pages add it when a search first asks for meaning.
  const SEMANTIC_SCRIPT = "search/semantic.js";
  let semanticScript = null;

  function ensureSemanticScript() {
    if (semantic() || !win || !win.document) return Promise.resolve();
    if (!semanticScript) {
      semanticScript = new Promise(function (resolve) {
        const script = win.document.createElement("script");
        script.src = deps.keywordIndex.root() + SEMANTIC_SCRIPT;
        script.onload = script.onerror = function () { resolve(); }; // absent: semantic stays "off"
        win.document.head.appendChild(script);
      });
    }
    return semanticScript;
  }

  function semanticStatus() {
    const s = semantic();
    if (!s) return Object.assign({}, SEMANTIC_OFF);
    try {
      return Object.assign({ reason: "", engine: "", model: "" }, s.status());
    } catch (error) {
      return { state: "error", reason: "意味検索の状態を確かめられませんでした（" + error.message + "）", engine: "", model: "" };
    }
  }

  /** Case ids from the encoder, or null with the reason it could not answer. */
  async function semanticIds(query, depth) {
    await ensureSemanticScript();
    const s = semantic();
    const status = semanticStatus();
    if (!s || status.state === "off" || status.state === "error") return { ids: null, status };
    try {
      await s.load();
      const hits = await s.search(query, depth);
      // A sharded engine knows only the ids of the cases it loaded: the vectors name each case's position.
      if (engine) for (const h of hits) if (h.doc !== undefined && !engine.byId.has(h.id)) engine.byId.set(h.id, h.doc);
      return { ids: hits.map(function (h) { return h.id; }), status: semanticStatus() };
    } catch (error) {
      return { ids: null, status: { state: "error", reason: (error && error.message) || String(error), engine: status.engine, model: status.model } };
    }
  }

  function semanticWeight(plan) {
    const compact = (plan.query || "").replace(/\s+/g, "");
    const oneWord = plan.parts.length <= 1 && Array.from(compact).length <= SHORT_QUERY_CHARS;
    return oneWord ? SHORT_QUERY_SEMANTIC_WEIGHT : SEMANTIC_WEIGHT;
  }

  /** Fuse keyword docs and semantic ids by mode; returns [{doc, score, keywordRank, semanticRank}]. */
  function combine(engine, mode, keywordDocs, semanticIdList, filters, plan) {
    const semanticDocs = (semanticIdList || [])
      .map(function (id) { return engine.byId.get(id); })
      .filter(function (doc) { return doc !== undefined && engine.allowed(doc, filters); });
    if (mode === "keyword" || semanticIdList === null) {
      return keywordDocs.map(function (r, i) { return { doc: r.doc, score: r.score, keywordRank: i + 1, weak: !!r.weak }; });
    }
    if (mode === "semantic") {
      return semanticDocs.map(function (doc, i) { return { doc, score: 1 / (i + 1), semanticRank: i + 1 }; });
    }
    const boosts = ((plan && plan.boosts) || []).map(function (b) { return engine.members(b.facet, b.values); });
    const fit = function (doc) {
      if (!boosts.length) return 1;
      return boosts.filter(function (set) { return set.has(doc); }).length / boosts.length;
    };
    const fused = deps.fusion.rrf([
      { name: "keyword", ids: keywordDocs.map(function (r) { return r.doc; }) },
      { name: "semantic", ids: semanticDocs, weight: plan ? semanticWeight(plan) : SEMANTIC_WEIGHT, factor: fit },
    ]);
    return fused.map(function (f) { return { doc: f.id, score: f.score, keywordRank: f.ranks.keyword, semanticRank: f.ranks.semantic }; });
  }

  // ---- window.caseSearch ----------------------------------------------------

  let engine = null;

  function loadEngine() {
    return deps.keywordIndex.load().then(function (data) {
      if (!engine || engine.data !== data) engine = createEngine(data);
      return engine;
    });
  }

  function absolute(url) {
    const root = deps.keywordIndex.root();
    try {
      return new URL(url, root || (win && win.location.href)).href;
    } catch (error) {
      return url;
    }
  }

  async function search(query, options) {
    options = options || {};
    const mode = MODES.includes(options.mode) ? options.mode : "hybrid";
    const limit = options.limit === undefined ? DEFAULT_LIMIT : options.limit;
    const e = await loadEngine();
    const filters = e.normaliseFilters(options.filters);
    const text = String(query || "");
    const plan = e.plan(text);
    const wantsSemantic = mode !== "keyword" && text.trim();
    // The semantic side loads its model and vectors while the keyword chunks load.
    const semanticAnswer = wantsSemantic ? semanticIds(text, Math.max(limit, SEMANTIC_DEPTH)) : null;
    // The names load with the keyword chunks: one request, not one per result after ranking.
    const names = e.loadNames();
    names.catch(function () {}); // awaited below; if prepare() fails first, its failure is the one reported
    await e.prepare(plan, { facets: Object.keys(filters).length > 0 });
    const ranked = e.keyword(plan);
    const keywordDocs = Object.keys(filters).length ? ranked.filter(function (r) { return e.allowed(r.doc, filters); }) : ranked;
    const ids = semanticAnswer ? (await semanticAnswer).ids : null;
    // Keyword results alone (no meaning to fuse): only the first `limit` are returned (10,000 at most).
    const fused = mode === "keyword" || ids === null ? keywordDocs.slice(0, limit) : keywordDocs;
    const top = combine(e, mode, fused, ids, filters, plan).slice(0, limit);
    const named = await names;
    return top.map(function (r) {
      const c = named[r.doc];
      return { id: c.id, url: absolute(c.url), title: c.title, organization: c.organisation, score: r.score };
    });
  }

  const caseSearch = {
    search,
    semanticStatus,
    get ready() {
      return loadEngine().then(function () { return true; });
    },
  };

  return { createEngine, combine, semanticIds, semanticStatus, loadEngine, absolute, caseSearch, MODES, SEMANTIC_DEPTH, SEMANTIC_WEIGHT, SHORT_QUERY_SEMANTIC_WEIGHT };
});
