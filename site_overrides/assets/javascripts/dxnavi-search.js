/*
 * DX人材事例ナビ: keyword search with facets, entirely in the browser.
 *
 * The index and the case data come from search/index.js (window.DXNAVI_SEARCH),
 * built by builder/generate/search_index.py with lunr.py. Queries are split into
 * terms exactly as builder/search_terms.py splits the indexed text (a browser
 * test holds the two to the same output). Every string from the data is put on
 * the page with textContent, never as HTML.
 */
(function () {
  "use strict";

  // ---- Terms: the same rules as builder/search_terms.py -------------------

  function isJapanese(code, ch) {
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
    if (ch !== "・" && isJapanese(code, ch)) return "j";
    return "";
  }

  function runs(text) {
    const found = [];
    let current = "";
    let chars = [];
    for (const ch of text.normalize("NFKC").toLowerCase()) {
      const kind = charClass(ch);
      if (kind !== current) {
        if (current) found.push([current, chars]);
        current = kind;
        chars = [];
      }
      chars.push(ch);
    }
    if (current) found.push([current, chars]);
    return found;
  }

  function terms(text) {
    const out = [];
    for (const [kind, chars] of runs(text)) {
      if (kind === "w" || chars.length === 1) out.push(chars.join(""));
      else for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i] + chars[i + 1]);
    }
    return out;
  }

  // The inverse of compact() in builder/generate/search_index.py: lunr's own serialised form.
  function expand(c) {
    const invertedIndex = c.terms.map(function (term, i) {
      const posting = { _index: i };
      for (const name of c.fields) posting[name] = {};
      for (const [field, ...refs] of c.postings[i]) for (const ref of refs) posting[c.fields[field]][String(ref)] = {};
      return [term, posting];
    });
    // lunr.js inserts terms in its own (UTF-16) order.
    invertedIndex.sort(function (a, b) { return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0; });
    const fieldVectors = c.vectors.map(function ([field, ref, elements]) { return [c.fields[field] + "/" + ref, elements]; });
    return { version: c.version, fields: c.fields, fieldVectors, invertedIndex, pipeline: [] };
  }

  window.dxnaviSearch = { terms, expand };

  const data = window.DXNAVI_SEARCH;
  const root = document.getElementById("dxn-search");
  if (!root || !data || !window.lunr) return;

  // ---- Query -------------------------------------------------------------

  const PAGE_SIZE = 50;
  const index = lunr.Index.load(expand(data.index));
  const cases = data.cases;

  // A word may still be being typed (prefix match); a lone kanji or kana is
  // looked up inside the indexed character pairs.
  function clauses(text) {
    const seen = new Set();
    const out = [];
    for (const [kind, chars] of runs(text)) {
      const single = kind === "j" && chars.length === 1;
      const wildcard = kind === "w" ? lunr.Query.wildcard.TRAILING
        : single ? lunr.Query.wildcard.LEADING | lunr.Query.wildcard.TRAILING : lunr.Query.wildcard.NONE;
      for (const term of terms(chars.join(""))) {
        if (!seen.has(term)) out.push({ term, wildcard });
        seen.add(term);
      }
    }
    return out;
  }

  function lookup(text, presence) {
    const wanted = clauses(text);
    if (!wanted.length) return null;
    return index.query(function (q) {
      for (const c of wanted) q.term(c.term, { presence, wildcard: c.wildcard, usePipeline: false });
    }).map(function (hit) { return Number(hit.ref); });
  }

  // ---- Facets ------------------------------------------------------------

  const facets = data.facets.map(function (facet) {
    const byCase = cases.map(function () { return []; });
    facet.values.forEach(function (value, v) {
      for (const c of value.cases) byCase[c].push(v);
    });
    return Object.assign({}, facet, { byCase, members: facet.values.map(function (value) { return new Set(value.cases); }) });
  });

  // ---- State (kept in the URL, so a search can be bookmarked and shared) --

  const state = { q: "", selected: {}, shown: PAGE_SIZE };

  function readUrl() {
    const params = new URLSearchParams(location.search);
    state.q = params.get("q") || "";
    state.selected = {};
    for (const facet of facets) {
      const id = params.get(facet.key);
      const v = facet.values.findIndex(function (value) { return value.id === id; });
      if (v >= 0) state.selected[facet.key] = v;
    }
  }

  function writeUrl() {
    const params = new URLSearchParams();
    if (state.q.trim()) params.set("q", state.q.trim());
    for (const facet of facets) {
      if (facet.key in state.selected) params.set(facet.key, facet.values[state.selected[facet.key]].id);
    }
    const query = params.toString();
    history.replaceState(null, "", query ? "?" + query : location.pathname);
  }

  // ---- Rendering ---------------------------------------------------------

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  const input = root.querySelector("#dxn-search-query");
  const form = root.querySelector("form");
  const facetBox = root.querySelector(".dxn-search__facets");
  const status = root.querySelector(".dxn-search__status");
  const list = root.querySelector(".dxn-search__results");
  const base = root.dataset.root || "";

  function renderFacets(matched) {
    facetBox.textContent = "";
    for (const facet of facets) {
      // Counts for one facet apply every other facet's choice, so each choice shows what it would leave.
      const others = matched.filter(function (c) { return allowed(c, facet.key); });
      const counts = facet.values.map(function () { return 0; });
      for (const c of others) for (const v of facet.byCase[c]) counts[v] += 1;

      const label = el("label", "dxn-search__facet");
      label.append(el("span", "dxn-search__facet-title", facet.title));
      const select = el("select");
      select.dataset.facet = facet.key;
      select.append(new Option("すべて", ""));
      let group = null;
      let parent = select;
      facet.values.forEach(function (value, v) {
        if (!counts[v] && state.selected[facet.key] !== v) return;
        if (value.group && value.group !== group) {
          group = value.group;
          parent = el("optgroup");
          parent.label = group;
          select.append(parent);
        }
        const option = new Option(facet.prefix + value.label + "（" + counts[v] + "）", String(v));
        option.selected = state.selected[facet.key] === v;
        parent.append(option);
      });
      select.addEventListener("change", function () {
        if (select.value === "") delete state.selected[facet.key];
        else state.selected[facet.key] = Number(select.value);
        update();
      });
      label.append(select);
      facetBox.append(label);
    }
    if (Object.keys(state.selected).length) {
      const clear = el("button", "dxn-search__clear", "絞り込みを解除");
      clear.type = "button";
      clear.addEventListener("click", function () { state.selected = {}; update(); });
      facetBox.append(clear);
    }
  }

  function allowed(c, except) {
    for (const facet of facets) {
      if (facet.key === except || !(facet.key in state.selected)) continue;
      if (!facet.members[state.selected[facet.key]].has(c)) return false;
    }
    return true;
  }

  function renderResult(c) {
    const item = cases[c];
    const li = el("li", "dxn-result");
    const link = el("a", "dxn-result__title", item.title);
    link.href = base + item.url;
    li.append(link);
    const facts = [item.organisation + "（" + item.kind + "）", "人口 " + item.population + (item.band ? "・" + item.band : ""), item.category, item.source];
    li.append(el("p", "dxn-result__meta", facts.join("　")));
    if (item.summary) li.append(el("p", "dxn-result__summary", item.summary.length > 160 ? item.summary.slice(0, 160) + "…" : item.summary));
    const tags = el("p", "dxn-result__keywords");
    for (const keyword of item.keywords) tags.append(el("span", "dxn-tag", "#" + keyword));
    li.append(tags);
    return li;
  }

  function describe(count, query, partial) {
    const parts = [];
    if (query) parts.push("「" + query + "」" + (partial ? "の一部" : "") + "を含む事例");
    const chosen = facets.filter(function (f) { return f.key in state.selected; })
      .map(function (f) { return f.title + ": " + f.prefix + f.values[state.selected[f.key]].label; });
    if (chosen.length) parts.push("（" + chosen.join("、") + "）");
    return (parts.length ? parts.join("") : "すべての事例") + " " + count + " 件";
  }

  function update(keepShown) {
    if (!keepShown) state.shown = PAGE_SIZE;
    const query = state.q.trim();
    let matched = query ? lookup(query, lunr.Query.presence.REQUIRED) : cases.map(function (_, c) { return c; });
    let partial = false;
    if (matched && !matched.length) {
      // No case has every term: show the cases that have some, and say so.
      matched = lookup(query, lunr.Query.presence.OPTIONAL);
      partial = matched.length > 0;
    }
    if (matched === null) matched = [];
    const results = matched.filter(function (c) { return allowed(c, null); });

    renderFacets(matched);
    status.textContent = query && !clauses(query).length
      ? "検索できる文字（漢字・かな・英数字）を入力してください。"
      : describe(results.length, query, partial) + (partial ? "（すべての語を含む事例はありませんでした）" : "");
    list.textContent = "";
    for (const c of results.slice(0, state.shown)) list.append(renderResult(c));
    if (results.length > state.shown) {
      const more = el("button", "dxn-search__more", "さらに表示（残り " + (results.length - state.shown) + " 件）");
      more.type = "button";
      more.addEventListener("click", function () { state.shown += PAGE_SIZE; update(true); });
      const li = el("li", "dxn-search__more-item");
      li.append(more);
      list.append(li);
    }
    writeUrl();
  }

  // IME: search when a composition is committed, not on every keystroke inside it.
  let timer = null;
  input.addEventListener("input", function (event) {
    if (event.isComposing) return;
    clearTimeout(timer);
    timer = setTimeout(function () { state.q = input.value; update(); }, 120);
  });
  input.addEventListener("compositionend", function () { state.q = input.value; update(); });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    state.q = input.value;
    update();
  });

  readUrl();
  input.value = state.q;
  update();
})();
