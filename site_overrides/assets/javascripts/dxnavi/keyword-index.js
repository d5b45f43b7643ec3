/*
 * DX人材事例ナビ search: loading the keyword index and reading its postings.
 *
 * The build writes the index in chunks (builder/generate/search_shards.py): search/index.js,
 * the manifest (field lengths, facet values, query tables, where each key's chunk begins and which
 * keys of the controlled vocabulary live together in home chunks), and
 * under search/k/ the postings chunks, the cases' names (what window.caseSearch returns), their
 * display data (what the search page shows) and the facets' cases, each loaded when first needed. All are scripts, so that search works
 * from a folder (file://); over http(s) the chunks are fetched and read as JSON (assets.js data()). The manifest pushes itself onto window.DXNAVI_SEARCH_QUEUE, which this
 * module turns into a receiver; search.html includes it, other pages add it on first use; the
 * chunks go through DxNavi.assets (assets.js).
 *
 * Two index classes answer ranking.js the same way: KeywordIndex over a whole index in memory
 * (search_index.py's format: the unit tests, and the reference a sharded search must equal) and
 * ShardedIndex over the chunks, which must be ensure()d for a query's keys before ranking.
 */
(function (factory) {
  "use strict";
  const api = factory(typeof window !== "undefined" ? window : null);
  if (typeof module === "object" && module.exports) module.exports = api;
  if (typeof window !== "undefined") (window.DxNavi = window.DxNavi || {}).keywordIndex = api;
})(function (win) {
  "use strict";

  const INDEX_SCRIPT = "search/index.js";
  // Decoded terms and joints kept (a pair in every case of 10,000 takes ~240 KB, a joint 10 KB):
  // enough for the words of the queries a reader types in a row, bounded over a long visit.
  const MAX_DECODED = 256;
  const MAX_JOINTS = 512;

  /** map.set, forgetting the oldest entry past max (Maps iterate in insertion order). */
  function keep(map, key, value, max) {
    map.set(key, value);
    if (map.size > max) map.delete(map.keys().next().value);
  }

  /**
   * One term's postings (or the sum of several terms'): size (cases holding it), docs (ascending)
   * and tf (the term frequency in each field, fields.length per case, in the order of docs).
   * Typed arrays, not a Map of arrays: a pair like 研修 is in nearly every one of 10,000 cases.
   */
  const EMPTY = Object.freeze({ size: 0, docs: new Int32Array(0), tf: new Uint32Array(0) });

  /** Scratch rows for decode(), one per index (decoding is synchronous, so one is enough). */
  function scratch(caseCount, fieldCount) {
    return { dense: new Uint32Array(caseCount * fieldCount), seen: new Uint8Array(caseCount), fieldCount };
  }

  // The digits of the chunks' numbers (search_shards.py encode(), whose docstring is the format):
  // printable ASCII but " and \; the first LAST end a number, the others continue it.
  const LAST = 80;
  const DIGIT = new Uint8Array(128);
  let digits = 0;
  for (let code = 0x20; code < 0x7f; code++) if (code !== 0x22 && code !== 0x5c) DIGIT[code] = digits++;
  const MORE = digits - LAST;

  /** The numbers a chunk's value encodes (search_shards.py encode()), least significant digit first. */
  function numbers(text) {
    const out = new Uint32Array(text.length);
    let n = 0;
    let value = 0;
    let scale = 1;
    for (let i = 0; i < text.length; i++) {
      const digit = DIGIT[text.charCodeAt(i)];
      if (digit < LAST) {
        out[n++] = value + digit * scale;
        value = 0;
        scale = 1;
      } else {
        value += (digit - LAST) * scale;
        scale *= MORE;
      }
    }
    return out.subarray(0, n);
  }

  /**
   * One flat postings list (search_index.py's format: field, count, (case gap, term frequency) × count,
   * per field; an array in the whole index, encoded text in the chunks) as parallel arrays in its
   * order, by field, then by case: the one reader of the format.
   */
  function unpack(postings) {
    const flat = typeof postings === "string" ? numbers(postings) : postings;
    let length = 0;
    for (let k = 0; k < flat.length; k += 2 + 2 * flat[k + 1]) length += flat[k + 1];
    const field = new Uint8Array(length);
    const doc = new Int32Array(length);
    const tf = new Uint32Array(length);
    let i = 0;
    let k = 0;
    while (k < flat.length) {
      const f = flat[k];
      const count = flat[k + 1];
      k += 2;
      let position = -1;
      for (let n = 0; n < count; n++, i++, k += 2) {
        position += flat[k];
        field[i] = f;
        doc[i] = position;
        tf[i] = flat[k + 1];
      }
    }
    return { length, field, doc, tf };
  }

  /** The sum of flat postings lists as postings. */
  function decode(flats, work) {
    const fieldCount = work.fieldCount;
    const dense = work.dense;
    const seen = work.seen;
    const touched = [];
    for (const flat of flats) {
      const u = unpack(flat);
      for (let i = 0; i < u.length; i++) {
        const position = u.doc[i];
        if (!seen[position]) { seen[position] = 1; touched.push(position); }
        dense[position * fieldCount + u.field[i]] += u.tf[i];
      }
    }
    if (!touched.length) return EMPTY;
    const docs = Int32Array.from(touched).sort();
    const tf = new Uint32Array(docs.length * fieldCount);
    for (let i = 0; i < docs.length; i++) {
      const at = docs[i] * fieldCount;
      for (let f = 0; f < fieldCount; f++) { tf[i * fieldCount + f] = dense[at + f]; dense[at + f] = 0; }
      seen[docs[i]] = 0;
    }
    return { size: docs.length, docs, tf };
  }

  function averages(lengths, fieldCount) {
    const out = new Array(fieldCount).fill(0);
    for (const row of lengths) for (let f = 0; f < fieldCount; f++) out[f] += row[f];
    return out.map(function (total) { return lengths.length ? total / lengths.length : 0; });
  }

  /** Postings of one build, all in memory, decoded term by term on demand. */
  class KeywordIndex {
    constructor(raw) {
      this.fields = raw.fields;
      this.lengths = raw.lengths;
      this.size = raw.lengths.length;
      this.terms = raw.terms;
      this.raw = raw.postings;
      this.number = new Map(raw.terms.map(function (term, i) { return [term, i]; }));
      this.decoded = new Map();
      this.average = averages(raw.lengths, raw.fields.length);
      this.work = scratch(this.size, raw.fields.length);
    }

    has(term) {
      return this.number.has(term);
    }

    /** Postings (see EMPTY) of one term of the index. */
    postings(term) {
      if (!this.decoded.has(term)) {
        const i = this.number.get(term);
        this.decoded.set(term, i === undefined ? EMPTY : decode([this.raw[i]], this.work));
      }
      return this.decoded.get(term);
    }

    /** A term's flat postings list as numbers, for ranking.js to score in one pass (no dense rows, no sort). */
    flat(term) {
      return this.raw[this.number.get(term)];
    }

    /** Summed postings of several terms (the words a word being typed begins). */
    sum(terms) {
      if (terms.length === 1) return this.postings(terms[0]);
      const self = this;
      return decode(terms.map(function (t) { return self.raw[self.number.get(t)]; }), this.work);
    }

    /** Index terms for which test(term) holds. */
    matching(test) {
      return this.terms.filter(test);
    }

    /** Summed postings of the terms that hold a character (ranking.js: a lone kanji not itself a term). */
    containing(ch) {
      return this.sum(this.matching(function (t) { return t.includes(ch); }));
    }

    /** Words that begin with a word being typed (passp…). */
    prefixed(prefix) {
      return this.matching(function (t) { return t.startsWith(prefix) && /^[0-9a-z\u00c0-\u024f]/.test(t); });
    }

    ensure() {
      return Promise.resolve(); // everything is here
    }
  }

  /** The chunk that holds key: the last whose first key is not after it (JavaScript's string order, as the build sorts). */
  function chunkOf(first, key) {
    let lo = 0;
    let hi = first.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (first[mid] <= key) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /**
   * Postings in chunks (builder/generate/search_shards.py). ensure(needs) loads the chunks of a
   * query's keys; then has/postings/containing/prefixed/jointCases answer from memory, and throw for
   * a key whose chunk was not loaded (a ranking that silently missed a term would be wrong).
   * fetch(n) -> Promise of chunk n: {t: {keys, values}, u: {…}, j: {…}}.
   */
  class ShardedIndex {
    constructor(manifest, fetch) {
      const fieldCount = manifest.fields.length;
      this.fields = manifest.fields;
      this.size = manifest.size;
      this.lengths = [];
      for (let doc = 0; doc < manifest.size; doc++) this.lengths.push(manifest.lengths.slice(doc * fieldCount, (doc + 1) * fieldCount));
      this.average = averages(this.lengths, fieldCount);
      this.first = manifest.chunks;
      // Keys of the controlled vocabulary, in home chunks numbered after the ranges (search_shards.py homes());
      // a manifest cached from a build before them has none, and its ranges hold every key.
      this.home = new Map();
      (manifest.homes || []).forEach(function (keys, i) {
        for (const key of keys) this.home.set(key, manifest.chunks.length + i);
      }, this);
      this.fetch = fetch;
      this.loaded = new Set();
      this.pending = new Map();
      this.tables = { t: new Map(), u: new Map(), j: new Map() };
      this.words = []; // per chunk: its terms, for prefix look-ups
      this.decoded = new Map();
      this.sets = new Map();
      this.work = scratch(this.size, fieldCount);
    }

    /** The chunk that holds key: its home chunk, else the range its place in the key order falls in. */
    chunkFor(key) {
      const home = this.home.get(key);
      return home === undefined ? chunkOf(this.first, key) : home;
    }

    /** Chunks holding the keys of a query's tokens ({term, kind}) and phrases. */
    chunksFor(needs) {
      const out = new Set();
      for (const t of needs.tokens || []) out.add(this.chunkFor(t.term));
      for (const text of needs.phrases || []) out.add(this.chunkFor(text));
      return out;
    }

    /** Chunks of every key that begins with prefix (contiguous in the sorted key space; words are never in a home chunk). */
    rangeOf(prefix) {
      let n = chunkOf(this.first, prefix);
      const out = [n];
      while (n + 1 < this.first.length && this.first[n + 1].startsWith(prefix)) out.push(++n);
      return out;
    }

    /**
     * Load what ranking needs for a query (ranking.needs(plan)). A word not in the index is looked
     * up by prefix (it is being typed): its key range loads only then, not for every word.
     */
    ensure(needs) {
      const self = this;
      return this.load(this.chunksFor(needs)).then(function () {
        const more = new Set();
        for (const t of needs.tokens || []) {
          if (t.kind === "w" && !self.tables.t.has(t.term)) for (const n of self.rangeOf(t.term)) more.add(n);
        }
        return self.load(more);
      });
    }

    load(numbers) {
      const self = this;
      const jobs = [];
      for (const n of numbers) {
        if (this.loaded.has(n)) continue;
        if (!this.pending.has(n)) {
          this.pending.set(n, this.fetch(n).then(function (chunk) { self.add(n, chunk); }).finally(function () { self.pending.delete(n); }));
        }
        jobs.push(this.pending.get(n));
      }
      return Promise.all(jobs);
    }

    add(n, chunk) {
      for (const name of ["t", "u", "j"]) {
        const table = chunk[name];
        for (let i = 0; i < table.keys.length; i++) this.tables[name].set(table.keys[i], table.values[i]);
      }
      this.words[n] = chunk.t.keys;
      this.loaded.add(n);
    }

    check(key) {
      const n = this.chunkFor(key);
      if (!this.loaded.has(n)) throw new Error("検索の索引の一部（" + n + "）を読み込む前に使おうとしました: " + key);
    }

    has(term) {
      this.check(term);
      return this.tables.t.has(term);
    }

    postings(term) {
      if (!this.decoded.has(term)) {
        this.check(term);
        const flat = this.tables.t.get(term);
        keep(this.decoded, term, flat ? decode([flat], this.work) : EMPTY, MAX_DECODED);
      }
      return this.decoded.get(term);
    }

    flat(term) {
      this.check(term);
      return numbers(this.tables.t.get(term));
    }

    sum(terms) {
      if (terms.length === 1) return this.postings(terms[0]);
      const self = this;
      for (const t of terms) this.check(t);
      return decode(terms.map(function (t) { return self.tables.t.get(t); }), this.work);
    }

    containing(ch) {
      const key = "u:" + ch;
      if (!this.decoded.has(key)) {
        this.check(ch);
        const flat = this.tables.u.get(ch);
        keep(this.decoded, key, flat ? decode([flat], this.work) : EMPTY, MAX_DECODED);
      }
      return this.decoded.get(key);
    }

    prefixed(prefix) {
      const out = [];
      for (const n of this.rangeOf(prefix)) {
        if (!this.loaded.has(n)) throw new Error("検索の索引の一部（" + n + "）を読み込む前に使おうとしました: " + prefix);
        for (const t of this.words[n]) if (t.startsWith(prefix)) out.push(t);
      }
      return out;
    }

    /** Per case, 1 if its text holds text, two neighbouring query terms together (ranking.js's phrases). */
    jointCases(text) {
      let set = this.sets.get(text);
      if (!set) {
        this.check(text);
        set = new Uint8Array(this.size); // dense: looked up once per candidate case
        let position = -1;
        for (const gap of numbers(this.tables.j.get(text) || "")) set[(position += gap)] = 1;
        keep(this.sets, text, set, MAX_JOINTS);
      }
      return set;
    }
  }

  /**
   * The search data of a sharded build: the index, the query tables, the facets' values (their
   * cases once loadFacets() ran), every case's id, URL, title and organisation (once loadNames()
   * ran: what window.caseSearch returns) and the cases' display data (for those loadCases() fetched).
   * get(path) -> Promise of the value a chunk registers (site-relative path).
   */
  function sharded(manifest, get) {
    const folder = manifest.folder + "/";
    const cases = new Array(manifest.size);
    const byId = new Map();
    const pendingCases = new Map();
    let facetCases = null;
    let names = null;
    const data = {
      sharded: true,
      manifest,
      hints: manifest.hints,
      facets: manifest.facets,
      cases,
      byId,
      keywordIndex: new ShardedIndex(manifest, function (n) { return get(folder + "t" + n + ".js"); }),
      /** Display data of these cases (positions), a few cases per chunk. */
      loadCases(docs) {
        const jobs = [];
        for (const doc of docs) {
          if (cases[doc] !== undefined || doc < 0 || doc >= manifest.size) continue;
          const n = Math.floor(doc / manifest.casesPerChunk);
          if (!pendingCases.has(n)) {
            pendingCases.set(n, get(folder + "d" + n + ".js").then(function (list) {
              list.forEach(function (c, i) {
                const position = n * manifest.casesPerChunk + i;
                cases[position] = c;
                byId.set(c.id, position);
              });
            }, function (error) { pendingCases.delete(n); throw error; }));
          }
          jobs.push(pendingCases.get(n));
        }
        return Promise.all(jobs);
      },
      /** [{id, url, title, organisation}] by case position; the URL is site-relative. */
      loadNames() {
        if (!names) {
          names = get(folder + "names.js").then(function (rows) {
            return rows.map(function (row, doc) {
              byId.set(row[0], doc);
              return { id: row[0], url: manifest.caseUrl.replace("{id}", row[0]), title: row[1], organisation: row[2] };
            });
          }, function (error) { names = null; throw error; });
        }
        return names;
      },
      /** The cases of every facet value: [facet][value] -> case positions. */
      loadFacets() {
        if (!facetCases) {
          facetCases = get(folder + "facets.js").then(function (lists) {
            return lists.map(function (values) {
              return values.map(function (gaps) {
                let position = -1;
                return gaps.map(function (gap) { return (position += gap); });
              });
            });
          }, function (error) { facetCases = null; throw error; });
        }
        return facetCases;
      },
    };
    return data;
  }

  // ---- Loading (browser only) ---------------------------------------------

  // Where this script came from tells where the site's root is, at any page depth and from file://.
  const SCRIPT = win && win.document && win.document.currentScript ? win.document.currentScript.src : "";
  const ROOT = SCRIPT ? SCRIPT.replace(/assets\/javascripts\/dxnavi\/[^/]*$/, "") : "";

  let data = null;
  let failed = null;
  let waiting = [];
  let loading = null;

  function chunk(path) {
    const url = ROOT + path + "?v=" + data.manifest.build; // a cached chunk never meets a newer manifest
    return win.DxNavi.assets.data(path, url);
  }

  function receive(payload) {
    let failure = null;
    try {
      if (payload.version === 2) data = sharded(payload, chunk);
      else data = Object.assign({}, payload, { keywordIndex: new KeywordIndex(payload.index) });
    } catch (error) {
      // A manifest this page cannot read (a cached page of another build): say so, never wait forever.
      failure = failed = new Error("検索の索引（" + INDEX_SCRIPT + "）を読み込めませんでした（" + error.message + "）。ページを再読み込みしてください。");
      loading = null;
    }
    for (const w of waiting) {
      if (failure) w.reject(failure);
      else w.resolve(data);
    }
    waiting = [];
  }

  if (win) {
    const queued = win.DXNAVI_SEARCH_QUEUE;
    win.DXNAVI_SEARCH_QUEUE = { push: receive };
    if (Array.isArray(queued) && queued.length) receive(queued[queued.length - 1]);
  }

  /** Promise of the search data (see sharded()); adds the manifest's script if the page has none. */
  function load() {
    if (data) return Promise.resolve(data);
    if (failed) return Promise.reject(failed);
    if (loading) return loading;
    loading = new Promise(function (resolve, reject) {
      waiting.push({ resolve, reject });
      const doc = win.document;
      const present = Array.from(doc.scripts).some(function (s) { return s.src && s.src.endsWith(INDEX_SCRIPT); });
      if (present) return; // search.html: the script is in the page and pushes when it has run
      const script = doc.createElement("script");
      script.src = ROOT + INDEX_SCRIPT;
      script.async = true;
      script.onerror = function () {
        loading = null;
        reject(new Error("検索の索引（" + INDEX_SCRIPT + "）を読み込めませんでした。"));
      };
      doc.head.appendChild(script);
    });
    return loading;
  }

  function loaded() {
    return data;
  }

  return { KeywordIndex, ShardedIndex, sharded, numbers, decode, chunkOf, EMPTY, load, loaded, root: function () { return ROOT; } };
});
