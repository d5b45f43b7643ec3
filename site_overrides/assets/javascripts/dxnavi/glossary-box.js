/*
 * DX人材事例ナビ: the definitions in a page's collapsed term box (「このページに出てくる用語」).
 *
 * The box lists the terms, each linked to its entry in the glossary. The definitions come
 * from glossary.js, one copy for the whole site, when a reader first opens a box: written
 * into every case page they were 1.9 KB of each (1,000 cases: 1.9 MB). Without JavaScript,
 * or if the file cannot be read, the links still lead to the definitions.
 */
(function (factory) {
  "use strict";
  const api = factory();
  if (typeof module === "object" && module.exports) module.exports = api;
  if (typeof window !== "undefined") {
    (window.DxNavi = window.DxNavi || {}).glossaryBox = api;
    api.attach(window);
  }
})(function () {
  "use strict";

  const DATA = "glossary.js"; // builder/generate/paths.py GLOSSARY_DATA
  const BOX = "details.dxn-terms";

  /** The glossary entry a link points to: the id after "#" (undone percent-encoding), or "". */
  function termId(href) {
    const at = (href || "").indexOf("#");
    if (at < 0) return "";
    try {
      return decodeURIComponent(href.slice(at + 1));
    } catch (error) {
      return "";
    }
  }

  /** A definition as the glossary page shows it: paragraphs split by blank lines, each a list of lines. */
  function paragraphs(text) {
    return String(text)
      .split(/\n[ \t]*\n/)
      .map(function (block) { return block.split("\n").map(function (line) { return line.trim(); }).filter(Boolean); })
      .filter(function (lines) { return lines.length; });
  }

  /** The definition as elements (text only: nothing in the data is read as HTML). */
  function definition(doc, text) {
    const block = doc.createElement("div");
    block.className = "dxn-term-definition";
    for (const lines of paragraphs(text)) {
      const p = doc.createElement("p");
      lines.forEach(function (line, n) {
        if (n) p.append(doc.createElement("br"));
        p.append(line);
      });
      block.append(p);
    }
    return block;
  }

  /** Add each listed term's definition under its link; terms the data does not know keep just the link. */
  function fill(doc, box, definitions) {
    for (const link of box.querySelectorAll("li > a[href*='#']")) {
      const item = link.parentElement;
      const text = definitions[termId(link.getAttribute("href"))];
      if (typeof text === "string" && !item.querySelector(".dxn-term-definition")) item.append(definition(doc, text));
    }
  }

  let loading = null;

  function definitions(win) {
    const N = win.DxNavi;
    if (!loading) loading = N.assets.data(DATA, N.keywordIndex.root() + DATA);
    return loading;
  }

  function attach(win) {
    const doc = win.document;
    for (const box of doc.querySelectorAll(BOX)) {
      box.addEventListener("toggle", function () {
        if (!box.open) return;
        definitions(win).then(
          function (found) { fill(doc, box, found || {}); },
          function () { loading = null; } // the links still work; a later opening tries again
        );
      });
    }
  }

  return { termId, paragraphs, fill, attach, DATA };
});
