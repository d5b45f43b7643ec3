/*
 * DX人材事例ナビ: load a site asset once, by a classic <script> tag.
 *
 * A site opened from a folder (file://) may not fetch() or import modules, so every
 * asset, binary ones included, is a script that calls register(name, value).
 * Binary values arrive as gzip written as text: gzip keeps them small on disk and on the wire,
 * and DecompressionStream undoes it in the page without a request. The text carries 7 bits a
 * character (builder/generate/ascii7.py; base64 carries 6), so the model takes 14 % less room.
 *
 * Data files (the keyword index's chunks) are also fetched when the page came over http(s):
 * register(name, JSON) is then read as JSON, with no <script> element to insert and no code to
 * compile. Inserting the scripts cost more than their transfer (a quarter of a query's first-run
 * time at 1,000 cases, in Chromium's profile).
 */
(function (factory) {
  "use strict";
  const api = factory();
  if (typeof module === "object" && module.exports) module.exports = api;
  if (typeof window !== "undefined") {
    const DxNavi = (window.DxNavi = window.DxNavi || {});
    // One registry per page, even if this file is included twice (its values are the assets).
    DxNavi.assets = DxNavi.assets || api;
  }
})(function () {
  "use strict";

  const registered = new Map();
  const scripts = new Map(); // url -> Promise

  function register(name, value) {
    registered.set(name, value);
  }

  /** Run a script once per URL; resolves when it has run. */
  function script(url) {
    if (!scripts.has(url)) {
      scripts.set(
        url,
        new Promise(function (resolve, reject) {
          const element = document.createElement("script");
          element.src = url;
          element.async = true;
          element.onload = function () { resolve(); };
          element.onerror = function () {
            scripts.delete(url); // a later attempt may succeed (a flaky network)
            reject(new Error("ファイルを読み込めませんでした: " + url));
          };
          document.head.appendChild(element);
        }),
      );
    }
    return scripts.get(url);
  }

  /** The value the script at ``url`` registers under ``name``. */
  function load(name, url) {
    if (registered.has(name)) return Promise.resolve(registered.get(name));
    return script(url).then(function () {
      if (!registered.has(name)) throw new Error("ファイルの中身が想定と違います: " + url);
      return registered.get(name);
    });
  }

  /**
   * The value of a data file: ``register(<name as JSON>,<value as JSON>);``, nothing else (as
   * builder/generate/search_shards.py writes it). Anything else is an error, never run as code.
   */
  function parseData(name, text) {
    const head = "window.DxNavi.assets.register(" + JSON.stringify(name) + ",";
    const body = text.trimEnd();
    if (!body.startsWith(head) || !body.endsWith(");")) throw new Error("ファイルの中身が想定と違います: " + name);
    return JSON.parse(body.slice(head.length, -2));
  }

  function fetchable(url) {
    return typeof fetch === "function" && /^https?:/i.test(new URL(url, typeof location !== "undefined" ? location.href : undefined).protocol);
  }

  /**
   * A data file's value; a packed one ({packed: "gzip", size, data: base64}: the cases' display data,
   * search_shards.packed()) is the JSON it holds.
   */
  async function unpack(value) {
    if (value === null || typeof value !== "object" || value.packed !== "gzip") return value;
    const raw = await bytes({ encoding: "base64-gzip", size: value.size, data: value.data });
    return JSON.parse(new TextDecoder().decode(raw));
  }

  /** Like load(), for a data file: fetched and parsed over http(s), run as a script from a folder (file://); unpacked. */
  function data(name, url) {
    return read(name, url).then(unpack);
  }

  function read(name, url) {
    if (registered.has(name)) return Promise.resolve(registered.get(name));
    if (!fetchable(url)) return load(name, url);
    if (!scripts.has(url)) {
      scripts.set(
        url,
        fetch(url)
          .then(function (response) {
            if (!response.ok) throw new Error("ファイルを読み込めませんでした: " + url + "（" + response.status + "）");
            return response.text();
          })
          .then(function (text) { register(name, parseData(name, text)); })
          .catch(function (error) {
            scripts.delete(url); // a later attempt may succeed (a flaky network)
            throw error;
          }),
      );
    }
    return scripts.get(url).then(function () { return registered.get(name); });
  }

  /** Forget a value once used (a model's text is tens of MB); loading it again re-runs its script. */
  function release(name, url) {
    registered.delete(name);
    scripts.delete(url);
  }

  function decodeBase64(text) {
    if (typeof Uint8Array.fromBase64 === "function") return Uint8Array.fromBase64(text);
    if (typeof atob === "function") {
      const binary = atob(text);
      const out = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
      return out;
    }
    return new Uint8Array(Buffer.from(text, "base64")); // Node without atob
  }

  // The five 7-bit values a string literal cannot hold raw, as builder/generate/ascii7.py numbers them.
  const FORBIDDEN = [0, 10, 13, 34, 92];

  /**
   * The first ``length`` bytes of builder/generate/ascii7.py's text: 7 bits a character below
   * U+0080; above, a character holds two groups (a forbidden value's number × 128 + the next group).
   */
  function decodeAscii7(text, length) {
    const out = new Uint8Array(length);
    let bits = 0;
    let held = 0; // the last ``held`` bits of ``bits`` are not written yet (fewer than 8)
    let at = 0;
    for (let i = 0; i < text.length && at < length; i++) {
      const code = text.charCodeAt(i);
      if (code < 0x80) {
        bits = (bits << 7) | code;
        held += 7;
      } else {
        const pair = code - 0x80;
        bits = (bits << 14) | (FORBIDDEN[pair >> 7] << 7) | (pair & 127);
        held += 14;
      }
      while (held >= 8 && at < length) {
        held -= 8;
        out[at++] = (bits >> held) & 255;
      }
      bits &= (1 << held) - 1;
    }
    if (at !== length) throw new Error("ファイルの中身が途中で切れています（" + at + " バイト、想定 " + length + " バイト）");
    return out;
  }

  async function gunzip(bytes) {
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }

  /** The bytes of a registered binary value: {encoding: "ascii7-gzip" (with length)|"base64-gzip"|"base64", size, data}. */
  async function bytes(value) {
    let out;
    if (value.encoding === "ascii7-gzip") out = await gunzip(decodeAscii7(value.data, value.length));
    else if (value.encoding === "base64-gzip") out = await gunzip(decodeBase64(value.data));
    else if (value.encoding === "base64") out = decodeBase64(value.data);
    else throw new Error("未知の形式です: " + value.encoding);
    if (typeof value.size === "number" && out.length !== value.size) {
      throw new Error("ファイルの大きさが違います（" + out.length + " バイト、想定 " + value.size + " バイト）");
    }
    return out;
  }

  return { register, script, load, data, unpack, parseData, release, decodeBase64, decodeAscii7, gunzip, bytes };
});
