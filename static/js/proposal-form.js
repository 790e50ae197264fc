// Đề án entry form: add rows, pick establishments from the autocomplete, compute each
// budget line (quantity × unit price) and the totals per funding source while typing.
// The server checks everything again on saving; this only helps while typing.
(function () {
  "use strict";
  const form = document.getElementById("proposal-form");
  if (!form) return;
  const supportSource = form.dataset.supportSource;

  const money = (value) => {
    const digits = String(value || "").replace(/[^\d]/g, "");
    return digits ? parseInt(digits, 10) : 0;
  };
  const quantity = (value) => {
    let text = String(value || "").trim().replace(/\s/g, "");
    if (text.includes(",")) text = text.replace(/\./g, "").replace(",", ".");
    const n = parseFloat(text);
    return Number.isFinite(n) ? n : 0;
  };
  const show = (n) => n.toLocaleString("vi-VN") + " ₫";
  const live = (row) => {
    const del = row.querySelector("input[type=checkbox][name$='-DELETE']");
    return !(del && del.checked);
  };

  function addRow(tableSelector, templateId, prefix) {
    const body = document.querySelector(tableSelector + " tbody");
    const total = form.querySelector(`input[name='${prefix}-TOTAL_FORMS']`);
    const index = parseInt(total.value, 10);
    const html = document.getElementById(templateId).innerHTML.replace(/__prefix__/g, String(index));
    body.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    const row = body.lastElementChild;
    if (window.htmx) window.htmx.process(row);
    const first = row.querySelector("input[type=search], input[type=text]");
    if (first) first.focus();
    recompute();
  }

  document.getElementById("add-beneficiary").addEventListener("click", () =>
    addRow("#beneficiary-table", "beneficiary-empty-row", "ben"),
  );
  document.getElementById("add-line").addEventListener("click", () =>
    addRow("#line-table", "line-empty-row", "line"),
  );

  // Autocomplete (an ARIA combobox): the matches come from the server (htmx); a click, or
  // Enter on a match reached with the arrow keys, fills the row; typing again un-picks it;
  // Escape closes the list and returns to the search box.
  const searchOf = (results) => results.closest("td").querySelector("input.beneficiary-search");
  const options = (results) => Array.from(results.querySelectorAll("[role=option]"));
  function closeResults(results) {
    results.innerHTML = "";
    searchOf(results).setAttribute("aria-expanded", "false");
  }
  function focusOption(list, index) {
    if (!list.length) return;
    const i = (index + list.length) % list.length;
    list.forEach((o, j) => o.setAttribute("aria-selected", j === i ? "true" : "false"));
    list[i].focus();
  }
  document.body.addEventListener("htmx:afterSwap", (event) => {
    const results = event.target;
    if (!results.classList || !results.classList.contains("beneficiary-results")) return;
    searchOf(results).setAttribute("aria-expanded", options(results).length ? "true" : "false");
  });
  form.addEventListener("keydown", (event) => {
    const target = event.target;
    if (target.classList.contains("beneficiary-search") && event.key === "ArrowDown") {
      const results = target.closest("td").querySelector(".beneficiary-results");
      if (options(results).length) {
        event.preventDefault();
        focusOption(options(results), 0);
      }
      return;
    }
    const option = target.closest && target.closest(".beneficiary-results [role=option]");
    if (!option) return;
    const results = option.closest(".beneficiary-results");
    const list = options(results);
    const at = list.indexOf(option);
    const moves = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: list.length - 1 };
    if (event.key in moves) {
      event.preventDefault();
      focusOption(list, moves[event.key]);
    } else if (event.key === "Escape") {
      event.preventDefault();
      const search = searchOf(results);
      closeResults(results);
      search.focus();
    }
  });
  form.addEventListener("click", (event) => {
    const option = event.target.closest(".beneficiary-results [data-id]");
    if (!option) return;
    const cell = option.closest("td");
    cell.querySelector("input[type=hidden][name$='-beneficiary']").value = option.dataset.id;
    const search = cell.querySelector("input.beneficiary-search");
    search.value = option.dataset.label;
    search.classList.add("is-valid");
    search.classList.remove("is-invalid");
    closeResults(cell.querySelector(".beneficiary-results"));
    const share = cell.closest("tr").querySelector("input.share");
    if (share) share.focus();
  });
  form.addEventListener("input", (event) => {
    const input = event.target;
    if (input.classList.contains("beneficiary-search")) {
      const hidden = input.closest("td").querySelector("input[type=hidden][name$='-beneficiary']");
      if (hidden) hidden.value = "";
      input.classList.remove("is-valid");
    }
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      document.querySelectorAll(".beneficiary-results").forEach((el) => {
        if (el.childElementCount) closeResults(el);
      });
    }
  });
  // Enter in a search box picks nothing and must not submit the whole form.
  form.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target.classList.contains("beneficiary-search")) {
      event.preventDefault();
    }
  });

  function recompute() {
    const totals = { amount: 0 };
    let mismatched = 0;
    form.querySelectorAll("#line-table tr.line-row").forEach((row) => {
      const q = quantity(row.querySelector("input.quantity")?.value);
      const price = money(row.querySelector("input.unit-price")?.value);
      const amount = Math.round(q * price);
      const cell = row.querySelector(".amount");
      let split = 0;
      row.querySelectorAll("input.source").forEach((input) => {
        const value = money(input.value);
        split += value;
        if (live(row)) totals[input.dataset.source] = (totals[input.dataset.source] || 0) + value;
      });
      const filled = q > 0 && price > 0;
      cell.textContent = filled ? show(amount) : "—";
      const wrong = filled && split !== amount;
      cell.classList.toggle("text-danger", wrong);
      cell.title = wrong ? `${show(split)} ≠ ${show(amount)}` : "";
      if (live(row)) {
        totals.amount += filled ? amount : 0;
        if (wrong) mismatched += 1;
      }
    });
    form.querySelectorAll("#budget-totals [data-total]").forEach((cell) => {
      cell.textContent = show(totals[cell.dataset.total] || 0);
    });
    const hint = document.getElementById("sources-hint");
    if (mismatched) {
      hint.className = "small mt-2 text-danger fw-semibold";
      hint.textContent = (form.dataset.msgSourcesBad || "").replace("{n}", mismatched);
    } else if (totals.amount) {
      hint.className = "small mt-2 text-success";
      hint.textContent = form.dataset.msgSourcesOk || "";
    } else {
      hint.textContent = "";
    }

    let shares = 0;
    form.querySelectorAll("#beneficiary-table tr.beneficiary-row").forEach((row) => {
      if (live(row)) shares += money(row.querySelector("input.share")?.value);
    });
    document.getElementById("shares-total").textContent = show(shares);
    const sharesHint = document.getElementById("shares-hint");
    const support = totals[supportSource] || 0;
    if (shares && shares !== support) {
      sharesHint.className = "small mt-2 text-warning-emphasis";
      sharesHint.textContent = (form.dataset.msgSharesBad || "")
        .replace("{shares}", show(shares))
        .replace("{support}", show(support));
    } else {
      sharesHint.textContent = "";
    }
  }

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
