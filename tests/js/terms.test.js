// The tokeniser: the table in tests/search_terms_table.json is shared with the Python test.
const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");
const { load } = require("./helpers.js");

const terms = load("terms");
const table = require(path.join(__dirname, "..", "search_terms_table.json"));

for (const row of table.cases) {
  test("terms(" + JSON.stringify(row.text) + ")" + (row.note ? " — " + row.note : ""), function () {
    assert.deepEqual(terms.terms(row.text), row.terms,
      "dxnavi/terms.js must split this text as builder/search_terms.py does (tests/search_terms_table.json)");
  });
}

test("foldMap points each folded character back at the characters it came from", function () {
  const map = terms.foldMap("ＩＴﾊﾟｽ⼈材");
  assert.equal(map.text, "itパス人材");
  // ﾊﾟ (two code units) became パ: both map to the same source range.
  const i = map.text.indexOf("パ");
  assert.deepEqual([map.from[i], map.to[i]], [2, 4], "a folded character must map to its whole source cluster, or highlights shift");
});

test("tokens carry offsets so neighbouring pairs can be joined back into the phrase", function () {
  const list = terms.tokens(terms.fold("IT研修"));
  assert.deepEqual(list.map(function (t) { return [t.term, t.start, t.end]; }), [["it", 0, 2], ["研修", 2, 4]]);
});
