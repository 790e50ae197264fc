// The confirmation of irreversible actions (core/confirm.py). A form (or its submit button)
// marked data-confirm="<what will happen>" and data-confirm-label="<the action>" is not sent
// at once: the dialog of base.html names the consequence; "confirm" sends the form with
// confirmed=1, "go back" or Esc closes the dialog and gives the focus back to the button.
// Without this script the server asks the same question on a page of its own.
(() => {
  let pending = null; // {form, submitter}

  function dialog() {
    return document.getElementById("confirm-dialog");
  }

  function close(dlg) {
    if (dlg.open) dlg.close();
  }

  function ask(source, label, consequence, then) {
    const dlg = dialog();
    if (!dlg || typeof dlg.showModal !== "function") return false; // the server asks instead
    pending = then;
    dlg.querySelector("[data-confirm-title]").textContent = label;
    dlg.querySelector("[data-confirm-text]").textContent = consequence;
    dlg.querySelector("[data-confirm-ok]").textContent = label;
    dlg.showModal();
    dlg.querySelector("[data-confirm-cancel]").focus();
    return true;
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || form.hasAttribute("data-hx-post")) return;
    const submitter = event.submitter || null;
    const source = submitter && submitter.dataset.confirm ? submitter : form;
    const consequence = source.dataset.confirm;
    if (!consequence) return;
    const flag = form.querySelector('input[name="confirmed"]');
    if (flag && flag.value === "1") return; // confirmed: let it go
    const label = source.dataset.confirmLabel || (submitter && submitter.textContent.trim()) || "";
    if (ask(source, label, consequence, { form, submitter })) event.preventDefault();
  });

  // A form sent by htmx (data-hx-post) asks through htmx's own hook, then lets htmx send it.
  document.addEventListener("htmx:confirm", (event) => {
    // Only the form's own sending: a live check started by one of its fields (an htmx GET
    // from an input inside the form) asks nothing.
    const elt = event.detail.elt;
    const form = elt instanceof HTMLFormElement && elt.matches("form[data-confirm]") ? elt : null;
    if (!form) return;
    const label = form.dataset.confirmLabel || "";
    if (ask(form, label, form.dataset.confirm, { form, submitter: null, htmx: event.detail })) {
      event.preventDefault();
    }
  });

  document.addEventListener("click", (event) => {
    const dlg = dialog();
    if (!dlg || !pending) return;
    if (event.target.closest("[data-confirm-cancel]")) {
      close(dlg);
    } else if (event.target.closest("[data-confirm-ok]")) {
      const { form, submitter } = pending;
      let flag = form.querySelector('input[name="confirmed"]');
      if (!flag) {
        flag = document.createElement("input");
        flag.type = "hidden";
        flag.name = "confirmed";
        form.appendChild(flag);
      }
      flag.value = "1";
      pending.sent = true;
      const htmxRequest = pending.htmx;
      close(dlg);
      if (htmxRequest) htmxRequest.issueRequest(true);
      else if (form.requestSubmit) form.requestSubmit(submitter || undefined);
      else form.submit();
    }
  });

  document.addEventListener(
    "close",
    (event) => {
      if (event.target !== dialog() || !pending) return;
      const { form, submitter, sent } = pending;
      pending = null;
      if (!sent) {
        // Not confirmed: the form goes back to asking, the focus to the button that asked.
        const flag = form.querySelector('input[name="confirmed"]');
        if (flag) flag.value = "";
        const button = submitter || form.querySelector('[type="submit"]');
        if (button) button.focus();
      }
    },
    true,
  );
})();
