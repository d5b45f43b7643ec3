/*
 * DX人材事例ナビ semantic search: embed a query in the page with the model the build used.
 *
 * The build (builder/generate/semantic_assets.py) ships the model as ONNX with its
 * tokenizer; this file runs them with onnxruntime-web (WebAssembly, one thread: no
 * SharedArrayBuffer without cross-origin isolation) and applies the text
 * normalisation of builder.textnorm.fold first (PDF character fixes, then NFKC),
 * so a query here and a case at build time go through the same steps.
 *
 * Engines:
 * - "use-multilingual": SentencePiece (the C++ library compiled to WebAssembly) gives
 *   the ids, wrapped in bos/eos; the graph takes them flat with row splits.
 * - "sentence-transformers": tokenizer.json through tokenizers.js; the exported graph
 *   takes input_ids/attention_mask (and token_type_ids) and pools itself.
 *
 * Nothing loads until the first encodeQuery() (or load()).
 */
(function (factory) {
  "use strict";
  const api = factory(typeof window !== "undefined" ? window : globalThis);
  if (typeof module === "object" && module.exports) module.exports = api;
  if (typeof window !== "undefined") (window.DxNavi = window.DxNavi || {}).encoder = api;
})(function (root) {
  "use strict";

  const has = Object.prototype.hasOwnProperty;
  // An ONNX graph with one Identity node (onnx.helper, opset 13): creating a session from it
  // initialises onnxruntime-web without waiting for the model.
  const WARM_GRAPH = "CAgSBmR4bmF2aTo6ChAKAXgSAXkiCElkZW50aXR5EgR3YXJtWg8KAXgSCgoICAESBAoCCAFiDwoBeRIKCggIARIECgIIAUIECgAQDQ==";

  /** builder.textnorm.fold: the context-free character fixes, then NFKC. */
  function fold(text, fixes) {
    let out = "";
    for (const ch of String(text)) out += has.call(fixes, ch) ? fixes[ch] : ch;
    return out.normalize("NFKC");
  }

  function l2normalize(values) {
    const out = Float32Array.from(values);
    let sum = 0;
    for (let i = 0; i < out.length; i++) sum += out[i] * out[i];
    const norm = Math.max(Math.sqrt(sum), 1e-12);
    for (let i = 0; i < out.length; i++) out[i] /= norm;
    return out;
  }

  /** One text's ids for the USE graph: bos/eos around the pieces, one row split. */
  function useInputs(pieceIds, config) {
    const ids = [];
    if (config.add_bos) ids.push(config.bos_id);
    for (const id of pieceIds) ids.push(id);
    if (config.add_eos) ids.push(config.eos_id);
    return { ids: Int32Array.from(ids), splits: BigInt64Array.from([0n, BigInt(ids.length)]) };
  }

  /** Cut to the model's input size, keeping the closing special token (as the Python tokenizer does). */
  function truncate(ids, max) {
    if (!max || ids.length <= max) return ids.slice();
    return ids.slice(0, max - 1).concat(ids[ids.length - 1]);
  }

  let ready = null;
  const timings = {}; // milliseconds since load() began, per step (the benchmark prints them)
  let started = 0;

  function mark(name) {
    timings[name] = Math.round(now() - started);
  }

  function now() {
    return typeof performance !== "undefined" ? performance.now() : Date.now();
  }

  function status() {
    return root.DXNAVI_SEMANTIC || { available: false };
  }

  function url(name) {
    const s = status();
    if (!s.files || !s.files[name]) throw new Error("意味検索のファイル " + name + " がサイトにありません");
    return s.root + s.files[name];
  }

  function assets() {
    const DxNavi = root.DxNavi || {};
    if (!DxNavi.assets) throw new Error("assets.js が読み込まれていません");
    return DxNavi.assets;
  }

  /** A registered binary asset's bytes; its text is dropped once decoded. */
  async function binary(assetsApi, name) {
    const bytes = await assetsApi.bytes(await assetsApi.load(name, url(name)));
    assetsApi.release(name, url(name));
    return bytes;
  }

  async function startOrt(assetsApi) {
    const model = binary(assetsApi, "model");
    model.catch(function () {}); // awaited below; this only keeps an early failure from being "unhandled"
    const loaded = await Promise.all([
      assetsApi.script(url("ort")),
      assetsApi.load("ort-glue", url("ort-glue")),
      binary(assetsApi, "ort-wasm"),
    ]);
    mark("ort files");
    const ort = root.ort;
    if (!ort || !ort.InferenceSession) throw new Error("onnxruntime-web を読み込めませんでした");
    // The WebAssembly arrives as bytes and its JS glue as a data: URL: nothing is fetched,
    // which is what lets this run from a folder as well as from a server.
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.proxy = false;
    ort.env.wasm.wasmBinary = loaded[2];
    ort.env.wasm.wasmPaths = { mjs: "data:text/javascript;base64," + loaded[1].data };
    ort.env.logLevel = "error";
    // Start the runtime (compile and instantiate the wasm, ~0.5 s) while the model is still
    // loading: a one-node graph is enough to make onnxruntime-web initialise.
    const starter = await ort.InferenceSession.create(assetsApi.decodeBase64(WARM_GRAPH), { executionProviders: ["wasm"] });
    await starter.release();
    mark("ort runtime");
    const bytes = await model;
    mark("model");
    // No graph rewriting: it cost more than it saved (session 1.5 s instead of 4.7 s in headless
    // Chromium on 2 busy cores, same time per query); the parity test holds it to Python's outputs.
    const session = await ort.InferenceSession.create(bytes, { executionProviders: ["wasm"], graphOptimizationLevel: "disabled" });
    mark("ort session");
    return { ort, session };
  }

  async function startUse(assetsApi) {
    const loaded = await Promise.all([
      assetsApi.load("sentencepiece", url("tokenizer-runtime")),
      binary(assetsApi, "tokenizer"),
      binary(assetsApi, "tokenizer-wasm"),
    ]);
    // The module's own inlined wasm was taken out at build time (semantic_assets.sentencepiece_runtime).
    const sp = await loaded[0]({ wasmBinary: loaded[2] });
    sp.FS.writeFile("tokenizer.model", loaded[1]);
    const path = new sp.StringView("tokenizer.model");
    const view = path.getView();
    const processor = new sp.SentencePieceProcessor();
    const loadStatus = processor.Load(view);
    const ok = typeof loadStatus.ok !== "function" || loadStatus.ok();
    loadStatus.delete();
    view.delete();
    path.delete();
    sp.FS.unlink("tokenizer.model");
    if (!ok) throw new Error("SentencePiece のモデルを読み込めませんでした");
    mark("tokenizer");
    return function pieceIds(text) {
      const string = new sp.StringView(text);
      const stringView = string.getView();
      const vector = processor.EncodeAsIds(stringView);
      const out = [];
      for (let i = 0; i < vector.size(); i++) out.push(vector.get(i));
      vector.delete();
      stringView.delete();
      string.delete();
      return out;
    };
  }

  async function startSentenceTransformers(assetsApi) {
    const loaded = await Promise.all([
      assetsApi.load("tokenizers", url("tokenizer-runtime")),
      assetsApi.load("tokenizer", url("tokenizer")),
    ]);
    const tokenizer = new loaded[0].Tokenizer(loaded[1].tokenizer, loaded[1].config);
    mark("tokenizer");
    return function ids(text) {
      return tokenizer.encode(text).ids;
    };
  }

  async function start() {
    const assetsApi = assets();
    const use = status().engine === "use-multilingual";
    // Everything at once: the script tags load in parallel and the wasm compiles in the background.
    const parts = await Promise.all([
      assetsApi.load("config", url("config")),
      startOrt(assetsApi),
      use ? startUse(assetsApi) : startSentenceTransformers(assetsApi),
    ]);
    const config = parts[0];
    const ort = parts[1].ort;
    const session = parts[1].session;
    const tokenize = parts[2];
    let queue = Promise.resolve(); // one run at a time: a wasm session is not re-entrant

    async function run(text) {
      const input = (config.query_prefix || "") + fold(text, config.char_fixes);
      const feeds = {};
      if (use) {
        const { ids, splits } = useInputs(tokenize(input), config);
        feeds[config.inputs.ids] = new ort.Tensor("int32", ids, [ids.length]);
        feeds[config.inputs.row_splits] = new ort.Tensor("int64", splits, [2]);
      } else {
        const ids = truncate(tokenize(input), config.max_tokens);
        const shape = [1, ids.length];
        for (const name of config.inputs) {
          let values;
          if (name === "input_ids") values = BigInt64Array.from(ids, BigInt);
          else if (name === "attention_mask") values = new BigInt64Array(ids.length).fill(1n);
          else values = new BigInt64Array(ids.length); // token_type_ids: one segment
          feeds[name] = new ort.Tensor("int64", values, shape);
        }
      }
      const result = await session.run(feeds);
      return l2normalize(result[config.output].data);
    }

    await run(""); // the first run allocates and compiles; pay it here, not on the reader's query
    mark("warm");
    return {
      config,
      encode(text) {
        const next = queue.then(function () { return run(text); });
        queue = next.catch(function () {});
        return next;
      },
    };
  }

  /** Load the encoder (once; a failed attempt may be retried). */
  function load() {
    if (!ready) {
      started = now();
      ready = start().catch(function (error) {
        ready = null;
        throw error;
      });
    }
    return ready;
  }

  /** The query's L2-normalised embedding. */
  async function encodeQuery(text) {
    const encoder = await load();
    return encoder.encode(text);
  }

  return { encodeQuery, load, timings, fold, l2normalize, useInputs, truncate };
});
