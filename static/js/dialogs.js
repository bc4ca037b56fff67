// The statement's dialogs (Change status, New action) and their forms.
//
// The buttons that open them are real submit buttons: without JavaScript they
// open the form on a page of its own. Here they open a modal <dialog> instead,
// whose fields belong to the statement's form (HTML form attribute), so that
// they are sent with its selection to the URL of the button that opened them.
//
// The fields are loaded from the dialog's URL when it first opens (most
// statements never open a dialog, so the statement does not carry them); the
// dialog's button stays disabled until they are there.
//
// The forms pre-fill what they can (the due date from the status's follow-up
// days, the action from its template, the assignee from the resolver); whatever
// the officer typed or chose is never overwritten.
(function () {
  "use strict";

  function scopeOf(element) {
    return element.closest("dialog, [data-today]");
  }

  function todayOf(scope) {
    var holder = scope && scope.closest("[data-today]");
    return holder ? holder.dataset.today : new Date().toISOString().slice(0, 10);
  }

  function addDays(iso, days) {
    // Calendar days on the business day the server gave, whatever the browser's zone.
    var date = new Date(iso + "T00:00:00Z");
    date.setUTCDate(date.getUTCDate() + days);
    return date.toISOString().slice(0, 10);
  }

  function field(scope, name, within) {
    var root = within ? scope.querySelector(within) : scope;
    if (!root) return null;
    var wrapper = root.querySelector("[data-field='" + name + "']");
    return wrapper ? wrapper.querySelector("input, select, textarea") : null;
  }

  function setUnlessEdited(control, value) {
    if (!control || control.dataset.edited) return;
    control.value = value;
  }

  function show(wrapper, on) {
    if (!wrapper) return;
    wrapper.hidden = !on;
    // Hidden fields are not sent: the server sees only what the officer sees.
    wrapper.querySelectorAll("input, select, textarea").forEach(function (control) {
      control.disabled = !on;
    });
  }

  function selectedOption(select) {
    return select && select.selectedIndex >= 0 ? select.options[select.selectedIndex] : null;
  }

  // What depends on the status: the resolver of a dispute, the next step.
  function syncStatus(scope, prefill) {
    var status = scope.querySelector("select[data-status-select]");
    if (!status) return;
    var option = selectedOption(status);
    var kind = option ? option.dataset.kind : "";
    var resolver = scope.querySelector("[data-field='resolver']");
    show(resolver, kind === "dispute");
    var next = scope.querySelector("[data-next-action]");
    var chosen = scope.querySelector("input[data-next-step]:checked");
    show(next, Boolean(chosen && chosen.value === "action"));
    if (!prefill || !option || !option.value) return;
    var days = parseInt(option.dataset.followUpDays || "7", 10);
    setUnlessEdited(field(scope, "due_date", "[data-next-action]"), addDays(todayOf(scope), days));
    var template = field(scope, "template", "[data-next-action]");
    if (template && !template.dataset.edited && option.dataset.template !== undefined) {
      template.value = option.dataset.template;
      syncTemplate(template);
    }
  }

  // An action template fills in the type, title and text of the action.
  function syncTemplate(select) {
    var form = select.closest("[data-action-form]");
    var option = selectedOption(select);
    if (!form || !option || !option.value) return;
    setUnlessEdited(field(form, "action_type"), option.dataset.actionType);
    setUnlessEdited(field(form, "title"), option.dataset.title);
    setUnlessEdited(field(form, "text"), option.dataset.text);
  }

  function sync(scope) {
    if (scope) syncStatus(scope, false);
  }

  function resetFields(dialog) {
    dialog.querySelectorAll("input, select, textarea").forEach(function (control) {
      delete control.dataset.edited;
      if (control.type === "checkbox" || control.type === "radio") {
        control.checked = control.defaultChecked;
      } else if (control.tagName === "SELECT") {
        Array.prototype.forEach.call(control.options, function (option) {
          option.selected = option.defaultSelected;
        });
      } else {
        control.value = control.defaultValue;
      }
    });
    dialog.querySelectorAll("[data-form-errors], .field-error").forEach(function (node) {
      node.remove();
    });
    dialog.querySelectorAll(".has-error").forEach(function (node) {
      node.classList.remove("has-error");
    });
  }

  function fieldsOf(dialog) {
    return dialog.querySelector("[data-fields-url]");
  }

  function loadFields(dialog) {
    var body = fieldsOf(dialog);
    if (!body || body.dataset.loaded || body.dataset.loading) return;
    body.dataset.loading = "1";
    body.setAttribute("aria-busy", "true");
    var loading = body.querySelector("[data-dialog-loading]");
    if (loading) {
      // Opened again after a failure: try again.
      loading.setAttribute("role", "status");
      loading.textContent = loading.dataset.loadingText;
    }
    htmx.ajax("GET", body.dataset.fieldsUrl, { source: body, target: body, swap: "innerHTML" });
  }

  // The fields arrived (or could not): ready, or say why in the dialog, which
  // hides the rest of the page while it is open.
  document.addEventListener("htmx:afterRequest", function (event) {
    // The request's own element: an error answer may have been sent elsewhere.
    var body = event.detail.elt;
    if (!body || !body.dataset || !body.dataset.fieldsUrl || !body.dataset.loading) return;
    delete body.dataset.loading;
    body.removeAttribute("aria-busy");
    // By its status, not htmx's "successful": the product's error answers are
    // swapped (into the message area, behind the dialog).
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (status >= 200 && status < 300) {
      // Loaded at last: the failure said in the message area is over.
      var messages = document.getElementById("messages");
      if (body.dataset.failed && messages) messages.replaceChildren();
      delete body.dataset.failed;
      return;
    }
    body.dataset.failed = "1";
    var loading = body.querySelector("[data-dialog-loading]");
    if (!loading) return;
    loading.textContent = loading.dataset.errorText.replace("%(status)s", String(status || "—"));
    loading.setAttribute("role", "alert");
  });

  document.addEventListener("click", function (event) {
    if (!event.target.closest) return;
    var opener = event.target.closest("[data-open-dialog]");
    if (opener) {
      var dialog = document.getElementById(opener.dataset.openDialog);
      // Without dialogs, or without htmx to load their fields: the form's own page.
      if (!dialog || typeof dialog.showModal !== "function") return;
      if (fieldsOf(dialog) && !window.htmx) return;
      event.preventDefault();
      if (opener.disabled || dialog.open) return;
      var submit = dialog.querySelector("[data-dialog-submit]");
      // The opener's URL carries the statement's filters ("select all matching").
      if (submit) submit.setAttribute("formaction", opener.getAttribute("formaction"));
      var summary = dialog.querySelector("[data-selection-summary]");
      var total = document.getElementById("selection-total");
      if (summary && total) summary.textContent = total.textContent;
      sync(dialog);
      dialog.showModal();
      loadFields(dialog);
      return;
    }
    var closer = event.target.closest("[data-close-dialog]");
    if (closer && closer.closest("dialog")) closer.closest("dialog").close();
  });

  // What the officer sets by hand stays as set.
  function markEdited(event) {
    var control = event.target;
    if (!control.matches || !control.matches("input, select, textarea")) return;
    if (!scopeOf(control)) return;
    if (event.isTrusted) control.dataset.edited = "1";
  }
  document.addEventListener("input", markEdited);

  document.addEventListener("change", function (event) {
    var control = event.target;
    if (!control.matches) return;
    var scope = scopeOf(control);
    if (!scope) return;
    markEdited(event);
    if (control.matches("select[data-status-select]")) {
      syncStatus(scope, true);
    } else if (control.matches("input[data-next-step]")) {
      syncStatus(scope, false);
    } else if (control.matches("select[data-action-template]")) {
      syncTemplate(control);
    } else if (control.closest("[data-field='resolver']")) {
      // A dispute's action usually goes to its resolver.
      var assignee = field(scope, "assigned_to", "[data-next-action]");
      if (control.value) setUnlessEdited(assignee, control.value);
    }
  });

  // Enter in a dialog's field sends the dialog, never the statement's own first
  // button (Quick Promise), which is the form's default button.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !event.target.closest) return;
    var dialog = event.target.closest("dialog");
    if (!dialog || event.target.matches("textarea, select, button, a")) return;
    event.preventDefault();
    var submit = dialog.querySelector("[data-dialog-submit]");
    if (submit) submit.click();
  });

  // What a dialog's fields are until they are loaded, to go back to.
  var placeholders = {};

  function unload(dialog) {
    var body = fieldsOf(dialog);
    if (!body || !body.dataset.loaded || !placeholders[body.id]) return;
    delete body.dataset.loaded;
    body.innerHTML = placeholders[body.id];
    dialog.querySelectorAll("[data-dialog-submit]").forEach(function (button) {
      button.disabled = true;
    });
  }

  // Done (the server says so): the dialogs close, ready for the next selection.
  // Their fields load again at the next opening: a form is sent once (its key
  // says which action it created), and the defaults are today's again.
  document.addEventListener("items-changed", function () {
    document.querySelectorAll("dialog").forEach(function (dialog) {
      if (dialog.open) dialog.close();
      if (fieldsOf(dialog)) {
        unload(dialog);
      } else {
        resetFields(dialog);
        sync(dialog);
      }
    });
  });

  // Refused: the fields came back with the reasons; read them out.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    var dialog = target && target.closest && target.closest("dialog");
    if (!dialog) return;
    sync(dialog);
    var errors = dialog.querySelector("[data-form-errors]");
    if (errors) {
      errors.focus();
      return;
    }
    var body = fieldsOf(dialog);
    if (!body || body.dataset.loaded || body.querySelector("[data-dialog-loading]")) return;
    // The fields, first loaded: the dialog can be sent, and its first field has
    // the focus, as it would have had if the fields had been there at opening.
    // The dates it pre-fills count from the day the fields were made for.
    body.dataset.loaded = "1";
    var today = body.querySelector("[data-fields-today]");
    if (today) dialog.dataset.today = today.dataset.fieldsToday;
    dialog.querySelectorAll("[data-dialog-submit]").forEach(function (button) {
      button.disabled = false;
    });
    var first = body.querySelector("input:not([type=hidden]):not([disabled]), select, textarea");
    if (first && dialog.open) first.focus();
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-fields-url]").forEach(function (body) {
      placeholders[body.id] = body.innerHTML;
    });
    document.querySelectorAll("dialog, [data-today]").forEach(sync);
  });
})();
