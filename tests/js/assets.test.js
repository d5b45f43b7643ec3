// The asset loader (assets.js): data files read as JSON over http(s), never run as code.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");

const MODULES = path.join(__dirname, "..", "..", "site_overrides", "assets", "javascripts", "dxnavi");

function freshAssets() {
  const file = path.join(MODULES, "assets.js");
  delete require.cache[require.resolve(file)]; // a registry of its own per test
  return require(file);
}

function script(name, value) {
  return "window.DxNavi.assets.register(" + JSON.stringify(name) + "," + JSON.stringify(value) + ");\n";
}

test("a data file's value is its JSON, as the build writes it", function () {
  const assets = freshAssets();
  const value = { t: { keys: ["研修", "外部"], values: ["!#", "%&"] } };
  assert.deepEqual(assets.parseData("search/k/t3.js", script("search/k/t3.js", value)), value);
});

test("anything else in a data file is refused, never run", function () {
  const assets = freshAssets();
  const name = "search/k/t3.js";
  globalThis.__ran = false;
  for (const text of [
    "globalThis.__ran = true;\n" + script(name, [1]),
    script("search/k/t4.js", [1]),
    "window.DxNavi.assets.register(" + JSON.stringify(name) + ",(globalThis.__ran = true));\n",
    script(name, [1]).replace(");\n", ");globalThis.__ran = true;\n"),
  ]) {
    assert.throws(function () { assets.parseData(name, text); }, /想定と違います|JSON/, text);
  }
  assert.equal(globalThis.__ran, false);
});

test("over http a data file is fetched once and parsed; a failed fetch may be retried", async function () {
  const assets = freshAssets();
  const asked = [];
  let fail = true;
  globalThis.fetch = async function (url) {
    asked.push(url);
    if (fail) { fail = false; return { ok: false, status: 503, text: async () => "" }; }
    return { ok: true, status: 200, text: async () => script("search/k/t0.js", [7, 8]) };
  };
  try {
    await assert.rejects(assets.data("search/k/t0.js", "http://127.0.0.1:8000/search/k/t0.js"), /503/);
    assert.deepEqual(await assets.data("search/k/t0.js", "http://127.0.0.1:8000/search/k/t0.js"), [7, 8]);
    assert.deepEqual(await assets.data("search/k/t0.js", "http://127.0.0.1:8000/search/k/t0.js"), [7, 8]);
    assert.equal(asked.length, 2, "fetched again after the failure, then kept");
  } finally {
    delete globalThis.fetch;
  }
});

test("a packed data file is the JSON it holds; any other value is itself", async function () {
  const zlib = require("node:zlib");
  const assets = freshAssets();
  const value = [{ id: "a", text: "研修の効果" }];
  const raw = Buffer.from(JSON.stringify(value));
  const packed = { packed: "gzip", size: raw.length, data: zlib.gzipSync(raw).toString("base64") };
  assert.deepEqual(await assets.unpack(packed), value);
  assert.deepEqual(await assets.unpack([1, 2]), [1, 2]);
  assert.equal(await assets.unpack(null), null);
  await assert.rejects(assets.unpack({ ...packed, size: raw.length + 1 }), /大きさ/);
});
