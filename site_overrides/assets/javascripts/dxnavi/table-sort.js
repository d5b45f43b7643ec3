/*
 * DX人材事例ナビ: sort buttons for a listing (the all-cases page).
 *
 * Progressive enhancement: the table is complete and in order without this.
 * A column is sortable when its cells hold <data value="rank"> (written by
 * builder/generate/common.py), so the order is the builder's (population,
 * prefecture north to south), not the text shown. Unknown values sort last.
 */
(function () {
  "use strict";

  function key(row, column) {
    const data = row.cells[column] && row.cells[column].querySelector("data");
    return data && data.value !== "" ? Number(data.value) : null;
  }

  function compare(a, b, column, direction) {
    const x = key(a.row, column);
    const y = key(b.row, column);
    if (x !== y) {
      if (x === null) return 1; // unknown last, either way
      if (y === null) return -1;
      return (x - y) * direction;
    }
    return a.index - b.index; // ties keep the page's own order
  }

  function enhance(table) {
    const body = table.tBodies[0];
    const headers = table.tHead ? Array.from(table.tHead.rows[0].cells) : [];
    if (!body || !headers.length) return;
    const rows = Array.from(body.rows).map(function (row, index) {
      return { row: row, index: index };
    });
    const sortable = headers.map(function (_, column) {
      return rows.length > 0 && rows.every(function (r) {
        return r.row.cells[column] && r.row.cells[column].querySelector("data");
      });
    });

    function sort(column, direction) {
      const sorted = rows.slice().sort(function (a, b) {
        return compare(a, b, column, direction);
      });
      sorted.forEach(function (r) {
        body.appendChild(r.row);
      });
      headers.forEach(function (th, i) {
        if (i === column) th.setAttribute("aria-sort", direction > 0 ? "ascending" : "descending");
        else if (sortable[i]) th.setAttribute("aria-sort", "none");
      });
    }

    let initial = -1;
    headers.forEach(function (th, column) {
      if (!sortable[column]) return;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "dxn-sort";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      th.setAttribute("aria-sort", "none");
      button.addEventListener("click", function () {
        sort(column, th.getAttribute("aria-sort") === "ascending" ? -1 : 1);
      });
      // The column the builder already sorted by starts out marked as such.
      const inOrder = rows.every(function (r, i) {
        return i === 0 || compare(rows[i - 1], r, column, 1) < 0;
      });
      if (inOrder && initial < 0) initial = column;
    });
    if (initial >= 0) headers[initial].setAttribute("aria-sort", "ascending");
  }

  function init() {
    const tables = document.querySelectorAll(".dxn-sortable table");
    tables.forEach(enhance);
    if (tables.length) {
      document.querySelectorAll(".dxn-sort-hint").forEach(function (hint) {
        hint.hidden = false;
      });
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
