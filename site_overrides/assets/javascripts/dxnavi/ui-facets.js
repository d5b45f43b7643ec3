/*
 * DX人材事例ナビ search: the facet filters (checkboxes with counts).
 *
 * Values of one facet are alternatives (OR), facets all apply (AND). A count
 * applies every other facet's choice, so each box shows what ticking it would
 * leave. Values with no case are hidden unless ticked.
 */
(function (factory) {
  "use strict";
  const api = factory();
  if (typeof module === "object" && module.exports) module.exports = api;
  if (typeof window !== "undefined") (window.DxNavi = window.DxNavi || {}).facets = api;
})(function () {
  "use strict";

  function activeCount(filters) {
    return Object.keys(filters).reduce(function (n, key) { return n + filters[key].length; }, 0);
  }

  const opened = new Set();

  /** Draw the facets into container; onChange(key, valueId, checked). */
  function render(doc, container, engine, numbers, filters, onChange) {
    const focused = doc.activeElement && container.contains(doc.activeElement) ? doc.activeElement.id : "";
    container.textContent = "";
    engine.facets.forEach(function (facet, f) {
      const chosen = filters[facet.key] || [];
      const details = doc.createElement("details");
      details.className = "dxn-facet";
      details.dataset.facet = facet.key;
      if (chosen.length || opened.has(facet.key)) details.open = true;
      details.addEventListener("toggle", function () {
        if (details.open) opened.add(facet.key);
        else opened.delete(facet.key);
      });
      const summary = doc.createElement("summary");
      summary.textContent = facet.title + (chosen.length ? "（" + chosen.length + " 件を選択中）" : "");
      details.append(summary);
      const fieldset = doc.createElement("fieldset");
      const legend = doc.createElement("legend");
      legend.className = "dxn-visually-hidden";
      legend.textContent = facet.title;
      fieldset.append(legend);
      let group = null;
      let shown = 0;
      facet.values.forEach(function (value, v) {
        const count = numbers[facet.key][v];
        const checked = chosen.includes(value.id);
        if (!count && !checked) return;
        if (value.group && value.group !== group) {
          group = value.group;
          const heading = doc.createElement("p");
          heading.className = "dxn-facet__group";
          heading.textContent = group;
          fieldset.append(heading);
        }
        const label = doc.createElement("label");
        label.className = "dxn-facet__value";
        const box = doc.createElement("input");
        box.type = "checkbox";
        box.id = "dxn-f-" + f + "-" + v;
        box.checked = checked;
        box.dataset.facet = facet.key;
        box.dataset.value = value.id;
        box.addEventListener("change", function () { onChange(facet.key, value.id, box.checked); });
        const text = doc.createElement("span");
        text.textContent = facet.prefix + value.label;
        const number = doc.createElement("span");
        number.className = "dxn-facet__count";
        number.textContent = "（" + count + "）";
        label.append(box, text, number);
        fieldset.append(label);
        shown += 1;
      });
      if (!shown) return;
      details.append(fieldset);
      container.append(details);
    });
    if (focused) {
      const again = doc.getElementById(focused);
      if (again) again.focus();
    }
  }

  return { render, activeCount };
});
