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

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    const submitter = event.submitter || null;
    const source = submitter && submitter.dataset.confirm ? submitter : form;
    const consequence = source.dataset.confirm;
    if (!consequence) return;
    const flag = form.querySelector('input[name="confirmed"]');
    if (flag && flag.value === "1") return; // confirmed: let it go
    const dlg = dialog();
    if (!dlg || typeof dlg.showModal !== "function") return; // the server asks instead
    event.preventDefault();
    pending = { form, submitter };
    const label = source.dataset.confirmLabel || (submitter && submitter.textContent.trim()) || "";
    dlg.querySelector("[data-confirm-title]").textContent = label;
    dlg.querySelector("[data-confirm-text]").textContent = consequence;
    dlg.querySelector("[data-confirm-ok]").textContent = label;
    dlg.showModal();
    dlg.querySelector("[data-confirm-cancel]").focus();
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
      close(dlg);
      if (form.requestSubmit) form.requestSubmit(submitter || undefined);
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
