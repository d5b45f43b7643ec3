/*
 * DX人材事例ナビ: keyboard access to tables that scroll sideways.
 *
 * Material wraps each table in .md-typeset__scrollwrap, which scrolls when the
 * table is wider than the page. Without a link or button inside, a keyboard
 * cannot reach it to scroll (WCAG 2.1.1; axe-core: scrollable-region-focusable),
 * so such a wrapper becomes a named, focusable region while it overflows.
 */
(function () {
  "use strict";

  const FOCUSABLE = "a[href], button, input, select, textarea, [tabindex]";

  /** The heading or bold lead-in just before the table, to name the region after. */
  function caption(wrap) {
    for (let node = wrap.previousElementSibling; node; node = node.previousElementSibling) {
      const bold = node.tagName === "P" && node.querySelector("strong");
      if (/^H[2-6]$/.test(node.tagName) || (bold && bold.textContent.trim() === node.textContent.trim())) {
        return node.textContent.replace(/¶$/, "").trim();
      }
    }
    return "";
  }

  function update() {
    const names = new Map();
    for (const wrap of document.querySelectorAll(".md-typeset__scrollwrap")) {
      const table = wrap.querySelector("table");
      if (!table || (!wrap.dataset.dxnScroll && table.querySelector(FOCUSABLE))) continue;
      if (wrap.scrollWidth > wrap.clientWidth + 1) {
        const about = caption(wrap);
        let name = about ? "表: " + about : "表";
        names.set(name, (names.get(name) || 0) + 1);
        if (names.get(name) > 1) name += "（" + names.get(name) + "）"; // landmarks need distinct names
        wrap.dataset.dxnScroll = "1";
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", name + "（左右にスクロールできます）");
      } else if (wrap.dataset.dxnScroll) {
        delete wrap.dataset.dxnScroll;
        for (const attribute of ["tabindex", "role", "aria-label"]) wrap.removeAttribute(attribute);
      }
    }
  }

  let timer = null;
  function later() {
    clearTimeout(timer);
    timer = setTimeout(update, 150);
  }
  // Material wraps the tables in its own script: run once everything has loaded, and when the width changes.
  if (document.readyState === "complete") update();
  else window.addEventListener("load", update);
  window.addEventListener("resize", later);
})();
