// Shared by the unit tests: the browser modules (they export for Node) and a tiny index built like search_index.py.
const path = require("node:path");

const MODULES = path.join(__dirname, "..", "..", "site_overrides", "assets", "javascripts", "dxnavi");

function load(name) {
  return require(path.join(MODULES, name + ".js"));
}

const terms = load("terms");
const { KeywordIndex } = load("keyword-index");

const FIELDS = ["title", "organisation", "tags", "summary", "text"];

/** The postings format of builder/generate/search_index.py, built from {field: text} per case. */
function buildIndex(docs) {
  const found = new Map();
  const lengths = [];
  docs.forEach(function (doc, position) {
    lengths.push(FIELDS.map(function (field, f) {
      const list = terms.terms(doc[field] || "");
      const counts = new Map();
      for (const t of list) counts.set(t, (counts.get(t) || 0) + 1);
      for (const [t, count] of counts) {
        if (!found.has(t)) found.set(t, new Map());
        const byField = found.get(t);
        if (!byField.has(f)) byField.set(f, []);
        byField.get(f).push([position, count]);
      }
      return list.length;
    }));
  });
  const ordered = Array.from(found.keys()).sort();
  const postings = ordered.map(function (t) {
    const flat = [];
    for (const [f, hits] of Array.from(found.get(t)).sort(function (a, b) { return a[0] - b[0]; })) {
      flat.push(f, hits.length);
      let previous = -1;
      for (const [position, count] of hits) { flat.push(position - previous, count); previous = position; }
    }
    return flat;
  });
  return { version: 1, fields: FIELDS, lengths, terms: ordered, postings };
}

/** A search data object (index, cases, facets, hints) for a few cases. */
function searchData(docs, facets, hints) {
  return {
    index: buildIndex(docs),
    cases: docs.map(function (d, i) {
      return Object.assign({ id: "case-" + i, url: "cases/case-" + i + ".html", title: "", organisation: "", prefecture: "", region: "", kind: "", population: "", band: "", category: "", keywords: [], summary: "", text: "", source: "" }, d);
    }),
    facets: facets || [],
    hints: hints || { synonyms: [], bands: [] },
  };
}

/** The value a site script registers (DxNavi.assets.register) or pushes (the manifest), run as the page would. */
function runScript(file) {
  const vm = require("node:vm");
  const fs = require("node:fs");
  const found = [];
  const window = { DxNavi: { assets: { register: function (name, value) { found.push(value); } } } };
  window.DXNAVI_SEARCH_QUEUE = { push: function (value) { found.push(value); } };
  vm.runInNewContext(fs.readFileSync(file, "utf-8"), { window });
  if (found.length !== 1) throw new Error(file + " registered " + found.length + " values");
  return JSON.parse(JSON.stringify(found[0])); // this realm's objects, so deepStrictEqual compares values only
}

/**
 * The sharded search data of a site folder (search_shards.py's files), loading chunks from disk;
 * requested lists every chunk path asked for, in order.
 */
function shardedData(site) {
  const keywordIndex = load("keyword-index");
  const assets = load("assets");
  const manifest = runScript(path.join(site, "search", "index.js"));
  const requested = [];
  const data = keywordIndex.sharded(manifest, function (file) {
    requested.push(file);
    return Promise.resolve().then(function () { return assets.unpack(runScript(path.join(site, file))); });
  });
  return { data, manifest, requested };
}

/** The project's Python (for fixtures the builder writes). */
function python() {
  if (process.env.DXNAVI_PYTHON) return process.env.DXNAVI_PYTHON;
  const venv = path.join(__dirname, "..", "..", ".venv", "bin", "python");
  return require("node:fs").existsSync(venv) ? venv : "python3";
}

module.exports = { load, buildIndex, searchData, runScript, shardedData, python, MODULES };
