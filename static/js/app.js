// Product-wide behaviour: readable messages for failed htmx requests, and focus
// that lands somewhere sensible after a fragment is swapped in.
(function () {
  "use strict";

  function showMessage(text, level) {
    var area = document.getElementById("messages");
    if (!area) return;
    var p = document.createElement("p");
    p.className = "message message-" + (level || "error");
    p.setAttribute("role", "alert");
    p.textContent = text;
    area.replaceChildren(p);
    area.focus();
  }

  // The product's own error answers carry their message and say where it goes
  // (HX-Retarget); any other error answer (a proxy's page, say) is never swapped
  // into the page, and a network failure never looks like a silent nothing.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    // 422 (refused, with the form or statement to show again) and 409 (conflicts
    // with what somebody else did, with the list as it now is) carry the page.
    if (!xhr || xhr.status < 400 || xhr.status === 422 || xhr.status === 409) return;
    if (xhr.getResponseHeader("HX-Retarget")) return;
    event.detail.shouldSwap = false;
    showMessage(
      document.body.dataset.errorText.replace("%(status)s", String(xhr.status)),
    );
  });
  document.addEventListener("htmx:sendError", function () {
    showMessage(document.body.dataset.offlineText);
  });

  // Where the focus was when a request started (before the button that sent it
  // is disabled), and on which field when its answer is swapped in (a filter
  // the officer is typing in is swapped with the statement it filters): kept on
  // each request's own xhr.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var active = document.activeElement;
    if (event.detail.xhr) {
      event.detail.xhr.focusBefore = active && active !== document.body ? active : null;
    }
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    var target = event.detail.target;
    var active = document.activeElement;
    if (!xhr || !active || !active.id || !active.matches("input, select, textarea")) return;
    if (!target || !target.contains(active)) return; // not swapped: it keeps its focus
    var field = { id: active.id, value: active.value, start: null, end: null };
    try {
      field.start = active.selectionStart;
      field.end = active.selectionEnd;
    } catch (error) {
      // Checkboxes, dates: no caret.
    }
    xhr.field = field;
  });

  // The field back in focus, with what was typed while the request was on its
  // way (the answer brings the value it was sent; a changed value is sent again).
  function restoreField(field) {
    var element = field && document.getElementById(field.id);
    if (!element || !element.matches("input, select, textarea")) return false;
    if (element.value !== field.value && element.type !== "checkbox") {
      element.value = field.value;
      // Sent again as the field sends itself: typed text on "input", a chosen
      // status or date on "change".
      var typed = element.type === "search" || element.type === "text";
      element.dispatchEvent(new Event(typed ? "input" : "change", { bubbles: true }));
    }
    element.focus();
    if (field.start !== null) {
      try {
        element.setSelectionRange(field.start, field.end);
      } catch (error) {
        // Not a text field after all.
      }
    }
    return true;
  }

  // After a swap that took the focus away, give it back to the field the officer
  // was in, else move it to the first message (so it is read out) or to the
  // swapped region's heading: never leave it on a removed element.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    if (!target) return;
    // Inside an open dialog the rest of the page is inert: dialogs.js places the focus.
    if (target.closest && target.closest("dialog")) return;
    if (target.id === "messages") {
      // An error answer sent to the message area: read it out.
      if (target.children.length) target.focus();
      return;
    }
    // Nothing was focused (rows loaded as the officer scrolls), or the focus is
    // still where it was: leave it.
    var xhr = event.detail.xhr;
    var active = document.activeElement;
    if (!xhr || !xhr.focusBefore) return;
    if (active && active !== document.body && active.isConnected) return;
    if (restoreField(xhr.field)) return;
    // An outerHTML swap replaced the target: find its successor by id.
    if (!target.isConnected && target.id) target = document.getElementById(target.id);
    if (!target) return;
    var messages = document.getElementById("messages");
    if (messages && messages.children.length) {
      messages.focus();
      return;
    }
    var heading = target.querySelector("[tabindex='-1'], h2, h1");
    if (heading) {
      if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
      heading.focus();
    }
  });
})();
