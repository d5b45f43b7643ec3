// The sharded index (builder/generate/search_shards.py) against the whole one: same cases, same order,
// same scores, for a table of queries; and a query loads only the chunks it needs.
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { execFileSync } = require("node:child_process");
const { load, python, runScript, shardedData } = require("./helpers.js");

const api = load("api");
const ranking = load("ranking");
const keywordIndex = load("keyword-index");

const REPO = path.join(__dirname, "..", "..");

// The real cases, in chunks of ~2 KB so key ranges and a term's joints cross chunk boundaries.
const FIXTURE = fs.mkdtempSync(path.join(os.tmpdir(), "dxnavi-shards-"));
execFileSync(python(), [path.join(__dirname, "shard_fixture.py"), FIXTURE, "--chunk-bytes", "2000"], { cwd: REPO, stdio: "inherit" });
test.after(function () { fs.rmSync(FIXTURE, { recursive: true, force: true }); });

const WHOLE = JSON.parse(fs.readFileSync(path.join(FIXTURE, "whole.json"), "utf-8"));
const QUERIES = JSON.parse(fs.readFileSync(path.join(FIXTURE, "queries.json"), "utf-8"));
const SITE = path.join(FIXTURE, "site");

/** What a ranking says of each case, its matched runs (worked out when read) included. */
function view(results) {
  return results.map(function (r) {
    return { doc: r.doc, score: r.score, coverage: r.coverage, phrase: r.phrase, evidence: r.evidence, weak: r.weak, hints: r.hints, matched: r.matched };
  });
}

function engines() {
  const sharded = shardedData(SITE);
  return { whole: api.createEngine(WHOLE), sharded: api.createEngine(sharded.data), requested: sharded.requested, manifest: sharded.manifest };
}

test("the fixture is cut into many chunks", function () {
  const { manifest } = engines();
  assert.ok(manifest.chunks.length > 50, manifest.chunks.length + " chunks");
  assert.equal(manifest.size, WHOLE.cases.length);
  assert.ok(QUERIES.length > 80);
});

test("a sharded search ranks the same cases with the same scores as the whole index, for every query of the table", async function () {
  const { whole, sharded } = engines();
  for (const query of QUERIES) {
    const expected = whole.keyword(whole.plan(query));
    const plan = sharded.plan(query);
    await sharded.prepare(plan);
    const got = sharded.keyword(plan);
    assert.deepEqual(view(got), view(expected), "「" + query + "」: sharded and whole rankings differ");
  }
});

test("the same holds with stated properties and filters (the facets' cases load by need)", async function () {
  const { whole, sharded, requested } = engines();
  const plan = sharded.plan("小さな町 外部アドバイザー");
  assert.ok(plan.boosts.length > 0);
  await sharded.prepare(plan);
  assert.ok(requested.includes("search/k/facets.js"), "a stated property loads the facets' cases");
  assert.deepEqual(view(sharded.keyword(plan)), view(whole.keyword(whole.plan("小さな町 外部アドバイザー"))));
  const filters = sharded.normaliseFilters({ population: ["under-10k", "10k-30k"], kind: "town" });
  assert.deepEqual(filters, whole.normaliseFilters({ population: ["under-10k", "10k-30k"], kind: "town" }));
  for (const doc of [0, 5, 17, WHOLE.cases.length - 1]) assert.equal(sharded.allowed(doc, filters), whole.allowed(doc, filters));
  for (const facet of whole.facets) {
    const other = sharded.facets.find(function (f) { return f.key === facet.key; });
    for (const [id, set] of facet.sets) assert.deepEqual(Array.from(other.sets.get(id)), Array.from(set), facet.key + "=" + id);
  }
});

test("a query loads only its chunks, and the cases shown only theirs", async function () {
  const { sharded, requested, manifest } = engines();
  const plan = sharded.plan("ITパスポート");
  await sharded.prepare(plan);
  const needs = ranking.needs(plan);
  const keys = needs.tokens.map(function (t) { return t.term; }).concat(needs.phrases);
  const expected = new Set(keys.map(function (k) { return "search/k/t" + sharded.index.chunkFor(k) + ".js"; }));
  assert.deepEqual(new Set(requested), expected, "exactly the chunks of the query's terms and phrases");
  assert.ok(requested.length < manifest.chunks.length / 10);
  assert.ok(requested.length <= 3, "ITパスポート is a keyword: its pairs are in home chunks, the word it in its range (" + requested + ")");
  const top = sharded.keyword(plan).slice(0, 3).map(function (r) { return r.doc; });
  requested.length = 0;
  await sharded.loadCases(top);
  const chunks = new Set(top.map(function (doc) { return "search/k/d" + Math.floor(doc / manifest.casesPerChunk) + ".js"; }));
  assert.deepEqual(new Set(requested), chunks);
  for (const doc of top) assert.deepEqual(sharded.cases[doc], WHOLE.cases[doc]);
  assert.equal(sharded.byId.get(WHOLE.cases[top[0]].id), top[0]);
  requested.length = 0;
  await sharded.prepare(sharded.plan("ＩＴパスポート"));
  assert.deepEqual(requested, [], "chunks load once");
});

test("the names a search returns come from one file, the same as the whole data's", async function () {
  const { whole, sharded, requested } = engines();
  const names = await sharded.loadNames();
  assert.deepEqual(requested, ["search/k/names.js"]);
  assert.deepEqual(names, await whole.loadNames());
  assert.equal(names[3].url, WHOLE.cases[3].url);
  assert.equal(sharded.byId.get(WHOLE.cases[7].id), 7, "a semantic hit's id finds its case once the names are in");
});

test("a word being typed loads its key range, which may span chunks", async function () {
  const { sharded, requested, manifest } = engines();
  const plan = sharded.plan("t");
  await sharded.prepare(plan);
  const range = sharded.index.rangeOf("t");
  assert.ok(range.length > 1, "with 2 KB chunks the words in t span several chunks");
  for (const n of range) assert.ok(requested.includes("search/k/t" + n + ".js"));
  assert.ok(requested.length < manifest.chunks.length);
});

test("ranking before the chunks are loaded is refused, not silently wrong", function () {
  const { sharded } = engines();
  assert.throws(function () { sharded.keyword(sharded.plan("アドバイザー")); }, /読み込む前/);
  assert.throws(function () { sharded.allowed(0, { population: ["under-10k"] }); }, /絞り込み/);
});

test("numbers() reads back what search_shards.encode() wrote, at every length of a number", function () {
  const { numbers, encoded } = JSON.parse(fs.readFileSync(path.join(FIXTURE, "numbers.json"), "utf-8"));
  assert.deepEqual(encoded.map(function (text) { return Array.from(keywordIndex.numbers(text)); }), numbers);
});

test("every term's postings in the chunks unpack to the whole index's", function () {
  const { manifest } = engines();
  const whole = new keywordIndex.KeywordIndex(WHOLE.index);
  let seen = 0;
  for (let n = 0; n < manifest.chunks.length + manifest.homes.length; n++) {
    const chunk = runScript(path.join(SITE, manifest.folder, "t" + n + ".js"));
    chunk.t.keys.forEach(function (term, i) {
      assert.equal(typeof chunk.t.values[i], "string");
      assert.deepEqual(Array.from(keywordIndex.numbers(chunk.t.values[i])), whole.flat(term), term);
      seen += 1;
    });
  }
  assert.equal(seen, WHOLE.index.terms.length);
});

test("chunkOf finds the last chunk whose first key is not after the key", function () {
  const first = ["", "b", "d", "da"];
  assert.equal(keywordIndex.chunkOf(first, "a"), 0);
  assert.equal(keywordIndex.chunkOf(first, "b"), 1);
  assert.equal(keywordIndex.chunkOf(first, "c"), 1);
  assert.equal(keywordIndex.chunkOf(first, "d"), 2);
  assert.equal(keywordIndex.chunkOf(first, "dz"), 3);
  assert.equal(keywordIndex.chunkOf(["b"], "a"), 0);
});

test("semantic hits name each case's position in the keyword index, which a sharded engine cannot look up by id", function () {
  const semantic = load("semantic");
  const manifest = { ids: ["b", "a"], docs: [1, 0], dims: 2 };
  const vectors = semantic.decodeVectors(manifest, new Uint8Array([127, 0, 0, 127]));
  assert.deepEqual(semantic.rank(Float32Array.from([0, 1]), vectors, 2).map(function (h) { return [h.id, h.doc]; }), [["a", 0], ["b", 1]]);
});

/** The counts counted value by value, set look-up by set look-up: the reference for the engine's one pass. */
function countsByValue(engine, docs, filters) {
  const out = {};
  for (const facet of engine.facets) {
    const here = docs.filter(function (doc) { return engine.allowed(doc, filters, facet.key); });
    out[facet.key] = facet.values.map(function (v) {
      const set = facet.sets.get(v.id);
      let n = 0;
      for (const doc of here) if (set.has(doc)) n += 1;
      return n;
    });
  }
  return out;
}

test("the engine's facet counts equal counting value by value", async function () {
  const { sharded } = engines();
  const plan = sharded.plan("研修");
  await sharded.prepare(plan, { facets: true });
  const docs = sharded.keyword(plan).map(function (r) { return r.doc; });
  for (const filters of [{}, { population: ["under-10k"] }, { kind: ["town"], keyword: [sharded.facets[4].values[0].id] }]) {
    assert.deepEqual(sharded.counts(docs, filters), countsByValue(sharded, docs, filters));
  }
});
