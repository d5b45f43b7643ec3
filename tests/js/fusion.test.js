// Reciprocal rank fusion of keyword and semantic lists.
const test = require("node:test");
const assert = require("node:assert/strict");
const { load } = require("./helpers.js");

const { rrf, K } = load("fusion");

test("a case near the top of both lists beats one at the top of only one", function () {
  const fused = rrf([{ name: "keyword", ids: ["a", "b", "c"] }, { name: "semantic", ids: ["b", "d", "a"] }]);
  assert.equal(fused[0].id, "b", "b is 2nd and 1st: 1/62 + 1/61 beats a's 1/61 + 1/63");
  assert.deepEqual(fused.map(function (f) { return f.id; }), ["b", "a", "d", "c"]);
  assert.deepEqual(fused[0].ranks, { keyword: 2, semantic: 1 });
});

test("scores are Σ 1/(K + rank) with K = 60", function () {
  const fused = rrf([{ name: "keyword", ids: ["a"] }, { name: "semantic", ids: ["a"] }]);
  assert.equal(K, 60);
  assert.ok(Math.abs(fused[0].score - 2 / 61) < 1e-12);
});

test("an empty semantic list leaves the keyword order as it was", function () {
  const fused = rrf([{ name: "keyword", ids: ["c", "a", "b"] }, { name: "semantic", ids: [] }]);
  assert.deepEqual(fused.map(function (f) { return f.id; }), ["c", "a", "b"]);
});

test("ties keep the order in which the lists named the cases", function () {
  const fused = rrf([{ name: "keyword", ids: ["x"] }, { name: "semantic", ids: ["y"] }]);
  assert.deepEqual(fused.map(function (f) { return f.id; }), ["x", "y"]);
});

test("a list's factor lets its vote depend on the case", function () {
  const fused = rrf([{ name: "keyword", ids: ["a", "b"] }, { name: "semantic", ids: ["c", "b"], weight: 0.5, factor: function (id) { return id === "b" ? 2 : 1; } }]);
  assert.ok(Math.abs(fused.find(function (f) { return f.id === "b"; }).score - (1 / 62 + (0.5 * 2) / 62)) < 1e-12);
  assert.deepEqual(fused.map(function (f) { return f.id; }), ["b", "a", "c"]);
});
