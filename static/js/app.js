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

  // A server error or a network failure must never look like a silent nothing.
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    showMessage(
      document.body.dataset.errorText ||
        "The server could not complete this request (error " + status + "). Nothing was changed; try again in a moment.",
    );
  });
  document.addEventListener("htmx:sendError", function () {
    showMessage(
      document.body.dataset.offlineText ||
        "The server cannot be reached. Check the connection and try again; nothing was changed.",
    );
  });

  // After a swap, move focus to the first message (so it is read out) or to the
  // swapped region's heading, never leave it on a removed element.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    if (!target || target.id === "messages") return;
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
