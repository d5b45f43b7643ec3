// Query understanding: expansion chips and property hints (and the phrases that must not trigger them).
const test = require("node:test");
const assert = require("node:assert/strict");
const { load } = require("./helpers.js");

const query = load("query");

const BANDS = [
  { id: "under-10k", label: "1万人未満", min: 1, max: 9999 },
  { id: "10k-30k", label: "1万人以上3万人未満", min: 10000, max: 29999 },
  { id: "30k-50k", label: "3万人以上5万人未満", min: 30000, max: 49999 },
  { id: "50k-100k", label: "5万人以上10万人未満", min: 50000, max: 99999 },
  { id: "100k-200k", label: "10万人以上20万人未満", min: 100000, max: 199999 },
  { id: "200k-500k", label: "20万人以上50万人未満", min: 200000, max: 499999 },
  { id: "500k-1m", label: "50万人以上100万人未満", min: 500000, max: 999999 },
  { id: "over-1m", label: "100万人以上", min: 1000000, max: null },
];
const FACETS = [
  { key: "population", values: BANDS.map(function (b) { return { id: b.id, label: b.label }; }) },
  { key: "kind", values: [["prefecture", "都道府県"], ["city", "市"], ["ward", "区"], ["town", "町"], ["village", "村"]].map(function (v) { return { id: v[0], label: v[1] }; }) },
  { key: "prefecture", values: [
    { id: "tokyo", label: "東京都", group: "関東" }, { id: "kyoto", label: "京都府", group: "近畿" },
    { id: "oita", label: "大分県", group: "九州・沖縄" }, { id: "kochi", label: "高知県", group: "四国" },
    { id: "ehime", label: "愛媛県", group: "四国" }, { id: "hokkaido", label: "北海道", group: "北海道" },
    { id: "okayama", label: "岡山県", group: "中国" },
  ] },
];
const SYNONYMS = [
  { label: "小さな成功体験", kind: "keyword", names: ["小さな成功体験"], triggers: [] },
  { label: "都道府県と市町村の連携", kind: "keyword", names: ["都道府県と市町村の連携"], triggers: [] },
  { label: "市町村との合同研修", kind: "keyword", names: ["市町村との合同研修"], triggers: [] },
  { label: "リスキリング", kind: "keyword", names: ["リスキリング"], triggers: ["reskilling"] },
  { label: "複業人材", kind: "keyword", names: ["複業人材", "副業人材"], triggers: [] },
  { label: "OJT（職場内訓練）", kind: "keyword", names: ["OJT（職場内訓練）", "OJT"], triggers: [] },
  { label: "数値目標（KPI）の設定", kind: "keyword", names: ["数値目標（KPI）の設定", "数値目標", "KPI"], triggers: [] },
  { label: "管理職", kind: "role", names: ["管理職", "一般行政職員（管理監督職）", "管理監督職"], triggers: [] },
];
const CONTEXT = { hints: { synonyms: SYNONYMS, bands: BANDS }, facets: FACETS };

function hintsOf(text) {
  return query.parse(text, CONTEXT).chips.filter(function (c) { return c.type === "hint"; }).map(function (c) { return c.facet + "=" + c.values.join(","); });
}

// ---- Property hints: phrase -> facet values ------------------------------------

const TRIGGERS = [
  ["小さな町", ["population=under-10k", "kind=town"]],
  ["小さな町 外部アドバイザー", ["population=under-10k", "kind=town"]],
  ["人口の少ない町の研修", ["population=under-10k", "kind=town"]],
  ["人口が少ない自治体", ["population=under-10k"]],
  ["小規模自治体", ["population=under-10k"]],
  ["過疎地域のDX", ["population=under-10k"]],
  ["人口1万人未満", ["population=under-10k"]],
  ["人口５万人未満", ["population=under-10k,10k-30k,30k-50k"]],
  ["人口3万人程度の市", ["population=30k-50k", "kind=city"]],
  ["人口10万人以上", ["population=100k-200k,200k-500k,500k-1m,over-1m"]],
  ["2万人規模の町", ["population=10k-30k", "kind=town"]],
  ["人口2万人未満の町の研修", ["population=under-10k,10k-30k", "kind=town"]],
  ["大都市", ["population=500k-1m,over-1m", "kind=city"]],
  ["大規模な市", ["population=500k-1m,over-1m", "kind=city"]],
  ["中規模の市", ["population=50k-100k,100k-200k", "kind=city"]],
  ["都道府県の取組", ["kind=prefecture"]],
  ["都道府県による市町村支援", ["kind=prefecture"]],
  ["市町村の事例", ["kind=city,ward,town,village"]],
  ["町村で外部人材", ["kind=town,village"]],
  ["政令市のDX", ["kind=city", "population=500k-1m,over-1m"]],
  ["高知県", ["prefecture=kochi"]],
  ["高知の事例", ["prefecture=kochi"]],
  ["高知市", ["prefecture=kochi"]],
  ["京都", ["prefecture=kyoto"]],
  ["四国", ["prefecture=kochi,ehime"]],
  ["四国地方の研修", ["prefecture=kochi,ehime"]],
  ["中国地方", ["prefecture=okayama"]],
  ["北海道", ["prefecture=hokkaido"]],
];

for (const [text, expected] of TRIGGERS) {
  test("hint: " + text + " → " + expected.join(" "), function () {
    assert.deepEqual(hintsOf(text), expected, "query.js must read 「" + text + "」 as these facet values");
  });
}

// ---- Phrases that contain the characters in another sense: no hint ---------------

const MUST_NOT_TRIGGER = [
  ["小さな成功体験", "a keyword: success, not a small town"],
  ["小規模な研修", "the training is small, not the town"],
  ["小さい研修から始める", "no organisation noun after the size word"],
  ["都道府県と市町村の連携", "a keyword about collaboration"],
  ["市町村との合同研修", "a keyword: municipalities as partners"],
  ["市町村支援", "municipalities as the ones supported"],
  ["県と市町村の連携", "municipalities as partners"],
  ["市町村職員の研修", "about staff, not the kind of organisation"],
  ["職員100人以上", "a number of staff, not a population"],
  ["研修を3回実施", "a count, not a population"],
  ["大分類", "大分 inside 大分類 is not 大分県"],
  ["中国語", "中国 inside 中国語 is not the 中国 region"],
  ["人口減少への対応", "population as a topic, not a size"],
  ["大きな成果", "no organisation noun after the size word"],
  ["都市計画", "都市 alone states no size"],
];

for (const [text, why] of MUST_NOT_TRIGGER) {
  test("no hint: " + text + " (" + why + ")", function () {
    assert.deepEqual(hintsOf(text), [], "query.js must not read 「" + text + "」 as a property: " + why);
  });
}

test("東京都 is Tokyo, not 京都 inside it", function () {
  assert.deepEqual(hintsOf("東京都の研修"), ["prefecture=tokyo"]);
});

test("size and kind words leave the text query; place names stay", function () {
  const plan = query.parse("小さな町の外部人材", CONTEXT);
  assert.deepEqual(plan.parts.map(function (p) { return p.text; }), ["外部人材"], "「小さな町の」 states a property: it must not be searched as words");
  const place = query.parse("高知県 研修", CONTEXT);
  assert.deepEqual(place.parts.map(function (p) { return p.text; }), ["高知県", "研修"], "a place name is also in the organisation field: keep it");
});

test("a dismissed hint is neither boosted nor taken out of the words", function () {
  const plan = query.parse("小さな町", Object.assign({ disabled: new Set(["hint:population:under-10k", "hint:kind:town"]) }, CONTEXT));
  assert.deepEqual(plan.boosts, []);
  assert.deepEqual(plan.chips.map(function (c) { return c.active; }), [false, false]);
  assert.deepEqual(plan.parts.map(function (p) { return p.text; }), ["小さな町"]);
});

test("the hint chip names the population range as the facet does", function () {
  assert.equal(query.parse("小さな町", CONTEXT).chips[0].label, "人口1万人未満");
  assert.equal(query.parse("大都市", CONTEXT).chips[0].label, "人口50万人以上");
});

// ---- Expansion ------------------------------------------------------------------------

function expansions(text, disabled) {
  const plan = query.parse(text, Object.assign({ disabled: new Set(disabled || []) }, CONTEXT));
  return plan.chips.filter(function (c) { return c.type === "expansion"; }).map(function (c) { return c.label + (c.active ? "" : " (off)"); });
}

test("an alias expands to the label, shown as a chip", function () {
  assert.deepEqual(expansions("副業人材"), ["複業人材"]);
});

test("an English glossary annotation leads to the term", function () {
  assert.deepEqual(expansions("reskilling"), ["リスキリング"]);
});

test("names that contain the typed word are not offered (the infix match finds them already)", function () {
  assert.deepEqual(expansions("OJT"), [], "OJT（職場内訓練） contains OJT: no chip");
  assert.deepEqual(expansions("KPI"), ["数値目標"]);
});

test("a name holding another expansion is not searched as well (its pairs would each cost a request)", function () {
  assert.deepEqual(expansions("管理職"), ["管理監督職"], "一般行政職員（管理監督職） holds 管理監督職, which finds it");
});

test("a removed expansion chip stays visible and is not searched", function () {
  assert.deepEqual(expansions("副業人材", ["syn:複業人材"]), ["複業人材 (off)"]);
  const plan = query.parse("副業人材", Object.assign({ disabled: new Set(["syn:複業人材"]) }, CONTEXT));
  assert.deepEqual(plan.parts[0].alternatives, []);
});

test("an expansion replaces only its words inside a longer part", function () {
  const plan = query.parse("副業人材の活用", CONTEXT);
  assert.equal(plan.parts[0].alternatives[0].folded, "複業人材の活用");
});

test("a Latin name matches only as a whole word", function () {
  assert.deepEqual(expansions("KPIs"), [], "KPI inside KPIs is another word");
});

test("pairs across a particle are left out; a kanji with its okurigana weighs less", function () {
  const plan = query.parse("人材の育成を進めたい", CONTEXT);
  const weights = Object.fromEntries(plan.parts[0].tokens.map(function (t) { return [t.term, t.weight]; }));
  assert.deepEqual(weights, { 人材: 1, 育成: 1, 進め: query.HIRAGANA_WEIGHT });
});

test("a kanji whose pairs were all left out is looked up alone", function () {
  const plan = query.parse("やる気を出す", CONTEXT);
  assert.deepEqual(plan.parts[0].tokens.map(function (t) { return [t.term, t.kind, t.start]; }), [["気", "j", 2], ["出す", "j", 4]]);
});

test("a query of kana only keeps every pair", function () {
  const plan = query.parse("まちづくり", CONTEXT);
  assert.deepEqual(plan.parts[0].tokens.map(function (t) { return t.term; }), ["まち", "ちづ", "づく", "くり"]);
});
