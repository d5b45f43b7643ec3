/*
 * DX人材事例ナビ search: what a query asks for, shown to the reader, never a silent filter.
 *
 * parse() splits a query into parts (whitespace-separated), finds
 * - topics: names the taxonomy knows (keywords with their aliases, glossary
 *   terms, schemes, roles); other names of the same thing are searched too and
 *   shown as removable 「…」も含めて検索 chips;
 * - property hints: size (小さな町, 人口の少ない, 人口5万人未満, 大都市), kind
 *   (都道府県, 市町村, 政令市) and place (都道府県名・地方名). Each becomes a
 *   chip that suggests the facet filter and a soft boost in the ranking. Size
 *   and kind words leave the text query (they state a property, not a topic);
 *   place names stay (a case's organisation field holds them).
 * A hint never fires inside a taxonomy name (小さな成功体験, 都道府県と市町村の連携)
 * nor on characters that only look like one (東京都 is not 京都, 大分類 not 大分).
 */
(function (factory) {
  "use strict";
  const terms = typeof module === "object" && module.exports ? require("./terms.js") : window.DxNavi.terms;
  const api = factory(terms);
  if (typeof module === "object" && module.exports) module.exports = api;
  if (typeof window !== "undefined") (window.DxNavi = window.DxNavi || {}).query = api;
})(function (terms) {
  "use strict";

  // A kanji with its okurigana (育て) says less than a pair of kanji (育成); see contentTokens().
  const HIRAGANA_WEIGHT = 0.4;
  const HIRAGANA = /[\u3040-\u309f]/;
  const HIRAGANA_ONLY = /^[\u3040-\u309f]+$/;
  const OKURIGANA_PAIR = /^[^\u3040-\u309f][\u3040-\u309f]$/u;
  const PARTICLE_LAST = /[のをやがにでとはへも]$/;
  // Words that every case could answer to (事例, 取組) say little about which case is wanted.
  const FILLER_WEIGHT = 0.2;
  // Another name of what the reader typed is good evidence, a little less than the typed word.
  const EXPANSION_WEIGHT = 0.8;
  // Enough chips to show what happened, few enough to read.
  const MAX_EXPANSIONS_PER_TOPIC = 3;

  const SMALL = { min: 1, max: 9999 };
  const MEDIUM = { min: 50000, max: 199999 };
  const LARGE = { min: 500000, max: null };

  const ORG = "(?:市区町村|市町村|町村|自治体|団体|都市|まち|町|村|市)";
  // Size words need an organisation noun (小規模な研修 is about the training, not the town).
  const SIZE_RULES = [
    { range: SMALL, re: new RegExp("(?:小さな|小さい|小規模な?|小規模の|人口の少ない|人口が少ない|人口の少なめの|人口規模の小さい|人口規模が小さい)" + ORG, "g") },
    { range: SMALL, re: /人口(?:が|の)?(?:少ない|少なめ)|人口規模(?:が|の)?(?:小さい|小さな)|過疎(?:地域|地|化)?/g },
    { range: MEDIUM, re: new RegExp("(?:中規模|中くらい|中堅)(?:の|な)?" + ORG, "g") },
    { range: LARGE, re: new RegExp("(?:大きな|大きい|大規模な?|大規模の|人口の多い|人口が多い)" + ORG, "g") },
    { range: LARGE, re: /大都市|都市部|人口(?:が|の)?(?:多い|大きい)|人口規模(?:が|の)?(?:大きい|大きな)/g },
  ];
  const NUMBER = "([0-9][0-9,]*(?:\\.[0-9]+)?)(万)?";
  const BOUND = "(未満|以下|以上|超|より多い|より少ない|程度|くらい|ぐらい|前後|規模)?";
  // A number is a population only when it says so (職員100人以上 is not).
  const NUMBER_RULES = [
    new RegExp("人口(?:は|が)?(?:約|およそ)?" + NUMBER + "人?" + BOUND + "(?:(?:の|な)?" + ORG + ")?", "g"),
    new RegExp(NUMBER + "人" + BOUND + "(?:の|な)?" + ORG, "g"),
  ];
  // Kind words; 市町村 as the object of support (市町村支援, 県と市町村) is not a statement of kind.
  const NOT_ACTOR_AFTER = "(?!支援|との|と連携|と協|と一緒|職員|の職員|向け|への|に対|間|を|へ|課|担当|の支援|に派遣)";
  const KIND_RULES = [
    { kinds: ["市", "区", "町", "村"], re: new RegExp("(?<![県府都道と])(?:市区町村|市町村)" + NOT_ACTOR_AFTER, "g") },
    { kinds: ["町", "村"], re: new RegExp("(?<![県府都道と市])町村" + NOT_ACTOR_AFTER, "g") },
    { kinds: ["都道府県"], re: /都道府県(?!と市|と区)/g },
    { kinds: ["市"], range: LARGE, re: /政令指定都市|政令市|指定都市/g },
    { kinds: ["区"], re: /特別区|東京23区/g },
  ];
  // Organisation nouns that name a kind (a phrase ending in 自治体 or 団体 states no kind).
  const KIND_NOUNS = { 市区町村: ["市", "区", "町", "村"], 市町村: ["市", "区", "町", "村"], 町村: ["町", "村"], 町: ["町"], まち: ["町"], 村: ["村"], 市: ["市"], 都市: ["市"] };
  const FILLERS = /事例|取組|取り組み|自治体|団体|について|したい|している|ている|知りたい|ところ|ような|どんな/g;
  const PARTICLES_START = /^(?:の|で|が|を|に|は|も|と|へ|や|でも|には|では|による|における|向けの?)+/;
  const PARTICLES_END = /(?:の|で|が|を|に|は|も|と|へ|や|でも|には|では|による|における|向けの?)+$/;
  const SEPARATORS = /[\s、。，,;；!！?？]+/g;
  const HAN = /\p{Script=Han}/u;
  const LATIN_OR_DIGIT = /[a-z0-9]/;

  // The taxonomy's names and the place names are folded for every query: once is enough (a page asks dozens of times).
  const foldedNames = new Map();
  function foldName(name) {
    let out = foldedNames.get(name);
    if (out === undefined) {
      out = terms.fold(name);
      foldedNames.set(name, out);
    }
    return out;
  }

  function overlaps(a, spans) {
    return spans.some(function (s) { return a.start < s.end && s.start < a.end; });
  }

  // ---- Topics: names the taxonomy knows ------------------------------------

  function findAll(haystack, needle) {
    const found = [];
    if (!needle) return found;
    let i = haystack.indexOf(needle);
    while (i >= 0) {
      const before = haystack[i - 1] || "";
      const after = haystack[i + needle.length] || "";
      // A Latin name must be a whole word (ai is not inside email).
      const latin = LATIN_OR_DIGIT.test(needle[0]) || LATIN_OR_DIGIT.test(needle[needle.length - 1]);
      if (!latin || (!(LATIN_OR_DIGIT.test(needle[0]) && LATIN_OR_DIGIT.test(before)) && !(LATIN_OR_DIGIT.test(needle[needle.length - 1]) && LATIN_OR_DIGIT.test(after)))) {
        found.push({ start: i, end: i + needle.length });
      }
      i = haystack.indexOf(needle, i + 1);
    }
    return found;
  }

  /** Taxonomy names in the folded query, longest first, not overlapping. */
  function topics(folded, synonyms) {
    const candidates = [];
    for (const group of synonyms || []) {
      const names = group.names.map(function (name) { return { name, key: foldName(name), trigger: false }; });
      for (const trigger of group.triggers || []) names.push({ name: trigger, key: foldName(trigger), trigger: true });
      for (const n of names) {
        for (const span of findAll(folded, n.key)) candidates.push({ start: span.start, end: span.end, group, matched: n });
      }
    }
    candidates.sort(function (a, b) { return (b.end - b.start) - (a.end - a.start) || a.start - b.start; });
    const chosen = [];
    for (const c of candidates) if (!overlaps(c, chosen)) chosen.push(c);
    return chosen.sort(function (a, b) { return a.start - b.start; });
  }

  function expansions(topic, folded) {
    const typed = topic.matched.key;
    const candidates = [];
    for (const name of topic.group.names) {
      const key = foldName(name);
      // An infix match already finds names that contain the typed word, and the query already holds those it contains.
      if (!topic.matched.trigger && (key.includes(typed) || typed.includes(key))) continue;
      if (folded.includes(key)) continue;
      candidates.push({ name, key });
    }
    // Likewise a name holding another one (一般行政職員（管理監督職） holds 管理監督職): that one's pairs find it,
    // and its own would cost a chunk request each.
    const out = candidates.filter(function (c) { return !candidates.some(function (o) { return o !== c && o.key !== c.key && c.key.includes(o.key); }); });
    return out.slice(0, MAX_EXPANSIONS_PER_TOPIC).map(function (c) { return c.name; });
  }

  // ---- Property hints -------------------------------------------------------

  // Every band that can hold such a population (人口2万人未満 includes the 1万〜3万 band's towns).
  function bandsIn(range, bands) {
    const min = range.min;
    const max = range.max === null ? Infinity : range.max;
    return bands.filter(function (b) { return b.min <= max && (b.max === null ? Infinity : b.max) >= min; });
  }

  function manNin(n) {
    return n % 10000 === 0 ? n / 10000 + "万人" : n.toLocaleString("ja-JP") + "人";
  }

  function populationLabel(bands) {
    if (bands.length === 1) return "人口" + bands[0].label;
    const min = Math.min.apply(null, bands.map(function (b) { return b.min; }));
    const top = bands.some(function (b) { return b.max === null; }) ? null : Math.max.apply(null, bands.map(function (b) { return b.max; }));
    if (top === null) return "人口" + manNin(min) + "以上";
    if (min <= 1) return "人口" + manNin(top + 1) + "未満";
    return "人口" + manNin(min) + "以上" + manNin(top + 1) + "未満";
  }

  function numericRange(match) {
    const value = parseFloat(match[1].replace(/,/g, "")) * (match[2] ? 10000 : 1);
    if (!isFinite(value) || value < 100) return null; // 人口1人 is not a population anyone means
    switch (match[3]) {
      case "未満": case "より少ない": return { min: 1, max: Math.ceil(value) - 1 };
      case "以下": return { min: 1, max: Math.floor(value) };
      case "以上": return { min: Math.ceil(value), max: null };
      case "超": case "より多い": return { min: Math.floor(value) + 1, max: null };
      default: return { min: value, max: value };
    }
  }

  function facetByKey(facets, key) {
    return (facets || []).find(function (f) { return f.key === key; });
  }

  function populationHint(range, span, bands, facets) {
    const chosen = bandsIn(range, bands || []);
    const facet = facetByKey(facets, "population");
    if (!chosen.length || !facet) return null;
    const present = new Set(facet.values.map(function (v) { return v.id; }));
    const values = chosen.map(function (b) { return b.id; }).filter(function (id) { return present.has(id); });
    if (!values.length) return null;
    return { start: span.start, end: span.end, facet: "population", values, label: populationLabel(chosen), removes: true };
  }

  function kindHint(kinds, span, facets) {
    const facet = facetByKey(facets, "kind");
    if (!facet) return null;
    const values = facet.values.filter(function (v) { return kinds.includes(v.label); }).map(function (v) { return v.id; });
    if (!values.length) return null;
    return { start: span.start, end: span.end, facet: "kind", values, label: kinds.join("・"), removes: true };
  }

  function isHan(ch) {
    return !!ch && HAN.test(ch);
  }

  /** Place names: full prefecture names anywhere, bare names and regions only where they stand as words. */
  function placeHints(folded, facets) {
    const facet = facetByKey(facets, "prefecture");
    if (!facet) return [];
    const found = [];
    const names = [];
    const regions = new Map();
    for (const value of facet.values) {
      names.push({ key: foldName(value.label), values: [value.id], label: value.label, full: true });
      if (/[都府県]$/.test(value.label) && value.label.length > 2) {
        names.push({ key: foldName(value.label.slice(0, -1)), values: [value.id], label: value.label, full: false });
      }
      if (value.group) {
        if (!regions.has(value.group)) regions.set(value.group, []);
        regions.get(value.group).push(value.id);
      }
    }
    for (const [region, ids] of regions) {
      for (const name of region.split("・")) {
        if (!names.some(function (n) { return n.key === foldName(name); })) {
          names.push({ key: foldName(name), values: ids, label: region, full: false, region: true });
        }
      }
    }
    for (const name of names) {
      let i = folded.indexOf(name.key);
      while (i >= 0) {
        let end = i + name.key.length;
        const before = folded[i - 1];
        const after = folded[end];
        let ok = name.full ? !isHan(before) || before === "は" : !isHan(before) && (!isHan(after) || /[県府都道市町村区]/.test(after));
        if (name.region && folded.startsWith("地方", end)) { end += 2; ok = !isHan(before); }
        if (ok) found.push({ start: i, end, facet: "prefecture", values: name.values, label: name.label, removes: false });
        i = folded.indexOf(name.key, i + 1);
      }
    }
    return found;
  }

  /** Property hints in the folded query, outside topic spans, longest first, not overlapping. */
  function hints(folded, context, protectedSpans) {
    const found = [];
    const bands = (context.hints && context.hints.bands) || [];
    // 小さな町 states a size and a kind: the kind comes from the noun the phrase ends with.
    function sizeAndKind(range, m) {
      const span = { start: m.index, end: m.index + m[0].length };
      const hint = range && populationHint(range, span, bands, context.facets);
      if (!hint) return;
      found.push(hint);
      const noun = KIND_NOUNS[Object.keys(KIND_NOUNS).find(function (n) { return m[0].endsWith(n); })];
      const kind = noun && kindHint(noun, span, context.facets);
      if (kind) found.push(Object.assign(kind, { paired: true }));
    }
    for (const rule of SIZE_RULES) for (const m of folded.matchAll(rule.re)) sizeAndKind(rule.range, m);
    for (const re of NUMBER_RULES) for (const m of folded.matchAll(re)) sizeAndKind(numericRange(m), m);
    for (const rule of KIND_RULES) {
      for (const m of folded.matchAll(rule.re)) {
        const span = { start: m.index, end: m.index + m[0].length };
        const hint = kindHint(rule.kinds, span, context.facets);
        if (hint) found.push(hint);
        if (rule.range) {
          const size = populationHint(rule.range, span, bands, context.facets);
          if (size) found.push(Object.assign(size, { paired: true }));
        }
      }
    }
    found.push(...placeHints(folded, context.facets));
    const free = found.filter(function (h) { return !overlaps(h, protectedSpans); });
    free.sort(function (a, b) { return (b.end - b.start) - (a.end - a.start) || a.start - b.start; });
    const chosen = [];
    for (const h of free) {
      // 政令市 gives a kind and a size from the same words; anything else may not share its words.
      const clash = chosen.some(function (c) { return c.start < h.end && h.start < c.end && !((h.paired || c.paired) && c.start === h.start && c.end === h.end); });
      if (!clash) chosen.push(h);
    }
    return chosen.sort(function (a, b) { return a.start - b.start; });
  }

  // ---- Parts and their tokens -----------------------------------------------

  /**
   * The tokens worth looking up in a query that is not all kana: pairs without hiragana, and a kanji
   * or katakana with its okurigana (育て, 進み). Pairs across a particle (材の, の育) and kana-only pairs
   * (てい) are left out: nearly every case holds them, and each cost a chunk request (the longest
   * questions of the labelled set loaded 22 chunks, 10 without them, at the same nDCG@10). A character
   * whose every pair was left out (気 in やる気を) is looked up alone.
   */
  function contentTokens(list) {
    const kept = list.filter(function (t) { return !HIRAGANA.test(t.term) || (OKURIGANA_PAIR.test(t.term) && !PARTICLE_LAST.test(t.term)); });
    const covered = new Set();
    for (const t of kept) for (let i = t.start; i < t.end; i++) covered.add(i);
    const out = kept.slice();
    for (const t of list) {
      if (kept.includes(t)) continue;
      let offset = t.start;
      for (const ch of t.term) {
        if (!HIRAGANA.test(ch) && !covered.has(offset)) {
          covered.add(offset);
          out.push({ term: ch, kind: "j", start: offset, end: offset + ch.length, run: t.run });
        }
        offset += ch.length;
      }
    }
    return out.sort(function (x, y) { return x.start - y.start; });
  }

  function weighTokens(list, folded, fillers) {
    const allKana = list.length && list.every(function (t) { return HIRAGANA_ONLY.test(t.term); });
    if (!allKana) list = contentTokens(list);
    for (const t of list) {
      let weight = 1;
      if (!allKana && HIRAGANA.test(t.term)) weight = HIRAGANA_WEIGHT;
      if (overlaps(t, fillers)) weight = Math.min(weight, FILLER_WEIGHT);
      t.weight = weight;
    }
    return list;
  }

  /** Tokens of folded[start, end) with offsets in the whole folded query. */
  function tokensOf(folded, start, end, fillers) {
    const list = terms.tokens(folded.slice(start, end)).map(function (t) {
      return { term: t.term, kind: t.kind, start: t.start + start, end: t.end + start, run: t.run };
    });
    return weighTokens(list, folded, fillers);
  }

  function trimParticles(folded, start, end, cutBefore, cutAfter) {
    const text = folded.slice(start, end);
    let from = 0;
    let to = text.length;
    if (cutBefore) { const m = text.match(PARTICLES_START); if (m) from = m[0].length; }
    if (cutAfter) { const m = text.slice(from).match(PARTICLES_END); if (m) to = text.length - m[0].length; }
    return from < to ? { start: start + from, end: start + to } : null;
  }

  /**
   * The plan of a query: {query, folded, parts, chips, boosts}.
   * context: {hints: {synonyms, bands}, facets: [...], disabled: Set of chip ids}.
   * A part: {start, end, tokens, alternatives: [{name, chip, weight, tokens, folded}]}.
   */
  function parse(query, context) {
    context = context || {};
    const disabled = context.disabled || new Set();
    const map = terms.foldMap(query || "");
    const folded = map.text;
    const synonyms = (context.hints && context.hints.synonyms) || [];
    const found = topics(folded, synonyms);
    const allHints = hints(folded, context, found);
    const chips = [];
    const boosts = [];
    const removed = [];
    for (const h of allHints) {
      const id = "hint:" + h.facet + ":" + h.values.join(",");
      if (chips.some(function (c) { return c.id === id; })) continue;
      const active = !disabled.has(id);
      chips.push({ id, type: "hint", label: h.label, facet: h.facet, values: h.values, text: original(map, query, h.start, h.end), active });
      if (active) {
        boosts.push({ facet: h.facet, values: h.values });
        if (h.removes) removed.push(h);
      }
    }
    const fillers = Array.from(folded.matchAll(FILLERS)).map(function (m) { return { start: m.index, end: m.index + m[0].length }; });

    const parts = [];
    for (const segment of segments(folded)) {
      let pieces = [{ start: segment.start, end: segment.end, cutBefore: false, cutAfter: false }];
      for (const h of removed) {
        if (h.end <= segment.start || h.start >= segment.end) continue;
        const next = [];
        for (const p of pieces) {
          if (h.end <= p.start || h.start >= p.end) { next.push(p); continue; }
          if (h.start > p.start) next.push({ start: p.start, end: h.start, cutBefore: p.cutBefore, cutAfter: true });
          if (h.end < p.end) next.push({ start: h.end, end: p.end, cutBefore: true, cutAfter: p.cutAfter });
        }
        pieces = next;
      }
      for (const p of pieces) {
        const span = trimParticles(folded, p.start, p.end, p.cutBefore, p.cutAfter);
        if (!span) continue;
        const tokens = tokensOf(folded, span.start, span.end, fillers);
        if (!tokens.length) continue;
        parts.push({ start: span.start, end: span.end, text: original(map, query, span.start, span.end), tokens, alternatives: [] });
      }
    }

    for (const topic of found) {
      const part = parts.find(function (p) { return topic.start >= p.start && topic.end <= p.end; });
      for (const name of expansions(topic, folded)) {
        const id = "syn:" + name;
        if (!chips.some(function (c) { return c.id === id; })) {
          chips.push({ id, type: "expansion", label: name, topic: topic.group.label, text: original(map, query, topic.start, topic.end), active: !disabled.has(id) });
        }
        if (!part || disabled.has(id)) continue;
        // The part with the topic's words replaced by the other name, so the rest of the part still counts.
        const replaced = folded.slice(part.start, topic.start) + foldName(name) + folded.slice(topic.end, part.end);
        part.alternatives.push({ name, chip: id, weight: EXPANSION_WEIGHT, folded: replaced, tokens: weighTokens(terms.tokens(replaced), replaced, []) });
      }
    }
    return { query: query || "", folded, from: map.from, to: map.to, parts, chips, boosts };
  }

  function segments(folded) {
    const out = [];
    let start = 0;
    for (const m of folded.matchAll(SEPARATORS)) {
      if (m.index > start) out.push({ start, end: m.index });
      start = m.index + m[0].length;
    }
    if (start < folded.length) out.push({ start, end: folded.length });
    return out;
  }

  /** The reader's own characters for folded[start, end). */
  function original(map, query, start, end) {
    if (start >= end || !map.from.length) return "";
    return query.slice(map.from[start], map.to[end - 1]);
  }

  /** The reader's characters for a span of plan.folded (matched words are shown as typed). */
  function display(plan, start, end) {
    if (start >= end || !plan.from || !plan.from.length) return "";
    return plan.query.slice(plan.from[start], plan.to[end - 1]);
  }

  return { parse, display, topics, hints, populationLabel, EXPANSION_WEIGHT, HIRAGANA_WEIGHT, FILLER_WEIGHT };
});
