// Behaviour every page shares, here rather than in inline handlers (the Content-Security-Policy
// allows scripts from the portal's own files only).
document.addEventListener("change", (event) => {
  // A select marked data-autosubmit sends its form when it changes (the language switcher).
  const field = event.target;
  if (field.matches && field.matches("select[data-autosubmit]") && field.form) {
    field.form.requestSubmit ? field.form.requestSubmit() : field.form.submit();
  }
});
