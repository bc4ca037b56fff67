// The account statement: select all, the running total of the selection and the
// Quick Promise button, which stays disabled while nothing is selected.
(function () {
  "use strict";

  function statementForm() {
    return document.getElementById("statement-form");
  }

  function itemBoxes(form) {
    return Array.prototype.slice.call(
      form.querySelectorAll("input[type=checkbox][name=items]:not(:disabled)"),
    );
  }

  function cents(value) {
    // Exact arithmetic on amounts with two decimals: no floating-point drift.
    var negative = value.charAt(0) === "-";
    var parts = value.replace("-", "").split(".");
    var whole = parseInt(parts[0] || "0", 10);
    var fraction = parseInt(((parts[1] || "") + "00").slice(0, 2), 10);
    var total = whole * 100 + fraction;
    return negative ? -total : total;
  }

  function refresh() {
    var form = statementForm();
    if (!form) return;
    var output = document.getElementById("selection-total");
    var boxes = itemBoxes(form);
    var checked = boxes.filter(function (box) { return box.checked; });
    var byCurrency = {};
    checked.forEach(function (box) {
      var currency = box.dataset.currency;
      byCurrency[currency] = (byCurrency[currency] || 0) + cents(box.dataset.amount);
    });
    if (output) {
      if (!checked.length) {
        output.textContent = output.dataset.emptyText;
      } else {
        var lang = document.documentElement.lang || undefined;
        var amounts = Object.keys(byCurrency).sort().map(function (currency) {
          var formatted = new Intl.NumberFormat(lang, {
            minimumFractionDigits: 2,
            maximumFractionDigits: 2,
          }).format(byCurrency[currency] / 100);
          return formatted + " " + currency;
        });
        var count = checked.length === 1
          ? output.dataset.countOne
          : output.dataset.countMany.replace("%(count)s", String(checked.length));
        output.textContent = count + " · " + amounts.join(" + ");
      }
    }
    var selectAll = form.querySelector("[data-select-all]");
    if (selectAll) {
      selectAll.checked = boxes.length > 0 && checked.length === boxes.length;
      selectAll.indeterminate = checked.length > 0 && checked.length < boxes.length;
    }
    var button = form.querySelector("button[data-quick-promise]");
    if (button && button.hasAttribute("data-ready")) {
      button.disabled = checked.length === 0;
    }
  }

  document.addEventListener("change", function (event) {
    var form = statementForm();
    if (!form || !form.contains(event.target)) return;
    if (event.target.matches("[data-select-all]")) {
      itemBoxes(form).forEach(function (box) { box.checked = event.target.checked; });
    }
    refresh();
  });

  // A click on a disabled Quick Promise button does nothing, by the browser; a
  // submit with nothing selected (Enter in the form) is stopped here too.
  document.addEventListener("submit", function (event) {
    var form = statementForm();
    if (event.target !== form) return;
    if (!itemBoxes(form).some(function (box) { return box.checked; })) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);

  document.addEventListener("DOMContentLoaded", refresh);
  document.addEventListener("htmx:afterSettle", refresh);
  // Back/forward cache: the boxes may come back ticked.
  window.addEventListener("pageshow", refresh);
})();
