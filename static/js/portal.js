// Behaviour every page shares, here rather than in inline handlers (the Content-Security-Policy
// allows scripts from the portal's own files only).
document.addEventListener("change", (event) => {
  // A select marked data-autosubmit sends its form when it changes (the language switcher).
  const field = event.target;
  if (field.matches && field.matches("select[data-autosubmit]") && field.form) {
    field.form.requestSubmit ? field.form.requestSubmit() : field.form.submit();
  }
});

// htmx drops a 400 answer; a form marked data-swap-errors is sent back with the reasons it
// was refused (a 400 with the form and its errors), which is shown in its place.
document.addEventListener("htmx:beforeSwap", (event) => {
  const elt = event.detail.requestConfig && event.detail.requestConfig.elt;
  if (event.detail.xhr.status === 400 && elt && elt.closest && elt.closest("[data-swap-errors]")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
