/* compapp: small enhancements every page shares. Pages work without them. */
(function () {
  "use strict";

  /* Phone layout: each table cell carries its column's heading, shown beside it when the
     table is stacked into cards (app.css, below 600 px). */
  function labelCells(table) {
    var head = table.tHead;
    if (!head || !head.rows.length) return;
    var headings = [];
    Array.prototype.forEach.call(head.rows[head.rows.length - 1].cells, function (th) {
      for (var i = 0; i < (th.colSpan || 1); i++) headings.push(th.textContent.trim());
    });
    var bodies = Array.prototype.slice.call(table.tBodies);
    if (table.tFoot) bodies.push(table.tFoot);
    bodies.forEach(function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        var col = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          if (!cell.hasAttribute("data-label") && headings[col]) {
            cell.setAttribute("data-label", headings[col]);
          }
          col += cell.colSpan || 1;
        });
      });
    });
  }

  /* The menu folds into a button on phones. */
  function menuToggle() {
    var button = document.querySelector(".menu-toggle");
    var menu = document.getElementById("site-menu");
    if (!button || !menu) return;
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", open ? "true" : "false");
      menu.classList.toggle("open", open);
    });
  }

  /* After a refused form, the person lands on the list of what to correct. */
  function focusErrors() {
    var summary = document.querySelector(".error-summary");
    if (summary) {
      summary.focus();
      return;
    }
    var error = document.querySelector(".focus-on-load");
    if (error) {
      error.setAttribute("tabindex", "-1");
      error.focus();
      error.scrollIntoView({ block: "center" });
    }
  }

  /* 待我处理: the number of things waiting, asked for once the page is shown. */
  function todoCount() {
    var badge = document.querySelector("[data-count-url]");
    if (!badge || !window.fetch) return;
    fetch(badge.getAttribute("data-count-url"), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        badge.textContent = data.count;
        badge.setAttribute("title", data.label);
        badge.setAttribute("aria-label", data.label);
        badge.classList.toggle("waiting", data.count > 0);
        badge.hidden = false;
      })
      .catch(function () {});
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.documentElement.classList.add("js");
    Array.prototype.forEach.call(document.querySelectorAll("table"), labelCells);
    menuToggle();
    focusErrors();
    todoCount();
    Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (b) {
      b.addEventListener("click", function () { window.print(); });
    });
  });
})();
