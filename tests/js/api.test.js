// The engine behind window.caseSearch: filters, modes and the hybrid fusion.
const test = require("node:test");
const assert = require("node:assert/strict");
const { load, searchData } = require("./helpers.js");

const api = load("api");

const FACETS = [{ key: "population", title: "人口規模", prefix: "", values: [
  { id: "under-10k", label: "1万人未満", group: "", cases: [0, 2] },
  { id: "over-1m", label: "100万人以上", group: "", cases: [1] },
] }];
const DOCS = [
  { title: "外部人材の活用" },
  { title: "外部人材の確保と研修" },
  { title: "職員研修" },
];

function engine() {
  return api.createEngine(searchData(DOCS, FACETS));
}

test("filters keep only the cases with one of the chosen values", function () {
  const e = engine();
  const filters = e.normaliseFilters({ population: "under-10k", unknown: ["x"] });
  assert.deepEqual(filters, { population: ["under-10k"] }, "unknown facets and values are dropped");
  const docs = e.keyword(e.plan("外部人材")).filter(function (r) { return e.allowed(r.doc, filters); }).map(function (r) { return r.doc; });
  assert.deepEqual(docs, [0]);
});

test("keyword mode (or no semantic answer) keeps the keyword order", function () {
  const e = engine();
  const plan = e.plan("外部人材");
  const keyword = e.keyword(plan);
  assert.deepEqual(api.combine(e, "hybrid", keyword, null, {}, plan).map(function (r) { return r.doc; }), keyword.map(function (r) { return r.doc; }));
});

test("hybrid adds semantic cases below the word's own matches for a one-word query", function () {
  const e = engine();
  const plan = e.plan("外部人材");
  const fused = api.combine(e, "hybrid", e.keyword(plan), ["case-2", "case-1"], {}, plan).map(function (r) { return r.doc; });
  assert.equal(fused[fused.length - 1], 2, "the semantic-only case merges in, last");
  assert.equal(fused.length, 3);
});

test("with a property hint, the semantic list votes only for cases that have the property", function () {
  const e = engine();
  const plan = Object.assign({}, e.plan("外部人材の活用"), { boosts: [{ facet: "population", values: ["under-10k"] }] });
  const keyword = e.keyword(plan);
  assert.equal(keyword[0].doc, 0);
  // case-1 (over 1m people) is the semantic favourite but lacks the stated size: it must not overtake case 0.
  const fused = api.combine(e, "hybrid", keyword, ["case-1", "case-2"], {}, plan).map(function (r) { return r.doc; });
  assert.equal(fused[0], 0, "the case that fits stays first: " + JSON.stringify(fused));
});

test("semantic mode uses the semantic order and the filters", function () {
  const e = engine();
  const plan = e.plan("外部人材");
  const docs = api.combine(e, "semantic", e.keyword(plan), ["case-1", "case-2", "case-0"], { population: ["under-10k"] }, plan).map(function (r) { return r.doc; });
  assert.deepEqual(docs, [2, 0]);
});

test("without window.DxNavi.semantic the status is off, with the reason in Japanese", function () {
  assert.deepEqual(api.semanticStatus(), { state: "off", reason: "意味検索はまだ用意されていません", engine: "", model: "" });
});
