/*
 * litreport.js: sortable and filterable tables, and expandable evidence rows, for the generated site.
 *
 * Written for this project, no dependencies and no network. Progressive enhancement: without JavaScript
 * every row and every evidence row is visible and nothing is lost. Each item of a table is its own
 * <tbody> (its main row plus, for claims, the evidence row), so sorting and filtering move whole items.
 *
 * Markup contract (written by the templates in builder/render/site/templates/):
 *   <table data-lr-table id="T">            sortable headers: <th aria-sort="none" data-type="number|text">
 *                                           <button class="lr-sort">; cells may carry data-sort="value".
 *   <tbody data-verified="1" data-paper=..> one item; filters read its data-* attributes. A <tfoot> (the
 *                                           evidence matrix's counts) is neither sorted nor filtered.
 *   <form class="lr-filters" data-table="T"> inputs: data-filter="text" | data-require="attr" (checkbox:
 *                                           item's data-attr must be "1") | data-match="attr" (select) |
 *                                           data-min="attr" (number/range: item's data-attr >= value).
 *   <p class="lr-count" data-table="T">     live "Showing n of m" text.
 *   <button class="lr-expand" aria-controls="ROW" hidden>  toggles the evidence row ROW.
 */
(function () {
  "use strict";

  function items(table) {
    return Array.prototype.slice.call(table.tBodies);
  }

  function cellValue(tbody, column) {
    var row = tbody.rows[0];
    var cell = row ? row.cells[column] : null;
    if (!cell) {
      return "";
    }
    var value = cell.getAttribute("data-sort");
    return value !== null ? value : cell.textContent.trim();
  }

  function compare(a, b, type) {
    if (type === "number") {
      var x = parseFloat(a);
      var y = parseFloat(b);
      if (isNaN(x) && isNaN(y)) { return 0; }
      if (isNaN(x)) { return 1; }
      if (isNaN(y)) { return -1; }
      return x - y;
    }
    return a.localeCompare(b, undefined, { numeric: true, sensitivity: "base" });
  }

  function sortBy(table, th) {
    var headers = Array.prototype.slice.call(th.parentNode.cells);
    var column = headers.indexOf(th);
    var type = th.getAttribute("data-type") || "text";
    var direction = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
    headers.forEach(function (header) {
      if (header.hasAttribute("aria-sort")) { header.setAttribute("aria-sort", "none"); }
    });
    th.setAttribute("aria-sort", direction);
    var sign = direction === "ascending" ? 1 : -1;
    var rows = items(table).map(function (tbody, index) {
      return { tbody: tbody, index: index, value: cellValue(tbody, column) };
    });
    rows.sort(function (a, b) {
      return sign * compare(a.value, b.value, type) || a.index - b.index;
    });
    // Before the foot, if any: it stays last in the document as on the screen.
    rows.forEach(function (row) { table.insertBefore(row.tbody, table.tFoot); });
    announce(table, "Sorted by " + th.textContent.trim() + ", " + direction + ".");
  }

  function announce(table, prefix) {
    var counters = document.querySelectorAll('.lr-count[data-table="' + table.id + '"]');
    var all = items(table);
    var shown = all.filter(function (tbody) { return !tbody.hidden; }).length;
    counters.forEach(function (counter) {
      counter.textContent = (prefix ? prefix + " " : "") + "Showing " + shown + " of " + all.length + ".";
    });
  }

  function applyFilters(form) {
    var table = document.getElementById(form.getAttribute("data-table"));
    if (!table) { return; }
    var tests = [];
    form.querySelectorAll("[data-filter='text']").forEach(function (input) {
      var needle = input.value.trim().toLowerCase();
      if (needle) {
        tests.push(function (tbody) { return tbody.textContent.toLowerCase().indexOf(needle) !== -1; });
      }
    });
    form.querySelectorAll("[data-require]").forEach(function (input) {
      var attr = "data-" + input.getAttribute("data-require");
      if (input.checked) {
        tests.push(function (tbody) { return tbody.getAttribute(attr) === "1"; });
      }
    });
    form.querySelectorAll("[data-match]").forEach(function (input) {
      var attr = "data-" + input.getAttribute("data-match");
      var wanted = input.value;
      if (wanted) {
        tests.push(function (tbody) {
          return (" " + (tbody.getAttribute(attr) || "") + " ").indexOf(" " + wanted + " ") !== -1;
        });
      }
    });
    form.querySelectorAll("[data-min]").forEach(function (input) {
      var attr = "data-" + input.getAttribute("data-min");
      var minimum = parseFloat(input.value);
      var output = form.querySelector('output[for="' + input.id + '"]');
      if (output) { output.textContent = isNaN(minimum) ? "" : minimum.toFixed(2); }
      if (!isNaN(minimum) && minimum > 0) {
        tests.push(function (tbody) { return parseFloat(tbody.getAttribute(attr)) >= minimum; });
      }
    });
    items(table).forEach(function (tbody) {
      tbody.hidden = !tests.every(function (test) { return test(tbody); });
    });
    announce(table, "");
  }

  function setExpanded(button, expanded) {
    var row = document.getElementById(button.getAttribute("aria-controls"));
    if (!row) { return; }
    row.hidden = !expanded;
    button.setAttribute("aria-expanded", expanded ? "true" : "false");
    var label = button.querySelector(".lr-expand__label");
    if (label) {
      label.textContent = expanded ? button.getAttribute("data-hide") : button.getAttribute("data-show");
    }
  }

  function nameSearchDialog() {
    // Material's search overlay has role="dialog" but no accessible name (axe "aria-dialog-name").
    document.querySelectorAll('.md-search[role="dialog"]').forEach(function (dialog) {
      if (!dialog.hasAttribute("aria-label") && !dialog.hasAttribute("aria-labelledby")) {
        dialog.setAttribute("aria-label", "Search");
      }
    });
  }

  function scrollRegions() {
    // A table wider than the screen scrolls inside Material's wrapper; when nothing in it can take focus,
    // keyboard users could not scroll it (axe "scrollable-region-focusable"), so the wrapper itself becomes
    // a focusable, labelled region, only while it actually overflows.
    document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (wrap) {
      var table = wrap.querySelector("table");
      var focusable = wrap.querySelector("a[href], button, input, select, textarea, [tabindex]");
      var overflows = wrap.scrollWidth > wrap.clientWidth + 1;
      if (overflows && !focusable) {
        var caption = table && table.caption ? table.caption.textContent.trim() : "";
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", (caption || "Table") + " (scrolls sideways)");
        wrap.setAttribute("data-lr-region", "");
      } else if (!overflows && wrap.hasAttribute("data-lr-region")) {
        ["tabindex", "role", "aria-label", "data-lr-region"].forEach(function (name) { wrap.removeAttribute(name); });
      }
    });
  }

  function init() {
    nameSearchDialog();
    document.querySelectorAll("table[data-lr-table]").forEach(function (table) {
      table.querySelectorAll("thead .lr-sort").forEach(function (button) {
        button.addEventListener("click", function () { sortBy(table, button.closest("th")); });
      });
      announce(table, "");
    });
    document.querySelectorAll("form.lr-filters").forEach(function (form) {
      form.hidden = false;
      form.addEventListener("submit", function (event) { event.preventDefault(); });
      form.addEventListener("input", function () { applyFilters(form); });
      form.addEventListener("change", function () { applyFilters(form); });
      form.addEventListener("reset", function () { setTimeout(function () { applyFilters(form); }, 0); });
      applyFilters(form);
    });
    document.querySelectorAll("button.lr-expand").forEach(function (button) {
      button.hidden = false;
      setExpanded(button, false);
      button.addEventListener("click", function () {
        setExpanded(button, button.getAttribute("aria-expanded") !== "true");
      });
    });
    document.querySelectorAll("button.lr-expand-all").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var table = document.getElementById(button.getAttribute("data-table"));
        var expand = button.getAttribute("data-expanded") !== "true";
        button.setAttribute("data-expanded", expand ? "true" : "false");
        button.textContent = expand ? "Collapse all evidence" : "Expand all evidence";
        if (table) {
          table.querySelectorAll("button.lr-expand").forEach(function (b) { setExpanded(b, expand); });
        }
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
  // Material wraps tables in its scroll wrapper from its own script; check them once the page has loaded
  // and again whenever the width changes.
  var resizeTimer = null;
  window.addEventListener("load", scrollRegions);
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(scrollRegions, 150);
  });
})();
