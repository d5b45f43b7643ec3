// The term box (glossary-box.js): which entry a link names, and how a definition splits into lines.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { load } = require("./helpers");

const box = load("glossary-box");

test("a link names the glossary entry after its #", function () {
  assert.equal(box.termId("../glossary.html#ojt"), "ojt");
  assert.equal(box.termId("../glossary/#project-management"), "project-management");
  assert.equal(box.termId("../glossary.html#%E7%94%A8%E8%AA%9E"), "用語");
  assert.equal(box.termId("../glossary.html"), "");
  assert.equal(box.termId("../glossary.html#%E0%A4%A"), ""); // broken encoding: no entry, no exception
  assert.equal(box.termId(null), "");
});

test("a definition keeps the glossary's paragraphs and line breaks", function () {
  assert.deepEqual(box.paragraphs("一行目。"), [["一行目。"]]);
  assert.deepEqual(box.paragraphs("一つ目の段落。\n続きの行。\n\n二つ目の段落。"), [["一つ目の段落。", "続きの行。"], ["二つ目の段落。"]]);
  assert.deepEqual(box.paragraphs("前。\n  \n\n後。\n"), [["前。"], ["後。"]]);
  assert.deepEqual(box.paragraphs(""), []);
});

test("the data file is the one the builder writes", function () {
  const fs = require("node:fs");
  const path = require("node:path");
  const paths = fs.readFileSync(path.join(__dirname, "..", "..", "builder", "generate", "paths.py"), "utf-8");
  assert.match(paths, new RegExp('^GLOSSARY_DATA = "' + box.DATA.replace(".", "\\.") + '"', "m"));
});
