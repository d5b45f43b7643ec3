/*
 * DX人材事例ナビ search: the search page (search.html).
 *
 * Keyword results show at once; in hybrid and semantic mode the encoder is
 * asked for the query (never on page load) and its results merge in when it
 * answers, and the page says so, or says why not. The query, mode, filters
 * and dismissed chips live in the URL: a copied link reproduces the search
 * and Back returns to the previous one.
 */
(function (factory) {
  "use strict";
  const api = factory();
  if (typeof module === "object" && module.exports) module.exports = api;
  if (typeof window !== "undefined") {
    (window.DxNavi = window.DxNavi || {}).searchPage = api;
    api.start(window);
  }
})(function () {
  "use strict";

  const PAGE_SIZE = 20;
  const TYPING_DELAY = 150; // ms after the last key before searching

  /** URL parameters <-> state; facets are comma-separated ids, dismissed chips repeat "off". */
  function readParams(search, facetKeys, modes) {
    const params = new URLSearchParams(search);
    const mode = params.get("mode");
    const filters = {};
    for (const key of facetKeys) {
      const value = params.get(key);
      if (value) filters[key] = value.split(",").filter(Boolean);
    }
    return { q: params.get("q") || "", mode: modes.includes(mode) ? mode : "hybrid", filters, off: new Set(params.getAll("off")) };
  }

  function writeParams(state, facetKeys) {
    const params = new URLSearchParams();
    if (state.q.trim()) params.set("q", state.q.trim());
    if (state.mode !== "hybrid") params.set("mode", state.mode);
    for (const key of facetKeys) if (state.filters[key] && state.filters[key].length) params.set(key, state.filters[key].join(","));
    for (const id of state.off) params.append("off", id);
    return params.toString();
  }

  function start(win) {
    const doc = win.document;
    const root = doc.getElementById("dxn-search");
    const N = win.DxNavi;
    if (!root || !N || !N.api) return;

    const form = root.querySelector(".dxn-search__form");
    const input = root.querySelector("#dxn-search-query");
    const status = root.querySelector(".dxn-search__status");
    const semanticLine = root.querySelector(".dxn-search__semantic");
    const chipBox = root.querySelector(".dxn-search__chips");
    const side = root.querySelector(".dxn-search__side");
    const toggle = root.querySelector(".dxn-search__toggle");
    const facetBox = root.querySelector(".dxn-search__facets");
    const list = root.querySelector(".dxn-search__results");
    toggle.hidden = false;

    let engine = null;
    let state = { q: "", mode: "hybrid", filters: {}, off: new Set() };
    let shown = PAGE_SIZE;
    let typingEntry = false;
    let semantic = { q: null, ids: null, status: null };
    let timer = null;

    // The status, chips and semantic line are live regions: write them only when what they say changes,
    // so a screen reader does not announce the same thing again on every keystroke.
    function say(node, text) {
      if (node.textContent !== text) node.textContent = text;
    }

    function el(tag, className, text) {
      const node = doc.createElement(tag);
      if (className) node.className = className;
      if (text !== undefined) node.textContent = text;
      return node;
    }

    function facetKeys() {
      return engine.facets.map(function (f) { return f.key; });
    }

    // ---- History -------------------------------------------------------------

    function remember(how) {
      const query = writeParams(state, facetKeys());
      const url = query ? "?" + query : win.location.pathname;
      if (("?" + query === win.location.search) || (!query && !win.location.search)) return;
      if (how === "push") win.history.pushState(null, "", url);
      else win.history.replaceState(null, "", url);
    }

    // ---- Semantic side ---------------------------------------------------------

    function wantsSemantic() {
      return state.mode !== "keyword" && state.q.trim() !== "";
    }

    function askSemantic() {
      if (!wantsSemantic() || semantic.q === state.q) return;
      const q = state.q;
      semantic = { q, ids: null, status: N.api.semanticStatus(), pending: true };
      showSemantic();
      N.api.semanticIds(q, Math.max(PAGE_SIZE, N.api.SEMANTIC_DEPTH)).then(function (answer) {
        if (semantic.q !== q) return; // the reader has moved on
        semantic = { q, ids: answer.ids, status: answer.status, pending: false };
        update(null);
      });
    }

    function showSemantic() {
      if (!wantsSemantic()) {
        say(semanticLine, "");
        return;
      }
      const s = semantic.q === state.q && semantic.status ? semantic.status : N.api.semanticStatus();
      let text;
      const reason = (s.reason || "").replace(/。$/, ""); // the build's reasons end in 。 already
      if (s.state === "off") text = "意味検索: " + (reason || "使えません") + "。言葉で見つかった事例を表示しています。";
      else if (s.state === "error") text = "意味検索を使えません: " + (reason || "読み込めませんでした") + "。言葉で見つかった事例を表示しています。";
      else if (semantic.q === state.q && semantic.ids) {
        text = state.mode === "semantic" ? "意味の近い順に表示しています。" : "言葉で見つかった事例に、意味の近い事例を合わせて表示しています。";
      } else text = "意味検索を準備しています…（言葉で見つかった事例を先に表示しています）";
      say(semanticLine, text);
      semanticLine.dataset.state = s.state;
    }

    // ---- Chips -------------------------------------------------------------------

    function chipButton(label, text, onClick) {
      const b = el("button", "dxn-chip__button", text);
      b.type = "button";
      b.setAttribute("aria-label", label);
      b.addEventListener("click", onClick);
      return b;
    }

    function setOff(id, off) {
      setOffAll([id], off);
    }

    function setOffAll(ids, off) {
      for (const id of ids) {
        if (off) state.off.add(id);
        else state.off.delete(id);
      }
      update("push");
    }

    function sameValues(a, b) {
      return a && b && a.length === b.length && a.every(function (v) { return b.includes(v); });
    }

    function renderChips(plan) {
      const items = [];
      for (const chip of plan.chips) {
        if (chip.type !== "expansion") continue;
        const li = el("li", "dxn-chip dxn-chip--" + chip.type + (chip.active ? "" : " dxn-chip--off"));
        if (chip.active) {
          li.append(el("span", "", "「" + chip.label + "」も含めて検索"));
          li.append(chipButton("「" + chip.label + "」を検索から外す", "×", function () { setOff(chip.id, true); }));
        } else {
          li.append(el("span", "", "「" + chip.label + "」を含めずに検索"));
          li.append(chipButton("「" + chip.label + "」も含めて検索する", "戻す", function () { setOff(chip.id, false); }));
        }
        items.push(li);
      }
      // Hints from one phrase (小さな町: a size and a kind) share a chip: one × takes the phrase back.
      const phrases = new Map();
      for (const chip of plan.chips) {
        if (chip.type !== "hint") continue;
        if (!phrases.has(chip.text)) phrases.set(chip.text, []);
        phrases.get(chip.text).push(chip);
      }
      for (const [phrase, hints] of phrases) {
        const active = hints.filter(function (h) { return h.active; });
        const ids = hints.map(function (h) { return h.id; });
        const li = el("li", "dxn-chip dxn-chip--hint" + (active.length ? "" : " dxn-chip--off"));
        if (active.length) {
          li.append(el("span", "", "「" + phrase + "」→ " + active.map(function (h) { return h.label; }).join("・") + "の事例を上位に"));
          for (const h of active) {
            if (sameValues(state.filters[h.facet], h.values)) continue;
            li.append(chipButton("「" + h.label + "」で絞り込む", "「" + h.label + "」で絞り込む", function () {
              state.filters[h.facet] = h.values.slice();
              update("push");
            }));
          }
          li.append(chipButton("「" + phrase + "」を条件として扱わない", "×", function () { setOffAll(ids, true); }));
        } else {
          li.append(el("span", "", "「" + phrase + "」を条件として扱っていません"));
          li.append(chipButton("「" + phrase + "」を条件として扱う", "戻す", function () { setOffAll(ids, false); }));
        }
        items.push(li);
      }
      for (const facet of engine.facets) {
        for (const id of state.filters[facet.key] || []) {
          const value = facet.values.find(function (v) { return v.id === id; });
          if (!value) continue;
          const li = el("li", "dxn-chip dxn-chip--filter");
          li.append(el("span", "", facet.title + ": " + facet.prefix + value.label));
          li.append(chipButton(facet.title + "「" + value.label + "」の絞り込みを外す", "×", function () { changeFilter(facet.key, id, false); }));
          items.push(li);
        }
      }
      if (!items.length) {
        say(chipBox, "");
        return;
      }
      const ul = el("ul", "dxn-chips");
      ul.setAttribute("aria-label", "検索の条件");
      ul.append(...items);
      const now = chipBox.firstElementChild;
      if (now && now.outerHTML === ul.outerHTML) return; // the same chips: keep them (and the focus on a button)
      chipBox.textContent = "";
      chipBox.append(ul);
    }

    function changeFilter(key, id, checked) {
      const now = state.filters[key] || [];
      state.filters[key] = checked ? now.concat([id]) : now.filter(function (v) { return v !== id; });
      if (!state.filters[key].length) delete state.filters[key];
      update("push");
    }

    // ---- Results --------------------------------------------------------------------

    function describe(count) {
      const parts = [];
      if (state.q.trim()) parts.push("「" + state.q.trim() + "」の検索結果");
      else parts.push("すべての事例");
      const chosen = engine.facets.filter(function (f) { return state.filters[f.key]; }).map(function (f) {
        return f.title + ": " + state.filters[f.key].map(function (id) {
          const v = f.values.find(function (x) { return x.id === id; });
          return v ? f.prefix + v.label : id;
        }).join("・");
      });
      return parts.join("") + (chosen.length ? "（" + chosen.join("、") + "）" : "") + " " + count + " 件";
    }

    let generation = 0;
    let unsaved = null; // the history step of an update overtaken before it drew

    // The index's chunks for the query and the shown cases load first; an update overtaken meanwhile draws nothing.
    async function update(how) {
      if (!engine) return;
      const mine = ++generation;
      // Busy until this update draws (or fails): assistive technology waits, and so do the browser tests.
      list.setAttribute("aria-busy", "true");
      if (how === "push" || (how && !unsaved)) unsaved = how;
      const plan = engine.plan(state.q, state.off);
      try {
        await engine.prepare(plan, { facets: true });
      } catch (error) {
        if (mine === generation) failed(error);
        return;
      }
      if (mine !== generation) return;
      const keywordResults = engine.keyword(plan);
      const byDoc = new Map(keywordResults.map(function (r) { return [r.doc, r]; }));
      const ids = semantic.q === state.q ? semantic.ids : null;
      const everything = N.api.combine(engine, state.mode, keywordResults, ids, {}, plan);
      const results = everything.filter(function (r) { return engine.allowed(r.doc, state.filters); });
      try {
        await engine.loadCases(results.slice(0, shown).map(function (r) { return r.doc; }));
      } catch (error) {
        if (mine === generation) failed(error);
        return;
      }
      if (mine !== generation) return;

      renderChips(plan);
      const numbers = engine.counts(everything.map(function (r) { return r.doc; }), state.filters);
      N.facets.render(doc, facetBox, engine, numbers, state.filters, changeFilter);
      const active = N.facets.activeCount(state.filters);
      toggle.textContent = "絞り込み" + (active ? "（" + active + "）" : "");

      const weak = results.filter(function (r) { return r.weak; }).length;
      say(status, describe(results.length) + (weak && weak < results.length ? "（うち " + weak + " 件は言葉の一部だけを含む事例）" : ""));
      showSemantic();
      list.textContent = "";
      const base = N.keywordIndex.root();
      let divided = false;
      for (const r of results.slice(0, shown)) {
        if (r.weak && !divided && r !== results[0]) {
          list.append(el("li", "dxn-search__divider", "ここから下は、言葉の一部だけを含む事例です"));
          divided = true;
        }
        const k = byDoc.get(r.doc) || {};
        const matched = (k.matched || []).map(function (m) {
          return Object.assign({}, m, { display: m.expansion ? m.text : N.query.display(plan, m.start, m.end) || m.text });
        });
        const info = { matched, hints: (k.hints || []).map(function (b) { return plan.chips.find(function (c) { return c.facet === b.facet && c.values === b.values; }) || { label: "" }; }), semanticRank: r.semanticRank };
        const item = engine.cases[r.doc];
        list.append(N.results.render(doc, item, info, { href: new URL(item.url, base || win.location.href).href }));
      }
      if (!results.length && state.q.trim()) {
        list.append(el("li", "dxn-search__empty", "言葉を短くするか、別の言い方で試してください。絞り込みを外すと見つかることもあります。"));
      }
      if (results.length > shown) {
        const more = el("button", "dxn-search__more", "さらに表示（残り " + (results.length - shown) + " 件）");
        more.type = "button";
        more.addEventListener("click", function () { shown += PAGE_SIZE; update(null); });
        const li = el("li", "dxn-search__more-item");
        li.append(more);
        list.append(li);
      }
      if (unsaved) remember(unsaved);
      unsaved = null;
      list.setAttribute("aria-busy", "false");
    }

    function failed(error) {
      status.textContent = error.message + " 一覧ページから事例をたどれます。";
      list.setAttribute("aria-busy", "false");
    }

    function commit(how) {
      clearTimeout(timer);
      state.q = input.value;
      shown = PAGE_SIZE;
      update(how);
      askSemantic();
    }

    // ---- Events -----------------------------------------------------------------------

    input.addEventListener("input", function (event) {
      if (event.isComposing) return; // IME: wait for the committed text
      clearTimeout(timer);
      timer = setTimeout(function () {
        // The first keystrokes of a new search make a history entry, the rest refine it.
        commit(typingEntry ? "replace" : "push");
        typingEntry = true;
      }, TYPING_DELAY);
    });
    input.addEventListener("compositionend", function () {
      commit(typingEntry ? "replace" : "push");
      typingEntry = true;
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      commit(typingEntry ? "replace" : "push");
      typingEntry = false;
    });
    for (const radio of form.querySelectorAll("input[name=mode]")) {
      radio.addEventListener("change", function () {
        if (!radio.checked) return;
        state.mode = radio.value;
        typingEntry = false;
        update("push");
        askSemantic();
      });
    }
    toggle.addEventListener("click", function () {
      const open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      side.classList.toggle("dxn-search__side--open", open);
    });
    win.addEventListener("popstate", function () {
      load();
      typingEntry = false;
      update(null);
      askSemantic();
    });

    function load() {
      state = readParams(win.location.search, facetKeys(), N.api.MODES);
      input.value = state.q;
      for (const radio of form.querySelectorAll("input[name=mode]")) radio.checked = radio.value === state.mode;
      shown = PAGE_SIZE;
    }

    status.textContent = "検索の準備をしています…";
    list.setAttribute("aria-busy", "true");
    N.api.loadEngine().then(function (e) {
      engine = e;
      load();
      update(null);
      askSemantic();
    }, failed);
  }

  return { start, readParams, writeParams };
});
