// Unit tests for the pure parts of semantic search (node --test tests/js/).
// The browser parts (onnxruntime-web, SentencePiece) are held to Python by tests/test_semantic.py.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");
const { execFileSync } = require("node:child_process");
const { python } = require("./helpers.js");

const MODULES = path.join(__dirname, "..", "..", "site_overrides", "assets", "javascripts", "dxnavi");
const assets = require(path.join(MODULES, "assets.js"));
const encoder = require(path.join(MODULES, "encoder.js"));
const semantic = require(path.join(MODULES, "semantic.js"));

function int8Bytes(rows) {
  return new Uint8Array(Int8Array.from(rows.flat()).buffer);
}

test("base64 decodes to the same bytes as Node's decoder", () => {
  const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 37 + 11) % 256);
  const text = Buffer.from(bytes).toString("base64");
  assert.deepEqual(assets.decodeBase64(text), bytes);
  assert.deepEqual(assets.decodeBase64(""), new Uint8Array(0));
});

// Bytes the builder writes as text (builder/generate/ascii7.py): every 7-bit value, runs of the five
// that take a partner, one at the very end, and lengths on both sides of a 7-byte block; and gzip.
const ASCII7 = JSON.parse(
  execFileSync(python(), ["-c", `
import base64, gzip, json, os, sys
sys.path.insert(0, os.getcwd())
from builder.generate import ascii7
samples = [b"", b"\\x00", b"\\n" * 3, bytes(range(256)) * 2, b"\\x00" * 7, b"\\x00" * 8, os.urandom(7), os.urandom(9), os.urandom(70001)]
raw = bytes(i * i % 251 for i in range(5000))
packed = gzip.compress(raw)
print(json.dumps({
    "samples": [[base64.b64encode(s).decode(), ascii7.encode(s).decode()] for s in samples],
    "gzip": {"raw": base64.b64encode(raw).decode(), "length": len(packed), "data": ascii7.encode(packed).decode()},
}))
`], { cwd: path.join(__dirname, "..", ".."), encoding: "utf-8" }),
);

test("text written by the builder decodes to its bytes", () => {
  for (const [expected, text] of ASCII7.samples) {
    const bytes = Buffer.from(expected, "base64");
    assert.deepEqual(Buffer.from(assets.decodeAscii7(text, bytes.length)), bytes);
  }
  assert.throws(() => assets.decodeAscii7("ab", 5), /切れています/);
});

test("gzip written as text round-trips and checks the size", async () => {
  const bytes = new Uint8Array(Buffer.from(ASCII7.gzip.raw, "base64"));
  const value = { encoding: "ascii7-gzip", size: bytes.length, length: ASCII7.gzip.length, data: ASCII7.gzip.data };
  assert.deepEqual(await assets.bytes(value), bytes);
  await assert.rejects(assets.bytes({ ...value, size: 4999 }), /大きさ/);
  await assert.rejects(assets.bytes({ encoding: "lzma", data: value.data }), /未知の形式/);
});

test("int8 vectors decode with each row's length", () => {
  const manifest = { ids: ["a", "b", "zero"], dims: 2 };
  const vectors = semantic.decodeVectors(manifest, int8Bytes([[3, 4], [-127, 0], [0, 0]]));
  assert.deepEqual(vectors.ids, ["a", "b", "zero"]);
  assert.deepEqual(Array.from(vectors.values), [3, 4, -127, 0, 0, 0]);
  assert.ok(Math.abs(vectors.inverseNorms[0] - 0.2) < 1e-7);
  assert.ok(Math.abs(vectors.inverseNorms[1] - 1 / 127) < 1e-9);
  assert.equal(vectors.inverseNorms[2], 0); // an empty case scores 0, never NaN
  assert.throws(() => semantic.decodeVectors(manifest, new Uint8Array(5)), /大きさ/);
});

test("ranking is cosine, best first, ties in case order, cut to the limit", () => {
  const manifest = { ids: ["x", "y", "z", "w"], dims: 2 };
  // The scale of a row never matters: [1, 0] and [100, 0] are the same direction.
  const vectors = semantic.decodeVectors(manifest, int8Bytes([[0, 5], [1, 0], [100, 0], [-3, -4]]));
  const ranked = semantic.rank(Float32Array.from([1, 0]), vectors, 10);
  assert.deepEqual(ranked.map((r) => r.id), ["y", "z", "x", "w"]);
  assert.ok(Math.abs(ranked[0].score - 1) < 1e-6 && Math.abs(ranked[1].score - 1) < 1e-6);
  assert.ok(Math.abs(ranked[2].score) < 1e-6);
  assert.ok(Math.abs(ranked[3].score + 0.6) < 1e-6);
  const best = semantic.rank(Float32Array.from([0, 1]), vectors, 1);
  assert.equal(best.length, 1);
  assert.equal(best[0].id, "x");
  assert.deepEqual(semantic.rank(Float32Array.from([0, 1]), vectors, 0), []);
  assert.throws(() => semantic.rank(Float32Array.from([1, 0, 0]), vectors, 1), /次元/);
});

test("fold applies the PDF character table, then NFKC", () => {
  const fixes = { "⼈": "人", "⺠": "民", "\u200b": "" };
  assert.equal(encoder.fold("⼈材と⺠間", fixes), "人材と民間");
  assert.equal(encoder.fold("ＤＸ推進　ＯＪＴ", fixes), "DX推進 OJT");
  assert.equal(encoder.fold("ｱﾄﾞﾊﾞｲｻﾞｰ\u200b", fixes), "アドバイザー");
  assert.equal(encoder.fold("𠮷野家😀", fixes), "𠮷野家😀"); // astral characters stay whole
  assert.equal(encoder.fold("constructor", {}), "constructor"); // no prototype lookups
});

test("USE inputs: bos/eos around the pieces, one row split", () => {
  const config = { add_bos: true, add_eos: true, bos_id: 1, eos_id: 2 };
  const inputs = encoder.useInputs([10, 11], config);
  assert.deepEqual(Array.from(inputs.ids), [1, 10, 11, 2]);
  assert.deepEqual(Array.from(inputs.splits), [0n, 4n]);
  assert.deepEqual(Array.from(encoder.useInputs([], config).ids), [1, 2]);
  assert.deepEqual(Array.from(encoder.useInputs([7], { add_bos: false, add_eos: false }).ids), [7]);
});

test("truncation keeps the closing special token", () => {
  assert.deepEqual(encoder.truncate([101, 5, 6, 7, 102], 4), [101, 5, 6, 102]);
  assert.deepEqual(encoder.truncate([101, 5, 102], 4), [101, 5, 102]);
  assert.deepEqual(encoder.truncate([101, 5, 102], 0), [101, 5, 102]);
});

test("l2normalize gives unit length and leaves a zero vector zero", () => {
  const unit = encoder.l2normalize([3, 4]);
  assert.ok(unit instanceof Float32Array);
  assert.ok(Math.abs(unit[0] - 0.6) < 1e-7 && Math.abs(unit[1] - 0.8) < 1e-7);
  assert.deepEqual(Array.from(encoder.l2normalize([0, 0])), [0, 0]);
});

test("status: off with the build's reason, idle when available, nothing loaded", () => {
  const saved = globalThis.DXNAVI_SEMANTIC;
  try {
    globalThis.DXNAVI_SEMANTIC = { available: false, reason: "意味検索は使えません（理由）", engine: "", model: "" };
    assert.deepEqual(semantic.status(), { state: "off", reason: "意味検索は使えません（理由）", engine: "", model: "" });
    globalThis.DXNAVI_SEMANTIC = { available: true, reason: "", engine: "use-multilingual", model: "USE" };
    assert.deepEqual(semantic.status(), { state: "idle", reason: "", engine: "use-multilingual", model: "USE" });
    delete globalThis.DXNAVI_SEMANTIC;
    assert.equal(semantic.status().state, "off");
    assert.match(semantic.status().reason, /search\/semantic\.js/);
  } finally {
    globalThis.DXNAVI_SEMANTIC = saved;
  }
});

test("load() when off rejects with the reason", async () => {
  const saved = globalThis.DXNAVI_SEMANTIC;
  try {
    globalThis.DXNAVI_SEMANTIC = { available: false, reason: "理由" };
    await assert.rejects(semantic.load(), { message: "理由" });
    await assert.rejects(semantic.search("人材", 5), { message: "理由" });
  } finally {
    globalThis.DXNAVI_SEMANTIC = saved;
  }
});

test("a failure says whether the folder is the cause", () => {
  const error = new Error("ファイルを読み込めませんでした: x.js");
  assert.ok(semantic.failureReason(error, "file:").startsWith(semantic.FROM_FOLDER));
  assert.equal(semantic.FROM_FOLDER, "フォルダから開いたサイトでは意味検索を使えません");
  assert.match(semantic.failureReason(error, "https:"), /^意味検索の準備に失敗しました（ファイルを読み込めませんでした: x\.js）/);
});
