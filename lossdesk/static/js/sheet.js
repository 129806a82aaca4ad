/* Assessment-sheet editor (定损单): add rows client-side and recompute amounts and totals
 * live. Money is computed in integer fen (BigInt), never in floating point, with the same
 * rule as motor/rules.py: amount = quantity × unit price, rounded half-up to the fen.
 * The server recomputes everything on save; this is only a preview. Works without it. */
(function () {
  "use strict";

  if (window.lossdeskSheet) {
    // Loaded again by an htmx swap: the listeners below are already in place.
    window.lossdeskSheet.init(document);
    return;
  }

  var KINDS = ["replace", "repair", "paint", "labour", "materials", "sublet"];
  var NUMBER = /^(\d+(\.\d{0,2})?|\.\d{1,2})$/;

  // "１２．５" (full-width, as some IMEs type) → "12.5"
  function normalise(text) {
    return String(text || "")
      .trim()
      .replace(/[\uFF10-\uFF19]/g, function (c) {
        return String.fromCharCode(c.charCodeAt(0) - 0xfee0);
      })
      .replace(/\uFF0E/g, ".");
  }

  // A non-negative number with at most two decimals → BigInt in hundredths; else null.
  function hundredths(text) {
    var value = normalise(text);
    if (!NUMBER.test(value)) {
      return null;
    }
    var parts = value.split(".");
    var whole = parts[0] || "0";
    var frac = ((parts[1] || "") + "00").slice(0, 2);
    return BigInt(whole) * 100n + BigInt(frac);
  }

  function formatFen(fen) {
    var negative = fen < 0n;
    var abs = negative ? -fen : fen;
    var frac = String(abs % 100n);
    // "12,345.60", as the `money` template filter shows amounts.
    var whole = String(abs / 100n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return (negative ? "-" : "") + whole + "." + (frac.length < 2 ? "0" + frac : frac);
  }

  function field(row, name) {
    return row.querySelector('[name$="-' + name + '"]');
  }

  function isBlank(row) {
    var inputs = row.querySelectorAll("input[type=text], select");
    for (var i = 0; i < inputs.length; i++) {
      if (normalise(inputs[i].value) !== "") {
        return false;
      }
    }
    return true;
  }

  // {amount, salvage, kind} of a row in fen, or null when it cannot be priced yet.
  function price(row) {
    var del = field(row, "DELETE");
    var deleted = Boolean(del && del.checked);
    row.classList.toggle("sheet-line-deleted", deleted);
    var kind = field(row, "kind").value;
    var salvageInput = field(row, "salvage_value");
    // Salvage belongs to replaced parts only: lock the empty cell of other kinds.
    salvageInput.readOnly = kind !== "replace" && normalise(salvageInput.value) === "";
    if (deleted || isBlank(row)) {
      return null;
    }
    var quantityText = normalise(field(row, "quantity").value);
    var quantity = hundredths(quantityText === "" ? "1" : quantityText);
    var unitPrice = hundredths(field(row, "unit_price").value);
    var salvageText = normalise(salvageInput.value);
    var salvage = hundredths(salvageText === "" ? "0" : salvageText);
    if (quantity === null || unitPrice === null || normalise(field(row, "unit_price").value) === "") {
      return null;
    }
    // hundredths × hundredths = ten-thousandths of a yuan; + 50, ÷ 100 rounds half-up to fen.
    var amount = (quantity * unitPrice + 50n) / 100n;
    return { amount: amount, salvage: salvage, kind: kind };
  }

  function recompute(form) {
    var totals = {};
    KINDS.forEach(function (kind) {
      totals[kind] = 0n;
    });
    var salvage = 0n;
    var rows = form.querySelectorAll("[data-lines] [data-line]");
    rows.forEach(function (row, index) {
      var seq = row.querySelector("[data-seq]");
      if (seq) {
        seq.textContent = String(index + 1);
      }
      var priced = price(row);
      row.querySelector("[data-amount]").textContent = priced ? formatFen(priced.amount) : "";
      var salvageInput = field(row, "salvage_value");
      // motor.rules.salvage_error: only a replaced part, never above its line's amount.
      // A salvage the save would refuse is marked and not deducted, so the total never
      // goes below zero.
      var badSalvage = Boolean(priced && priced.salvage !== null && priced.salvage > 0n &&
        (priced.kind !== "replace" || priced.salvage > priced.amount));
      if (badSalvage) {
        salvageInput.classList.add("is-invalid");
        salvageInput.dataset.salvageRule = "1";
      } else if (salvageInput.dataset.salvageRule) {
        // Only lift the mark this script set; the server's own cell errors stay.
        salvageInput.classList.remove("is-invalid");
        delete salvageInput.dataset.salvageRule;
      }
      if (priced && KINDS.indexOf(priced.kind) >= 0 && priced.salvage !== null) {
        totals[priced.kind] += priced.amount;
        salvage += badSalvage ? 0n : priced.salvage;
      }
    });
    var gross = 0n;
    KINDS.forEach(function (kind) {
      gross += totals[kind];
      setTotal(form, kind, totals[kind]);
    });
    setTotal(form, "gross", gross);
    setTotal(form, "salvage", salvage);
    setTotal(form, "total", gross - salvage);
  }

  function setTotal(form, name, fen) {
    var cell = form.querySelector('[data-total="' + name + '"]');
    if (cell) {
      cell.textContent = formatFen(fen);
    }
  }

  function addRow(form) {
    var total = form.querySelector('[name$="-TOTAL_FORMS"]');
    var max = form.querySelector('[name$="-MAX_NUM_FORMS"]');
    var template = document.getElementById("sheet-line-template");
    var index = parseInt(total.value, 10);
    if (!template || isNaN(index) || (max && index >= parseInt(max.value, 10))) {
      return null;
    }
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    form.querySelector("[data-lines]").insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    recompute(form);
    var rows = form.querySelectorAll("[data-lines] [data-line]");
    return rows[rows.length - 1];
  }

  // Enter in a cell moves to the same cell of the next row (adding one at the end)
  // instead of submitting the whole sheet.
  function onKeydown(form, event) {
    var target = event.target;
    if (event.key !== "Enter" || target.tagName !== "INPUT" || target.type !== "text") {
      return;
    }
    var row = target.closest("[data-line]");
    if (!row) {
      return;
    }
    event.preventDefault();
    var suffix = target.name.replace(/^.*-/, "");
    var next = row.nextElementSibling || addRow(form);
    var cell = next && field(next, suffix);
    if (cell) {
      cell.focus();
    }
  }

  function init(root) {
    var forms = Array.prototype.slice.call(root.querySelectorAll("[data-sheet-form]"));
    if (root.matches && root.matches("[data-sheet-form]")) {
      forms.push(root);
    }
    forms.forEach(function (form) {
      if (form.dataset.sheetReady) {
        return;
      }
      form.dataset.sheetReady = "1";
      form.addEventListener("input", function () {
        recompute(form);
      });
      form.addEventListener("change", function () {
        recompute(form);
      });
      form.addEventListener("keydown", function (event) {
        onKeydown(form, event);
      });
      var button = form.querySelector("[data-add-row]");
      if (button) {
        button.addEventListener("click", function (event) {
          event.preventDefault();
          var row = addRow(form);
          var first = row && field(row, "kind");
          if (first) {
            first.focus();
          }
        });
      }
      recompute(form);
    });
  }

  window.lossdeskSheet = { init: init };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      init(document);
    });
  } else {
    init(document);
  }
  // Pages swapped in by htmx (e.g. hx-boost navigation) get the same behaviour.
  document.addEventListener("htmx:load", function (event) {
    init(event.target);
  });
})();
