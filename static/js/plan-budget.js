// Budget and allocation form: add rows, and show totals per funding source while typing.
(function () {
  "use strict";
  const form = document.getElementById("plan-budget-form");
  if (!form) return;
  const table = document.querySelector("#allocation-table tbody");
  const template = document.getElementById("allocation-empty-row");
  const total = form.querySelector("input[name='alloc-TOTAL_FORMS']");
  const money = (value) => {
    const digits = String(value || "").replace(/[^\d]/g, "");
    return digits ? parseInt(digits, 10) : 0;
  };
  const show = (n) => n.toLocaleString("vi-VN") + " ₫";

  function recompute() {
    document.querySelectorAll("#live-totals tr[data-source]").forEach((row) => {
      const source = row.dataset.source;
      const budget = money(document.getElementById(row.dataset.budgetInput)?.value);
      let allocated = 0;
      table.querySelectorAll("tr.allocation-row").forEach((r) => {
        const del = r.querySelector("input[type=checkbox][name$='-DELETE']");
        const src = r.querySelector("select[name$='-source']");
        const amount = r.querySelector("input[name$='-amount']");
        if (src && amount && !(del && del.checked) && src.value === source) {
          allocated += money(amount.value);
        }
      });
      const remaining = budget - allocated;
      row.querySelector(".budget").textContent = show(budget);
      row.querySelector(".allocated").textContent = show(allocated);
      const cell = row.querySelector(".remaining");
      cell.textContent = show(remaining);
      cell.classList.toggle("text-danger", remaining < 0);
      cell.classList.toggle("fw-bold", remaining < 0);
    });
  }

  document.getElementById("add-allocation").addEventListener("click", () => {
    const index = parseInt(total.value, 10);
    const html = template.innerHTML.replace(/__prefix__/g, String(index));
    table.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    recompute();
  });

  // Format amounts as 1.250.000 when the field is left.
  form.addEventListener("focusout", (event) => {
    const input = event.target;
    if (input.classList && input.classList.contains("money") && input.value.trim()) {
      input.value = money(input.value).toLocaleString("vi-VN");
    }
  });
  form.addEventListener("input", recompute);
  form.addEventListener("change", recompute);
  recompute();
})();
