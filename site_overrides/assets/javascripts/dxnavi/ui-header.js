/*
 * DX人材事例ナビ search: the search box in the header of every page.
 *
 * Without JavaScript it is a plain GET form to search.html. With it, it is a
 * combobox (ARIA 1.2 pattern): the top 5 cases as the reader types, arrow
 * keys move through them, Enter opens one (or the full results), Escape
 * closes the list. The index is loaded on first focus, not with the page.
 */
(function (factory) {
  "use strict";
  const api = factory();
  if (typeof module === "object" && module.exports) module.exports = api;
  if (typeof window !== "undefined") {
    (window.DxNavi = window.DxNavi || {}).header = api;
    api.start(window);
  }
})(function () {
  "use strict";

  const LIMIT = 5;
  const TYPING_DELAY = 120;

  function start(win) {
    const doc = win.document;
    const form = doc.querySelector("form.dxn-header-search");
    const N = win.DxNavi;
    if (!form || !N || !N.api) return;
    const input = form.querySelector("input[name=q]");
    const popup = form.querySelector(".dxn-header-search__popup");
    const listbox = form.querySelector("[role=listbox]");
    const live = form.querySelector(".dxn-header-search__live");
    const all = form.querySelector(".dxn-header-search__all");
    let options = [];
    let active = -1;
    let timer = null;
    let generation = 0;

    function open(show) {
      popup.hidden = !show;
      input.setAttribute("aria-expanded", String(show));
      if (!show) setActive(-1);
    }

    function setActive(i) {
      options.forEach(function (o, n) { o.node.setAttribute("aria-selected", String(n === i)); });
      active = i;
      if (i >= 0) {
        input.setAttribute("aria-activedescendant", options[i].node.id);
        options[i].node.scrollIntoView({ block: "nearest" });
      } else input.removeAttribute("aria-activedescendant");
    }

    function fullResults() {
      const url = new URL(form.getAttribute("action"), win.location.href);
      url.search = "";
      if (input.value.trim()) url.searchParams.set("q", input.value.trim());
      return url.href;
    }

    async function refresh() {
      const mine = ++generation;
      const q = input.value;
      if (!q.trim()) {
        options = [];
        listbox.textContent = "";
        live.textContent = "";
        open(false);
        return;
      }
      let engine;
      try {
        engine = await N.api.loadEngine();
      } catch (error) {
        live.textContent = error.message;
        return;
      }
      if (mine !== generation) return;
      const plan = engine.plan(q);
      let ranked;
      try {
        await engine.prepare(plan); // the index's chunks for these words, then the shown cases
        ranked = engine.keyword(plan);
        await engine.loadCases(ranked.slice(0, LIMIT).map(function (r) { return r.doc; }));
      } catch (error) {
        if (mine === generation) live.textContent = error.message;
        return;
      }
      if (mine !== generation) return;
      listbox.textContent = "";
      listbox.dataset.query = q; // which query the list answers (tests wait for it)
      options = ranked.slice(0, LIMIT).map(function (r, i) {
        const item = engine.cases[r.doc];
        const matched = r.matched.map(function (m) { return Object.assign({}, m, { display: m.expansion ? m.text : N.query.display(plan, m.start, m.end) }); });
        const node = N.results.render(doc, item, { matched }, { compact: true, id: "dxn-header-option-" + i, role: "option" });
        node.addEventListener("mousedown", function (event) { event.preventDefault(); }); // keep focus in the box
        node.addEventListener("click", function () { win.location.href = new URL(item.url, N.keywordIndex.root() || win.location.href).href; });
        listbox.append(node);
        return { node, url: item.url };
      });
      all.href = fullResults();
      all.textContent = ranked.length ? "すべての結果を見る（" + ranked.length + " 件）" : "検索ページで探す";
      live.textContent = ranked.length ? "候補 " + options.length + " 件（全 " + ranked.length + " 件）。上下の矢印キーで選べます。" : "言葉に合う事例はありませんでした。";
      open(true);
      setActive(-1);
    }

    input.addEventListener("focus", function () {
      N.api.loadEngine().catch(function () {}); // start loading the index; errors are shown when searching
      if (input.value.trim() && options.length) open(true);
    });
    input.addEventListener("input", function (event) {
      if (event.isComposing) return;
      clearTimeout(timer);
      timer = setTimeout(refresh, TYPING_DELAY);
    });
    input.addEventListener("compositionend", refresh);
    input.addEventListener("keydown", function (event) {
      if (event.isComposing) return;
      const expanded = !popup.hidden && options.length;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (popup.hidden && input.value.trim()) { refresh(); return; }
        if (expanded) setActive(active + 1 >= options.length ? 0 : active + 1);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        if (expanded) setActive(active <= 0 ? options.length - 1 : active - 1);
      } else if (event.key === "Enter") {
        if (expanded && active >= 0) {
          event.preventDefault();
          win.location.href = new URL(options[active].url, N.keywordIndex.root() || win.location.href).href;
        }
      } else if (event.key === "Escape") {
        if (!popup.hidden) { event.preventDefault(); open(false); }
        else if (input.value) { event.preventDefault(); input.value = ""; refresh(); }
      }
    });
    form.addEventListener("focusout", function (event) {
      if (!form.contains(event.relatedTarget)) open(false);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      win.location.href = fullResults();
    });
  }

  return { start };
});
