/*
 * DX人材事例ナビ search: the tokeniser, with the rules of builder/search_terms.py.
 *
 * Text is folded (PDF artifacts repaired, NFKC, lower case), then runs of
 * Latin letters and digits become words and runs of kanji and kana become
 * overlapping character pairs. tests/search_terms_table.json holds this file
 * and the Python tokeniser to the same output.
 */
(function (factory) {
  "use strict";
  const api = factory();
  if (typeof module === "object" && module.exports) module.exports = api;
  if (typeof window !== "undefined") (window.DxNavi = window.DxNavi || {}).terms = api;
})(function () {
  "use strict";

  // builder.search_terms.FOLD (Kangxi and supplement radicals, vertical forms, zero-width); a test compares the two.
  const FOLD = {
    "⼾": "戸", "⾭": "青", "⿔": "亀", "⿑": "斉", "⿒": "歯", "⿈": "黄", "⿆": "麦",
    "⺌": "小", "⺗": "心", "⺜": "日", "⺝": "月", "⺟": "母", "⺠": "民", "⺩": "王", "⺬": "示",
    "⻁": "虎", "⻄": "西", "⻅": "見", "⻆": "角", "⻉": "貝", "⻋": "車", "⻑": "長", "⻓": "長",
    "⻔": "門", "⻗": "雨", "⻘": "青", "⻚": "頁", "⻛": "風", "⻜": "飛", "⻝": "食", "⻢": "馬",
    "⻣": "骨", "⻤": "鬼", "⻥": "魚", "⻦": "鳥", "⻨": "麦", "⻩": "黄", "⻫": "斉", "⻬": "斉",
    "⻭": "歯", "⻯": "竜", "⻰": "竜", "⻱": "亀", "⻲": "亀", "⻳": "亀",
    "︐": "，", "︑": "、", "︒": "。", "︓": "：", "︔": "；", "︕": "！", "︖": "？", "︗": "〖",
    "︘": "〗", "︙": "…", "︰": "‥", "︱": "—", "︲": "–", "︳": "＿", "︴": "＿", "︵": "（",
    "︶": "）", "︷": "｛", "︸": "｝", "︹": "〔", "︺": "〕", "︻": "【", "︼": "】", "︽": "《",
    "︾": "》", "︿": "〈", "﹀": "〉", "﹁": "「", "﹂": "」", "﹃": "『", "﹄": "』", "﹇": "［",
    "﹈": "］",
    "\ufeff": "", "\u2060": "", "\u200b": "", "\u200c": "", "\u00ad": "", "\u200d": "",
  };
  const KATAKANA_LOOKALIKES = { "й": "イ", "д": "ド" };

  function isKatakana(ch) {
    const code = ch.codePointAt(0);
    return (code >= 0x30a0 && code <= 0x30ff) || (code >= 0x31f0 && code <= 0x31ff) || (code >= 0xff66 && code <= 0xff9d);
  }

  function isJapanese(ch) {
    const code = ch.codePointAt(0);
    return (
      (code >= 0x3040 && code <= 0x30ff) || (code >= 0x31f0 && code <= 0x31ff) || (code >= 0xff66 && code <= 0xff9d) ||
      (code >= 0x4e00 && code <= 0x9fff) || (code >= 0x3400 && code <= 0x4dbf) || (code >= 0x20000 && code <= 0x3ffff) ||
      "々〆〇ヶ".includes(ch)
    );
  }

  function charClass(ch) {
    const code = ch.codePointAt(0);
    if (code < 0x80) return /[0-9a-z]/i.test(ch) ? "w" : "";
    if (code >= 0xc0 && code <= 0x24f && code !== 0xd7 && code !== 0xf7) return "w";
    if (ch !== "・" && isJapanese(ch)) return "j";
    return "";
  }

  // Marks that NFKC composes with the character before them (ｶﾞ → ガ, e + ◌́ → é).
  const COMBINING = /^[\p{M}\uff9e\uff9f]$/u;

  /**
   * Fold text and remember where each folded code unit came from, for highlighting.
   * Characters are normalised in clusters (a base and its combining marks), which
   * gives the same result as normalising the whole string for the text we meet.
   * Returns {text, from: [origStart per folded unit], to: [origEnd per folded unit]}.
   */
  function foldMap(source) {
    const chars = [];
    const starts = [];
    let offset = 0;
    for (const ch of String(source)) {
      chars.push(ch in FOLD ? FOLD[ch] : ch);
      starts.push(offset);
      offset += ch.length;
    }
    starts.push(offset);
    for (let i = 0; i < chars.length; i++) {
      const ch = chars[i];
      if (!(ch in KATAKANA_LOOKALIKES)) continue;
      const before = i > 0 ? chars[i - 1] : "";
      const after = i + 1 < chars.length ? chars[i + 1] : "";
      if ((before && isKatakana(before.slice(-1))) || (after && isKatakana(after[0]))) chars[i] = KATAKANA_LOOKALIKES[ch];
    }
    let text = "";
    const from = [];
    const to = [];
    let i = 0;
    while (i < chars.length) {
      let j = i + 1;
      while (j < chars.length && (COMBINING.test(chars[j]) || chars[j] === "")) j++;
      const piece = chars.slice(i, j).join("").normalize("NFKC").toLowerCase();
      for (let k = 0; k < piece.length; k++) {
        from.push(starts[i]);
        to.push(starts[j]);
      }
      text += piece;
      i = j;
    }
    return { text, from, to };
  }

  function fold(text) {
    return foldMap(text).text;
  }

  /** [{kind: "w"|"j", start, end}] over a folded string (UTF-16 offsets), separators dropped. */
  function runs(folded) {
    const found = [];
    let current = "";
    let start = 0;
    let offset = 0;
    for (const ch of folded) {
      const kind = charClass(ch);
      if (kind !== current) {
        if (current) found.push({ kind: current, start, end: offset });
        current = kind;
        start = offset;
      }
      offset += ch.length;
    }
    if (current) found.push({ kind: current, start, end: offset });
    return found;
  }

  /**
   * Tokens of a folded string in text order: {term, kind, start, end, run}.
   * Words are whole; a Japanese run gives its character pairs (a lone character itself).
   */
  function tokens(folded) {
    const out = [];
    runs(folded).forEach(function (run, n) {
      const text = folded.slice(run.start, run.end);
      if (run.kind === "w") {
        out.push({ term: text, kind: "w", start: run.start, end: run.end, run: n });
        return;
      }
      const points = Array.from(text);
      let offset = run.start;
      if (points.length === 1) {
        out.push({ term: text, kind: "j", start: run.start, end: run.end, run: n });
        return;
      }
      for (let i = 0; i + 1 < points.length; i++) {
        const term = points[i] + points[i + 1];
        out.push({ term, kind: "j", start: offset, end: offset + term.length, run: n });
        offset += points[i].length;
      }
    });
    return out;
  }

  /** Index terms, exactly as builder.search_terms.terms. */
  function terms(text) {
    return tokens(fold(text)).map(function (t) { return t.term; });
  }

  return { FOLD, fold, foldMap, runs, tokens, terms, charClass, isJapanese };
});
