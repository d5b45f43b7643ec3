// Keyword ranking: phrases, coverage, field boosts, infix matches, no filtering.
const test = require("node:test");
const assert = require("node:assert/strict");
const { load, searchData } = require("./helpers.js");

const api = load("api");

function ranked(docs, query, extra) {
  const engine = api.createEngine(searchData(docs, extra && extra.facets, extra && extra.hints));
  return engine.keyword(engine.plan(query)).map(function (r) { return r.doc; });
}

const filler = "職員の研修と計画の策定について説明します。".repeat(3);

test("a case with the phrase outranks one with the same pairs scattered", function () {
  const docs = [
    { title: "研修", text: filler + "アドは少し、ドバは別、バイクとイザと、ザーも。" },
    { title: "研修", text: filler + "外部アドバイザーを招いた。" },
  ];
  assert.equal(ranked(docs, "アドバイザー")[0], 1, "PHRASE_WEIGHT must put the case with アドバイザー as a word first");
});

test("a case holding every word of the query outranks one repeating a few", function () {
  const docs = [
    { text: "五霞町 五霞町 五霞町 五霞町 五霞町 の取組。" + filler },
    { text: "五霞町ではアンケートを行った。" + filler },
  ];
  assert.deepEqual(ranked(docs, "五霞町 アンケート"), [1, 0], "COVERAGE_WEIGHT must favour the case with both words");
});

test("a multi-word query no case fully holds still ranks, it does not fall back to listing everything", function () {
  const docs = [
    { text: "外部人材を活用した。" + filler },
    { text: "アドバイザーを招いた。" + filler },
    { text: "関係のない話。" + filler },
  ];
  const found = ranked(docs, "外部 アドバイザー");
  assert.deepEqual(found.slice().sort(), [0, 1], "cases with some of the words are scored; a case with none is not listed");
});

test("a word in the title counts more than the same word in the body", function () {
  const docs = [
    { title: "職員研修の充実", text: "ITパスポートの受験を支援。" + filler },
    { title: "ITパスポートの取得支援", text: filler },
  ];
  assert.equal(ranked(docs, "ITパスポート")[0], 1, "FIELD_BOOSTS.title must outweigh a body mention");
});

test("a keyword (tags field) counts more than the body", function () {
  const docs = [
    { title: "研修", text: "OJTを行った。" + filler },
    { title: "研修", tags: "OJT（職場内訓練）", text: filler },
  ];
  assert.equal(ranked(docs, "OJT")[0], 1, "FIELD_BOOSTS.tags must outweigh a body mention");
});

test("a word is found inside a longer word (infix)", function () {
  const docs = [{ title: "キャリアアドバイザーの配置", text: filler }, { title: "研修", text: filler }];
  assert.deepEqual(ranked(docs, "アドバイザー"), [0], "character pairs must find アドバイザー inside キャリアアドバイザー");
});

test("a lone kanji is found inside pairs", function () {
  const docs = [{ title: "五霞町の研修" }, { title: "県の研修" }];
  assert.deepEqual(ranked(docs, "町"), [0], "a one-character query must look inside the indexed pairs");
});

test("a stated property lifts the cases that have it without hiding the others", function () {
  const facets = [{ key: "population", title: "人口規模", prefix: "", values: [
    { id: "under-10k", label: "1万人未満", group: "", cases: [1] },
    { id: "over-1m", label: "100万人以上", group: "", cases: [0] },
  ] }];
  const hints = { synonyms: [], bands: [{ id: "under-10k", label: "1万人未満", min: 1, max: 9999 }, { id: "over-1m", label: "100万人以上", min: 1000000, max: null }] };
  const docs = [{ title: "研修", summary: "外部人材の活用" }, { title: "研修", summary: "外部人材の活用" }];
  assert.deepEqual(ranked(docs, "外部人材", { facets, hints }), [0, 1], "without the hint, equal cases keep the index order");
  assert.deepEqual(ranked(docs, "小さな町 外部人材", { facets, hints }), [1, 0], "HINT_WEIGHT must lift the small town, and keep the other case listed");
});

test("another name from the taxonomy finds a case that uses only that name", function () {
  const hints = { synonyms: [{ label: "複業人材", kind: "keyword", names: ["複業人材", "副業人材"], triggers: [] }], bands: [] };
  const docs = [{ title: "複業人材の活用" }, { title: "研修" }];
  assert.deepEqual(ranked(docs, "副業人材", { hints }), [0], "the expansion 複業人材 must be searched too");
});

test("each case's matched runs are its own, whenever they are read", function () {
  const docs = [
    { title: "研修", text: filler + "外部アドバイザーを招いた。" },
    { title: "研修", text: filler + "アドは少し、ドバは別、バイクとイザと、ザーも。" },
    { title: "研修", text: filler + "外部の人材を活用した。" },
  ];
  const engine = api.createEngine(searchData(docs));
  const results = engine.keyword(engine.plan("外部 アドバイザー"));
  engine.keyword(engine.plan("研修")); // another ranking in between must not change them
  const runs = new Map(results.map(function (r) { return [r.doc, r.matched.map(function (m) { return m.text; })]; }));
  assert.deepEqual(runs.get(0), ["外部", "アドバイザー"]);
  assert.deepEqual(runs.get(2), ["外部"]);
  assert.ok(!runs.get(1).includes("アドバイザー"), "scattered pairs are not a matched run: " + runs.get(1));
  assert.equal(results[0].matched, results[0].matched, "worked out once");
});

test("equal scores keep case order, and weak matches come after the others", function () {
  const same = { title: "研修", text: "外部アドバイザーを招いた。" + filler };
  const docs = [{ title: "研修", text: filler }, same, { title: "研修", text: "アド" + filler }, same, same];
  const engine = api.createEngine(searchData(docs));
  const list = engine.keyword(engine.plan("アドバイザー"));
  assert.deepEqual(list.map(function (r) { return r.doc; }), [1, 3, 4, 2], "the three equal cases in case order, then the weak one");
  assert.deepEqual(list.map(function (r) { return r.weak; }), [false, false, false, true]);
});

test("the ranking is the order of a stable sort by score, over hundreds of cases with ties", function () {
  // Scores of many sizes (1 to 7 mentions, four body lengths) and many exact ties (each shape thrice).
  const docs = [];
  for (let i = 0; i < 300; i++) {
    const mentions = "アドバイザー".repeat(1 + (i % 7));
    docs.push({ title: i % 5 === 0 ? "アドバイザー" : "研修", text: mentions + filler.repeat(1 + (Math.floor(i / 7) % 4)) });
  }
  const engine = api.createEngine(searchData(docs));
  const list = engine.keyword(engine.plan("外部アドバイザー"));
  assert.equal(list.length, 300);
  const scores = new Set(list.map(function (r) { return r.score; }));
  assert.ok(scores.size > 20 && scores.size < 300, "distinct scores and ties: " + scores.size);
  for (const weak of [false, true]) {
    const group = list.filter(function (r) { return r.weak === weak; });
    const expected = group.slice().sort(function (a, b) { return b.score - a.score || a.doc - b.doc; });
    assert.deepEqual(group.map(function (r) { return r.doc; }), expected.map(function (r) { return r.doc; }));
  }
});
