// The inspection checklist: most items are usually met, so one button marks every item
// not yet answered as compliant (the answers already chosen stay as they are; nothing is
// saved until the inspector saves or concludes). Without JavaScript the button stays hidden.
(function () {
  "use strict";
  const tools = document.querySelector("[data-checklist-tools]");
  if (!tools) return;
  const table = document.querySelector("table.checklist");
  const status = tools.querySelector("[data-mark-rest-status]");
  const groups = () => Array.from(table.querySelectorAll("[role=radiogroup]"));
  const unanswered = () => groups().filter((g) => !g.querySelector("input[type=radio]:checked"));
  const refresh = () => {
    tools.querySelector("[data-mark-rest]").disabled = unanswered().length === 0;
  };
  tools.hidden = false;
  refresh();
  table.addEventListener("change", refresh);
  tools.addEventListener("click", (event) => {
    const button = event.target.closest("[data-mark-rest]");
    if (!button) return;
    const rest = unanswered();
    rest.forEach((group) => {
      const radio = group.querySelector(`input[type=radio][value="${button.dataset.markRest}"]`);
      if (radio) radio.checked = true;
    });
    status.textContent = (tools.dataset.markedText || "").replace("{n}", String(rest.length));
    refresh();
  });
})();
