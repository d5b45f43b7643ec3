/*
 * DX人材事例ナビ search: keyword ranking (BM25F over words and character pairs).
 *
 * Every case that holds some of the query's terms gets a score; nothing is
 * filtered for lacking a term. The score of a case is
 *
 *   S × (1 + COVERAGE_WEIGHT × C²) × (1 + PHRASE_WEIGHT × A) × (1 + HINT_WEIGHT × H)
 *
 * S  BM25 per field: per term and field, the frequency normalised by field
 *    length (FIELD_B) and saturated by K1, summed with FIELD_BOOSTS, times idf
 *    and the term's query weight; per part of the query, the better of the
 *    words as typed and their expansions (another name weighs EXPANSION_WEIGHT).
 * C  coverage: the share of each part's term weight (query weight × idf) the
 *    case holds, averaged over parts, so a case with every word of the query
 *    ranks above one that repeats a few of them.
 * A  phrases: the share of neighbouring query terms that stand next to each
 *    other in the case too (アドバイザー as a word, not アド … バイ … ザー).
 * H  the share of property hints (人口1万人未満, 高知県) the case satisfies.
 */
(function (factory) {
  "use strict";
  const api = factory();
  if (typeof module === "object" && module.exports) module.exports = api;
  if (typeof window !== "undefined") (window.DxNavi = window.DxNavi || {}).ranking = api;
})(function () {
  "use strict";

  // Field order of the index: title, organisation, tags (keywords and their aliases), summary, text.
  // A word in the title or a keyword names what the case is about; one in the body may be in passing.
  // All > 0: a case holds a term exactly when the term's score for it is > 0 (scores(), direct()).
  const FIELD_BOOSTS = { title: 4, organisation: 3, tags: 3, summary: 2, text: 1 };
  // Short fields are about one thing whatever their length; long text is normalised fully.
  const FIELD_B = { title: 0.3, organisation: 0, tags: 0.3, summary: 0.5, text: 0.75 };
  // Saturation: the fifth 「研修」 in a body adds little over the second.
  const K1 = 1.2;
  // All the query's words matter more than many repeats of some (0.5 coverage keeps 1/2 of the bonus's square).
  const COVERAGE_WEIGHT = 3;
  // The words as written, in order, say more than their characters scattered.
  const PHRASE_WEIGHT = 1;
  // A stated property (小さな町) is what the reader needs most: a case with all of them scores ×4
  // (a generic remainder like 研修 matches nearly every case); the others stay listed, lower.
  const HINT_WEIGHT = 3;
  // A lone kanji is looked up inside pairs (町 in 五霞町): weaker evidence than a pair.
  const SINGLE_CHAR_WEIGHT = 0.5;
  // A word being typed (passp…) is looked up by prefix: weaker than the whole word.
  const PREFIX_WEIGHT = 0.8;
  // Evidence = coverage × (1 + phrases) / 2. Cases with less than this are weak (only 「支援」 of a long question) …
  const MIN_COVERAGE = 0.2;
  // … and so are those with about a third of the evidence of the best case (スキ … リング for リスキリング),
  // while a case with one of two words (evidence 0.375 against 1) stays.
  const RELATIVE_COVERAGE = 0.35;

  function idf(size, df) {
    return Math.log(1 + (size - df + 0.5) / (df + 0.5));
  }

  // Resolved query tokens per index, kept across queries (a reader typing re-ranks the same words):
  // their postings and their per-case scores, a Float64Array per token (80 KB at 10,000 cases).
  const MAX_RESOLVED = 128;
  const resolvedByIndex = new WeakMap();

  /** Postings of a query token: exact term, else pairs holding a lone character, else words it begins. */
  function resolve(index, token) {
    let cache = resolvedByIndex.get(index);
    if (!cache) { cache = new Map(); resolvedByIndex.set(index, cache); }
    const key = token.kind + ":" + token.term;
    let entry = cache.get(key);
    if (entry) {
      cache.delete(key); // most recently used last
      cache.set(key, entry);
      return entry;
    }
    let postings;
    let weight = 1;
    let scores = null;
    if (index.has(token.term)) {
      const found = direct(index, index.flat(token.term));
      postings = found.postings;
      scores = found.scores;
    } else if (token.kind === "j" && Array.from(token.term).length === 1) {
      postings = index.containing(token.term);
      weight = SINGLE_CHAR_WEIGHT;
    } else if (token.kind === "w") {
      postings = index.sum(index.prefixed(token.term));
      weight = PREFIX_WEIGHT;
    } else {
      postings = index.sum([]);
    }
    entry = { postings, weight, idf: idf(index.size, postings.size), scores };
    keep(cache, key, entry);
    return entry;
  }

  function keep(cache, key, entry) {
    cache.set(key, entry);
    if (cache.size > MAX_RESOLVED) cache.delete(cache.keys().next().value);
  }

  /**
   * A term's cases and per-case scores straight from its flat postings list (index.flat(): field,
   * count, (case gap, term frequency) × count, per field), without unpacking or summing them into
   * rows first (the common case; sums of several terms go through index.sum). Each case's fields are
   * added in field order from 0: the same doubles as saturated().
   */
  function direct(index, flat) {
    const w = fieldWeights(index);
    const scores = new Float64Array(index.size);
    const docs = [];
    let k = 0;
    while (k < flat.length) {
      const field = flat[k];
      const end = k + 2 + 2 * flat[k + 1];
      const boost = w.boost[field];
      let position = -1;
      for (k += 2; k < end; k += 2) {
        position += flat[k];
        const tf = flat[k + 1];
        if (scores[position] === 0) docs.push(position); // every contribution is > 0
        scores[position] += (boost * tf * (K1 + 1)) / (tf + w.kNorm[position * w.fieldCount + field]);
      }
    }
    return { postings: { size: docs.length, docs: Int32Array.from(docs) }, scores };
  }

  // Per index: each field's boost and, per case and field, K1 × the length normalisation (the same
  // doubles saturated() computed inline, so scores do not change by a bit).
  const weightsByIndex = new WeakMap();

  function fieldWeights(index) {
    let out = weightsByIndex.get(index);
    if (!out) {
      const fieldCount = index.fields.length;
      const boost = new Float64Array(fieldCount);
      const kNorm = new Float64Array(index.size * fieldCount);
      for (let f = 0; f < fieldCount; f++) {
        const name = index.fields[f];
        const b = FIELD_B[name] !== undefined ? FIELD_B[name] : 0.75;
        boost[f] = FIELD_BOOSTS[name] !== undefined ? FIELD_BOOSTS[name] : 1;
        for (let doc = 0; doc < index.size; doc++) {
          const norm = 1 - b + b * (index.average[f] ? index.lengths[doc][f] / index.average[f] : 1);
          kNorm[doc * fieldCount + f] = K1 * norm;
        }
      }
      out = { boost, kNorm, fieldCount };
      weightsByIndex.set(index, out);
    }
    return out;
  }

  // Saturated per field, then summed with the boosts: with one saturation over all fields (classic
  // BM25F), ten mentions in a long body outweighed the same word in the title or the keywords.
  // tf: term frequencies of the case's fields, from tf[at] on.
  function saturated(w, tf, at, doc) {
    let sum = 0;
    for (let f = 0; f < w.fieldCount; f++) {
      const n = tf[at + f];
      if (!n) continue;
      sum += (w.boost[f] * n * (K1 + 1)) / (n + w.kNorm[doc * w.fieldCount + f]);
    }
    return sum;
  }

  /** Neighbouring token pairs of a token list, with the text they make together. */
  function pairs(tokens, source) {
    const out = [];
    for (let i = 0; i + 1 < tokens.length; i++) {
      const a = tokens[i];
      const b = tokens[i + 1];
      // Overlapping pairs, or a word meeting a kanji/kana run (itパス): what the index's joints answer.
      // Two pairs that only touch (引き|出し, a particle pair left out between them) make four characters, which no joint holds.
      const touching = b.start === a.end && (a.kind === "w" || b.kind === "w");
      if (b.start < a.end || touching) out.push({ i, text: source.slice(a.start, b.end) });
    }
    return out;
  }

  /** saturated() of each case holding an entry's term, by case position; 0 for the others (boosts are > 0). */
  function scores(index, entry) {
    if (!entry.scores) {
      // Dense: a ranking looks every candidate up in every list, and 10,000 Map look-ups cost more than this.
      const out = new Float64Array(index.size);
      const p = entry.postings;
      const w = fieldWeights(index);
      for (let i = 0; i < p.size; i++) out[p.docs[i]] = saturated(w, p.tf, i * w.fieldCount, p.docs[i]);
      entry.scores = out;
    }
    return entry.scores;
  }

  /** A token list's per-case state; together(text) -> (doc -> whether the case holds text), asked once per pair. */
  function prepare(index, tokens, source, together) {
    const entries = tokens.map(function (t) { return resolve(index, t); });
    const weights = tokens.map(function (t, i) { return t.weight * entries[i].weight * entries[i].idf; });
    let total = 0;
    for (const w of weights) total += w;
    return {
      tokens, source, entries, weights, total,
      pairs: pairs(tokens, source).map(function (p) { return { i: p.i, text: p.text, holds: together(p.text) }; }),
      scores: entries.map(function (e) { return scores(index, e); }),
      // Per case, overwritten by measure(): which tokens the case holds, which pairs stand together, the figures.
      hit: new Uint8Array(tokens.length),
      joined: new Uint8Array(tokens.length),
      bm25: 0, coverage: 0, phrase: 0,
    };
  }

  /** One token list against one case: sets list.bm25, coverage and phrase; false if the case holds none of it. */
  function measure(list, doc) {
    let bm25 = 0;
    let held = 0;
    const hit = list.hit;
    for (let i = 0; i < hit.length; i++) {
      const s = list.scores[i][doc];
      hit[i] = s > 0 ? 1 : 0;
      if (!hit[i]) continue;
      bm25 += list.weights[i] * s;
      held += list.weights[i];
    }
    if (!bm25) return false;
    const coverage = list.total ? held / list.total : 0;
    let phrase = coverage;
    list.joined.fill(0);
    if (list.pairs.length) {
      let present = 0;
      for (const p of list.pairs) {
        if (hit[p.i] && hit[p.i + 1] && p.holds(doc)) { present += 1; list.joined[p.i] = 1; }
      }
      phrase = present / list.pairs.length;
    }
    list.bm25 = bm25;
    list.coverage = coverage;
    list.phrase = phrase;
    return true;
  }

  /**
   * Matched runs of the case measure() last saw: neighbouring hits that also stand together in the
   * case, for "why" and highlighting; particles and filler words (weight < 1) are left out unless
   * the query has nothing else.
   */
  function runsOf(list, expansion, into) {
    const hit = list.hit;
    let strong = false;
    for (let i = 0; i < hit.length; i++) if (hit[i] && list.tokens[i].weight >= 1) strong = true;
    let run = null;
    for (let i = 0; i < hit.length; i++) {
      const t = list.tokens[i];
      if (!hit[i] || (strong && t.weight < 1)) { run = null; continue; }
      if (run && list.joined[i - 1]) run.end = t.end;
      else { run = { text: "", start: t.start, end: t.end, expansion }; into.push(run); }
    }
    for (const r of into) if (!r.text) r.text = list.source.slice(r.start, r.end);
  }

  const NO_HINTS = Object.freeze([0, Object.freeze([])]);
  const NO_RUNS = function () { return []; };

  /**
   * A ranked case. Its matched runs are worked out when first read (explain(doc)): of thousands of
   * ranked cases a page shows twenty, and building every case's runs took a third of a ranking.
   */
  class Ranked {
    #explain;
    #runs = null;

    constructor(doc, score, coverage, phrase, evidence, hints, explain) {
      this.doc = doc;
      this.score = score;
      this.coverage = coverage;
      this.phrase = phrase;
      this.evidence = evidence;
      this.hints = hints;
      this.weak = false;
      this.#explain = explain;
    }

    get matched() {
      if (!this.#runs) this.#runs = this.#explain(this.doc);
      return this.#runs;
    }
  }

  /**
   * The list of a part (its words as typed or an expansion) that scores best for a case, measure()d
   * for it, with its value; null if the case holds none. Each list keeps its own per-case state, so
   * the best one's runs can be read after the others ran.
   */
  function bestList(part, doc) {
    let top = null;
    let topValue = 0;
    for (const l of part.lists) {
      if (!measure(l.list, doc)) continue;
      const r = l.list;
      const value = l.weight * r.bm25 * (1 + COVERAGE_WEIGHT * r.coverage * r.coverage) * (1 + PHRASE_WEIGHT * r.phrase);
      if (!top || value > topValue) { top = l; topValue = value; }
    }
    return top;
  }

  /**
   * Rank the cases for a plan from query.parse().
   * ctx: {index: KeywordIndex or ShardedIndex (ensure()d for needs(plan)), members(facet, values) -> Set of cases,
   *       together(text) -> (doc -> whether the case's folded text holds text), or haystack(doc) -> that text}.
   * Returns Ranked cases {doc, score, coverage, phrase, evidence, weak, hints, matched: [{text, start, end, expansion}]},
   * best first, weak matches (scattered pairs, a small share of the query) after the others;
   * text is folded, start/end are offsets in plan.folded (or in the expansion's text when expansion is set).
   */
  function rank(plan, ctx) {
    const index = ctx.index;
    const together = ctx.together || function (text) { return function (doc) { return ctx.haystack(doc).includes(text); }; };
    const boosts = (plan.boosts || []).map(function (b) { return { boost: b, cases: ctx.members(b.facet, b.values) }; });
    const parts = plan.parts.map(function (part) {
      return {
        lists: [{ weight: 1, expansion: null, list: prepare(index, part.tokens, plan.folded, together) }].concat(
          part.alternatives.map(function (alt) {
            return { weight: alt.weight, expansion: alt.name, list: prepare(index, alt.tokens, alt.folded, together) };
          })
        ),
      };
    });
    // [share, boosts held] of a case; no allocation without hints (called for every candidate).
    const hintShare = function (doc) {
      if (!boosts.length) return NO_HINTS;
      const held = boosts.filter(function (b) { return b.cases.has(doc); });
      return [held.length / boosts.length, held.map(function (b) { return b.boost; })];
    };

    if (!parts.length) {
      const all = [];
      for (let doc = 0; doc < index.size; doc++) {
        const hints = hintShare(doc);
        all.push(new Ranked(doc, boosts.length ? 1 + HINT_WEIGHT * hints[0] : 0, 0, 0, 0, hints[1], NO_RUNS));
      }
      return byScore(all);
    }

    /** The matched runs of one case: its parts measured again (each list keeps only the last case's state). */
    const explain = function (doc) {
      const matched = [];
      for (const part of parts) {
        const top = bestList(part, doc);
        if (top) runsOf(top.list, top.expansion, matched);
      }
      return matched;
    };

    // Only cases holding at least one term can score.
    const candidate = new Uint8Array(index.size);
    for (const part of parts) {
      for (const l of part.lists) {
        for (const e of l.list.entries) {
          const docs = e.postings.docs;
          for (let i = 0; i < docs.length; i++) candidate[docs[i]] = 1;
        }
      }
    }

    const results = [];
    let best = 0;
    for (let doc = 0; doc < index.size; doc++) {
      if (!candidate[doc]) continue;
      let s = 0;
      let c = 0;
      let a = 0;
      for (const part of parts) {
        const top = bestList(part, doc);
        if (!top) continue;
        s += top.weight * top.list.bm25;
        c += top.list.coverage;
        a += top.list.phrase;
      }
      c /= parts.length;
      a /= parts.length;
      // Scattered pairs are weak evidence: a case holding the pairs but not the words counts half.
      const evidence = (c * (1 + a)) / 2;
      best = Math.max(best, evidence);
      const hints = hintShare(doc);
      const score = s * (1 + COVERAGE_WEIGHT * c * c) * (1 + PHRASE_WEIGHT * a) * (1 + HINT_WEIGHT * hints[0]);
      results.push(new Ranked(doc, score, c, a, evidence, hints[1], explain));
    }
    // Weak cases stay listed (a reader may want them, and recall needs them), after the others and marked.
    const strong = [];
    const weak = [];
    for (const r of results) {
      r.weak = r.evidence < MIN_COVERAGE || r.evidence < RELATIVE_COVERAGE * best;
      (r.weak ? weak : strong).push(r);
    }
    return byScore(strong).concat(byScore(weak));
  }

  // Which 32-bit half of a Float64Array element holds the sign and exponent (the platform's byte order).
  const HIGH = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1 ? 1 : 0;

  /**
   * Ranked cases in case order, by score (highest first), ties in case order: the order of a stable
   * comparator sort, by a least-significant-digit radix sort of the scores' 64 bits (stable, linear).
   * The comparator sort was a fifth of a ranking at 10,000 results, and a native sort of the scores
   * with a binary search per case back to its slot still a sixth (Chromium's profile).
   */
  function byScore(list) {
    const n = list.length;
    const scores = new Float64Array(n);
    for (let i = 0; i < n; i++) scores[i] = list[i].score + 0; // -0 → 0: equal scores tie
    // Each score's bits as an unsigned key that sorts as the score does, highest score lowest key.
    const words = new Uint32Array(scores.buffer);
    const halves = [new Uint32Array(n), new Uint32Array(n)]; // [low, high] bits
    for (let i = 0; i < n; i++) {
      let high = words[2 * i + HIGH];
      let low = words[2 * i + 1 - HIGH];
      if (high & 0x80000000) { high = ~high; low = ~low; } // negative: larger magnitude sorts lower
      else high ^= 0x80000000;
      halves[0][i] = ~low >>> 0;
      halves[1][i] = ~high >>> 0;
    }
    let order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    let next = new Uint32Array(n);
    const count = new Uint32Array(256);
    for (let pass = 0; pass < 8 && n > 1; pass++) {
      const key = halves[pass >> 2];
      const shift = (pass & 3) * 8;
      count.fill(0);
      for (let i = 0; i < n; i++) count[(key[i] >>> shift) & 255]++;
      if (count[(key[0] >>> shift) & 255] === n) continue; // one digit for all: nothing moves
      let sum = 0;
      for (let d = 0; d < 256; d++) { const c = count[d]; count[d] = sum; sum += c; }
      for (let i = 0; i < n; i++) { const at = order[i]; next[count[(key[at] >>> shift) & 255]++] = at; }
      const swap = order; order = next; next = swap;
    }
    const out = new Array(n);
    for (let i = 0; i < n; i++) out[i] = list[order[i]];
    return out;
  }

  /**
   * What rank(plan) will look up: every token ({term, kind}) and every phrase (two neighbouring
   * tokens' text) of every part and its expansions, so a sharded index can load them first.
   */
  function needs(plan) {
    const tokens = [];
    const phrases = [];
    for (const part of plan.parts) {
      const lists = [{ tokens: part.tokens, source: plan.folded }].concat(
        part.alternatives.map(function (alt) { return { tokens: alt.tokens, source: alt.folded }; })
      );
      for (const l of lists) {
        for (const t of l.tokens) tokens.push({ term: t.term, kind: t.kind });
        for (const p of pairs(l.tokens, l.source)) phrases.push(p.text);
      }
    }
    return { tokens, phrases };
  }

  return {
    rank, idf, needs,
    FIELD_BOOSTS, FIELD_B, K1, COVERAGE_WEIGHT, PHRASE_WEIGHT, HINT_WEIGHT, SINGLE_CHAR_WEIGHT, PREFIX_WEIGHT, MIN_COVERAGE, RELATIVE_COVERAGE,
  };
});
