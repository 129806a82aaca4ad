/* Calculator pages: the print button and "add a row" for formsets. Loaded as a file because
 * the CSP forbids inline scripts. Without JavaScript the pages still work: the forms show a
 * few blank rows and the browser's own print command prints the result. */
(function () {
  "use strict";

  function addRow(prefix) {
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var template = document.getElementById(prefix + "-empty-row");
    var rows = document.getElementById(prefix + "-rows");
    if (!total || !template || !rows) {
      return;
    }
    var index = parseInt(total.value, 10) || 0;
    var max = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
    if (max && index >= parseInt(max.value, 10)) {
      return;
    }
    rows.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(index)));
    total.value = String(index + 1);
    var first = rows.lastElementChild && rows.lastElementChild.querySelector("input, select");
    if (first) {
      first.focus();
    }
  }

  document.addEventListener("click", function (event) {
    var print = event.target.closest("[data-calc-print]");
    if (print) {
      event.preventDefault();
      window.print();
      return;
    }
    var add = event.target.closest("[data-calc-add-row]");
    if (add) {
      event.preventDefault();
      addRow(add.getAttribute("data-calc-add-row"));
    }
  });

  function reveal() {
    document.querySelectorAll("[data-calc-add-row]").forEach(function (button) {
      button.hidden = false;
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", reveal);
  } else {
    reveal();
  }
})();
