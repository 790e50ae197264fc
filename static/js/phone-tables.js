// Phone layout of tables (README, "Phone layout (390 px)"). A table names the cells that can
// wait with the class col-more (on the <th> and on each <td>): below the md breakpoint (768 px)
// portal.css hides them, and each row that has some gets a "Details" button here (in its last
// shown cell, or the one marked data-more-toggle; in a table marked data-more-compact, a bare
// chevron) that shows them, each under its column's heading, in a row of its own under it. That
// row is built on the first tap (a copy of the hidden cells without their ids and test ids), so
// the page as served, and at 1366 px, is unchanged. Also: a card marked phone-collapse opens and
// closes by its header below md (closed at first), and is a plain card from md up.
(function () {
  "use strict";
  const template = document.getElementById("row-more-template");
  const details = new WeakMap(); // row -> its detail row, once built
  let serial = 0;

  // The heading of each column, by column index, from the table's head laid out as a grid
  // (rowspans and colspans counted): a column under a grouping heading reads "group · heading".
  // A <th data-label> gives a shorter text than the heading's own.
  function headings(table) {
    const grid = [];
    Array.from(table.tHead ? table.tHead.rows : []).forEach((row, r) => {
      grid[r] = grid[r] || [];
      let c = 0;
      Array.from(row.cells).forEach((cell) => {
        while (grid[r][c] !== undefined) c += 1;
        const text = cell.dataset.label || cell.textContent.replace(/\s+/g, " ").trim();
        for (let i = 0; i < cell.rowSpan; i += 1) {
          grid[r + i] = grid[r + i] || [];
          for (let j = 0; j < cell.colSpan; j += 1) grid[r + i][c + j] = text;
        }
        c += cell.colSpan;
      });
    });
    const labels = [];
    grid.forEach((row) => row.forEach((text, c) => {
      if (!labels[c]) labels[c] = [];
      if (text && !labels[c].includes(text)) labels[c].push(text);
    }));
    return labels.map((texts) => (texts || []).join(" · "));
  }

  function enhance() {
    if (!template) return;
    document.querySelectorAll("table").forEach((table) => {
      if (!table.querySelector(":scope > tbody .col-more, :scope > tfoot .col-more")) return;
      const compact = "moreCompact" in table.dataset;
      table.querySelectorAll(":scope > tbody > tr, :scope > tfoot > tr").forEach((row) => {
        if (row.querySelector(".row-more-toggle") || row.classList.contains("row-more")) return;
        const cells = Array.from(row.cells);
        if (!cells.some((c) => c.classList.contains("col-more") && c.textContent.trim())) return;
        const shown = cells.filter((c) => !c.classList.contains("col-more"));
        const host = row.querySelector("[data-more-toggle]") || shown[shown.length - 1];
        if (!host) return;
        const button = template.content.firstElementChild.cloneNode(true);
        if (compact) button.classList.add("row-more-compact");
        host.append(button);
      });
    });
  }

  function detailRow(row) {
    const table = row.closest("table");
    const labels = headings(table);
    const list = document.createElement("dl");
    list.className = "row-more-list";
    let column = 0;
    Array.from(row.cells).forEach((cell) => {
      if (cell.classList.contains("col-more") && cell.textContent.trim()) {
        const item = document.createElement("div");
        const term = document.createElement("dt");
        const value = document.createElement("dd");
        term.textContent = cell.dataset.label || labels[column] || "";
        cell.childNodes.forEach((node) => value.append(node.cloneNode(true)));
        value.querySelectorAll("[id], [data-testid]").forEach((el) => {
          el.removeAttribute("id");
          el.removeAttribute("data-testid");
        });
        item.append(term, value);
        list.append(item);
      }
      column += cell.colSpan;
    });
    const width = Math.max(column, labels.length, 1);
    const detail = document.createElement("tr");
    const cell = document.createElement("td");
    serial += 1;
    detail.id = `row-more-${serial}`;
    detail.className = "row-more d-md-none";
    detail.hidden = true;
    cell.colSpan = width;
    cell.append(list);
    detail.append(cell);
    row.after(detail);
    details.set(row, detail);
    return detail;
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest(".row-more-toggle");
    if (button) {
      const row = button.closest("tr");
      const detail = details.get(row) || detailRow(row);
      const open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-controls", detail.id);
      button.setAttribute("aria-expanded", String(open));
      detail.hidden = !open;
      return;
    }
    const toggle = event.target.closest && event.target.closest(".phone-collapse-toggle");
    if (toggle) {
      const open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      toggle.closest(".phone-collapse").classList.toggle("phone-collapsed", !open);
    }
  });

  // A collapsible card: its header's title names a button (shown below md only) that covers
  // the header; the card's other parts are hidden while it is closed.
  function collapsible() {
    const toggleTemplate = document.getElementById("phone-collapse-template");
    if (!toggleTemplate) return;
    document.querySelectorAll(".phone-collapse").forEach((card) => {
      const header = card.querySelector(":scope > .card-header");
      if (!header || header.querySelector(".phone-collapse-toggle")) return;
      const title = header.querySelector("[data-collapse-title]") || header.firstElementChild || header;
      serial += 1;
      if (!title.id) title.id = `phone-collapse-title-${serial}`;
      const toggle = toggleTemplate.content.firstElementChild.cloneNode(true);
      toggle.setAttribute("aria-labelledby", title.id);
      header.append(toggle);
      card.classList.add("phone-collapsed");
    });
  }

  enhance();
  collapsible();
  document.addEventListener("htmx:afterSettle", () => {
    enhance();
    collapsible();
  });
})();
