// The account statement: select all, the running total of the selection and the
// buttons that work on it (Quick Promise, Change status, New action), which stay
// disabled while nothing is selected.
//
// The statement loads its rows a page at a time as the officer scrolls; "select
// all matching" then stands for every item the filters match, loaded or not: the
// server counted and summed them (data-count, data-totals) and finds them again
// when the form is sent with all_matching=1.
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

  function allMatchingField(form) {
    return form.querySelector("[data-all-matching]");
  }

  function inAllMatchingMode(form) {
    var field = allMatchingField(form);
    return Boolean(field && field.value === "1");
  }

  function setAllMatching(form, on) {
    var field = allMatchingField(form);
    if (field) field.value = on ? "1" : "0";
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

  function formatAmounts(byCurrency) {
    var lang = document.documentElement.lang || undefined;
    return Object.keys(byCurrency).sort().map(function (currency) {
      var total = byCurrency[currency];
      // As the server shows amounts: no decimals for a currency without minor
      // units, unless the total has some.
      var whole = (statementForm().dataset.wholeCurrencies || "").split(" ");
      var digits = whole.indexOf(currency) >= 0 && total % 100 === 0 ? 0 : 2;
      var format = new Intl.NumberFormat(lang, {
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      });
      return format.format(total / 100) + " " + currency;
    }).join(" + ");
  }

  function refresh() {
    var form = statementForm();
    if (!form) return;
    var output = document.getElementById("selection-total");
    var boxes = itemBoxes(form);
    var checked = boxes.filter(function (box) { return box.checked; });
    var matching = form.querySelector("[data-select-all-matching]");
    var allMode = inAllMatchingMode(form);
    var byCurrency = {};
    var count = checked.length;
    if (allMode && matching) {
      JSON.parse(matching.dataset.totals).forEach(function (pair) {
        byCurrency[pair[0]] = cents(pair[1]);
      });
      count = parseInt(matching.dataset.count, 10);
    } else {
      checked.forEach(function (box) {
        var currency = box.dataset.currency;
        byCurrency[currency] = (byCurrency[currency] || 0) + cents(box.dataset.amount);
      });
    }
    if (output) {
      var label;
      if (!count) {
        label = output.dataset.emptyText;
      } else if (allMode) {
        label = output.dataset.allText.replace("%(count)s", count.toLocaleString(document.documentElement.lang || undefined));
      } else if (count === 1) {
        label = output.dataset.countOne;
      } else {
        label = output.dataset.countMany.replace("%(count)s", String(count));
      }
      output.textContent = count ? label + " · " + formatAmounts(byCurrency) : label;
    }
    var selectAll = form.querySelector("[data-select-all]");
    if (selectAll) {
      selectAll.checked = boxes.length > 0 && checked.length === boxes.length;
      selectAll.indeterminate = checked.length > 0 && checked.length < boxes.length;
    }
    if (matching) {
      // Offered once every loaded row is ticked and more match than are loaded.
      var more = parseInt(matching.dataset.count, 10) > boxes.length;
      matching.hidden = !(allMode || (more && boxes.length > 0 && checked.length === boxes.length));
      matching.textContent = allMode ? matching.dataset.clearText : matching.dataset.selectText;
    }
    // The note on greyed-out boxes, once a credit is among the rows loaded.
    var creditNote = document.getElementById("credit-note");
    if (creditNote) {
      creditNote.hidden = !form.querySelector("input[type=checkbox][name=items]:disabled");
    }
    // How many rows are loaded: the answer to a change made on them shows as many.
    var shown = form.querySelector("[data-rows-shown]");
    if (shown) {
      shown.value = String(form.querySelectorAll("input[type=checkbox][name=items]").length);
    }
    var button = form.querySelector("button[data-quick-promise]");
    if (button && button.hasAttribute("data-ready")) {
      button.disabled = count === 0;
    }
    // Change status and New action work on the selection too.
    form.querySelectorAll("button[data-needs-selection]").forEach(function (other) {
      other.disabled = count === 0;
    });
  }

  document.addEventListener("change", function (event) {
    var form = statementForm();
    if (!form || !form.contains(event.target)) return;
    // Any change of a box makes the selection explicit again.
    setAllMatching(form, false);
    if (event.target.matches("[data-select-all]")) {
      itemBoxes(form).forEach(function (box) { box.checked = event.target.checked; });
    }
    refresh();
  });

  document.addEventListener("click", function (event) {
    var form = statementForm();
    var button = event.target.closest && event.target.closest("[data-select-all-matching]");
    if (!form || !button || !form.contains(button)) return;
    var on = !inAllMatchingMode(form);
    setAllMatching(form, on);
    itemBoxes(form).forEach(function (box) { box.checked = on; });
    refresh();
    button.focus();
  });

  // After a change made on the statement (a quick promise deep in a long one),
  // its frame shows the same rows again, now changed, not the first ones.
  var frameScroll = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    var config = event.detail.requestConfig;
    var frame = target && target.id === "statement" && target.querySelector(".table-wrap");
    var swapping = event.detail.shouldSwap;
    frameScroll = frame && swapping && config && config.verb === "post" ? frame.scrollTop : null;
  });
  // An answer not swapped in (an error said in the message area) leaves nothing behind.
  document.addEventListener("htmx:afterRequest", function () {
    frameScroll = null;
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    if (frameScroll === null || !event.detail.target) return;
    var frame = document.querySelector("#statement .table-wrap");
    if (frame) frame.scrollTop = frameScroll;
    frameScroll = null;
  });

  // Rows loaded while everything matching is selected are selected too.
  document.addEventListener("htmx:afterSettle", function () {
    var form = statementForm();
    if (form && inAllMatchingMode(form)) {
      itemBoxes(form).forEach(function (box) { box.checked = true; });
    }
    refresh();
  });

  // A click on a disabled Quick Promise button does nothing, by the browser; a
  // submit with nothing selected (Enter in the form) is stopped here too.
  document.addEventListener("submit", function (event) {
    var form = statementForm();
    if (event.target !== form) return;
    if (!inAllMatchingMode(form) && !itemBoxes(form).some(function (box) { return box.checked; })) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);

  document.addEventListener("DOMContentLoaded", refresh);
  // Back/forward cache: the boxes may come back ticked.
  window.addEventListener("pageshow", refresh);
})();
