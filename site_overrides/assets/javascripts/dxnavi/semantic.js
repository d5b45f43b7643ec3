/*
 * DX人材事例ナビ semantic search: find cases by the meaning of a query.
 *
 *   DxNavi.semantic.status()  {state: "off"|"idle"|"loading"|"ready"|"error", reason, engine, model}
 *   DxNavi.semantic.load()    starts loading the encoder and the case vectors (never on page load)
 *   DxNavi.semantic.search(query, limit)  [{id, score, doc}], case ids best first, cosine (doc: position in the keyword index)
 *
 * The build writes search/semantic.js: the status (window.DXNAVI_SEMANTIC, with the
 * reason when there is no model) followed by assets.js and this file, so a page
 * needs that one script tag. Case vectors are int8 with one scale per case; the
 * cosine needs only the int8 values (the scale cancels out), so they stay int8.
 */
(function (factory) {
  "use strict";
  const api = factory(typeof window !== "undefined" ? window : globalThis);
  if (typeof module === "object" && module.exports) module.exports = api;
  if (typeof window !== "undefined") (window.DxNavi = window.DxNavi || {}).semantic = api;
})(function (root) {
  "use strict";

  const FROM_FOLDER = "フォルダから開いたサイトでは意味検索を使えません";

  /** The case vectors from their manifest and bytes: int8 rows and each row's inverse length. */
  function decodeVectors(manifest, bytes) {
    const dims = manifest.dims;
    const count = manifest.ids.length;
    if (bytes.length !== dims * count) throw new Error("ベクトルの大きさが違います（" + bytes.length + " バイト、想定 " + dims * count + "）");
    const values = new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length);
    const inverseNorms = new Float32Array(count);
    for (let row = 0; row < count; row++) {
      let sum = 0;
      for (let j = row * dims, end = j + dims; j < end; j++) sum += values[j] * values[j];
      inverseNorms[row] = sum > 0 ? 1 / Math.sqrt(sum) : 0;
    }
    return { ids: manifest.ids.slice(), docs: manifest.docs ? manifest.docs.slice() : null, dims, values, inverseNorms };
  }

  /** Cosine of a unit-length query with every case; the best ``limit``, ties in case order. */
  function rank(query, vectors, limit) {
    const dims = vectors.dims;
    if (query.length !== dims) throw new Error("問い合わせのベクトルの次元（" + query.length + "）が事例（" + dims + "）と違います");
    const values = vectors.values;
    const scored = [];
    for (let row = 0; row < vectors.ids.length; row++) {
      let dot = 0;
      for (let j = 0, offset = row * dims; j < dims; j++) dot += query[j] * values[offset + j];
      scored.push({ id: vectors.ids[row], score: dot * vectors.inverseNorms[row], row });
    }
    scored.sort(function (a, b) { return b.score - a.score || a.row - b.row; });
    return scored.slice(0, Math.max(0, limit)).map(function (r) {
      // doc: the case's position in the keyword index, which a sharded page cannot look up by id.
      return vectors.docs ? { id: r.id, score: r.score, doc: vectors.docs[r.row] } : { id: r.id, score: r.score };
    });
  }

  /** What to tell a reader when loading failed. */
  function failureReason(error, protocol) {
    const detail = error && error.message ? error.message : String(error);
    if (protocol === "file:") return FROM_FOLDER + "（" + detail + "）。キーワード検索は使えます。";
    return "意味検索の準備に失敗しました（" + detail + "）。キーワード検索は使えます。";
  }

  function unsupported() {
    if (typeof WebAssembly !== "object") return "WebAssembly";
    if (typeof DecompressionStream !== "function") return "DecompressionStream";
    if (typeof BigInt64Array !== "function") return "BigInt64Array";
    return "";
  }

  function config() {
    return root.DXNAVI_SEMANTIC || { available: false, reason: "意味検索のデータ（search/semantic.js）が読み込まれていません" };
  }

  let state = null; // null until load(): then "loading", "ready" or "error"
  let failure = "";
  let loading = null;
  let vectors = null;

  function status() {
    const c = config();
    const out = { state: "idle", reason: "", engine: c.engine || "", model: c.model || "" };
    if (!c.available) return Object.assign(out, { state: "off", reason: c.reason || "意味検索は使えません" });
    const missing = unsupported();
    if (missing) return Object.assign(out, { state: "off", reason: "このブラウザでは意味検索を使えません（" + missing + " がありません）。キーワード検索は使えます。" });
    if (state === "error") return Object.assign(out, { state: "error", reason: failure });
    if (state) out.state = state;
    return out;
  }

  async function start() {
    const c = config();
    const assets = root.DxNavi.assets;
    const encoderScript = assets.script(c.root + c.files.encoder).then(function () {
      return root.DxNavi.encoder.load();
    });
    const vectorsUrl = c.root + c.files.vectors;
    const vectorsReady = assets.load("vectors", vectorsUrl).then(async function (manifest) {
      const decoded = decodeVectors(manifest, await assets.bytes(manifest));
      assets.release("vectors", vectorsUrl); // the int8 copy is all a search needs
      return { manifest, decoded };
    });
    const parts = await Promise.all([encoderScript, vectorsReady]);
    const encoderConfig = parts[0].config;
    const manifest = parts[1].manifest;
    // Vectors of one model and queries of another would rank nonsense: refuse, never mix.
    if (manifest.fingerprint !== c.fingerprint || encoderConfig.fingerprint !== c.fingerprint) {
      throw new Error("事例のベクトルと問い合わせのモデルが一致しません。ページを再読み込みしてください");
    }
    if (manifest.dims !== encoderConfig.dims) throw new Error("事例のベクトルとモデルの次元が違います");
    vectors = parts[1].decoded;
  }

  function load() {
    const s = status();
    if (s.state === "off") return Promise.reject(new Error(s.reason));
    if (!loading) {
      state = "loading";
      loading = start().then(
        function () { state = "ready"; },
        function (error) {
          state = "error";
          failure = failureReason(error, root.location ? root.location.protocol : "");
          loading = null; // load() again retries
          throw new Error(failure);
        },
      );
    }
    return loading;
  }

  async function search(query, limit) {
    await load();
    if (!String(query || "").trim()) return [];
    const vector = await root.DxNavi.encoder.encodeQuery(query);
    return rank(vector, vectors, limit === undefined ? 20 : limit);
  }

  return { status, load, search, decodeVectors, rank, failureReason, FROM_FOLDER };
});
