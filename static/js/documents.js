// The dossier upload (projects/partials/documents.html). Without this script the form has
// its rows, one file each, and works the same. With it: several files chosen at once, each
// placed in a row of its own with the document it seems to be (from its name, else the next
// document still missing; the page gives both in #attach-hints); more rows; and after an
// upload refused by htmx, the files that passed stay chosen. The server checks every file.
(function () {
  "use strict";

  const fold = (text) =>
    text
      .toLowerCase()
      .replace(/đ/g, "d")
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "");

  const hints = () => {
    const el = document.getElementById("attach-hints");
    return el ? JSON.parse(el.textContent) : { missing: [], keys: {} };
  };
  const rows = (form) => Array.from(form.querySelectorAll(".attach-rows .attach-row"));
  const fileInput = (row) => row.querySelector("input[type=file]");
  const typeSelect = (row) => row.querySelector("select");
  const filled = (row) => fileInput(row).files.length > 0;

  // The document whose code or folded name the file's name contains (the longest wins).
  function matchDocument(name, h) {
    const stem = fold(name.replace(/\.[^.]*$/, ""));
    let best = "";
    let length = 0;
    for (const [pk, keys] of Object.entries(h.keys)) {
      for (const key of keys) {
        if (key && stem.includes(key) && key.length > length) {
          best = pk;
          length = key.length;
        }
      }
    }
    return best;
  }

  // The first missing document (checklist order) that no row in ``taken`` has yet.
  const nextMissing = (h, taken) => h.missing.map(String).find((pk) => !taken.has(pk)) || "";

  function showControls(root) {
    root.querySelectorAll("[data-attach-many-box], [data-attach-add]").forEach((el) => {
      el.hidden = false;
    });
    root.querySelectorAll(".attach-form").forEach(updateAdd);
  }

  function updateAdd(form) {
    const total = parseInt(form.querySelector("input[name$='-TOTAL_FORMS']").value, 10);
    const max = parseInt(form.querySelector("input[name$='-MAX_NUM_FORMS']").value, 10);
    const button = form.querySelector("[data-attach-add]");
    if (button) button.disabled = total >= max;
  }

  function addRow(form) {
    const total = form.querySelector("input[name$='-TOTAL_FORMS']");
    const max = parseInt(form.querySelector("input[name$='-MAX_NUM_FORMS']").value, 10);
    const index = parseInt(total.value, 10);
    if (index >= max) return null;
    const html = form
      .querySelector("template.attach-row-template")
      .innerHTML.replace(/__prefix__/g, String(index))
      .replace(/__number__/g, String(index + 1));
    const container = form.querySelector(".attach-rows");
    container.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    updateAdd(form);
    return container.lastElementChild;
  }

  function setFiles(input, files) {
    const transfer = new DataTransfer();
    files.forEach((file) => transfer.items.add(file));
    input.files = transfer.files;
  }

  function announce(form, message) {
    const live = form.querySelector("[data-attach-live]");
    if (live) live.textContent = message;
  }

  // Several files chosen at once: each in the next row without a file (rows added as needed).
  function place(form, files) {
    const h = hints();
    const taken = new Set(rows(form).filter(filled).map((row) => typeSelect(row).value));
    const placed = [];
    for (const file of files) {
      const row = rows(form).find((r) => !filled(r) && !placed.some((p) => p.row === r)) || addRow(form);
      if (!row) {
        announce(form, form.dataset.msgTooMany);
        break;
      }
      setFiles(fileInput(row), [file]);
      const match = matchDocument(file.name, h);
      if (match) taken.add(match);
      placed.push({ row, match });
    }
    for (const { row, match } of placed) {
      const pk = match || nextMissing(h, taken);
      if (pk) taken.add(pk);
      typeSelect(row).value = pk;
    }
    if (placed.length && placed.length === files.length) announce(form, form.dataset.msgPlaced);
  }

  document.addEventListener("change", (event) => {
    const input = event.target;
    const form = input.closest && input.closest(".attach-form");
    if (!form || input.type !== "file") return;
    if (input.id === "attach-many") {
      place(form, Array.from(input.files));
      input.value = "";
    } else if (input.files.length) {
      const match = matchDocument(input.files[0].name, hints());
      if (match) typeSelect(input.closest(".attach-row")).value = match;
    }
  });

  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest("[data-attach-add]");
    if (!button) return;
    const form = button.closest(".attach-form");
    const row = addRow(form);
    if (!row) return;
    const taken = new Set(rows(form).filter(filled).map((r) => typeSelect(r).value));
    typeSelect(row).value = nextMissing(hints(), taken);
    fileInput(row).focus();
  });

  // An upload sent by htmx: keep what was chosen; once the card is back, choose again the
  // files that passed (when one was refused) and move the focus to the card's message.
  let chosen = null;
  document.addEventListener("htmx:beforeSwap", (event) => {
    const elt = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (!elt || !elt.matches || !elt.matches(".attach-form")) return;
    chosen = new Map();
    if (event.detail.xhr.status === 400) {
      elt.querySelectorAll("input[type=file][name]").forEach((input) => {
        if (input.files.length) chosen.set(input.name, Array.from(input.files));
      });
    }
  });
  document.addEventListener("htmx:afterSettle", () => {
    if (chosen === null) return;
    const card = document.getElementById("documents");
    if (card) {
      showControls(card);
      card.querySelectorAll("input[type=file][name]").forEach((input) => {
        const files = chosen.get(input.name);
        if (!files || input.classList.contains("is-invalid")) return;
        setFiles(input, files);
        const note = input.closest(".attach-row").querySelector("[data-repick]");
        if (note) note.hidden = true;
      });
      const message = card.querySelector("[data-attach-focus]");
      if (message) message.focus();
    }
    chosen = null;
  });

  showControls(document);
})();
